import ChiTraCore
import GRDB

/// A batch row as stored.
public struct BatchRecord: Sendable {
    public var id: Int64
    public var period: String
    public var supplementary: Bool
    public var status: BatchStatus
    public var builtBy: String
    public var builtByUser: Int64?
    public var builtAt: String
    public var approvedBy: String?
    public var approvedByUser: Int64?
    public var approvedAt: String?
    public var exportedAt: String?
    public var cancelledBy: String?
    public var cancelReason: String?
    public var lineCount: Int
    public var controlSum: Int64
    public var approvalSeal: String?

    init(_ r: Row) throws {
        id = r["id"]; period = r["period"]; supplementary = (r["supplementary"] as Int) == 1
        status = try StoredValue.decode(r["status"], "batch.status")   // the schema's CHECK holds it to these four
        builtBy = r["built_by"]; builtByUser = r["built_by_user"]; builtAt = r["built_at"]
        approvedBy = r["approved_by"]; approvedByUser = r["approved_by_user"]; approvedAt = r["approved_at"]
        exportedAt = r["exported_at"]; cancelledBy = r["cancelled_by"]; cancelReason = r["cancel_reason"]
        lineCount = r["line_count"]; controlSum = r["control_sum"]; approvalSeal = r["approval_seal"]
    }
}

/// The `batch` table: a month's batch from its build to its export or cancellation.
public enum Batches {
    /// A batch by id, or nil.
    public static func record(_ db: Database, id: Int64) throws -> BatchRecord? {
        try Row.fetchOne(db, sql: "SELECT * FROM batch WHERE id = ?", arguments: [id]).map { try BatchRecord($0) }
    }

    /// Every batch, newest first.
    public static func all(_ db: Database) throws -> [BatchRecord] {
        try Row.fetchAll(db, sql: "SELECT * FROM batch ORDER BY id DESC").map { try BatchRecord($0) }
    }

    /// A batch's status, or nil when there is no such batch.
    public static func status(_ db: Database, id: Int64) throws -> BatchStatus? {
        try String.fetchOne(db, sql: "SELECT status FROM batch WHERE id = ?", arguments: [id]).map { try StoredValue.decode($0, "batch.status") }
    }

    /// The batches of a month that are not cancelled, regular or supplementary, oldest first.
    public static func live(_ db: Database, period: String, supplementary: Bool) throws -> [(id: Int64, status: BatchStatus)] {
        try Row.fetchAll(db, sql: "SELECT id, status FROM batch WHERE period = ? AND status <> 'cancelled' AND supplementary = ? ORDER BY id",
                         arguments: [period, supplementary ? 1 : 0]).map { ($0["id"], try StoredValue.decode($0["status"], "batch.status")) }
    }

    /// The month's regular batch that is not cancelled (at most one: `batch_one_live_per_period`).
    public static func regular(_ db: Database, period: String) throws -> (id: Int64, status: BatchStatus)? {
        try Row.fetchOne(db, sql: "SELECT id, status FROM batch WHERE period = ? AND status <> 'cancelled' AND supplementary = 0",
                         arguments: [period]).map { ($0["id"], try StoredValue.decode($0["status"], "batch.status")) }
    }

    /// The month's regular draft, if any.
    public static func regularDraft(_ db: Database, period: String) throws -> Int64? {
        try Int64.fetchOne(db, sql: "SELECT id FROM batch WHERE period = ? AND status = 'draft' AND supplementary = 0", arguments: [period])
    }

    /// The regular batch of the latest month that was exported (the latest such batch of that month).
    public static func lastExportedRegular(_ db: Database) throws -> (id: Int64, period: String)? {
        try Row.fetchOne(db, sql: "SELECT id, period FROM batch WHERE status = 'exported' AND supplementary = 0 ORDER BY period DESC, id DESC LIMIT 1")
            .map { ($0["id"], $0["period"]) }
    }

    /// A new draft for `period`; its id.
    public static func createDraft(_ db: Database, period: String, supplementary: Bool, builtBy: String, builtByUser: Int64, at: String) throws -> Int64 {
        try db.execute(sql: "INSERT INTO batch(period, supplementary, status, built_by, built_by_user, built_at) VALUES (?, ?, 'draft', ?, ?, ?)",
                       arguments: [period, supplementary ? 1 : 0, builtBy, builtByUser, at])
        return db.lastInsertedRowID
    }

    /// Empties a draft for its rebuild (its lines and exclusions) and names who rebuilds it.
    public static func clearDraft(_ db: Database, id: Int64, builtBy: String, builtByUser: Int64, at: String) throws {
        try db.execute(sql: "DELETE FROM payout_line WHERE batch_id = ?", arguments: [id])
        try db.execute(sql: "DELETE FROM batch_exclusion WHERE batch_id = ?", arguments: [id])
        try db.execute(sql: "UPDATE batch SET built_by = ?, built_by_user = ?, built_at = ? WHERE id = ?", arguments: [builtBy, builtByUser, at, id])
    }

    /// The header totals and input digest of a built batch.
    public static func setTotals(_ db: Database, id: Int64, lineCount: Int, controlSum: Int64, inputDigest: String) throws {
        try db.execute(sql: "UPDATE batch SET line_count = ?, control_sum = ?, input_digest = ? WHERE id = ?",
                       arguments: [lineCount, controlSum, inputDigest, id])
    }

    /// The batch approved by a checker (its lines: `ApprovalSeal.approveAndSeal`).
    public static func markApproved(_ db: Database, id: Int64, by username: String, userID: Int64, at: String) throws {
        try db.execute(sql: "UPDATE batch SET status = 'approved', approved_by = ?, approved_by_user = ?, approved_at = ? WHERE id = ?",
                       arguments: [username, userID, at, id])
    }

    /// The batch cancelled, and every line of it with it.
    public static func cancel(_ db: Database, id: Int64, by username: String, userID: Int64, at: String, reason: String) throws {
        try db.execute(sql: "UPDATE batch SET status = 'cancelled', cancelled_by = ?, cancelled_by_user = ?, cancelled_at = ?, cancel_reason = ? WHERE id = ?",
                       arguments: [username, userID, at, reason, id])
        // Each line retired with its outcome sealed (`OutcomeSeal`): the state written, the result columns as they are.
        let seal = OutcomeSeal.expression(outcome: ["'cancelled'"] + OutcomeSeal.outcomeColumns.dropFirst())
        try db.execute(sql: "UPDATE payout_line SET state = 'cancelled', retired = 1, retired_seal = \(seal) WHERE batch_id = ?", arguments: [id])
    }

    /// An approved batch exported (nothing for a batch that is not approved). One row: its lines
    /// are exported with it (`LineState`).
    public static func markExported(_ db: Database, id: Int64, byUser userID: Int64, at: String) throws {
        try db.execute(sql: "UPDATE batch SET status = 'exported', exported_at = ?, exported_by_user = ? WHERE id = ? AND status = 'approved'",
                       arguments: [at, userID, id])
    }
}
