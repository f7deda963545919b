import ChiTraCore
import Foundation
import GRDB

/// What the web's gaps pages read beside the worklist itself (`GapFinder`): a cheap marker that
/// moves whenever the worklist could change, the latest follow-ups of a few people, one person's
/// record as the case page shows it, the proxies on file and the coverage snapshots over the months.
public enum GapsQueries {
    /// Audit actions that never change who is on the worklist or why: the follow-up log (read
    /// fresh on every page), sessions, failed logins, displays.
    public static let actionsLeavingTheWorklist = ["gaps.record", "session.open", "session.close", "user.locked", "personal-data.show"]

    /// What the gaps pages cache by: `worklist` moves with the latest audit entry that may have
    /// changed the worklist (a roll or returns import, a batch, a manual update…), as `id@at` ("0"
    /// in an empty store; the id alone could repeat after a restore from a backup, the time of that
    /// entry does not); `followUps` with the latest follow-up recorded.
    public struct Markers: Sendable, Equatable {
        public let worklist: String
        public let followUps: Int64
    }

    /// Both markers, in one read of two rows.
    public static func markers(_ db: AppDatabase) throws -> Markers {
        try db.writer.read { d in
            let placeholders = actionsLeavingTheWorklist.map { _ in "?" }.joined(separator: ",")
            let row = try Row.fetchOne(d, sql: "SELECT id, at FROM audit_log WHERE action NOT IN (\(placeholders)) ORDER BY id DESC LIMIT 1",
                                       arguments: StatementArguments(actionsLeavingTheWorklist))
            let followUps = try Int64.fetchOne(d, sql: "SELECT max(id) FROM gap_case_event") ?? 0
            return Markers(worklist: row.map { "\($0["id"] as Int64)@\($0["at"] as String)" } ?? "0", followUps: followUps)
        }
    }

    /// One follow-up entry (`gap_case_event`), as stored.
    public struct FollowUp: Sendable {
        public let id: Int64
        public let code: String
        public let status: GapFollowUpStatus
        public let note: String
        public let recordedBy: String
        public let recordedAt: String
    }

    /// The latest follow-up of each of `codes` that has one.
    public static func latestFollowUps(_ db: AppDatabase, codes: [String]) throws -> [String: FollowUp] {
        guard !codes.isEmpty else { return [:] }
        return try db.writer.read { d in
            var out: [String: FollowUp] = [:]
            // SQLite takes at most 32,766 parameters per statement: ask in slices.
            var start = 0
            while start < codes.count {
                let slice = Array(codes[start..<min(codes.count, start + 5_000)])
                start += slice.count
                let rows = try Row.fetchAll(d, sql: """
                    SELECT * FROM gap_case_event WHERE id IN
                      (SELECT max(id) FROM gap_case_event WHERE code IN (\(slice.map { _ in "?" }.joined(separator: ","))) GROUP BY code)
                    """, arguments: StatementArguments(slice))
                for r in rows {
                    let f = FollowUp(id: r["id"], code: r["code"], status: try StoredValue.decode(r["status"], "gap_case_event.status"), note: r["note"],
                                     recordedBy: r["recorded_by"], recordedAt: r["recorded_at"])
                    out[f.code] = f
                }
            }
            return out
        }
    }

    /// Who receives on a person's behalf.
    public struct Proxy: Sendable {
        public let name: String
        public let relation: String?
        /// `046******209`.
        public let idMasked: String?
        /// `YYYY-MM-DD`, nil for a guardian (or when none is on file).
        public let until: String?
    }

    /// Every person with a proxy on file, by code (one read; kept with the cached worklist).
    public static func proxies(_ db: AppDatabase) throws -> [String: Proxy] {
        try db.writer.read { d in
            var out: [String: Proxy] = [:]
            for r in try Row.fetchAll(d, sql: """
                SELECT code, proxy_name, proxy_relation, proxy_id, authorisation_until FROM beneficiary
                WHERE proxy_name IS NOT NULL AND proxy_name <> ''
                """) {
                out[r["code"]] = Proxy(name: r["proxy_name"], relation: (r["proxy_relation"] as String?).flatMap { $0.isEmpty ? nil : $0 },
                                       idMasked: (r["proxy_id"] as String?).flatMap { $0.isEmpty ? nil : PersonalID.masked($0) },
                                       until: r["authorisation_until"])
            }
            return out
        }
    }

