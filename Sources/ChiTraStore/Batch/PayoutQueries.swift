import ChiTraCore
import GRDB

/// Questions about payout lines and batches that the build, the export, the review and the
/// exception queue ask (SQL stays in the store).
public enum PayoutQueries {
    /// Another live line for the same person, slot and month as line `lineID` (a carry-over of
    /// it): its batch and that batch's status, or nil.
    public static func liveCarrier(_ db: Database, ofLine lineID: Int64) throws -> (batchID: Int64, status: String)? {
        try Row.fetchOne(db, sql: """
            SELECT c.batch_id, b.status FROM payout_line p
            JOIN payout_line c ON c.person_key = p.person_key AND c.slot = p.slot AND c.for_month = p.for_month AND c.id <> p.id
            JOIN batch b ON b.id = c.batch_id
            WHERE p.id = ? AND c.retired = 0 LIMIT 1
            """, arguments: [lineID]).map { ($0["batch_id"], $0["status"]) }
    }

    /// Open exceptions of the given kinds about a payment that batch `batchID` carries over.
    public static func openExceptionsOnCarriedLines(_ db: Database, batchID: Int64, kinds: Set<String>) throws -> [Int64] {
        guard !kinds.isEmpty else { return [] }
        return try Int64.fetchAll(db, sql: """
            SELECT DISTINCT e.id FROM payout_line p JOIN return_exception e ON e.payout_line_id = p.carried_from
            WHERE p.batch_id = ? AND p.carried_from IS NOT NULL AND e.status = 'open'
              AND e.kind IN (\(kinds.sorted().map { _ in "?" }.joined(separator: ",")))
            ORDER BY e.id
            """, arguments: StatementArguments([batchID] + kinds.sorted().map { $0 as DatabaseValueConvertible }))
    }

    /// Every batch's id, month, status and kind (a few hundred rows a year: read whole).
    public static func batchPeriods(_ db: Database) throws -> [(id: Int64, period: String, status: BatchStatus, supplementary: Bool)] {
        try Row.fetchAll(db, sql: "SELECT id, period, status, supplementary FROM batch").map {
            ($0["id"], $0["period"], try StoredValue.decode($0["status"], "batch.status"), ($0["supplementary"] as Int) == 1)
        }
    }

    /// The batch before `batchID` that is not cancelled (any month): its id and when it was built.
    public static func previousBatch(_ db: Database, before batchID: Int64) throws -> (id: Int64, builtAt: String)? {
        try Row.fetchOne(db, sql: "SELECT id, built_at FROM batch WHERE id < ? AND status <> 'cancelled' ORDER BY id DESC LIMIT 1",
                         arguments: [batchID]).map { ($0["id"], $0["built_at"]) }
    }

    /// A batch's month and the payout groups it has lines in (one payout file each), or nil.
    public static func batchGroups(_ db: Database, batchID: Int64) throws -> (period: String, groupKeys: [String])? {
        guard let period = try String.fetchOne(db, sql: "SELECT period FROM batch WHERE id = ?", arguments: [batchID]) else { return nil }
        let keys = try String.fetchAll(db, sql: "SELECT DISTINCT group_key FROM payout_line WHERE batch_id = ? ORDER BY group_key", arguments: [batchID])
        return (period, keys)
    }
}

extension PayoutQueries {
    /// The payout groups of a batch (`BANK-970415`, `VNPOST-…`), in group order.
    public static func groupKeys(_ db: Database, batchID: Int64) throws -> [String] {
        try String.fetchAll(db, sql: "SELECT DISTINCT group_key FROM payout_line WHERE batch_id = ? ORDER BY group_key", arguments: [batchID])
    }
}
