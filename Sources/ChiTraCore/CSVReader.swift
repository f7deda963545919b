import Foundation

/// A streaming RFC 4180 reader: UTF-8 with or without BOM, LF or CRLF, quoted fields with
/// `""` escapes and embedded newlines. Reads in 1 MiB chunks, so memory does not grow with the file.
///
/// Each record carries the physical line number it starts on, for error messages.
///
/// The separator is a comma unless given (`;` from Excel with Vietnamese regional settings, tab
/// from Excel's "Unicode text"). `singleByte` reads a file that is not UTF-8 (Windows-1258,
/// TCVN3, VNI bytes): each byte 0xNN becomes U+00NN (Latin-1, lossless), for the caller to convert.
public final class CSVReader {
    public struct Record: Sendable {
        public let line: Int
        public let fields: [String]
    }

    public struct Failure: Error, CustomStringConvertible {
        public let file: String
        public let line: Int
        public let message: String
        public var description: String {
            Message("core.csv.failure", ["file": .text(SafeText.echo(file, limit: 200)), "line": .int(line), "problem": .text(SafeText.clean(message))]).text()
        }
    }

    private let handle: FileHandle
    private let name: String
    private var buffer: [UInt8] = []
    private var pos = 0
    private var eof = false
    private var line = 1
    private var first = true
    /// Fields in the previous record (the next one most likely has as many).
    private var lastFieldCount = 8
    /// Longest accepted record in bytes: a hostile file cannot make us hold gigabytes.
    public var maxRecordBytes = 1 << 20
    /// The byte between fields (`,` by default).
    public let separator: UInt8
    /// Bytes are Latin-1 (U+0000–U+00FF), not UTF-8.
    public let singleByte: Bool

    public init(url: URL, separator: UInt8 = 0x2C, singleByte: Bool = false) throws {
        self.separator = separator
        self.singleByte = singleByte
        guard let h = FileHandle(forReadingAtPath: url.path) else {
            throw Failure(file: url.lastPathComponent, line: 0, message: Message("core.csv.cannot_open").text())
        }
        handle = h
        name = url.lastPathComponent
    }
    deinit { try? handle.close() }

    private func fill() -> Bool {
        if eof { return false }
        let chunk = handle.readData(ofLength: 1 << 20)
        if chunk.isEmpty { eof = true; return false }
        if pos > 0 { buffer.removeFirst(pos); pos = 0 }
        buffer.append(contentsOf: chunk)
        return true
    }

    private func byte() -> UInt8? {
        if pos >= buffer.count && !fill() { return nil }
        let b = buffer[pos]; pos += 1
        return b
    }
    private func peek() -> UInt8? {
        if pos >= buffer.count && !fill() { return nil }
        return buffer[pos]
    }

    /// `String(validating: bytes, as: UTF8.self)`; ASCII bytes (most fields) are always valid UTF-8
    /// and skip the generic validator, which cost more than the rest of the reader.
    @inline(__always)
    static func string(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        var ascii = true
        for b in bytes where b >= 0x80 { ascii = false; break }
        if ascii { return String(decoding: bytes, as: UTF8.self) }
        // `String(decoding:)` keeps valid UTF-8 byte for byte and replaces anything invalid with
        // U+FFFD: the bytes come back unchanged exactly when they were valid. (Faster than the
        // generic `String(validating:as:)`, which cost a sixth of a roll import's parsing.)
        let s = String(decoding: bytes, as: UTF8.self)
        return s.utf8.elementsEqual(bytes) ? s : nil
    }

    @inline(__always)
    private func decode(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        singleByte ? Self.latin1(bytes) : Self.string(bytes)
    }

    /// Each byte as the scalar of the same number (Latin-1); never fails.
    static func latin1(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        var ascii = true
        for b in bytes where b >= 0x80 { ascii = false; break }
        if ascii { return String(decoding: bytes, as: UTF8.self) }
        var view = String.UnicodeScalarView()
        for b in bytes { view.append(Unicode.Scalar(b)) }
        return String(view)
    }

