import ChiTraCore
import GRDB

/// A person as the entitlement rules see them: facts from the roll and every grant under any
/// of their codes (one personal ID may sit under two codes; highest-only applies across them).
public struct PersonCase: Sendable {
    public var code: String
    public var codes: [String]
    public var personalID: String
    public var fullName: String
    public var person: PersonFacts
    public var grants: [GrantFacts]
}

public enum RollQueries {
    static func facts(_ r: Row) -> PersonFacts {
        let birth = CivilDate(r["birth_date"] as String)!
        return PersonFacts(code: r["code"], birthDate: birth, birthYearOnly: (r["birth_year_only"] as Int) == 1,
                           deathDate: (r["death_date"] as String?).flatMap(CivilDate.init),
                           status: PersonFacts.Status(rawValue: r["status"]) ?? .active)
    }
    static func grant(_ r: Row) -> GrantFacts {
        GrantFacts(beneficiaryCode: r["code"], category: r["category"], count: r["children"], decisionNo: r["decision_no"],
                   decisionDate: CivilDate(r["decision_date"] as String)!, startMonth: YearMonth(r["start_month"] as String)!,
                   endMonth: (r["end_month"] as String?).flatMap { YearMonth($0) },
                   status: PersonFacts.Status(rawValue: r["status"]) ?? .active)
    }

    /// The case for one beneficiary code, with grants from other codes sharing the personal ID.
    public static func personCase(_ db: Database, code: String) throws -> PersonCase? {
        guard let b = try Row.fetchOne(db, sql: "SELECT * FROM beneficiary WHERE code = ?", arguments: [code]) else { return nil }
        let pid: String = b["personal_id"]
        let codes = try String.fetchAll(db, sql: "SELECT code FROM beneficiary WHERE personal_id = ? AND status <> 'stopped' OR code = ? ORDER BY code", arguments: [pid, code])
        let grants = try Row.fetchAll(db, sql: "SELECT * FROM grant_record WHERE code IN (\(codes.map { _ in "?" }.joined(separator: ","))) ORDER BY code, category",
                                      arguments: StatementArguments(codes)).map(grant)
        return PersonCase(code: code, codes: codes, personalID: pid, fullName: b["full_name"], person: facts(b), grants: grants)
    }
}
