import ChiTraBatch
import ChiTraSigning
import ChiTraReturns
import Foundation

/// Where the simulator writes a return file: into memory (``ReturnSimulator/simulate(payoutFile:outputFormat:failRate:seed:formats:returnFormats:paymentDate:)``)
/// or, in 1 MiB chunks, into a temporary file renamed into place at the end (and signed from the
/// bytes as they go when a key is given). Memory does not grow with the file.
final class ReturnFileOutput {
    private enum Destination {
        case memory
        case file(AtomicFileWriter)
        case signed(SignedFileWriter)
    }

    private var destination: Destination
    private var buffer: [UInt8] = []
    private(set) var byteCount = 0
    private static let chunkSize = 1 << 20

    /// Collects the bytes in memory (``data``).
    init() {
        destination = .memory
    }

    /// Streams to a temporary file beside `url` (mode 0600).
    init(file url: URL, signingKey: SigningKey?) throws {
        if let signingKey {
            destination = .signed(try SignedFileWriter(destination: url, key: signingKey, mode: 0o600))
        } else {
            destination = .file(try AtomicFileWriter(destination: url, mode: 0o600))
        }
        buffer.reserveCapacity(Self.chunkSize + (64 << 10))
    }

    /// The bytes collected in memory.
    var data: Data { Data(buffer) }

    @inline(__always) func append(_ s: StaticString) {
        s.withUTF8Buffer { buffer.append(contentsOf: $0) }
    }

    @inline(__always) func append(_ s: String) {
        var s = s
        s.withUTF8 { buffer.append(contentsOf: $0) }
    }

    /// `String(n)`.
    func append(_ n: Int64) {
        guard n >= 0 else { append(String(n)); return }
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)   // 24 bytes, enough for 19 digits
        var v = n
        var count = 0
        withUnsafeMutableBytes(of: &digits) { d in
            repeat {
                d[23 - count] = 0x30 + UInt8(v % 10)
                v /= 10
                count += 1
            } while v > 0
            buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: d[(24 - count)...]))
        }
    }

    /// XML text with `& < > "` escaped, as the simulator has always escaped it.
    func appendEscaped(_ s: String) {
        var s = s
        s.withUTF8 { src in
            var start = 0
            for i in 0..<src.count {
                let replacement: StaticString
                switch src[i] {
                case 0x26: replacement = "&amp;"
                case 0x3C: replacement = "&lt;"
                case 0x3E: replacement = "&gt;"
                case 0x22: replacement = "&quot;"
                default: continue
                }
                if start < i { buffer.append(contentsOf: UnsafeBufferPointer(rebasing: src[start..<i])) }
                replacement.withUTF8Buffer { buffer.append(contentsOf: $0) }
                start = i + 1
            }
            if start < src.count { buffer.append(contentsOf: UnsafeBufferPointer(rebasing: src[start...])) }
        }
    }

    /// One CSV cell, `CSVCell.escape`d.
    func appendCell(_ s: String) {
        CSVCell.appendEscaped(s, to: &buffer)
    }

    /// Hands a full chunk to the file; call between lines.
    func flushIfFull() throws {
        if buffer.count >= Self.chunkSize { try flush() }
    }

    private func flush() throws {
        guard !buffer.isEmpty else { return }
        switch destination {
        case .memory: return
        case .file(let f): try f.write(buffer)
        case .signed(let f): try f.write(buffer)
        }
        byteCount += buffer.count
        buffer.removeAll(keepingCapacity: true)
    }

    /// Writes what is left, renames the file into place and, with a key, writes `FILE.sig`.
    /// Returns the signature if one was written; the file's size is then ``byteCount``.
    func commit() throws -> DetachedSignature? {
        switch destination {
        case .memory:
            byteCount = buffer.count
            return nil
        case .file(let f):
            try flush()
            try f.commit()
            return nil
        case .signed(let f):
            try flush()
            return try f.commitAndSign().signature
        }
    }

    /// Drops the temporary file.
    func abandon() {
        switch destination {
        case .memory: break
        case .file(let f): f.abandon()
        case .signed(let f): f.abandon()
        }
        destination = .memory
        buffer.removeAll()
    }
}
