import ChiTraCore
import Foundation

/// A return file parsed on a second thread (`ReadAhead`), a bounded number of records ahead of
/// the matcher, which takes them in file order (issue 16: the second core used where the work
/// splits; the roll import does the same with `RollLinePipeline`). Parsing depends on nothing the
/// matcher does: the parsers read the file only, never the store, so each record, each malformed
/// line and the document's findings come out exactly as when the matcher's thread parsed the file.
///
/// `read` runs on the reading thread and hands its records to the `ReturnRecordSink` it is given
/// (the parsers' own streaming sink). The taker sees exactly the sequential reading: the records
/// in order, then either the end (and `document`, which holds everything else the file said) or
/// `read`'s error at the place it happened. The parsers' callbacks cannot be interrupted: stopped
/// early, the reading thread keeps nothing more and ends with the file (the import never stops
/// early: it takes every record, so that an error of the file itself still comes before the
/// matcher's).
typealias ReturnRecordPipeline = ReadAhead<ReturnRecord, ReturnDocument>

extension ReadAhead where Item == ReturnRecord, Outcome == ReturnDocument {
    /// Starts `read` on the reading thread; it must touch nothing but the file (never the store).
    convenience init(chunkSize: Int = 1024, depth: Int = 8, read: @escaping (ReturnRecordSink) throws -> ReturnDocument) {
        self.init(name: "chitra-returns-reader", chunkSize: chunkSize, depth: depth) { emit in
            // Once the taker has stopped, `emit` throws; the sink keeps that and only counts the rest.
            let sink = ReturnRecordSink { try emit($0) }
            let document = try read(sink)
            if let stopped = sink.error { throw stopped }
            return document
        }
    }

    /// What the file said besides its records, once `next()` has returned nil.
    var document: ReturnDocument? { outcome }
}
