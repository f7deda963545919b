import ChiTraCore
import GRDB

/// What the web's person pages read: finding a beneficiary by code or name, and everything the
/// store holds about one — facts from the roll, grants, payout lines, what the bank or post office
/// reported, flags, and why a batch left them out. Personal IDs and account numbers leave the
/// store masked.
public enum PersonQueries {
    /// One search result.
    public struct Hit: Sendable {
        public let code: String
        public let fullName: String
        /// ISO date (1 January for a year-only birth date).
        public let birthDate: String
        public let commune: String
        public let village: String
        public let status: PersonFacts.Status
    }

    /// People whose code starts with `query`, or whose name contains it without regard to case or
    /// diacritics ("nguyen thi lanh", "Lành" and "LANH" all find "Nguyễn Thị Lành"): exact code
    /// first, then codes, then names starting with it, then names with a word starting with it,
    /// then names containing it. At most `limit` (+1, so the caller can tell there are more).
    public static func search(_ db: AppDatabase, query: String, limit: Int = 50) throws -> [Hit] {
        let q = VietnameseText.normalizedName(query)
        guard !q.isEmpty else { return [] }
        let key = VietnameseText.bankForm(q)
        return try db.writer.read { d in
            try Row.fetchAll(d, sql: """
                SELECT code, full_name, birth_date, commune, village, status, CASE
                    WHEN code = ?1 THEN 0
                    WHEN instr(upper(code), upper(?1)) = 1 THEN 1
                    WHEN instr(name_bank, ?2) = 1 THEN 2
                    WHEN instr(' ' || name_bank, ' ' || ?2) > 0 THEN 3
                    ELSE 4 END AS rank
                FROM beneficiary
                WHERE code = ?1 OR instr(upper(code), upper(?1)) = 1 OR (?2 <> '' AND instr(name_bank, ?2) > 0)
                ORDER BY rank, name_bank, code LIMIT ?3
                """, arguments: [q, key, limit + 1]).map {
                    Hit(code: $0["code"], fullName: $0["full_name"], birthDate: $0["birth_date"], commune: $0["commune"], village: $0["village"],
                        status: try StoredValue.decode($0["status"], "beneficiary.status"))
                }
        }
    }

    /// A beneficiary as the roll has them, IDs and account number masked.
    public struct Person: Sendable {
        public let code: String
        public let fullName: String
        public let birthDate: String
        public let birthYearOnly: Bool
        public let sex: String
        public let personalIDMasked: String
        public let idLegacy: Bool
        public let commune: String
        public let village: String
        public let address: String
        public let phone: String
        public let status: PersonFacts.Status
        public let deathDate: String?
        public let channel: Channel
        public let bankBIN: String?
        public let accountMasked: String?
        public let accountName: String?
        public let proxyName: String?
        public let proxyIDMasked: String?
        public let proxyRelation: String?
        public let authorisationUntil: String?
        public let needsProxy: Bool
        /// A bank's or post office's rejection of the account (reason code), and when.
        public let accountFlag: String?
        public let accountFlagAt: String?
        /// Other live codes under the same personal ID.
        public let otherCodes: [String]
        public let updatedAt: String
    }

    public struct Grant: Sendable {
        public let category: String
        public let children: Int?
        public let decisionNo: String
        public let decisionDate: String
        public let startMonth: String
        public let endMonth: String?
        public let status: PersonFacts.Status
    }

    /// One payout line of the person, with its batch.
    public struct Payout: Sendable {
        public let batchID: Int64
        public let batchPeriod: String
        public let batchStatus: BatchStatus
        public let supplementary: Bool
        public let reference: String
        public let kind: String
        public let forMonth: String
        public let amount: Int64
        public let state: PayoutLineState
        public let payeeName: String
        public let channel: Channel
        public let resultReasonCode: String?
        public let resultReason: String?
        public let resultDate: String?
    }

    /// One line of a return file (bank or post office) about one of the person's payout lines.
    public struct ReturnLine: Sendable {
        public let fileName: String
        public let importedAt: String
        public let lineNo: Int
        public let reference: String?
        public let amount: Int64?
        public let outcome: ReturnOutcome
        public let reasonCode: String?
        public let reason: String?
        public let date: String?
        public let result: ReturnLineResult
    }

    public struct Flag: Sendable {
        public let kind: FlagKind
        public let detail: String
        public let raisedAt: String
        public let closedAt: String?
    }

    /// A batch that left the person out, and why.
    public struct Exclusion: Sendable {
        public let batchID: Int64
        public let batchPeriod: String
        public let reasonCode: String
        public let reason: String
        public let amountOwed: Int64
    }

    public struct Record: Sendable {
        public let person: Person
        public let grants: [Grant]
        public let payouts: [Payout]
        public let returns: [ReturnLine]
        public let flags: [Flag]
        public let exclusions: [Exclusion]
    }