    /// One person as the case page shows them: personal ID and account masked.
    public struct Person: Sendable {
        public let code: String
        public let fullName: String
        public let birthDate: String
        public let birthYearOnly: Bool
        public let status: PersonFacts.Status
        public let deathDate: String?
        public let commune: String
        public let village: String
        public let address: String
        public let phone: String
        public let personalIDMasked: String
        public let channel: Channel
        public let bankBIN: String?
        public let accountMasked: String?
        public let accountName: String?
        /// The rejection code the last returns left (`closed`, `invalid`…), and when.
        public let accountFlag: String?
        public let accountFlagAt: String?
        public let proxy: Proxy?
        public let needsProxy: Bool
    }

    public static func person(_ db: AppDatabase, code: String) throws -> Person? {
        try db.writer.read { d in
            guard let r = try Row.fetchOne(d, sql: "SELECT * FROM beneficiary WHERE code = ?", arguments: [code]) else { return nil }
            func text(_ c: String) -> String? { (r[c] as String?).flatMap { $0.isEmpty ? nil : $0 } }
            let pid: String = r["personal_id"]
            let proxy = text("proxy_name").map {
                Proxy(name: $0, relation: text("proxy_relation"), idMasked: text("proxy_id").map(PersonalID.masked), until: text("authorisation_until"))
            }
            return Person(code: r["code"], fullName: r["full_name"], birthDate: r["birth_date"], birthYearOnly: (r["birth_year_only"] as Int) == 1,
                          status: try StoredValue.decode(r["status"], "beneficiary.status"), deathDate: text("death_date"), commune: r["commune"], village: r["village"],
                          address: r["address"], phone: r["phone"], personalIDMasked: PersonalID.masked(pid),
                          channel: try StoredValue.decode(r["channel"], "beneficiary.channel"),
                          bankBIN: text("bank_bin"), accountMasked: text("account_no").map(maskAccount), accountName: text("account_name"),
                          accountFlag: text("account_flag"), accountFlagAt: text("account_flag_at"), proxy: proxy,
                          needsProxy: (r["needs_proxy"] as Int) == 1)
        }
    }

    /// Whether `id` is the personal ID of the person `code` (a proxy cannot be the person), without
    /// handing the full ID to a page.
    public static func isOwnPersonalID(_ db: AppDatabase, code: String, id: String) throws -> Bool {
        try db.writer.read { d in
            try Bool.fetchOne(d, sql: "SELECT 1 FROM beneficiary WHERE code = ? AND personal_id = ?", arguments: [code, id]) ?? false
        }
    }

    /// The latest changes to how one person is paid (history as kept: IDs and accounts masked), newest first.
    public static func paymentChanges(_ db: AppDatabase, code: String, limit: Int = 20) throws -> [PaymentChange] {
        let fields = (RollQueries.paymentFields + ["account_flag"]).map { "'\($0)'" }.joined(separator: ",")
        return try db.writer.read { d in
            try Row.fetchAll(d, sql: """
                SELECT c.code, b.full_name, c.field, c.old_value, c.new_value, c.source, c.changed_by, c.changed_at
                FROM roll_change c JOIN beneficiary b ON b.code = c.code
                WHERE c.code = ? AND c.field IN (\(fields))
                ORDER BY c.id DESC LIMIT ?
                """, arguments: [code, limit]).map {
                PaymentChange(code: $0["code"], name: $0["full_name"], field: $0["field"], oldValue: $0["old_value"], newValue: $0["new_value"],
                              source: $0["source"], changedBy: $0["changed_by"], changedAt: $0["changed_at"])
            }
        }
    }

    /// One place's coverage in one month's snapshot (`coverage_snapshot`); commune and village
    /// empty for the overall figure, village empty for a commune's.
    public struct CoveragePoint: Sendable {
        public let month: String
        public let commune: String
        public let village: String
        public let noncash: Int
        public let total: Int

        public init(month: String, commune: String, village: String, noncash: Int, total: Int) {
            self.month = month; self.commune = commune; self.village = village; self.noncash = noncash; self.total = total
        }
    }

    /// Every snapshot from `fromMonth` (`YYYY-MM`) on, oldest month first.
    public static func coverageHistory(_ db: AppDatabase, fromMonth: String) throws -> [CoveragePoint] {
        try db.writer.read { d in
            try Row.fetchAll(d, sql: "SELECT month, commune, village, noncash, total FROM coverage_snapshot WHERE month >= ? ORDER BY month, commune, village",
                             arguments: [fromMonth]).map {
                CoveragePoint(month: $0["month"], commune: $0["commune"], village: $0["village"], noncash: $0["noncash"], total: $0["total"])
            }
        }
    }
}
