import ChiTraCore
import GRDB

/// What a batch's reconciliation reads: its header, its lines with their people (in group and
/// reference order, one at a time: a national batch has millions), the money paid after a recorded
/// death, and the open flags its returns raised.
public enum ReconciliationQueries {
    /// A batch's header as the reconciliation checks it.
    public struct Batch: Sendable {
        public var period: String
        /// As stored (`exported`, …), for the report.
        public var status: BatchStatus
        public var lineCount: Int?
        public var controlSum: Int64?
    }

    public static func batch(_ db: Database, id: Int64) throws -> Batch? {
        try Row.fetchOne(db, sql: "SELECT period, status, line_count, control_sum FROM batch WHERE id = ?", arguments: [id]).map {
            Batch(period: $0["period"], status: try StoredValue.decode($0["status"], "batch.status"), lineCount: $0["line_count"], controlSum: $0["control_sum"])
        }
    }

    /// One payout line of the batch with its person, read from the current row of the walk (valid
    /// only inside the walk's body: nothing is decoded that is not asked for).
    public struct Line {
        let st: Statement
        public var groupKey: String { RawSQL.string(st, 0) }
        public var amount: Int64 { RawSQL.int64(st, 1) }
        /// The outcome a return settled the line with; nil while none has (awaiting).
        public var settled: ReturnOutcome? { ReturnSettlement.outcome(ofLineState: RawSQL.string(st, 2)) }
        /// The canonical reason it was not paid for, as stored.
        public var reason: String? { RawSQL.optionalString(st, 3) }
        public var retryable: Bool { RawSQL.optionalInt64(st, 4) == 1 }
        /// A later batch carries it over (a live line whose `carried_from` is this one).
        public var carried: Bool { RawSQL.int64(st, 5) != 0 }
        /// Whether the account it was paid to is flagged: the person's, or for funeral support the
        /// organiser's (on the active claim, `FuneralClaims`).
        public var accountFlagged: Bool { !RawSQL.isNull(st, 6) }
        public var reference: String { RawSQL.string(st, 7) }
        public var beneficiaryCode: String { RawSQL.string(st, 8) }
        public var fullName: String { RawSQL.string(st, 9) }
        public var village: String { RawSQL.string(st, 10) }
        public var forMonth: String { RawSQL.string(st, 11) }
        /// `EntitlementKind` raw value, as stored.
        public var kind: String { RawSQL.string(st, 12) }
        public var resultDate: String? { RawSQL.optionalString(st, 13) }
        public var id: Int64 { RawSQL.int64(st, 14) }
        public var isFuneral: Bool { RawSQL.string(st, 15) == EntitlementKind.funeral.rawValue }
    }

    /// Walks the batch's lines (only the failed ones with `failedOnly`) in group and reference order.
    public static func forEachLine(_ db: Database, batchID: Int64, failedOnly: Bool = false, _ body: (Line) throws -> Void) throws {
        let st = try db.makeStatement(sql: """
            SELECT l.group_key, l.amount, l.state, l.result_reason, l.result_retryable,
                   EXISTS (SELECT 1 FROM payout_line c WHERE c.carried_from = l.id AND c.state NOT IN ('cancelled')) AS carried,
                   CASE WHEN l.slot = 'funeral' THEN (SELECT c.account_flag FROM funeral_claim c WHERE c.status = 'active' AND c.person_key = l.person_key)
                        ELSE b.account_flag END,
                   l.reference, l.beneficiary_code, b.full_name, b.village, l.for_month, l.kind, l.result_date, l.id, l.slot
            FROM payout_line l JOIN beneficiary b ON b.code = l.beneficiary_code
            WHERE l.batch_id = ?\(failedOnly ? " AND l.state = 'failed'" : "") ORDER BY l.group_key, l.reference
            """)
        let sql = RawSQL(db: db)
        try sql.bind(st, 1, batchID)
        let line = Line(st: st)
        do {
            while try sql.step(st) { try body(line) }
        } catch {
            sql.reset(st)
            throw error
        }
    }

