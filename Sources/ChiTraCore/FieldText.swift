/// The rules every text field typed or imported into the roll follows (`formats/roll-csv.md`,
/// "Limits"): the roll import and the manual updates apply the same ones.
///
/// - no control characters (C0, DEL, C1: U+0000–U+001F, U+007F–U+009F);
/// - no invisible text-direction characters, which make a value show differently from what is
///   stored and compared (U+200E/U+200F marks, U+202A–U+202E embeddings and overrides,
///   U+2066–U+2069 isolates, U+061C the Arabic letter mark);
/// - names at most `maxName` characters, the address at most `maxAddress` (Unicode scalars of
///   the stored NFC form, as the payout files count them; Vietnamese in NFC is one scalar per letter).
public enum FieldText {
    /// Names (beneficiary, account holder, proxy) and every other short field.
    public static let maxName = 100
    /// The street address.
    public static let maxAddress = 300

    /// What is wrong with one character of a field.
    public enum Forbidden: Sendable, Equatable {
        case control(UInt32)
        case direction(UInt32)

        /// `U+202E` style.
        public var codePoint: String {
            let v: UInt32
            switch self { case .control(let c), .direction(let c): v = c }
            let hex = String(v, radix: 16, uppercase: true)
            return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
        }

        /// The end of a sentence that starts with the field's name, e.g. "Họ và tên: " + message.
        public var message: String {
            switch self {
            case .control:
                return Message("core.field.control_character", ["code": .text(codePoint)]).text()
            case .direction:
                return Message("core.field.direction_character", ["code": .text(codePoint)]).text()
            }
        }
    }

    /// The first forbidden character of `s`, or nil. A byte scan: every forbidden character
    /// has a fixed UTF-8 form, so no Unicode decoding is needed.
    @inline(__always)
    public static func forbidden(in s: String) -> Forbidden? {
        var copy = s
        return copy.withUTF8 { scan($0) }
    }

    static func scan(_ b: UnsafeBufferPointer<UInt8>) -> Forbidden? {
        let n = b.count
        var i = 0
        while i < n {
            let c = b[i]
            if c < 0x80 {
                if c < 0x20 || c == 0x7F { return .control(UInt32(c)) }
            } else if c == 0xC2 {
                // U+0080–U+009F: C2 80 – C2 9F
                if i + 1 < n, b[i + 1] >= 0x80, b[i + 1] <= 0x9F { return .control(UInt32(b[i + 1])) }
            } else if c == 0xD8 {
                // U+061C: D8 9C
                if i + 1 < n, b[i + 1] == 0x9C { return .direction(0x061C) }
            } else if c == 0xE2, i + 2 < n {
                let c1 = b[i + 1], c2 = b[i + 2]
                // U+2000–U+203F: E2 80 xx with U+20xx = 0x2000 + (xx - 0x80)
                if c1 == 0x80, c2 == 0x8E || c2 == 0x8F || (c2 >= 0xAA && c2 <= 0xAE) { return .direction(0x2000 + UInt32(c2 - 0x80)) }
                // U+2040–U+207F: E2 81 xx with U+20xx = 0x2040 + (xx - 0x80)
                if c1 == 0x81, c2 >= 0xA6, c2 <= 0xA9 { return .direction(0x2040 + UInt32(c2 - 0x80)) }
            }
            i += 1
        }
        return nil
    }

    /// The number of characters of `s` as stored (`VietnameseText.normalizedName`: NFC, runs of
    /// spaces as one, trimmed; counted in Unicode scalars) when it is above `limit`, else nil.
    /// Cheap for short text: a scalar takes at least one UTF-8 byte.
    @inline(__always)
    public static func length(_ s: String, over limit: Int) -> Int? {
        if s.utf8.count <= limit { return nil }
        let n = FastText.normalizedName(s).unicodeScalars.count
        return n > limit ? n : nil
    }
}
