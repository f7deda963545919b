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
