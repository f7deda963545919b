import ChiTraCore
import GRDB

/// What the batch pages ask the store beyond `BatchReport`: who built, approved, exported or
/// cancelled a batch (as accounts), the batch a review compares with, and one pass over two
/// batches' lines that yields, person by person, only what changed between them.
public enum BatchReviewQueries {
    /// The accounts and times of a batch's life.
    public struct People: Sendable {
        public let id: Int64
        public let period: String
        public let supplementary: Bool
        public let status: BatchStatus
        public let builtByUser: Int64?
        public let builtBy: String
        public let approvedBy: String?
        public let exportedBy: String?
        public let exportedAt: String?
        public let cancelledBy: String?
        public let cancelledAt: String?
    }

    public static func people(_ db: AppDatabase, batchID: Int64) throws -> People? {
        try db.writer.read { d in
            guard let b = try Row.fetchOne(d, sql: "SELECT * FROM batch WHERE id = ?", arguments: [batchID]) else { return nil }
            func account(_ column: String, _ legacy: String?) throws -> String? {
                try Users.display(d, id: b[column]) ?? legacy
            }
            return People(id: batchID, period: b["period"], supplementary: (b["supplementary"] as Int) == 1,
                          status: try StoredValue.decode(b["status"], "batch.status"),
                          builtByUser: b["built_by_user"], builtBy: try account("built_by_user", b["built_by"]) ?? "",
                          approvedBy: try account("approved_by_user", b["approved_by"]),
                          exportedBy: try account("exported_by_user", nil), exportedAt: b["exported_at"],
                          cancelledBy: try account("cancelled_by_user", b["cancelled_by"]), cancelledAt: b["cancelled_at"])
        }
    }

    /// A batch as a review names it.
    public struct BatchRef: Sendable {
        public let id: Int64
        public let period: String
        public let supplementary: Bool
        public let status: BatchStatus
        public let lineCount: Int
        public let controlSum: Int64
        public let builtAt: String
        public let approvedAt: String?
    }

    /// The batch a review of `batchID` compares with: for a regular batch, the live regular batch
    /// of the latest earlier month; for a supplementary one, the live regular batch of its month.
    public static func reviewBase(_ db: AppDatabase, batchID: Int64) throws -> (current: BatchRef, base: BatchRef?)? {
        try db.writer.read { d in
            func ref(_ r: Row) throws -> BatchRef {
                BatchRef(id: r["id"], period: r["period"], supplementary: (r["supplementary"] as Int) == 1,
                         status: try StoredValue.decode(r["status"], "batch.status"),
                         lineCount: r["line_count"], controlSum: r["control_sum"], builtAt: r["built_at"], approvedAt: r["approved_at"])
            }
            guard let b = try Row.fetchOne(d, sql: "SELECT * FROM batch WHERE id = ?", arguments: [batchID]) else { return nil }
            let current = try ref(b)
            let base: Row?
            if current.supplementary {
                base = try Row.fetchOne(d, sql: """
                    SELECT * FROM batch WHERE period = ? AND supplementary = 0 AND status <> 'cancelled' AND id <> ? ORDER BY id DESC LIMIT 1
                    """, arguments: [current.period, batchID])
            } else {
                base = try Row.fetchOne(d, sql: """
                    SELECT * FROM batch WHERE period < ? AND supplementary = 0 AND status <> 'cancelled' ORDER BY period DESC, id DESC LIMIT 1
                    """, arguments: [current.period])
            }
            return (current, try base.map(ref))
        }
    }

    /// One person whose payment differs between a batch and the batch it is compared with:
    /// amounts per kind in each (0 when none), how they were paid, and what the roll says now.
    public struct PersonDiff: Sendable {
        public let code: String
        public let name: String
        public let village: String
        /// Lines of this person in the batch (`cur`) and in the one compared with (`prev`).
        public let curLines: Int
        public let prevLines: Int
        public let cur: Amounts
        public let prev: Amounts
        /// `channel|bank_bin|account_no|payee_name` of the person's lines (the smallest, when they differ).
        public let curPayment: String?
        public let prevPayment: String?
        /// The months the arrears lines of the batch are for.
        public let curArrearsMonths: Int
        /// The roll as it is now.
        public let status: PersonFacts.Status
        public let deathDate: String?
        /// Left out of the batch (reason code, Vietnamese reason, amount owed), or left out of the one compared with.
        public let excludedReasonCode: String?
        public let excludedReason: String?
        public let excludedOwed: Int64?
        public let prevExcludedReason: String?
    }

    public struct Amounts: Sendable, Equatable {
        public let total: Int64
        public let allowance: Int64
        public let care: Int64
        public let arrears: Int64
        public let carryOver: Int64
        public let funeral: Int64
        public var monthly: Int64 { allowance + care }
    }

