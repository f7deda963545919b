import Foundation

/// Character rules shared by the writers: control characters, lengths, ASCII folding.
enum TextRules {
    /// Length in characters as XML Schema counts them (Unicode scalars), after refusing
    /// characters no payout file may carry: C0 and C1 controls, DEL, U+FFFE and U+FFFF.
    static func scan(_ value: String, field: String, at place: PayoutWriteError.Place,
                     maxLength: Int?, required: Bool, asciiOnly: Bool = false) throws(PayoutWriteError) -> Int {
        var copy = value
        let (chars, problem): (Int, PayoutWriteError.Problem?) = copy.withUTF8 { bytes in
            var chars = 0
            var i = 0
            let n = bytes.count
            while i < n {
                let b = bytes[i]
                if b < 0x80 {
                    if b < 0x20 || b == 0x7F { return (0, .controlCharacter(UInt32(b))) }
                } else {
                    if asciiOnly { return (0, .notASCII) }
                    if b == 0xC2, i + 1 < n, (0x80...0x9F).contains(bytes[i + 1]) {
                        return (0, .controlCharacter(UInt32(bytes[i + 1])))
                    }
                    if b == 0xEF, i + 2 < n, bytes[i + 1] == 0xBF, bytes[i + 2] >= 0xBE {
                        return (0, .controlCharacter(bytes[i + 2] == 0xBE ? 0xFFFE : 0xFFFF))
                    }
                }
                if b & 0xC0 != 0x80 { chars += 1 }
                i += 1
            }
            return (chars, nil)
        }
        if let problem { throw .invalidField(field: field, at: place, problem: problem) }
        if required && chars == 0 { throw .invalidField(field: field, at: place, problem: .missing) }
        if let maxLength, chars > maxLength {
            throw .invalidField(field: field, at: place, problem: .tooLong(max: maxLength, actual: chars))
        }
        return chars
    }

    /// An end-to-end or message reference: 1–35 characters of `[A-Za-z0-9-]`.
    static func checkReference(_ value: String, field: String, at place: PayoutWriteError.Place) throws(PayoutWriteError) {
        guard !value.isEmpty else { throw .invalidField(field: field, at: place, problem: .missing) }
        let n = value.utf8.count
        guard value.utf8.allSatisfy(isReferenceByte) else {
            throw .invalidField(field: field, at: place, problem: .notAllowed(allowed: "letters A–Z, a–z, digits and '-'"))
        }
        guard n <= 35 else { throw .invalidField(field: field, at: place, problem: .tooLong(max: 35, actual: n)) }
    }

    private static func isReferenceByte(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2D
    }

    /// Removes Vietnamese diacritics (đ → d, Đ → D) and maps typographic punctuation to ASCII.
    /// Returns nil if anything non-ASCII remains. Case is kept.
    ///
    /// `asciiFold("TCXH 12/2026 – Nguyễn Văn Đức")` → `"TCXH 12/2026 - Nguyen Van Duc"`.
    static func asciiFold(_ value: String) -> String? {
        if value.utf8.allSatisfy({ $0 < 0x80 }) { return value }
        var out = String.UnicodeScalarView()
        for scalar in value.decomposedStringWithCanonicalMapping.unicodeScalars {
            switch scalar.value {
            case 0..<0x80: out.append(scalar)
            case 0x300...0x36F: continue                      // combining marks: tones, breve, circumflex, horn
            case 0x110: out.append("D")                       // Đ
            case 0x111: out.append("d")                       // đ
            case 0xA0, 0x2007, 0x202F: out.append(" ")        // no-break spaces
            case 0x2010...0x2015, 0x2212: out.append("-")     // dashes, minus
            case 0x2018, 0x2019: out.append("'")
            case 0x201C, 0x201D: out.append("\"")
            default: return nil
            }
        }
        return String(out)
    }
}

/// An append-only byte buffer: one growing array, copied into `Data` once at the end.
struct ByteSink {
    private(set) var bytes: [UInt8] = []

    init(reservingCapacity n: Int) { bytes.reserveCapacity(n) }

    @inline(__always) mutating func append(_ s: StaticString) {
        s.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    @inline(__always) mutating func append(_ s: String) {
        var s = s
        s.withUTF8 { bytes.append(contentsOf: $0) }
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
        s.withUTF8 { src in
            var start = 0
            for i in 0..<src.count {
                let replacement: StaticString
                switch src[i] {
                case 0x26: replacement = "&amp;"
                case 0x3C: replacement = "&lt;"
                case 0x3E: replacement = "&gt;"
                case 0x22: replacement = "&quot;"
                case 0x27: replacement = "&apos;"
                default: continue
                }
                if start < i { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: src[start..<i])) }
                replacement.withUTF8Buffer { bytes.append(contentsOf: $0) }
                start = i + 1
            }
            if start < src.count { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: src[start..<src.count])) }
        }
    }

    var data: Data { Data(bytes) }
}
