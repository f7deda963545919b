import ChiTraCore
import GRDB

/// One line of the roll walk (a person and one grant), decoded once from the walk's columns.
///
/// The person's dates stay text: only the primary code's are read (as before, through
/// `BuildDates`), while every grant's dates are read for the engine.
public struct WalkRow {
    public let code: String, fullName: String, birthDate: String, birthYearOnly: Int, personalID: String, commune: String
    public let status: String, deathDate: String?, channel: Channel, bankBIN: String?, accountNo: String?, accountName: String?
    public let proxyName: String?, proxyRelation: String?, authorisationUntil: String?, accountFlag: String?
    public let category: String, children: Int?, decisionNo: String, decisionDate: CivilDate, startMonth: YearMonth, endMonth: YearMonth?
    public let grantStatus: String
    /// `grant_record.cared_for_birth_dates` as stored (nil for most grants).
    public let caredForBirthDates: String?
}

/// Reads the roll person by person (one personal ID, perhaps several codes), in the order the
/// batch has always been built in: personal ID, code, category. One prepared statement stepped
/// through the C API; no GRDB `Row` per line.
public enum RollWalk {
    static let sql = """
        SELECT b.code, b.full_name, b.birth_date, b.birth_year_only, b.personal_id, b.commune, b.status, b.death_date,
               b.channel, b.bank_bin, b.account_no, b.account_name, b.proxy_name, b.proxy_relation, b.authorisation_until, b.account_flag,
               g.category, g.children, g.decision_no, g.decision_date, g.start_month, g.end_month, g.status AS grant_status,
               g.cared_for_birth_dates
        FROM beneficiary b JOIN grant_record g ON g.code = b.code
        ORDER BY b.personal_id, b.code, g.category
        """

    /// Calls `person` with the lines of each personal ID in turn (the array is reused: copy what you keep).
    public static func forEachPerson(_ db: Database, _ person: ([WalkRow]) throws -> Void) throws {
        let sql = RawSQL(db: db)
        let st = try db.makeStatement(sql: Self.sql)
        var group: [WalkRow] = []
        group.reserveCapacity(8)
        while try sql.step(st) {
            let row = try decode(st)
            if let last = group.last, last.personalID != row.personalID {
                try person(group)
                group.removeAll(keepingCapacity: true)
            }
            group.append(row)
        }
        if !group.isEmpty { try person(group) }
    }

    private static func decode(_ st: Statement) throws -> WalkRow {
        typealias S = RawSQL
        // Grant dates are NOT NULL and always parsable in a store the import wrote; as before, a
        // store that breaks this stops the build (the force unwraps), an unreadable end month is none.
        return WalkRow(
            code: S.string(st, 0), fullName: S.string(st, 1), birthDate: S.string(st, 2), birthYearOnly: Int(S.int64(st, 3)),
            personalID: S.string(st, 4), commune: S.string(st, 5), status: S.string(st, 6), deathDate: S.optionalString(st, 7),
            channel: try StoredValue.decode(S.string(st, 8), "beneficiary.channel"), bankBIN: S.optionalString(st, 9), accountNo: S.optionalString(st, 10), accountName: S.optionalString(st, 11),
            proxyName: S.optionalString(st, 12), proxyRelation: S.optionalString(st, 13), authorisationUntil: S.optionalString(st, 14),
            accountFlag: S.optionalString(st, 15),
            category: S.string(st, 16), children: S.optionalInt64(st, 17).map { Int($0) }, decisionNo: S.string(st, 18),
            decisionDate: BuildDates.civilDate(S.bytes(st, 19))!, startMonth: BuildDates.yearMonth(S.bytes(st, 20))!,
            endMonth: S.isNull(st, 21) ? nil : BuildDates.yearMonth(S.bytes(st, 21)),
            grantStatus: S.string(st, 22), caredForBirthDates: S.optionalString(st, 23))
    }
}

/// Dates and months as stored (`YYYY-MM-DD`, `YYYY-MM`) read straight from their bytes; anything
/// else goes through `CivilDate(_:)` / `YearMonth(_:)`, so the result is always theirs.
public enum BuildDates {
    @inline(__always)
    private static func digits(_ b: UnsafeBufferPointer<UInt8>, _ from: Int, _ count: Int) -> Int? {
        var v = 0
        for i in from..<(from + count) {
            let d = Int(b[i]) &- 48
            guard d >= 0 && d <= 9 else { return nil }
            v = v * 10 + d
        }
        return v
    }

    public static func civilDate(_ b: UnsafeBufferPointer<UInt8>) -> CivilDate? {
        if b.count == 10, b[4] == 0x2D, b[7] == 0x2D,
           let y = digits(b, 0, 4), let m = digits(b, 5, 2), let d = digits(b, 8, 2) {
            return CivilDate(year: y, month: m, day: d)
        }
        return CivilDate(String(decoding: b, as: UTF8.self))
    }

    public static func yearMonth(_ b: UnsafeBufferPointer<UInt8>) -> YearMonth? {
        if b.count == 7, b[4] == 0x2D, let y = digits(b, 0, 4), let m = digits(b, 5, 2) {
            return YearMonth(year: y, month: m)
        }
        return YearMonth(String(decoding: b, as: UTF8.self))
    }

    public static func civilDate(_ s: String) -> CivilDate? {
        var s = s
        return s.withUTF8 { civilDate($0) }
    }

    public static func yearMonth(_ s: String) -> YearMonth? {
        var s = s
        return s.withUTF8 { yearMonth($0) }
    }
}
