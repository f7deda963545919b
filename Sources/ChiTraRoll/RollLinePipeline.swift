import ChiTraCore
import Foundation

/// A roll's lines read, decoded and validated on a second thread, a few thousand lines ahead of
/// the import's writer, which takes them in file order (issue 16: the second core used where the
/// work splits). Reading and validating a line depends on nothing the writer does: the cells, the
/// header and the validator (tariff, banks, today's date) are fixed before the first line, so each
/// line comes to the same `RollValidation` and warnings as when the writer validated it itself.
///
/// What the writer sees is exactly the sequential reading: the lines in order, then either the
/// end or the reading error at the place it happened (a line the reader cannot read stops the
/// import where it always did). Memory is bounded: at most `depth` chunks of `chunkSize` lines wait.
/// The writer must call `stop()` when it is done (or gives up early): the reading thread is told
/// to stop and is waited for, so no thread is left reading the file.
final class RollLinePipeline: @unchecked Sendable {
    struct Line: Sendable {
        let record: RollInput.Record
        /// Every cell empty: not a line of the roll (counted as blank).
        let blank: Bool
        /// nil for a blank line.
        let validation: RollValidation?
        /// The warnings of a valid line (`RollValidator.warnings(for:)`).
        let warnings: [RollWarning]
    }

    private let condition = NSCondition()
    private var chunks: [[Line]] = []
    private var finished = false
    private var failure: Error?
    private var stopped = false
    private let done = DispatchSemaphore(value: 0)
    private var current: [Line] = []
    private var position = 0
    private let depth: Int

    /// Starts reading `reader` (which the caller must not touch until `stop()` has returned).
    init(reader: RollInput, validator: RollValidator, header: RollHeader, file: String, chunkSize: Int = 1024, depth: Int = 8) {
        self.depth = depth
        let box = UncheckedBox(reader)
        let thread = Thread { [self] in
            defer { done.signal() }
            var chunk: [Line] = []
            chunk.reserveCapacity(chunkSize)
            do {
                while let rec = try box.value.next() {
                    let blank = RollImporter.isBlank(rec.fields)
                    var validation: RollValidation?
                    var warnings: [RollWarning] = []
                    if !blank {
                        let v = validator.validate(fields: rec.fields, line: rec.line, header: header, file: file, numericFields: rec.numericFields)
                        if case .valid(let row) = v { warnings = validator.warnings(for: row) }
                        validation = v
                    }
                    chunk.append(Line(record: rec, blank: blank, validation: validation, warnings: warnings))
                    if chunk.count >= chunkSize {
                        guard hand(chunk) else { return }
                        chunk = []
                        chunk.reserveCapacity(chunkSize)
                    }
                }
                if !chunk.isEmpty { guard hand(chunk) else { return } }
                finish(nil)
            } catch {
                if !chunk.isEmpty { guard hand(chunk) else { return } }
                finish(error)
            }
        }
        thread.name = "chitra-roll-reader"
        thread.stackSize = 1 << 22
        thread.start()
    }

    /// Queues a chunk for the writer, waiting while `depth` chunks wait; false once stopped.
    private func hand(_ chunk: [Line]) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while chunks.count >= depth && !stopped { condition.wait() }
        if stopped { return false }
        chunks.append(chunk)
        condition.broadcast()
        return true
    }

    private func finish(_ error: Error?) {
        condition.lock()
        finished = true
        failure = error
        condition.broadcast()
        condition.unlock()
    }

    /// The next line in file order, nil at the end; throws the reading error at its place.
    func next() throws -> Line? {
        if position < current.count {
            position += 1
            return current[position - 1]
        }
        condition.lock()
        while chunks.isEmpty && !finished { condition.wait() }
        if chunks.isEmpty {
            let error = failure
            failure = nil
            condition.unlock()
            if let error { throw error }
            return nil
        }
        current = chunks.removeFirst()
        condition.broadcast()
        condition.unlock()
        position = 1
        return current[0]
    }

    /// Stops the reading thread (if still running) and waits for it. Call once.
    func stop() {
        condition.lock()
        stopped = true
        chunks.removeAll()
        condition.broadcast()
        condition.unlock()
        done.wait()
    }
}

/// Hands a value that is not `Sendable` to exactly one other thread, which alone uses it.
private final class UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
