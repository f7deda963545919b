import ChiTraSigning
import Foundation
import GRDB

/// What made a payout line no longer live, sealed with the audit key (never in the store).
///
/// A retired line (failed or cancelled: `retired = 1`) is what lets the build pay its slot and
/// month again: a failed one is carried over when retryable or after an account rejection, and
/// any retired one frees its slot and month for a new line. So whoever could write the SQLite file
/// could have a line the bank paid paid again, by setting it to `failed` with `result_retryable =
/// 1`, or to `cancelled`; the approval seals cover what a line pays, not what became of it.
///
/// `retired_seal` = HMAC(audit key, the line's id, batch, reference, person, slot, month and
/// amount, its state, the bank's reason, reason code and retryable flag, and the return line that
/// settled it), written only where ChiTra retires a line and records why: a returns import or an
/// exception applied (`ReturnSettlement`'s settle statements, which also clear it when a failed line
/// is found paid after all) and a batch cancelled (`Batches.cancel`). The build checks the seal of
/// every retired line it reads (`PersonPayoutLines`) and builds nothing when one differs;
/// `audit verify` checks every retired line.
public enum OutcomeSeal {
    /// The payout line's fields covered, in order: the line, then what became of it.
    static let lineColumns = ["id", "batch_id", "reference", "person_key", "slot", "for_month", "amount"]
    static let outcomeColumns = ["state", "result_reason", "result_reason_code", "result_retryable", "result_return_line"]
    static let functionName = "chitra_outcome_seal"
    static let tag = "chitra-outcome-v1"

    static func register(_ db: Database, key: AuditKey) throws {
        try SealFunction.register(db, name: functionName, tag: tag, argumentCount: lineColumns.count + outcomeColumns.count, key: key)
    }

    /// The seal of a line with the outcome `outcome` (SQL expressions for `outcomeColumns`, e.g.
    /// statement parameters: inside an UPDATE's SET a column names its value before the update).
    static func expression(outcome: [String]) -> String {
        precondition(outcome.count == outcomeColumns.count)
        return "\(functionName)(\((lineColumns + outcome).joined(separator: ", ")))"
    }

    /// The seal of a line as the store holds it now.
    static var storedExpression: String { expression(outcome: outcomeColumns) }

    /// A line whose seal holds: not retired, or retired with the seal of what it holds.
    static var holdsExpression: String { "(retired = 0 OR retired_seal IS \(storedExpression))" }

    /// The CHECK written into `payout_line`'s definition once the retired lines are sealed
    /// (migration v9): a line retired without a seal is refused. It keeps an older `chitra`, which
    /// knows nothing of seals, from retiring lines the build would then refuse; it stops nobody
    /// who writes the file (any 32 bytes pass it): the MAC does that.
    static let sealedCheck: CheckRewrite.Rewrite = (
        "payout_line", "retired_seal BLOB", "retired_seal BLOB CHECK (retired = 0 OR retired_seal IS NOT NULL)")

    /// Seals the lines retired when seals began (migration v9), as they stand.
    static func sealExisting(_ db: Database) throws {
        try db.execute(sql: "UPDATE payout_line SET retired_seal = \(storedExpression) WHERE retired = 1")
    }

    /// The references (and codes) of retired lines whose seal does not hold (changed outside
    /// ChiTra), in id order, at most `limit`; and how many there are.
    public static func mismatches(_ db: Database, limit: Int = 50) throws -> (count: Int, lines: [String]) {
        let condition = "retired = 1 AND retired_seal IS NOT \(storedExpression)"
        let count = try Int.fetchOne(db, sql: "SELECT count(*) FROM payout_line WHERE \(condition)") ?? 0
        guard count > 0 else { return (0, []) }
        let lines = try Row.fetchAll(db, sql: "SELECT reference, beneficiary_code FROM payout_line WHERE \(condition) ORDER BY id LIMIT ?",
                                     arguments: [limit]).map { "\($0["reference"] as String) (\($0["beneficiary_code"] as String))" }
        return (count, lines)
    }
}
