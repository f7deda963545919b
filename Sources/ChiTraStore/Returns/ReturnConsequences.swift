import ChiTraCore
import GRDB

/// What a rejected payment changes for the person (`beneficiary_flag`, `roll_change`; the
/// person's own row through `Beneficiaries`), as the returns import decides it.
public enum ReturnConsequences {
    /// The person's account flag (a rejection reason), or nil.
    public static func accountFlag(_ db: Database, code: String) throws -> String? {
        try String.fetchOne(db.cachedStatement(sql: "SELECT account_flag FROM beneficiary WHERE code = ?"), arguments: [code])
    }

    /// The person's status, nil when there is no such person.
    public static func status(_ db: Database, code: String) throws -> PersonFacts.Status? {
        try String.fetchOne(db.cachedStatement(sql: "SELECT status FROM beneficiary WHERE code = ?"), arguments: [code])
            .flatMap { PersonFacts.Status(rawValue: $0) }
    }

    /// One of the person's last allowance payments (not cancelled, not draft).
    public struct AllowancePayment: Sendable {
        public var forMonth: String
        /// The outcome a return settled it with, nil while none has.
        public var settled: ReturnOutcome?
        /// The canonical reason it was not paid for, as stored.
        public var reason: String?
    }

    /// The person's last three allowance payments, latest month first; a line `pending` settles
    /// (this command's settlements, not yet written) as it settles it. A settlement changes a
    /// line's state among exported, paid, failed and pending only, so the three lines are the same.
    public static func lastAllowancePayments(_ db: Database, code: String, pending: ReturnSettlements? = nil) throws -> [AllowancePayment] {
        try Row.fetchAll(db.cachedStatement(sql: """
            SELECT l.id, l.for_month, l.state, l.result_reason FROM payout_line l JOIN batch b ON b.id = l.batch_id
            WHERE l.beneficiary_code = ? AND l.kind = 'allowance' AND \(LineState.sql()) NOT IN ('cancelled','draft')
            ORDER BY l.for_month DESC, l.id DESC LIMIT 3
            """), arguments: [code]).map {
                if let e = pending?.entry(lineID: $0["id"]) {
                    return AllowancePayment(forMonth: $0["for_month"], settled: e.outcome, reason: e.reason?.rawValue)
                }
                return AllowancePayment(forMonth: $0["for_month"], settled: ReturnSettlement.outcome(ofLineState: $0["state"]), reason: $0["result_reason"])
            }
    }

    /// Raises a flag for an officer, once per person, kind and payout line; true when it is new.
    public static func flag(_ db: Database, code: String, kind: FlagKind, detail: String, lineID: Int64, at now: String) throws -> Bool {
        try db.cachedStatement(sql: "INSERT OR IGNORE INTO beneficiary_flag(beneficiary_code, kind, detail, payout_line_id, raised_at) VALUES (?,?,?,?,?)")
            .execute(arguments: [code, kind.rawValue, detail, lineID, now])
        return db.changesCount > 0
    }

    /// A change to the person the returns made, in the roll's history (source `returns`).
    public static func history(_ db: Database, code: String, field: String, old: String?, new: String?, fileID: Int64, at now: String, by actor: Actor) throws {
        try db.cachedStatement(sql: """
            INSERT INTO roll_change(code, category, field, old_value, new_value, file_id, source, changed_at, changed_by, changed_by_user)
            VALUES (?, NULL, ?, ?, ?, ?, 'returns', ?, ?, ?)
            """).execute(arguments: [code, field, old, new, fileID, now, actor.username, actor.userID])
    }
}
