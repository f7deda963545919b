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
            case .notDigits: return "must contain digits only"
            case .wrongLength(let n): return "has \(n) digits; a personal ID has 12 (or 9 for an old CMND)"
            case .centurySexDigit(let f, let e): return "digit 4 is \(f) but sex and birth century require \(e)"
            case .birthYearDigits(let f, let e): return "digits 5–6 are \(f) but the birth year ends in \(e)"
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
        let chars = Array(id)
        if let sex, let birthYear, let expected = centurySexDigit(sex: sex, birthYear: birthYear), chars[3] != expected {
            return .failure(.centurySexDigit(found: chars[3], expected: expected))
        }
        if let birthYear {
            let yy = String(format: "%02d", birthYear % 100)
            let found = String(chars[4...5])
            if found != yy { return .failure(.birthYearDigits(found: found, expected: yy)) }
        }
        return .success(.citizenID)
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
