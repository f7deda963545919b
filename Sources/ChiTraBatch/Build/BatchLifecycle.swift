import ChiTraCore
import ChiTraStore
import GRDB

/// Approve and cancel: maker–checker, every change in the audit log.
public struct BatchLifecycle {
    public let db: AppDatabase
    public init(db: AppDatabase) { self.db = db }

    /// A second person approves a draft; the batch is frozen from then on. The maker and the
    /// checker are compared by account id (and the schema checks it again): a different spelling
    /// of a login is the same account.
    public func approve(batchID: Int64, by actor: Actor) throws {
        try actor.require(.checker)
        try db.writer.write { db in
            guard let b = try Row.fetchOne(db, sql: "SELECT status, built_by, built_by_user, period, line_count, control_sum FROM batch WHERE id = ?", arguments: [batchID]) else {
                throw BatchError("there is no batch #\(batchID)", remedy: "list batches with: chitra batch list")
            }
            let status: String = b["status"]
            guard status == "draft" else {
                throw BatchError("batch #\(batchID) is \(status); only a draft can be approved")
            }
            let builtBy: String = b["built_by"]
            let builtByUser: Int64? = b["built_by_user"]
            guard builtByUser != actor.userID else {
                throw BatchError("\(actor.username) built batch #\(batchID) and cannot also approve it (maker–checker)",
                                 remedy: "another person with the checker role must approve it: chitra batch approve \(batchID) --user THEIR_LOGIN")
            }
            let excluded = try Int.fetchOne(db, sql: "SELECT count(*) FROM batch_exclusion WHERE batch_id = ?", arguments: [batchID]) ?? 0
            guard (b["line_count"] as Int) > 0 || excluded > 0 else {
                throw BatchError("batch #\(batchID) has no lines and nobody left out; there is nothing to approve")
            }
            try db.execute(sql: "UPDATE batch SET status = 'approved', approved_by = ?, approved_by_user = ?, approved_at = ? WHERE id = ?",
                           arguments: [actor.username, actor.userID, Timestamp.now(), batchID])
            // Every line of the batch, visited in id (table) order: a batch's lines were inserted
            // together, so they lie in one id range; going through the batch index instead would
            // visit them group by group, all over the table (random reads at national scale).
            let range = try Row.fetchOne(db, sql: "SELECT min(id) AS lo, max(id) AS hi FROM payout_line WHERE batch_id = ?", arguments: [batchID])!
            if let lo = range["lo"] as Int64?, let hi = range["hi"] as Int64? {
                try db.execute(sql: "UPDATE payout_line SET state = 'approved' WHERE id BETWEEN ? AND ? AND +batch_id = ?", arguments: [lo, hi, batchID])
            }
            try AuditLog.append(db, actor: actor, action: "batch.approve", entity: "batch", entityID: String(batchID),
                                detail: "period=\(b["period"] as String) lines=\(b["line_count"] as Int) sum=\(b["control_sum"] as Int64) built_by=\(builtBy) built_by_user=\(builtByUser.map(String.init) ?? "legacy")")
        }
    }

    /// Cancels a draft or approved batch before export; its lines stop being live.
    public func cancel(batchID: Int64, by actor: Actor, reason: String) throws {
        try actor.require(.maker)
        try db.writer.write { db in
            guard let status = try String.fetchOne(db, sql: "SELECT status FROM batch WHERE id = ?", arguments: [batchID]) else {
                throw BatchError("there is no batch #\(batchID)")
            }
            guard status == "draft" || status == "approved" else {
                throw BatchError("batch #\(batchID) is \(status) and cannot be cancelled",
                                 remedy: status == "exported" ? "its files may already be at the bank; wait for the returns and reconcile" : nil)
            }
            guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw BatchError("a reason is required to cancel a batch", remedy: "pass --reason \"...\"")
            }
            try db.execute(sql: "UPDATE batch SET status = 'cancelled', cancelled_by = ?, cancelled_by_user = ?, cancelled_at = ?, cancel_reason = ? WHERE id = ?",
                           arguments: [actor.username, actor.userID, Timestamp.now(), reason, batchID])
            try db.execute(sql: "UPDATE payout_line SET state = 'cancelled' WHERE batch_id = ?", arguments: [batchID])
            try AuditLog.append(db, actor: actor, action: "batch.cancel", entity: "batch", entityID: String(batchID), detail: "was=\(status) reason=\(reason)")
        }
    }
}
