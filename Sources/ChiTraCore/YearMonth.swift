import Foundation

/// A calendar month, the unit in which allowances are owed and paid.
///
/// Stored and printed as `YYYY-MM`; the roll writes it `MM/YYYY`.
public struct YearMonth: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let year: Int
    public let month: Int

    public init?(year: Int, month: Int) {
        guard (1...12).contains(month), (1900...2999).contains(year) else { return nil }
        self.year = year
        self.month = month
    }

    /// Parses `YYYY-MM` (storage form) or `MM/YYYY` (roll form).
    public init?(_ text: String) {
        if let fast = FastDateParse.yearMonth(text) {
            guard let m = fast else { return nil }
            self = m; return
        }
        let t = FastText.trimmedWhitespaces(text)
        if t.count == 7, t.dropFirst(4).first == "-",
           let y = Int(t.prefix(4)), let m = Int(t.suffix(2)) {
            self.init(year: y, month: m)
        } else if let slash = t.firstIndex(of: "/"),
                  let m = Int(t[..<slash]), let y = Int(t[t.index(after: slash)...]),
                  t[..<slash].count <= 2, t[t.index(after: slash)...].count == 4 {
            self.init(year: y, month: m)
        } else {
            return nil
        }
    }

    /// Months since year 0, for arithmetic.
    public var index: Int { year * 12 + (month - 1) }
    public init(index: Int) {
        self.year = index / 12
        self.month = index % 12 + 1
    }

    public func adding(months: Int) -> YearMonth { YearMonth(index: index + months) }
    public var next: YearMonth { adding(months: 1) }
    public var previous: YearMonth { adding(months: -1) }

    /// Number of months from `self` to `other` (positive if `other` is later).
    public func months(to other: YearMonth) -> Int { other.index - index }

    /// `YYYY-MM`
    public var description: String { FastText.padded(year, width: 4) + "-" + FastText.padded(month, width: 2) }
    /// `MM/YYYY`, the Vietnamese form used in reports.
    public var vietnamese: String { String(format: "%02d/%04d", month, year) }
    /// `YYYYMM`, compact, for references.
    public var compact: String { FastText.padded(year, width: 4) + FastText.padded(month, width: 2) }

    public static func < (a: YearMonth, b: YearMonth) -> Bool { a.index < b.index }

    public init(from decoder: Decoder) throws {
        let s = try decoder.singleValueContainer().decode(String.self)
        guard let v = YearMonth(s) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "expected YYYY-MM, got \(s)"))
        }
        self = v
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

/// A calendar date without time zone (birth, decision, death). Stored as `YYYY-MM-DD`.
public struct CivilDate: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    public init?(year: Int, month: Int, day: Int) {
        guard (1850...2999).contains(year), (1...12).contains(month),
              day >= 1, day <= CivilDate.daysIn(year: year, month: month) else { return nil }
        self.year = year; self.month = month; self.day = day
    }

    /// Parses `DD/MM/YYYY` (roll form; also `D/M/YYYY`) or `YYYY-MM-DD` (storage form).
    public init?(_ text: String) {
        if let fast = FastDateParse.civilDate(text) {
            guard let d = fast else { return nil }
            self = d; return
        }
        let t = FastText.trimmedWhitespaces(text)
        let parts: [Substring]
        if t.contains("/") {
            parts = t.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 3, parts[2].count == 4, (1...2).contains(parts[0].count), (1...2).contains(parts[1].count),
                  let d = Int(parts[0]), let m = Int(parts[1]), let y = Int(parts[2]) else { return nil }
            self.init(year: y, month: m, day: d)
        } else {
            parts = t.split(separator: "-", omittingEmptySubsequences: false)
            guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
                  let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]) else { return nil }
            self.init(year: y, month: m, day: d)
        }
    }

    public static func daysIn(year: Int, month: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    public var yearMonth: YearMonth { YearMonth(year: year, month: month)! }
    public var description: String { FastText.padded(year, width: 4) + "-" + FastText.padded(month, width: 2) + "-" + FastText.padded(day, width: 2) }
    public var vietnamese: String { String(format: "%02d/%02d/%04d", day, month, year) }

    public static func < (a: CivilDate, b: CivilDate) -> Bool {
        (a.year, a.month, a.day) < (b.year, b.month, b.day)
    }

    /// Today in Vietnam (UTC+7), the calendar the decisions are dated in.
    public static func today(now: Date = Date()) -> CivilDate {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(secondsFromGMT: 7 * 3600)!
        let c = cal.dateComponents([.year, .month, .day], from: now)
        return CivilDate(year: c.year!, month: c.month!, day: c.day!)!
    }

    public func adding(days: Int) -> CivilDate {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(secondsFromGMT: 0)!
        let d = cal.date(from: DateComponents(year: year, month: month, day: day))!
        let n = cal.date(byAdding: .day, value: days, to: d)!
        let c = cal.dateComponents([.year, .month, .day], from: n)
        return CivilDate(year: c.year!, month: c.month!, day: c.day!)!
    }
}

