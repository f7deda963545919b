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
                   status: PersonFacts.Status(rawValue: r["status"]) ?? .active,
                   caredForBirthDates: CaredForBirthDates.parse(r["cared_for_birth_dates"]))
    }

    /// How many grants (roll lines) the store holds: the build's walk reads each once.
    public static func grantCount(_ db: Database) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT count(*) FROM grant_record") ?? 0
    }

    /// Whether the store holds no person and no grant yet (a first load).
    public static func rollIsEmpty(_ db: Database) throws -> Bool {
        try !Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM beneficiary) OR EXISTS (SELECT 1 FROM grant_record)")!
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

/// A change to how a person is paid (channel, bank, account, account name, proxy), as history keeps it.
public struct PaymentChange: Sendable, Codable, Equatable {
    public var code: String
    public var name: String
    public var field: String
    /// As history keeps them: account numbers and IDs masked.
    public var oldValue: String?
    public var newValue: String?
    /// `import` (a roll file), `manual` (set-account / set-proxy) or `returns`.
    public var source: String
    public var changedBy: String
    public var changedAt: String
}

extension RollQueries {
    /// How a person is paid, in full (channel, BIN, account number): only for `explain
    /// --show-personal-data`, which records the display in the audit log first.
    public static func paymentDetails(_ db: Database, code: String) throws -> String {
        let row = try Row.fetchOne(db, sql: "SELECT channel, bank_bin, account_no FROM beneficiary WHERE code = ?", arguments: [code])
        return [row?["channel"] as String?, row?["bank_bin"] as String?, row?["account_no"] as String?].compactMap { $0 }.joined(separator: " ")
    }

    /// The history fields that say how a person is paid.
    public static let paymentFields = ["channel", "bank_bin", "account_no", "account_name", "proxy_name", "proxy_id", "proxy_relation", "authorisation_until"]

    /// Every change to how people are paid recorded after `after` and up to `until` (ISO 8601; nil: since the start, until now),
    /// oldest first, at most `limit` (a person created by an import is one `created` row, not a change).
    public static func paymentChanges(_ db: Database, after: String?, until: String? = nil, limit: Int = 10_000) throws -> [PaymentChange] {
        let fields = paymentFields.map { "'\($0)'" }.joined(separator: ",")
        return try Row.fetchAll(db, sql: """
            SELECT c.code, b.full_name, c.field, c.old_value, c.new_value, c.source, c.changed_by, c.changed_at
            FROM roll_change c JOIN beneficiary b ON b.code = c.code
            WHERE c.field IN (\(fields)) AND c.changed_at > ? AND c.changed_at <= ?
            ORDER BY c.id LIMIT ?
            """, arguments: [after ?? "", until ?? "9999", limit]).map {
                PaymentChange(code: $0["code"], name: $0["full_name"], field: $0["field"], oldValue: $0["old_value"], newValue: $0["new_value"],
                              source: $0["source"], changedBy: $0["changed_by"], changedAt: $0["changed_at"])
            }
    }
}
