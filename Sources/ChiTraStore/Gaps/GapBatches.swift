import ChiTraCore
import GRDB

/// What the gaps worklist reads of the monthly batches: the latest one and who it left out, and
/// who was paid in cash in each of the last regular ones.
public enum GapBatches {
    /// A batch, by id and payment month (`YYYY-MM`).
    public struct BatchRef: Sendable {
        public var id: Int64
        public var period: String
    }

    /// A beneficiary left out of a batch: the exclusion's reason code and the amount still owed.
    public struct Exclusion: Sendable {
        public var code: String
        public var reason: String
        public var owed: Int64
    }

    /// The most recent batch not cancelled (latest month, then latest id).
    public static func latest(_ db: Database) throws -> BatchRef? {
        try Row.fetchOne(db, sql: "SELECT id, period FROM batch WHERE status <> 'cancelled' ORDER BY period DESC, id DESC LIMIT 1")
            .map { BatchRef(id: $0["id"], period: $0["period"]) }
    }

    /// Who the batch left out.
    public static func exclusions(_ db: Database, batchID: Int64) throws -> [Exclusion] {
        try Row.fetchAll(db, sql: "SELECT beneficiary_code, reason, amount_owed FROM batch_exclusion WHERE batch_id = ?", arguments: [batchID])
            .map { Exclusion(code: $0["beneficiary_code"], reason: $0["reason"], owed: $0["amount_owed"]) }
    }

    /// The last `limit` regular (not supplementary) batches not cancelled for months up to `period`, latest first.
    public static func recentRegular(_ db: Database, upTo period: YearMonth, limit: Int) throws -> [BatchRef] {
        try Row.fetchAll(db, sql: """
            SELECT id, period FROM batch WHERE status <> 'cancelled' AND supplementary = 0 AND period <= ?
            ORDER BY period DESC LIMIT ?
            """, arguments: [period.description, limit]).map { BatchRef(id: $0["id"], period: $0["period"]) }
    }

    /// The codes paid in cash at the post office (lines neither failed nor cancelled) in every one of `batchIDs`.
    public static func paidInCashInEvery(_ db: Database, batchIDs ids: [Int64]) throws -> Set<String> {
        Set(try String.fetchAll(db, sql: """
            SELECT beneficiary_code FROM payout_line
            WHERE batch_id IN (\(ids.map { _ in "?" }.joined(separator: ","))) AND channel = 'post_cash' AND state NOT IN ('failed','cancelled')
            GROUP BY beneficiary_code HAVING count(DISTINCT batch_id) = ?
            """, arguments: StatementArguments(ids) + [ids.count]))
    }
}
