import Foundation

/// Character rules shared by the writers: control characters, lengths, ASCII folding.
enum TextRules {
    /// Length in characters as XML Schema counts them (Unicode scalars), after refusing
    /// characters no payout file may carry: C0 and C1 controls, DEL, U+FFFE and U+FFFF.
    static func scan(_ value: String, field: String, at place: PayoutWriteError.Place,
                     maxLength: Int?, required: Bool, asciiOnly: Bool = false) throws(PayoutWriteError) -> Int {
        var copy = value
        let (chars, problem) = copy.withUTF8 { scanBytes($0, asciiOnly: asciiOnly) }
        return try verdict(chars: chars, problem: problem, field: field, at: place, maxLength: maxLength, required: required)
    }

    /// ``scan(_:field:at:maxLength:required:asciiOnly:)`` over bytes; the place is only built on failure.
    @inline(__always)
    static func scan(_ value: ByteView, field: String, at place: () -> PayoutWriteError.Place,
                     maxLength: Int?, required: Bool, asciiOnly: Bool = false) throws(PayoutWriteError) -> Int {
        let (chars, problem) = scanBytes(value.buffer, asciiOnly: asciiOnly)
        if problem == nil, !(required && chars == 0), chars <= (maxLength ?? Int.max) { return chars }
        return try verdict(chars: chars, problem: problem, field: field, at: place(), maxLength: maxLength, required: required)
    }

    /// The scalar count, or the first forbidden character.
    @inline(__always)
    private static func scanBytes(_ bytes: UnsafeBufferPointer<UInt8>, asciiOnly: Bool) -> (Int, PayoutWriteError.Problem?) {
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

    private static func verdict(chars: Int, problem: PayoutWriteError.Problem?, field: String, at place: PayoutWriteError.Place,
                                maxLength: Int?, required: Bool) throws(PayoutWriteError) -> Int {
        if let problem { throw .invalidField(field: field, at: place, problem: problem) }
        if required && chars == 0 { throw .invalidField(field: field, at: place, problem: .missing) }
        if let maxLength, chars > maxLength {
            throw .invalidField(field: field, at: place, problem: .tooLong(max: maxLength, actual: chars))
        }
        return chars
    }

    /// An end-to-end or message reference: 1–35 characters of `[A-Za-z0-9-]`.
    static func checkReference(_ value: String, field: String, at place: PayoutWriteError.Place) throws(PayoutWriteError) {
        if let problem = referenceProblem(value.utf8) { throw .invalidField(field: field, at: place, problem: problem) }
    }

    /// ``checkReference(_:field:at:)`` over bytes.
    static func checkReference(_ value: ByteView, field: String, at place: () -> PayoutWriteError.Place) throws(PayoutWriteError) {
        if let problem = referenceProblem(value.buffer) { throw .invalidField(field: field, at: place(), problem: problem) }
    }

    @inline(__always)
    private static func referenceProblem<C: Collection>(_ bytes: C) -> PayoutWriteError.Problem? where C.Element == UInt8 {
        guard !bytes.isEmpty else { return .missing }
        guard bytes.allSatisfy(isReferenceByte) else { return .notAllowed(allowed: "letters A–Z, a–z, digits and '-'") }
        guard bytes.count <= 35 else { return .tooLong(max: 35, actual: bytes.count) }
        return nil
    }

    /// 1–`max` ASCII digits (account numbers, BINs).
    static func checkDigits(_ value: ByteView, field: String, at place: () -> PayoutWriteError.Place, max: Int) throws(PayoutWriteError) {
        guard !value.isEmpty else { throw .invalidField(field: field, at: place(), problem: .missing) }
        guard value.buffer.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
            throw .invalidField(field: field, at: place(), problem: .notAllowed(allowed: "digits"))
        }
        guard value.count <= max else {
            throw .invalidField(field: field, at: place(), problem: .tooLong(max: max, actual: value.count))
        }
    }

    /// ``asciiFold(_:)`` over bytes: ASCII text is returned as it is (no copy); anything else is
    /// folded through `String` into `arena` (reset here). Nil if non-ASCII remains.
    static func asciiFold(_ value: ByteView, arena: ByteArena) -> ByteView? {
        if value.isASCII { return value }
        guard let folded = asciiFold(value.string) else { return nil }
        arena.reset(minimumCapacity: folded.utf8.count)
        return arena.append(folded)
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
