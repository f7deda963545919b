import Foundation

/// A return file parsed on a second thread, a bounded number of records ahead of the matcher,
/// which takes them in file order (issue 16: the second core used where the work splits; the
/// roll import does the same with `RollLinePipeline`). Parsing depends on nothing the matcher
/// does: the parsers read the file only, never the store, so each record, each malformed line
/// and the document's findings come out exactly as when the matcher's thread parsed the file.
///
/// `read` runs on the reading thread and hands its records to the `ReturnRecordSink` it is
/// given (the parsers' own streaming sink); they are queued in chunks of `chunkSize`, at most
/// `depth` chunks ahead, so memory stays bounded whatever the size of the file. The taker sees
/// exactly the sequential reading: the records in order, then either the end (and `document`,
/// which holds everything else the file said) or `read`'s error at the place it happened.
///
/// The taker must call `stop()` when it is done, or gives up early: the reading thread is told
/// to stop and is waited for, so no thread is left reading the file. The parsers' callbacks
/// cannot be interrupted: stopped early, the reading thread keeps nothing more and ends with
/// the file (the import never stops early: it takes every record, so that an error of the file
/// itself still comes before the matcher's).
///
/// `@unchecked Sendable`: the queue (`chunks`, `finished`, `outcome`, `stopped`) is touched only
/// under `condition`; `current`, `position` and `document` only by the taker's thread; the
/// reading thread's own state (its sink, the chunk it fills) never leaves it but by `hand`.
final class ReturnRecordPipeline: @unchecked Sendable {
    private let condition = NSCondition()
    private var chunks: [[ReturnRecord]] = []
    private var outcome: Result<ReturnDocument, any Error>?
    private var stopped = false
    private let done = DispatchSemaphore(value: 0)
    private var current: [ReturnRecord] = []
    private var position = 0
    private let depth: Int
    /// What the file said besides its records, once `next()` has returned nil.
    private(set) var document: ReturnDocument?

    /// Thrown into the reading thread's sink once the taker has stopped: what is read after it is
    /// only counted.
    private struct Stopped: Error {}

    /// Starts `read` on the reading thread; it must touch nothing but the file (never the store).
    init(chunkSize: Int = 1024, depth: Int = 8, read: @escaping @Sendable (ReturnRecordSink) throws -> ReturnDocument) {
        self.depth = depth
        let thread = Thread { [self] in
            defer { done.signal() }
            var chunk: [ReturnRecord] = []
            chunk.reserveCapacity(chunkSize)
            let sink = ReturnRecordSink { record in
                chunk.append(record)
                if chunk.count >= chunkSize {
                    guard self.hand(chunk) else { throw Stopped() }
                    chunk = []
                    chunk.reserveCapacity(chunkSize)
                }
            }
            let result = Result { try read(sink) }
            if sink.error != nil { return }   // stopped
            if !chunk.isEmpty { guard hand(chunk) else { return } }
            finish(result)
        }
        thread.name = "chitra-returns-reader"
        thread.stackSize = 1 << 22
        thread.start()
    }

    /// Queues a chunk for the taker, waiting while `depth` chunks wait; false once stopped.
    private func hand(_ chunk: [ReturnRecord]) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while chunks.count >= depth && !stopped { condition.wait() }
        if stopped { return false }
        chunks.append(chunk)
        condition.broadcast()
        return true
    }

    private func finish(_ result: Result<ReturnDocument, any Error>) {
        condition.lock()
        outcome = result
        condition.broadcast()
        condition.unlock()
    }

    /// The next record in file order, nil at the end (`document` is then set); throws the
    /// reading error at its place.
    func next() throws -> ReturnRecord? {
        if position < current.count {
            position += 1
            return current[position - 1]
        }
        condition.lock()
        while chunks.isEmpty && outcome == nil { condition.wait() }
        if chunks.isEmpty {
            let result = outcome!
            condition.unlock()
            current = []
            position = 0
            document = try result.get()
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