    /// Every person whose lines differ between batch `current` and batch `previous` (in one, not
    /// the other; another total; another channel, account or payee), and anyone in either who
    /// has a death date, by village and code. One pass over the two batches' lines; `visit` sees
    /// each person in turn (nothing is kept), so a national batch costs no memory here.
    public static func personDiffs(_ db: AppDatabase, current: Int64, previous: Int64,
                                   visit: (PersonDiff) throws -> Void) throws {
        try db.writer.read { d in
            // A batch's lines were inserted together: read them by id range (in table order)
            // rather than through the batch index (group by group, all over the table).
            func range(_ batch: Int64) throws -> (Int64, Int64) {
                let r = try Row.fetchOne(d, sql: "SELECT min(id) AS lo, max(id) AS hi FROM payout_line WHERE batch_id = ?", arguments: [batch])
                return ((r?["lo"] as Int64?) ?? 0, (r?["hi"] as Int64?) ?? -1)
            }
            let (curLo, curHi) = try range(current), (prevLo, prevHi) = try range(previous)
            func sum(_ batch: String, _ kinds: String? = nil) -> String {
                "sum(CASE WHEN batch_id = :\(batch)\(kinds.map { " AND kind IN (\($0))" } ?? "") THEN amount ELSE 0 END)"
            }
            func pay(_ batch: String) -> String {
                "min(CASE WHEN batch_id = :\(batch) THEN channel || '|' || ifnull(bank_bin, '') || '|' || ifnull(account_no, '') || '|' || payee_name END)"
            }
            let rows = try Row.fetchCursor(d, sql: """
                WITH per AS (
                    SELECT beneficiary_code AS code,
                        sum(batch_id = :cur) AS cur_n, sum(batch_id = :prev) AS prev_n,
                        \(sum("cur")) AS cur_total, \(sum("prev")) AS prev_total,
                        \(sum("cur", "'allowance'")) AS cur_allowance, \(sum("prev", "'allowance'")) AS prev_allowance,
                        \(sum("cur", "'care'")) AS cur_care, \(sum("prev", "'care'")) AS prev_care,
                        \(sum("cur", "'arrears','care_arrears'")) AS cur_arrears, \(sum("prev", "'arrears','care_arrears'")) AS prev_arrears,
                        \(sum("cur", "'carry_over'")) AS cur_carry, \(sum("prev", "'carry_over'")) AS prev_carry,
                        \(sum("cur", "'funeral'")) AS cur_funeral, \(sum("prev", "'funeral'")) AS prev_funeral,
                        \(pay("cur")) AS cur_pay, \(pay("prev")) AS prev_pay,
                        count(DISTINCT CASE WHEN batch_id = :cur AND kind IN ('arrears','care_arrears') THEN for_month END) AS cur_arrears_months
                    FROM payout_line WHERE (id BETWEEN :curLo AND :curHi OR id BETWEEN :prevLo AND :prevHi) AND +batch_id IN (:cur, :prev)
                    GROUP BY beneficiary_code
                )
                SELECT per.*, b.full_name, b.village, b.status, b.death_date,
                       x.reason_code AS x_code, x.reason AS x_reason, x.amount_owed AS x_owed, px.reason AS px_reason
                FROM per JOIN beneficiary b ON b.code = per.code
                LEFT JOIN batch_exclusion x ON x.batch_id = :cur AND x.beneficiary_code = per.code
                LEFT JOIN batch_exclusion px ON px.batch_id = :prev AND px.beneficiary_code = per.code
                WHERE per.cur_n = 0 OR per.prev_n = 0 OR per.cur_total <> per.prev_total
                   OR per.cur_pay IS NOT per.prev_pay OR b.death_date IS NOT NULL
                ORDER BY b.village, per.code
                """, arguments: ["cur": current, "prev": previous, "curLo": curLo, "curHi": curHi, "prevLo": prevLo, "prevHi": prevHi])
            while let r = try rows.next() {
                try visit(PersonDiff(
                    code: r["code"], name: r["full_name"], village: r["village"], curLines: r["cur_n"], prevLines: r["prev_n"],
                    cur: Amounts(total: r["cur_total"], allowance: r["cur_allowance"], care: r["cur_care"], arrears: r["cur_arrears"],
                                 carryOver: r["cur_carry"], funeral: r["cur_funeral"]),
                    prev: Amounts(total: r["prev_total"], allowance: r["prev_allowance"], care: r["prev_care"], arrears: r["prev_arrears"],
                                  carryOver: r["prev_carry"], funeral: r["prev_funeral"]),
                    curPayment: r["cur_pay"], prevPayment: r["prev_pay"], curArrearsMonths: r["cur_arrears_months"],
                    status: try StoredValue.decode(r["status"], "beneficiary.status"), deathDate: r["death_date"],
                    excludedReasonCode: r["x_code"], excludedReason: r["x_reason"], excludedOwed: r["x_owed"], prevExcludedReason: r["px_reason"]))
            }
        }
    }

