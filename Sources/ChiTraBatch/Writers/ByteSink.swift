import ChiTraSigning
import Foundation

/// An append-only byte buffer: the writers' output.
///
/// In memory (``PayoutWriter/write(_:)``) it grows to the whole file and is copied into `Data`
/// once at the end. When streaming (the export), the writer hands it to
/// ``drain(into:ifAtLeast:)`` after each line, so it never holds more than about one chunk.
struct ByteSink {
    var bytes: [UInt8] = []

    /// Streaming writers drain the buffer once it holds this much (1 MiB, like the digests' chunks).
    static let chunkSize = 1 << 20

    init(reservingCapacity n: Int) { bytes.reserveCapacity(n) }

    var count: Int { bytes.count }

    @inline(__always) mutating func append(_ s: StaticString) {
        s.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    @inline(__always) mutating func append(_ s: String) {
        var s = s
        s.withUTF8 { bytes.append(contentsOf: $0) }
    }

    @inline(__always) mutating func append(_ v: ByteView) {
        if v.count > 0 { bytes.append(contentsOf: v.buffer) }
    }

    @inline(__always) mutating func append(byte: UInt8) { bytes.append(byte) }

    mutating func append(bytes other: [UInt8]) { bytes.append(contentsOf: other) }

    /// Writes a non-negative integer in decimal without going through `String`.
    mutating func appendDecimal(_ value: Int64) {
        precondition(value >= 0)
        if value < 10 { bytes.append(0x30 + UInt8(value)); return }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var n = 0
        var v = value
        withUnsafeMutableBytes(of: &digits) { buf in
            while v > 0 {
                buf[n] = 0x30 + UInt8(v % 10)
                v /= 10
                n += 1
            }
            for i in stride(from: n - 1, through: 0, by: -1) { bytes.append(buf[i]) }
        }
    }

    /// Appends XML character data, escaping `& < > " '`. The caller has already refused control characters.
    mutating func appendXMLEscaped(_ s: String) {
        var s = s
        s.withUTF8 { appendXMLEscaped(ByteView(base: $0.baseAddress, count: $0.count)) }
    }

    /// Appends XML character data, escaping `& < > " '`. The caller has already refused control characters.
    mutating func appendXMLEscaped(_ v: ByteView) {
        guard let src = v.base else { return }
        var start = 0
        for i in 0..<v.count {
            let replacement: StaticString
            switch src[i] {
            case 0x26: replacement = "&amp;"
            case 0x3C: replacement = "&lt;"
            case 0x3E: replacement = "&gt;"
            case 0x22: replacement = "&quot;"
            case 0x27: replacement = "&apos;"
            default: continue
            }
            if start < i { bytes.append(contentsOf: UnsafeBufferPointer(start: src + start, count: i - start)) }
            replacement.withUTF8Buffer { bytes.append(contentsOf: $0) }
            start = i + 1
        }
        if start < v.count { bytes.append(contentsOf: UnsafeBufferPointer(start: src + start, count: v.count - start)) }
    }

    /// Hands the buffered bytes to `out` once there are at least `threshold` of them (all of
    /// them with the default 0), keeping the buffer's capacity for the next chunk.
    mutating func drain(into out: SignedFileWriter, ifAtLeast threshold: Int = 0) throws {
        guard bytes.count >= threshold, !bytes.isEmpty else { return }
        try out.write(bytes)
        bytes.removeAll(keepingCapacity: true)
    }

    var data: Data { Data(bytes) }
}