    /// Everything about `code` (newest payouts first, at most `limit` payout and return lines), or nil.
    public static func record(_ db: AppDatabase, code: String, limit: Int = 240) throws -> Record? {
        try db.writer.read { d in
            guard let b = try Row.fetchOne(d, sql: "SELECT * FROM beneficiary WHERE code = ?", arguments: [code]) else { return nil }
            let pid: String = b["personal_id"]
            let others = try String.fetchAll(d, sql: "SELECT code FROM beneficiary WHERE personal_id = ? AND code <> ? AND status <> 'stopped' ORDER BY code",
                                             arguments: [pid, code])
            let person = Person(
                code: code, fullName: b["full_name"], birthDate: b["birth_date"], birthYearOnly: (b["birth_year_only"] as Int) == 1,
                sex: b["sex"], personalIDMasked: PersonalID.masked(pid), idLegacy: (b["id_legacy"] as Int) == 1,
                commune: b["commune"], village: b["village"], address: b["address"], phone: b["phone"],
                status: try StoredValue.decode(b["status"], "beneficiary.status"),
                deathDate: b["death_date"], channel: try StoredValue.decode(b["channel"], "beneficiary.channel"), bankBIN: b["bank_bin"],
                accountMasked: (b["account_no"] as String?).map(maskAccount), accountName: b["account_name"],
                proxyName: b["proxy_name"], proxyIDMasked: (b["proxy_id"] as String?).map(PersonalID.masked),
                proxyRelation: b["proxy_relation"], authorisationUntil: b["authorisation_until"],
                needsProxy: (b["needs_proxy"] as Int) == 1, accountFlag: b["account_flag"], accountFlagAt: b["account_flag_at"],
                otherCodes: others, updatedAt: b["updated_at"])
            let grants = try Row.fetchAll(d, sql: "SELECT * FROM grant_record WHERE code = ? ORDER BY start_month, category", arguments: [code]).map {
                Grant(category: $0["category"], children: $0["children"], decisionNo: $0["decision_no"], decisionDate: $0["decision_date"],
                      startMonth: $0["start_month"], endMonth: $0["end_month"],
                      status: try StoredValue.decode($0["status"], "grant_record.status"))
            }
            let payouts = try Row.fetchAll(d, sql: """
                SELECT p.*, \(LineState.sql(line: "p")) AS line_state, b.period, b.status AS batch_status, b.supplementary
                FROM payout_line p JOIN batch b ON b.id = p.batch_id
                WHERE p.beneficiary_code = ? ORDER BY p.batch_id DESC, p.for_month DESC, p.id DESC LIMIT ?
                """, arguments: [code, limit]).map {
                    Payout(batchID: $0["batch_id"], batchPeriod: $0["period"], batchStatus: try StoredValue.decode($0["batch_status"], "batch.status"),
                           supplementary: ($0["supplementary"] as Int) == 1, reference: $0["reference"], kind: $0["kind"],
                           forMonth: $0["for_month"], amount: $0["amount"], state: try StoredValue.decode($0["line_state"], "payout_line.state"), payeeName: $0["payee_name"],
                           channel: try StoredValue.decode($0["channel"], "payout_line.channel"), resultReasonCode: $0["result_reason_code"], resultReason: $0["result_reason"],
                           resultDate: $0["result_date"])
                }
            // Return lines matched to the person's payout lines, and unmatched ones naming one of their references.
            let returns = try Row.fetchAll(d, sql: """
                SELECT * FROM (
                    SELECT l.*, f.name AS file_name, f.imported_at FROM return_line l JOIN import_file f ON f.id = l.file_id
                    WHERE l.payout_line_id IN (SELECT id FROM payout_line WHERE beneficiary_code = ?1)
                    UNION ALL
                    SELECT l.*, f.name AS file_name, f.imported_at FROM return_line l JOIN import_file f ON f.id = l.file_id
                    WHERE l.payout_line_id IS NULL AND l.reference IN (SELECT reference FROM payout_line WHERE beneficiary_code = ?1))
                ORDER BY file_id DESC, line_no LIMIT ?2
                """, arguments: [code, limit]).map {
                    ReturnLine(fileName: $0["file_name"], importedAt: $0["imported_at"], lineNo: $0["line_no"], reference: $0["reference"],
                               amount: $0["amount"], outcome: try StoredValue.decode($0["outcome"], "return_line.outcome"), reasonCode: $0["reason_code"], reason: $0["reason"],
                               date: $0["date"], result: try StoredValue.decode($0["result"], "return_line.result"))
                }
            let flags = try Row.fetchAll(d, sql: "SELECT * FROM beneficiary_flag WHERE beneficiary_code = ? ORDER BY closed_at IS NOT NULL, id DESC",
                                         arguments: [code]).map {
                Flag(kind: try StoredValue.decode($0["kind"], "beneficiary_flag.kind"), detail: $0["detail"], raisedAt: $0["raised_at"], closedAt: $0["closed_at"])
            }
            let exclusions = try Row.fetchAll(d, sql: """
                SELECT e.*, b.period FROM batch_exclusion e JOIN batch b ON b.id = e.batch_id
                WHERE e.beneficiary_code = ? AND b.status <> 'cancelled' ORDER BY e.batch_id DESC LIMIT 24
                """, arguments: [code]).map {
                    Exclusion(batchID: $0["batch_id"], batchPeriod: $0["period"], reasonCode: $0["reason_code"], reason: $0["reason"],
                              amountOwed: $0["amount_owed"])
                }
            return Record(person: person, grants: grants, payouts: payouts, returns: returns, flags: flags, exclusions: exclusions)
        }
    }
}
