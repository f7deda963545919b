/// Where a streaming read hands each record as soon as it is read, instead of keeping it in
/// `ReturnDocument.records`: memory then does not grow with the file (a national bank's return
/// holds hundreds of thousands of lines).
///
/// The readers' callbacks cannot throw, so the first error of `body` is kept and the records after
/// it are only counted; `ReturnFileReader.stream` rethrows it once the file is read (an error of
/// the file itself comes first, as when the whole file was read before anything was done with it).
///
/// A sink belongs to one thread: in the import, the parsers hand their records to the sink of a
/// `ReturnRecordPipeline` on its reading thread, and `ReturnFileReader.stream` hands them on, in
/// the same order, to the matcher's sink on the matcher's thread.
final class ReturnRecordSink {
    private let body: (ReturnRecord) throws -> Void
    /// Records handed over (or counted after an error).
    private(set) var count = 0
    private(set) var error: (any Error)?

    init(_ body: @escaping (ReturnRecord) throws -> Void) { self.body = body }

    func take(_ record: ReturnRecord) {
        count += 1
        guard error == nil else { return }
        do { try body(record) } catch { self.error = error }
    }
}

extension ReturnDocument {
    /// `add`, or the record to `sink` when there is one.
    mutating func add(_ result: Result<ReturnRecord, MalformedLineError>, sink: ReturnRecordSink?) {
        if let sink, case .success(let record) = result { sink.take(record) } else { add(result) }
    }
}