    /// The people left out of a batch who were left out of `previous` too (their codes).
    public static func stillLeftOut(_ db: AppDatabase, batchID: Int64, previous: Int64) throws -> Set<String> {
        try db.writer.read { d in
            Set(try String.fetchAll(d, sql: """
                SELECT x.beneficiary_code FROM batch_exclusion x
                JOIN batch_exclusion p ON p.batch_id = ? AND p.beneficiary_code = x.beneficiary_code
                WHERE x.batch_id = ?
                """, arguments: [previous, batchID]))
        }
    }

    /// Every open return exception, with its amount (`OpenExceptions`).
    public static func openExceptions(_ db: AppDatabase) throws -> [OpenException] {
        try db.writer.read { try OpenExceptions.all($0) }
    }

    /// The changes to how each of `codes` is paid (`RollQueries.paymentFields`, and the account
    /// flag a bank's rejection sets) recorded from `after` (timestamps are to the second: a change in the
    /// second of the earlier build is included) up to `until` (nil: now), oldest first.
    public static func paymentHistory(_ db: AppDatabase, codes: [String], after: String, until: String?) throws -> [PaymentChange] {
        guard !codes.isEmpty else { return [] }
        let fields = RollQueries.paymentFields + ["account_flag"]
        return try db.writer.read { d in
            var out: [PaymentChange] = []
            for chunk in stride(from: 0, to: codes.count, by: 500).map({ Array(codes[$0..<min($0 + 500, codes.count)]) }) {
                out += try Row.fetchAll(d, sql: """
                    SELECT c.id, c.code, b.full_name, c.field, c.old_value, c.new_value, c.source, c.changed_by, c.changed_at
                    FROM roll_change c JOIN beneficiary b ON b.code = c.code
                    WHERE c.code IN (\(chunk.map { _ in "?" }.joined(separator: ","))) AND c.field IN (\(fields.map { _ in "?" }.joined(separator: ",")))
                      AND c.changed_at >= ? AND c.changed_at <= ?
                    ORDER BY c.id
                    """, arguments: StatementArguments(chunk + fields + [after, until ?? "9999"])).map {
                        PaymentChange(code: $0["code"], name: $0["full_name"], field: $0["field"], oldValue: $0["old_value"], newValue: $0["new_value"],
                                      source: $0["source"], changedBy: $0["changed_by"], changedAt: $0["changed_at"])
                    }
            }
            return out
        }
    }

    /// The open flags returns raised on each of `codes` (`deceased_reported`, `suspend_not_collected`,
    /// …): kind and detail, oldest first.
    public static func openFlags(_ db: AppDatabase, codes: [String]) throws -> [String: [(kind: FlagKind, detail: String)]] {
        guard !codes.isEmpty else { return [:] }
        return try db.writer.read { d in
            var out: [String: [(kind: FlagKind, detail: String)]] = [:]
            for chunk in stride(from: 0, to: codes.count, by: 500).map({ Array(codes[$0..<min($0 + 500, codes.count)]) }) {
                for r in try Row.fetchAll(d, sql: """
                    SELECT beneficiary_code, kind, detail FROM beneficiary_flag
                    WHERE closed_at IS NULL AND beneficiary_code IN (\(chunk.map { _ in "?" }.joined(separator: ","))) ORDER BY id
                    """, arguments: StatementArguments(chunk)) {
                    out[r["beneficiary_code"], default: []].append((try StoredValue.decode(r["kind"], "beneficiary_flag.kind"), r["detail"]))
                }
            }
            return out
        }
    }

    /// The case of each code (facts and grants, as the entitlement rules see them); unknown codes are left out.
    public static func personCases(_ db: AppDatabase, codes: [String]) throws -> [String: PersonCase] {
        try db.writer.read { d in
            var out: [String: PersonCase] = [:]
            for code in codes { if let c = try RollQueries.personCase(d, code: code) { out[code] = c } }
            return out
        }
    }

    /// The commune of each post-office group of a batch (its file goes to that commune's post office).
    public static func postOfficeCommunes(_ db: AppDatabase, batchID: Int64) throws -> [String: String] {
        try db.writer.read { d in
            var out: [String: String] = [:]
            for r in try Row.fetchAll(d, sql: """
                SELECT l.group_key, min(b.commune) AS commune FROM payout_line l JOIN beneficiary b ON b.code = l.beneficiary_code
                WHERE l.batch_id = ? AND l.group_key NOT LIKE 'BANK-%' GROUP BY l.group_key
                """, arguments: [batchID]) { out[r["group_key"]] = r["commune"] }
            return out
        }
    }
}
