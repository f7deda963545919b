/// Vietnamese personal identification numbers (Circular 07/2016/TT-BCA Art. 7).
///
/// A 12-digit number (CCCD / số định danh): digits 1–3 province of birth registration,
/// digit 4 century and sex (0/1 male/female 1900–1999, 2/3 male/female 2000–2099),
/// digits 5–6 the last two digits of the birth year, 7–12 random.
/// Old 9-digit CMND numbers are accepted but flagged as legacy.
public enum PersonalID {
    public enum Sex: String, Sendable, Codable { case male = "M", female = "F" }

    public enum Kind: Sendable, Equatable { case citizenID, legacyCMND }

    public enum Problem: Error, Sendable, Equatable, CustomStringConvertible {
        case notDigits, wrongLength(Int)
        case centurySexDigit(found: Character, expected: Character)
        case birthYearDigits(found: String, expected: String)

        public var description: String {
            switch self {
            case .notDigits: return Message("core.id.not_digits").text()
            case .wrongLength(let n): return Message("core.id.wrong_length", ["n": .int(n)]).text()
            case .centurySexDigit(let f, let e): return Message("core.id.century_sex_digit", ["found": .text(String(f)), "expected": .text(String(e))]).text()
            case .birthYearDigits(let f, let e): return Message("core.id.birth_year_digits", ["found": .text(f), "expected": .text(e)]).text()
            }
        }
    }

    /// The expected 4th digit for a sex and birth year (nil outside 1900–2099).
    public static func centurySexDigit(sex: Sex, birthYear: Int) -> Character? {
        let base: Int
        switch birthYear {
        case 1900...1999: base = 0
        case 2000...2099: base = 2
        default: return nil
        }
        return Character(String(base + (sex == .female ? 1 : 0)))
    }

    /// Checks structure; returns the kind, or the first problem.
    public static func check(_ id: String, sex: Sex?, birthYear: Int?) -> Result<Kind, Problem> {
        guard !id.isEmpty, id.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return .failure(.notDigits) }
        let n = id.utf8.count
        if n == 9 { return .success(.legacyCMND) }
        guard n == 12 else { return .failure(.wrongLength(n)) }
        // All ASCII digits from here: work on the bytes (no `Array(id)`, no `String(format:)` per line).
        var u: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0, 0, 0)
        var k = 0
        for b in id.utf8 {
            switch k { case 3: u.3 = b; case 4: u.4 = b; case 5: u.5 = b; default: break }
            k += 1
            if k > 5 { break }
        }
        if let sex, let birthYear, let expected = centurySexDigit(sex: sex, birthYear: birthYear),
           Character(Unicode.Scalar(u.3)) != expected {
            return .failure(.centurySexDigit(found: Character(Unicode.Scalar(u.3)), expected: expected))
        }
        if let birthYear {
            let yy = birthYear % 100
            // `%02d` of a non-negative yy is two digits; compare them as bytes.
            if yy >= 0 && Int(u.4) - 48 == yy / 10 && Int(u.5) - 48 == yy % 10 { return .success(.citizenID) }
            let expected = FastText.padded(yy, width: 2)
            let found = String(decoding: [u.4, u.5], as: UTF8.self)
            if found != expected { return .failure(.birthYearDigits(found: found, expected: expected)) }
        }
        return .success(.citizenID)
    }

    /// The province codes of birth registration (digits 1–3), Circular 07/2016/TT-BCA Appendix:
    /// the 63 provinces and cities, 001 Hà Nội … 096 Cà Mau.
    public static let provinceCodes: Set<String> = [
        "001", "002", "004", "006", "008", "010", "011", "012", "014", "015", "017", "019", "020", "022", "024", "025",
        "026", "027", "030", "031", "033", "034", "035", "036", "037", "038", "040", "042", "044", "045", "046", "048",
        "049", "051", "052", "054", "056", "058", "060", "062", "064", "066", "067", "068", "070", "072", "074", "075",
        "077", "079", "080", "082", "083", "084", "086", "087", "089", "091", "092", "093", "094", "095", "096"]

    /// A personal ID written with 10 or 11 digits (Excel dropped its leading zeros, or it was a
    /// number cell) restored to 12 digits, only when that is provably right: the padded ID has a
    /// province code from `provinceCodes`, and its century/sex digit and year digits agree with the
    /// sex and birth year. Nil when it cannot be proved (the ID must then be corrected at the source).
    public static func restoringLeadingZeros(_ id: String, sex: Sex?, birthYear: Int?) -> String? {
        let n = id.utf8.count
        guard n == 10 || n == 11, id.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let sex, let birthYear,
              centurySexDigit(sex: sex, birthYear: birthYear) != nil else { return nil }
        let padded = String(repeating: "0", count: 12 - n) + id
        guard provinceCodes.contains(String(padded.prefix(3))),
              case .success(.citizenID) = check(padded, sex: sex, birthYear: birthYear) else { return nil }
        return padded
    }

    /// `079******123`: keeps the province code and last three digits.
    public static func masked(_ id: String) -> String {
        guard id.count > 6 else { return String(repeating: "*", count: id.count) }
        return String(id.prefix(3)) + String(repeating: "*", count: id.count - 6) + String(id.suffix(3))
    }
}

/// Masks an account number, keeping the last four digits.
public func maskAccount(_ account: String) -> String {
    guard account.count > 4 else { return String(repeating: "*", count: account.count) }
    return String(repeating: "*", count: account.count - 4) + String(account.suffix(4))
}
