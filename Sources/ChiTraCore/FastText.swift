import Foundation

/// Fast paths for the text operations done on every roll line, each returning exactly what the
/// Foundation call it stands for returns (`FastTextTests` checks them against Foundation). On
/// Linux these Foundation calls bridge through `NSString` and dominated the roll import.
public enum FastText {
    /// `s.trimmingCharacters(in: .whitespaces)`, without the bridge when there is nothing to trim.
    @inline(__always)
    public static func trimmedWhitespaces(_ s: String) -> String {
        // Most cells start and end with an ASCII byte that is not a space or tab: nothing to trim.
        if let f = s.utf8.first, let l = s.utf8.last, f < 0x80, l < 0x80, f != 0x20, f != 0x09, l != 0x20, l != 0x09 { return s }
        let scalars = s.unicodeScalars
        guard let first = scalars.first, let last = scalars.last else { return s }
        if !isWhitespace(first) && !isWhitespace(last) { return s }
        return s.trimmingCharacters(in: .whitespaces)
    }

    /// Membership in `CharacterSet.whitespaces` (Unicode Zs plus tab).
    @inline(__always)
    static func isWhitespace(_ u: Unicode.Scalar) -> Bool {
        if u.value < 0x80 { return u.value == 0x20 || u.value == 0x09 }
        return CharacterSet.whitespaces.contains(u)
    }

    /// Scalars whose NFC is themselves and that have canonical combining class 0, and that are
    /// neither whitespace nor decomposed differently in context: Latin (U+0000–U+02FF, where
    /// Vietnamese's ă â đ ê ô ơ ư live) and Latin Extended Additional (U+1E00–U+1EFF, the
    /// precomposed Vietnamese tones). A string made only of them is already NFC.
    @inline(__always)
    static func isPlainLatin(_ v: UInt32) -> Bool { v < 0x0300 || (v >= 0x1E00 && v <= 0x1EFF) }

    /// `s.precomposedStringWithCanonicalMapping` (NFC), without the bridge for text that is
    /// already NFC Latin/Vietnamese.
    public static func nfc(_ s: String) -> String {
        for u in s.unicodeScalars where !isPlainLatin(u.value) { return s.precomposedStringWithCanonicalMapping }
        return s
    }