    /// One line of the accountant CSV, read from the current row of the walk.
    public struct AccountantLine {
        let st: Statement
        public var reference: String { RawSQL.string(st, 0) }
        public var beneficiaryCode: String { RawSQL.string(st, 1) }
        public var fullName: String { RawSQL.string(st, 2) }
        public var village: String { RawSQL.string(st, 3) }
        public var groupKey: String { RawSQL.string(st, 4) }
        public var kind: String { RawSQL.string(st, 5) }
        public var forMonth: String { RawSQL.string(st, 6) }
        public var amount: Int64 { RawSQL.int64(st, 7) }
        public var settled: ReturnOutcome? { ReturnSettlement.outcome(ofLineState: RawSQL.string(st, 8)) }
        public var reason: String? { RawSQL.optionalString(st, 9) }
        public var resultDate: String? { RawSQL.optionalString(st, 10) }
    }

    /// Walks the batch's lines for the accountant CSV, in group and reference order.
    public static func forEachAccountantLine(_ db: Database, batchID: Int64, _ body: (AccountantLine) throws -> Void) throws {
        let st = try db.makeStatement(sql: """
            SELECT l.reference, l.beneficiary_code, b.full_name, b.village, l.group_key, l.kind, l.for_month, l.amount, l.state, l.result_reason, l.result_date
            FROM payout_line l JOIN beneficiary b ON b.code = l.beneficiary_code WHERE l.batch_id = ? ORDER BY l.group_key, l.reference
            """)
        let sql = RawSQL(db: db)
        try sql.bind(st, 1, batchID)
        let line = AccountantLine(st: st)
        do {
            while try sql.step(st) { try body(line) }
        } catch {
            sql.reset(st)
            throw error
        }
    }

    /// Money for a month after a recorded death, paid or on its way.
    public struct Overpayment: Sendable {
        public var code: String
        public var name: String
        public var reference: String
        public var forMonth: String
        public var amount: Int64
        public var deathDate: String
    }

    /// The batch's payments for months after the person's recorded death, by person and month.
    public static func overpayments(_ db: Database, batchID: Int64) throws -> [Overpayment] {
        // The `IN` term repeats what the join says (the person has a death date) on the line
        // alone, so that only those people's lines look up the person; `+` keeps the plan
        // (lines through payout_line_batch, then a sort), hence the same rows in the same order.
        try Row.fetchAll(db, sql: """
            SELECT l.beneficiary_code, b.full_name, l.reference, l.for_month, l.amount, b.death_date FROM payout_line l
            JOIN beneficiary b ON b.code = l.beneficiary_code
            WHERE l.batch_id = ? AND +l.beneficiary_code IN (SELECT code FROM beneficiary WHERE death_date IS NOT NULL)
              AND b.death_date IS NOT NULL AND l.slot IN ('allowance','care','arrears','care_arrears')
              AND l.for_month > substr(b.death_date, 1, 7) AND \(LineState.sqlLookingUpBatch()) IN ('paid','exported','pending')
            ORDER BY l.beneficiary_code, l.for_month
            """, arguments: [batchID]).map {
                Overpayment(code: $0["beneficiary_code"], name: $0["full_name"], reference: $0["reference"], forMonth: $0["for_month"],
                            amount: $0["amount"], deathDate: $0["death_date"])
            }
    }

    /// The open flags raised about the batch's lines: person and what to do, by person and kind.
    public static func openFlags(_ db: Database, batchID: Int64) throws -> [(code: String, detail: String)] {
        try Row.fetchAll(db, sql: """
            SELECT f.beneficiary_code, f.kind, f.detail FROM beneficiary_flag f JOIN payout_line l ON l.id = f.payout_line_id
            WHERE l.batch_id = ? AND f.closed_at IS NULL ORDER BY f.beneficiary_code, f.kind
            """, arguments: [batchID]).map { ($0["beneficiary_code"], $0["detail"]) }
    }
}