    /// The next record, or nil at the end of the file.
    public func next() throws -> Record? {
        if first {
            first = false
            if peek() == 0xEF {
                // Skip a UTF-8 BOM.
                if buffer.count - pos >= 3 || fill() || true, buffer.count - pos >= 3,
                   buffer[pos] == 0xEF, buffer[pos + 1] == 0xBB, buffer[pos + 2] == 0xBF { pos += 3 }
            }
        }
        guard peek() != nil else { return nil }
        let startLine = line
        var fields: [String] = []
        fields.reserveCapacity(lastFieldCount)
        defer { lastFieldCount = fields.count }
        var field: [UInt8] = []
        var total = 0
        var inQuotes = false
        var wasQuoted = false
        let sep = separator
        func finishField() throws {
            guard let s = field.withUnsafeBufferPointer({ decode($0) }) else {
                throw Failure(file: name, line: startLine, message: Message("core.csv.field_not_utf8", ["field": .int(fields.count + 1)]).text())
            }
            fields.append(s)
            field.removeAll(keepingCapacity: true)
            wasQuoted = false
        }
        while true {
            // Fast path for the common field: unquoted, lying whole in the buffer, ended by a comma or
            // a line end within the record limit. One `String` straight from the buffer (no byte-by-byte
            // copy into `field`); the delimiter is then handled below exactly as on the slow path.
            // Anything else (a quote at the start, a field across the buffer's end, a record at the
            // limit) takes the byte-by-byte path, so every error is raised where it was before.
            if !inQuotes && !wasQuoted && field.isEmpty && pos < buffer.count && buffer[pos] != 0x22 {
                let start = pos
                // Field bytes plus the delimiter must keep `total` within the limit.
                let limit = min(buffer.count, start + max(0, maxRecordBytes - total - 1))
                let end: Int? = buffer.withUnsafeBufferPointer { buf in
                    var j = start
                    while j < limit {
                        let c = buf[j]
                        if c == sep || c == 0x0A || c == 0x0D { return j }
                        j += 1
                    }
                    return nil
                }
                if let end {
                    let s = buffer.withUnsafeBufferPointer { decode(UnsafeBufferPointer(rebasing: $0[start..<end])) }
                    guard let s else {
                        throw Failure(file: name, line: startLine, message: Message("core.csv.field_not_utf8", ["field": .int(fields.count + 1)]).text())
                    }
                    total += end - start + 1
                    pos = end + 1
                    fields.append(s)
                    switch buffer[end] {
                    case 0x0D:
                        if peek() == 0x0A { _ = byte() }
                        line += 1
                        return Record(line: startLine, fields: fields)
                    case 0x0A:
                        line += 1
                        return Record(line: startLine, fields: fields)
                    default:   // the separator
                        continue
                    }
                }
            }
            guard let b = byte() else {
                if inQuotes { throw Failure(file: name, line: startLine, message: Message("core.csv.unclosed_quote").text()) }
                try finishField()
                return Record(line: startLine, fields: fields)
            }
            total += 1
            if total > maxRecordBytes {
                throw Failure(file: name, line: startLine, message: Message("core.csv.record_too_long", ["bytes": .int(maxRecordBytes)]).text())
            }
            if inQuotes {
                if b == 0x22 {
                    if peek() == 0x22 { _ = byte(); field.append(0x22) } else { inQuotes = false }
                } else {
                    if b == 0x0A { line += 1 }
                    field.append(b)
                }
                continue
            }
            switch b {
            case 0x22 where field.isEmpty && !wasQuoted:
                inQuotes = true; wasQuoted = true
            case sep:
                try finishField()
            case 0x0D:
                if peek() == 0x0A { _ = byte() }
                line += 1
                try finishField()
                return Record(line: startLine, fields: fields)
            case 0x0A:
                line += 1
                try finishField()
                return Record(line: startLine, fields: fields)
            default:
                field.append(b)
            }
        }
    }
}

/// Writing CSV cells that Excel opens safely.
public enum CSVText {
    /// RFC 4180 quoting, and a leading `'` on cells beginning with `=`, `+`, `-`, `@`, tab or CR
    /// so that a spreadsheet does not run them as formulas.
    public static func cell(_ s: String) -> String {
        var v = s
        if let f = v.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(f) { v = "'" + v }
        if v.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
            return "\"" + v.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return v
    }
    public static func row(_ cells: [String]) -> String { cells.map(cell).joined(separator: ",") }
}