    /// `VietnameseText.normalizedName`: NFC, whitespace runs → one space, trimmed.
    public static func normalizedName(_ s: String) -> String {
        var plain = true
        var previousSpace = true   // a leading space needs the slow path
        for u in s.unicodeScalars {
            let v = u.value
            if !isPlainLatin(v) || (v >= 0x09 && v <= 0x0D) || v == 0x85 || v == 0xA0 { plain = false; break }
            if v == 0x20 {
                if previousSpace { plain = false; break }
                previousSpace = true
            } else {
                previousSpace = false
            }
        }
        if plain && !(previousSpace && !s.isEmpty) { return s }
        let nfc = s.precomposedStringWithCanonicalMapping
        return nfc.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    /// For each plain-Latin scalar: its NFD without the combining diacritics U+0300–U+036F, or nil
    /// when that would leave a scalar with a non-zero combining class (then the slow path runs).
    static let strippedLatin: [UInt32: [Unicode.Scalar]] = {
        var t: [UInt32: [Unicode.Scalar]] = [:]
        for v in UInt32(0)..<0x0300 { if let u = Unicode.Scalar(v) { t[v] = strip(u) } }
        for v in UInt32(0x1E00)...0x1EFF { if let u = Unicode.Scalar(v) { t[v] = strip(u) } }
        return t.compactMapValues { $0 }
    }()
    private static func strip(_ u: Unicode.Scalar) -> [Unicode.Scalar]? {
        var out: [Unicode.Scalar] = []
        for d in String(Character(u)).decomposedStringWithCanonicalMapping.unicodeScalars {
            if (0x0300...0x036F).contains(d.value) { continue }
            if d.properties.canonicalCombiningClass != .notReordered { return nil }
            out.append(d)
        }
        return out
    }

    /// The scalars of `s.decomposedStringWithCanonicalMapping` minus U+0300–U+036F, or nil when
    /// the fast path does not apply (then decompose with Foundation).
    static func strippedDecomposition(_ s: String) -> [Unicode.Scalar]? {
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(s.utf8.count)
        let table = strippedLatinFlat
        for u in s.unicodeScalars {
            let v = u.value
            if v < 0x80 { out.append(u); continue }   // ASCII decomposes to itself
            guard isPlainLatin(v), let parts = table[v < 0x0300 ? Int(v) : Int(v - 0x1E00) + 0x0300] else { return nil }
            out.append(contentsOf: parts)
        }
        return out
    }

    /// `VietnameseText.bankForm(s)` when every scalar left after removing the diacritics is ASCII
    /// or Đ/đ (a Vietnamese name always is): built as bytes, upper-cased A–Z as `uppercased()` does
    /// for ASCII. nil otherwise (then the general code runs).
    public static func asciiBankForm(_ s: String) -> String? {
        guard let decomposed = strippedDecomposition(s) else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(decomposed.count)
        for scalar in decomposed {
            let v = scalar.value
            switch v {
            case 0x0300...0x036F: continue                      // combining diacritics
            case 0x0110, 0x0111: out.append(0x44)               // Đ đ → D
            case 0x09...0x0D, 0x20:                             // ASCII White_Space → one space, none leading
                if !out.isEmpty && out.last != 0x20 { out.append(0x20) }
            case 0x61...0x7A: out.append(UInt8(v) - 0x20)       // a–z
            case 0..<0x80: out.append(UInt8(v))
            default: return nil
            }
        }
        if out.last == 0x20 { out.removeLast() }
        return String(decoding: out, as: UTF8.self)
    }

    /// `strippedLatin` as an array (U+0000–U+02FF, then U+1E00–U+1EFF): no hashing per letter.
    static let strippedLatinFlat: [[Unicode.Scalar]?] = {
        var t = [[Unicode.Scalar]?](repeating: nil, count: 0x0400)
        for (v, parts) in strippedLatin { t[v < 0x0300 ? Int(v) : Int(v - 0x1E00) + 0x0300] = parts }
        return t
    }()

    /// `%04d`-style zero padding of a non-negative number (as `String(format:)` writes it).
    @inline(__always)
    public static func padded(_ n: Int, width: Int) -> String {
        guard n >= 0 else { return String(format: "%0\(width)d", n) }
        let digits = String(n)
        let pad = width - digits.utf8.count
        return pad > 0 ? String(repeating: "0", count: pad) + digits : digits
    }

    /// True if `s` is non-empty and all ASCII digits.
    @inline(__always)
    public static func isASCIIDigits(_ s: String) -> Bool {
        !s.isEmpty && s.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }

    /// `s.replacingOccurrences(of: " ", with: "")`, without Foundation when there is no space byte.
    @inline(__always)
    public static func removingSpaces(_ s: String) -> String {
        s.utf8.contains(0x20) ? s.replacingOccurrences(of: " ", with: "") : s
    }

    /// `s.replacingOccurrences(of: " ", with: "").replacingOccurrences(of: ".", with: "")`, without
    /// Foundation when there is neither a space nor a dot byte (no other text is equivalent to them).
    @inline(__always)
    public static func removingSpacesAndDots(_ s: String) -> String {
        s.utf8.contains(where: { $0 == 0x20 || $0 == 0x2E }) ? s.replacingOccurrences(of: " ", with: "").replacingOccurrences(of: ".", with: "") : s
    }

    /// `s.uppercased()`, without the Unicode tables for ASCII text (where upper case is A–Z only).
    @inline(__always)
    public static func uppercased(_ s: String) -> String {
        var hasLower = false
        for b in s.utf8 {
            if b >= 0x80 { return s.uppercased() }
            if b >= 0x61 && b <= 0x7A { hasLower = true }
        }
        return hasLower ? s.uppercased() : s
    }
}
