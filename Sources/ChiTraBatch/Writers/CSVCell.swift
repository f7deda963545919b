/// One CSV cell made safe: formula injection neutralised (OWASP), then RFC 4180 quoting.
///
/// Spreadsheets run a cell that begins with `=`, `+`, `-` or `@` (also tab or CR) as a formula,
/// so a name like `=HYPERLINK(...)` in a payment list could act when the clerk opens it. Such a
/// cell gets a leading `'`, which spreadsheets show as text.
///
/// ```swift
/// CSVCell.escape("=1+2")        // "'=1+2"
/// CSVCell.escape("Hoa, Lan")    // "\"Hoa, Lan\""
/// CSVCell.escape("say \"hi\"")  // "\"say \"\"hi\"\"\""
/// ```
public enum CSVCell {
    /// Prefixes `'` when the cell begins with `=`, `+`, `-`, `@`, tab or CR.
    public static func neutralised(_ value: String) -> String {
        guard let first = value.utf8.first else { return value }
        switch first {
        case UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "@"), 0x09, 0x0D:
            return "'" + value
        default:
            return value
        }
    }

    /// Neutralises the cell, then quotes it (doubling inner quotes) if it contains the delimiter,
    /// a double quote, CR or LF.
    public static func escape(_ value: String, delimiter: Character = ",") -> String {
        let cell = neutralised(value)
        let d = delimiter.asciiValue ?? UInt8(ascii: ",")
        let needsQuotes = cell.utf8.contains { $0 == d || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D }
        guard needsQuotes else { return cell }
        return "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

extension String {
    fileprivate func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: Character(target), omittingEmptySubsequences: false).joined(separator: replacement)
    }
}

extension CSVCell {
    /// Appends ``escape(_:delimiter:)`` of a cell given as bytes, without building a `String`.
    ///
    /// Byte for byte what `escape` gives: the one case bytes cannot decide alone is a quote in a
    /// cell with non-ASCII text (`escape` doubles quotes `Character` by `Character`, and a quote
    /// followed by a combining mark is one `Character`), which goes through `escape` itself.
    /// `d` is `delimiter.asciiValue ?? ","`, worked out once by the caller.
    static func append(_ value: ByteView, delimiter: Character, byte d: UInt8, to out: inout ByteSink) {
        let buffer = value.buffer
        var neutralise = false
        switch value.first {
        case UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "@"), 0x09, 0x0D: neutralise = true
        default: break
        }
        var needsQuotes = false
        var hasQuote = false
        var nonASCII = false
        for b in buffer {
            if b == d || b == 0x22 || b == 0x0A || b == 0x0D { needsQuotes = true }
            if b == 0x22 { hasQuote = true }
            if b >= 0x80 { nonASCII = true }
        }
        if !needsQuotes {
            if neutralise { out.append(byte: UInt8(ascii: "'")) }
            out.append(value)
            return
        }
        if hasQuote && nonASCII {
            out.append(escape(value.string, delimiter: delimiter))
            return
        }
        out.append(byte: 0x22)
        if neutralise { out.append(byte: UInt8(ascii: "'")) }
        if hasQuote {
            for b in buffer {
                out.append(byte: b)
                if b == 0x22 { out.append(byte: 0x22) }
            }
        } else {
            out.append(value)
        }
        out.append(byte: 0x22)
    }
}

extension CSVCell {
    /// Appends ``escape(_:delimiter:)`` of `value` to `bytes`, without building the escaped `String`
    /// when there is nothing to quote (for writers outside this module, e.g. the simulator).
    public static func appendEscaped(_ value: String, delimiter: Character = ",", to bytes: inout [UInt8]) {
        var sink = ByteSink(reservingCapacity: 0)
        swap(&sink.bytes, &bytes)
        var value = value
        value.withUTF8 { append(ByteView(base: $0.baseAddress, count: $0.count), delimiter: delimiter,
                                byte: delimiter.asciiValue ?? UInt8(ascii: ","), to: &sink) }
        swap(&sink.bytes, &bytes)
    }
}