extension CivilDate {
    /// The date `text` names read month-first (US `M/D/YYYY`), when that is the only way to read
    /// it: `7/26/2025` (there is no month 26) gives 26 July 2025; `7/6/2025` (a real `D/M/YYYY`
    /// date, 7 June), `31/02/2025` and `2/30/2025` (no date either way) give nil.
    ///
    /// A roll is read day-first; a file holding such a date was exported month-first, and its
    /// other dates cannot be trusted either (`7/6/2025` there means 6 July, not 7 June).
    public static func monthFirstOnly(_ text: String) -> CivilDate? {
        guard let p = FastDateParse.parts(FastText.trimmedWhitespaces(text), sep: 0x2F), p.count == 3,
              (1...2).contains(p.lengths.0), (1...2).contains(p.lengths.1), p.lengths.2 == 4,
              CivilDate(year: p.values.2, month: p.values.1, day: p.values.0) == nil else { return nil }
        return CivilDate(year: p.values.2, month: p.values.0, day: p.values.1)
    }
}

/// Byte-level parsing of the exact date shapes a roll writes, for the per-line paths.
///
/// Each returns `.some(result)` when the text has one of those shapes (ASCII digits and
/// separators only), with the same result the `String` parser gives for it, and `nil` for any
/// other text, which the `String` parser then decides (so odd input keeps its old handling).
enum FastDateParse {
    /// Splits ASCII text into digit runs separated by `sep`; nil if any other byte appears or
    /// more than three parts. Returns the values and the digit count of each part.
    @inline(__always)
    static func parts(_ text: String, sep: UInt8) -> (count: Int, values: (Int, Int, Int), lengths: (Int, Int, Int))? {
        var values = (0, 0, 0), lengths = (0, 0, 0)
        var part = 0, value = 0, length = 0
        for b in text.utf8 {
            if b >= 48 && b <= 57 {
                length += 1
                if length > 4 { return nil }
                value = value * 10 + Int(b - 48)
            } else if b == sep {
                switch part { case 0: values.0 = value; lengths.0 = length; case 1: values.1 = value; lengths.1 = length; default: return nil }
                part += 1; value = 0; length = 0
            } else {
                return nil
            }
        }
        switch part { case 0: values.0 = value; lengths.0 = length; case 1: values.1 = value; lengths.1 = length; default: values.2 = value; lengths.2 = length }
        return (part + 1, values, lengths)
    }

    /// `DD/MM/YYYY` (1–2, 1–2 and 4 digits) or `YYYY-MM-DD`.
    static func civilDate(_ text: String) -> CivilDate?? {
        if let p = parts(text, sep: 0x2F), p.count == 3,
           (1...2).contains(p.lengths.0), (1...2).contains(p.lengths.1), p.lengths.2 == 4 {
            return .some(CivilDate(year: p.values.2, month: p.values.1, day: p.values.0))
        }
        if let p = parts(text, sep: 0x2D), p.count == 3, p.lengths.0 == 4, p.lengths.1 == 2, p.lengths.2 == 2 {
            return .some(CivilDate(year: p.values.0, month: p.values.1, day: p.values.2))
        }
        return nil
    }

    /// `MM/YYYY` (1–2 and 4 digits) or `YYYY-MM`.
    static func yearMonth(_ text: String) -> YearMonth?? {
        if let p = parts(text, sep: 0x2F), p.count == 2, (1...2).contains(p.lengths.0), p.lengths.1 == 4 {
            return .some(YearMonth(year: p.values.1, month: p.values.0))
        }
        if let p = parts(text, sep: 0x2D), p.count == 2, p.lengths.0 == 4, p.lengths.1 == 2 {
            return .some(YearMonth(year: p.values.0, month: p.values.1))
        }
        return nil
    }
}
