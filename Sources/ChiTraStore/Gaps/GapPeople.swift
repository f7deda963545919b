import ChiTraCore
import GRDB

/// A beneficiary as the gaps worklist reads them: who, where, how they are paid, who receives for them.
public struct GapPersonRecord: Sendable {
    public var code: String
    public var fullName: String
    public var personalID: String
    public var birthDate: CivilDate
    public var deathDate: CivilDate?
    public var status: PersonFacts.Status
    public var commune: String
    public var village: String
    public var address: String
    public var phone: String
    public var channel: Channel
    public var bankBIN: String?
    public var accountNo: String?
    /// The reason code the last returns rejected the account with (`account_flag`), and when.
    public var accountFlag: String?
    public var accountFlagAt: String?
    public var proxyName: String?
    public var proxyID: String?
    public var proxyRelation: String?
    public var authorisationUntil: CivilDate?
    public var needsProxy: Bool
}

/// The people and grants the gaps worklist reads.
public enum GapPeople {
    /// Every beneficiary, by code.
    public static func everyone(_ db: Database) throws -> [GapPersonRecord] {
        try Row.fetchAll(db, sql: "SELECT * FROM beneficiary ORDER BY code").map { r in
            GapPersonRecord(
                code: r["code"], fullName: r["full_name"], personalID: r["personal_id"],
                birthDate: CivilDate(r["birth_date"] as String)!,
                deathDate: (r["death_date"] as String?).flatMap(CivilDate.init),
                // The schema's CHECK allows only the three statuses and the three channels.
                status: PersonFacts.Status(rawValue: r["status"]) ?? .stopped,
                commune: r["commune"], village: r["village"], address: r["address"], phone: r["phone"],
                channel: Channel(rawValue: r["channel"]) ?? .postCash,
                bankBIN: r["bank_bin"], accountNo: r["account_no"],
                accountFlag: r["account_flag"], accountFlagAt: r["account_flag_at"],
                proxyName: r["proxy_name"], proxyID: r["proxy_id"], proxyRelation: r["proxy_relation"],
                authorisationUntil: (r["authorisation_until"] as String?).flatMap(CivilDate.init),
                needsProxy: (r["needs_proxy"] as Int) == 1)
        }
    }

    /// The grants current in `month` (not ended before it), as (code, category), by code and category.
    public static func currentGrants(_ db: Database, month: YearMonth) throws -> [(code: String, category: String)] {
        try Row.fetchAll(db, sql: "SELECT code, category FROM grant_record WHERE end_month IS NULL OR end_month >= ? ORDER BY code, category",
                         arguments: [month.description]).map { ($0["code"], $0["category"]) }
    }
}
