import ChiTraCore
import Foundation

/// A roll's lines read, decoded and validated on a second thread (`ReadAhead`), a few thousand
/// lines ahead of the import's writer, which takes them in file order (issue 16: the second core
/// used where the work splits). Reading and validating a line depends on nothing the writer does:
/// the cells, the header and the validator (tariff, banks, today's date) are fixed before the first
/// line, so each line comes to the same `RollValidation` and warnings as when the writer validated
/// it itself.
///
/// What the writer sees is exactly the sequential reading: the lines in order, then either the
/// end or the reading error at the place it happened (a line the reader cannot read stops the
/// import where it always did). Memory is bounded: at most `depth` chunks of `chunkSize` lines wait.
/// The writer must call `stop()` when it is done (or gives up early): the reading thread is told
/// to stop and is waited for, so no thread is left reading the file.
struct RollLinePipeline {
    struct Line: Sendable {
        let record: RollInput.Record
        /// Every cell empty: not a line of the roll (counted as blank).
        let blank: Bool
        /// nil for a blank line.
        let validation: RollValidation?
        /// The warnings of a valid line (`RollValidator.warnings(for:)`).
        let warnings: [RollWarning]
    }

    private let ahead: ReadAhead<Line, Void>

    /// Starts reading `reader` (which the caller must not touch until `stop()` has returned).
    init(reader: RollInput, validator: RollValidator, header: RollHeader, file: String, chunkSize: Int = 1024, depth: Int = 8) {
        ahead = ReadAhead(name: "chitra-roll-reader", chunkSize: chunkSize, depth: depth) { emit in
            while let rec = try reader.next() {
                let blank = RollImporter.isBlank(rec.fields)
                var validation: RollValidation?
                var warnings: [RollWarning] = []
                if !blank {
                    let v = validator.validate(fields: rec.fields, line: rec.line, header: header, file: file, numericFields: rec.numericFields)
                    if case .valid(let row) = v { warnings = validator.warnings(for: row) }
                    validation = v
                }
                try emit(Line(record: rec, blank: blank, validation: validation, warnings: warnings))
            }
        }
    }

    /// The next line in file order, nil at the end; throws the reading error at its place.
    func next() throws -> Line? { try ahead.next() }

    /// Stops the reading thread (if still running) and waits for it. Call once.
    func stop() { ahead.stop() }
}
