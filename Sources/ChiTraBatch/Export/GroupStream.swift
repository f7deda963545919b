import ChiTraCore
import ChiTraSigning
import Foundation
import GRDB

/// Writes one group's payout file by streaming its lines from the store: header (with the
/// totals the store adds up beforehand), each line as it is read, footer; the bytes go to the
/// temporary file in 1 MiB chunks and into its SHA-256 and HMAC as they are written. Memory does
/// not grow with the group, except for a format that sorts its lines (the post office's list of
/// one commune), whose lines are kept as bytes until the last one is read.
///
/// It writes the bytes ``PayoutWriter/write(_:)`` would write for the same lines, or nothing:
/// whenever a line is not what a plain export expects (anything `PayoutDocument.validatedTotals()`
/// or the writer would refuse, a value bytes cannot vouch for, totals that do not add up),
/// the temporary file is dropped and ``write(with:record:)`` returns false, so that the caller
/// writes the group from a document in memory and gets the very same file or error as before.
struct GroupStream {
    let db: Database
    let batchID: Int64
    let groupKey: String
    /// The file's header values, without lines; `expectedTotals` set.
    let document: PayoutDocument
    /// Count and sum of the group's lines, from the store.
    let totals: PayoutTotals
    let directory: URL
    let key: SigningKey

    /// Something the stream does not vouch for: the group goes the in-memory way.
    private struct Declined: Error {}

    typealias Record = (PayoutDocument, any PayoutWriter, URL, PayoutTotals, DetachedSignature, FileDigest) throws -> Void

    /// Writes and signs the file, then hands it to `record`; false if nothing was written.
    func write<W: StreamingPayoutWriter>(with writer: W, record: Record) throws -> Bool {
        guard totals.count > 0, totals.controlSum > 0, totals.controlSum <= PayoutDocument.maxAmount else { return false }
        do { try writer.checkHeader(document) } catch { return false }

        let url = directory.appendingPathComponent("\(document.messageID).\(writer.fileExtension)")
        let reader = try PayoutRowReader(db, needs: .init(fields: writer.fieldsRead))
        let out = try SignedFileWriter(destination: url, key: key)
        do {
            var sink = ByteSink(reservingCapacity: ByteSink.chunkSize + (64 << 10))
            writer.appendHeader(document, totals: totals, to: &sink)
            var running = RunningTotals()
            let scratch = ByteArena()
            var previousReference: [UInt8] = []
            var number = 0
            // A sorted format needs the whole group before its first line: keep it as bytes.
            let buffered = writer.streamsInDocumentOrder ? nil : BufferedLines()
            try reader.start(batchID: batchID, groupKey: groupKey)
            while try reader.next() {
                number += 1
                guard let line = reader.decode(), isPlain(line, previousReference: previousReference) else { throw Declined() }
                previousReference.removeAll(keepingCapacity: true)
                previousReference.append(contentsOf: line.reference.buffer)
                if let buffered {
                    buffered.append(line)
                } else {
                    try writer.appendLine(line, number: number, sequence: number, to: &sink, running: &running, scratch: scratch)
                    try sink.drain(into: out, ifAtLeast: ByteSink.chunkSize)
                }
            }
            if let buffered, let order = writer.outputOrder(buffered) {
                for (sequence, index) in order.enumerated() {
                    try writer.appendLine(buffered[index], number: index + 1, sequence: sequence + 1, to: &sink,
                                          running: &running, scratch: scratch)
                    try sink.drain(into: out, ifAtLeast: ByteSink.chunkSize)
                }
            }
            let written = PayoutTotals(count: running.count, controlSum: running.sum)
            guard written == totals else { throw Declined() }
            writer.appendFooter(written: written, to: &sink)
            try sink.drain(into: out)
            let (signature, digest) = try out.commitAndSign(syncingDirectory: false)   // the manifest syncs the folder
            try record(document, writer, url, written, signature, digest)
            return true
        } catch is Declined {
            out.abandon()
            return false
        } catch is PayoutWriteError {
            out.abandon()
            return false
        } catch {
            out.abandon()
            throw error
        }
    }

    /// What `PayoutDocument.validatedTotals()` checks of each line: a well-formed reference,
    /// different from the previous one (lines come ordered by reference, so a duplicate would be
    /// next to its first), an amount in range, a line that belongs to this institution (any bank
    /// account in an interbank file).
    private func isPlain(_ line: PayoutLineBytes, previousReference: [UInt8]) -> Bool {
        let ref = line.reference
        guard ref.count >= 1, ref.count <= 35, ref.buffer.allSatisfy(Self.isReferenceByte) else { return false }
        let repeated = previousReference.withUnsafeBufferPointer { ByteView(base: $0.baseAddress, count: $0.count) == ref }
        guard !repeated, line.amount > 0, line.amount <= PayoutDocument.maxAmount else { return false }
        switch document.institution.kind {
        case .bank:
            guard line.channel == .bank, let bin = line.bankBIN else { return false }
            if document.interbank { return true }
            var code = document.institution.code
            return code.withUTF8 { ByteView(base: $0.baseAddress, count: $0.count) == bin }
        case .postOffice:
            return line.channel != .bank
        }
    }

    private static func isReferenceByte(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2D
    }
}
