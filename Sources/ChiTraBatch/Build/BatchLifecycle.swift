import ChiTraCore
import ChiTraStore

/// What an approval did, and the open return exceptions the checker saw.
public struct ApprovalSummary: Sendable, Codable {
    public var id: Int64
    public var period: String
    public var approvedBy: String
    /// Every open return exception of the store, with its amount (`OpenExceptions`).
    public var openExceptions: [OpenException]
    /// The payments those exceptions hold, each counted once.
    public var heldCount: Int
    public var heldSum: Int64
    /// The checker's note, when the batch was approved with open exceptions holding money
    /// (`--accept-open-exceptions --note`); recorded in the audit entry.
    public var acceptedNote: String?
}

/// Approve and cancel: maker–checker, every change in the audit log.
public struct BatchLifecycle {
    public let db: AppDatabase
    public init(db: AppDatabase) { self.db = db }

    /// A second person approves a draft; the batch is frozen from then on. The maker and the
    /// checker are compared by account id (and the schema checks it again): a different spelling
    /// of a login is the same account.
    ///
    /// Refused while an open return exception holds money (`OpenExceptions`), unless the checker
    /// accepts them with a note (`acceptingOpenExceptions`, recorded in the audit entry).
    @discardableResult
    public func approve(batchID: Int64, by actor: Actor, acceptingOpenExceptions note: String? = nil) throws -> ApprovalSummary {
        try actor.require(.checker)
        let note = note?.trimmingCharacters(in: .whitespacesAndNewlines)
        if let note, note.isEmpty {
            throw BatchError(Message("batch.approve.note_required"))
        }
        return try db.writer.write { db in
            guard let b = try Batches.record(db, id: batchID) else {
                throw BatchError(Message("batch.missing", ["batch": .int(Int(batchID))]))
            }
            guard b.status == .draft else {
                throw BatchError(Message("batch.approve.not_draft", ["batch": .int(Int(batchID)), "status": .text(b.status.rawValue)]))
            }
            let builtBy = b.builtBy
            let builtByUser = b.builtByUser
            // The maker the batch row names must be the account the (sealed) audit log says built it:
            // a maker swapped in the file to let its builder approve is refused.
            if let recorded = try AuditLog.lastAccount(db, actions: ["batch.build", "batch.rebuild"], entity: "batch", entityID: String(batchID)),
               recorded != builtByUser {
                throw BatchError(Message("batch.approve.maker_mismatch", ["batch": .int(Int(batchID)), "named": .text(builtByUser.map(String.init) ?? "?"), "recorded": .text("\(recorded)")]))
            }
            guard builtByUser != actor.userID else {
                throw BatchError(Message("batch.approve.own_batch", ["user": .text(actor.username), "batch": .int(Int(batchID))]))
            }
            let excluded = try BatchExclusions.count(db, batchID: batchID)
            guard b.lineCount > 0 || excluded > 0 else {
                throw BatchError(Message("batch.approve.empty", ["batch": .int(Int(batchID))]))
            }
            // A funeral payment is approved only as an active claim stands (a claim cancelled, or
            // its account changed, after the draft was built; or a draft from before claims, paying
            // a proxy): the draft is built again first.
            let unbacked = try FuneralClaims.unbackedLines(db, batchID: batchID)
            guard unbacked.isEmpty else {
                throw BatchError(Message("batch.approve.funeral_unbacked", ["batch": .int(Int(batchID)), "lines": .text(unbacked.joined(separator: ", ")), "period": .text(b.period)]))
            }
            let open = try OpenExceptions.all(db)
            let holding = open.filter(\.holdsMoney)
            let held = OpenExceptions.heldTotals(open)
            if !holding.isEmpty && note == nil {
                var list = holding.prefix(10).map(OpenExceptions.sentence).joined(separator: "; ")
                if holding.count > 10 { list += "; … " + Message("batch.more", ["n": .int(holding.count - 10)]).text() }
                throw BatchError(Message("batch.approve.open_exceptions", ["exceptions": .int(holding.count), "payments": .int(held.count), "sum": .money(held.sum), "list": .text(list), "batch": .int(Int(batchID))]))
            }
            try Batches.markApproved(db, id: batchID, by: actor.username, userID: actor.userID, at: Timestamp.now())
            // Every line of the batch approved and sealed with the audit key in one pass, then the
            // batch (ApprovalSeal).
            let seal = try ApprovalSeal.approveAndSeal(db, batchID: batchID)
            var detail = "period=\(b.period) lines=\(b.lineCount) sum=\(b.controlSum) built_by=\(builtBy) built_by_user=\(builtByUser.map(String.init) ?? "legacy") seal=\(seal)"
            if let note {
                let ids = holding.map { "#\($0.id)" }.joined(separator: ",")
                detail += " accepted_open_exceptions=\(ids.isEmpty ? "none" : ids) held=\(held.count):\(held.sum) note=\(note)"
            }
            try AuditLog.append(db, actor: actor, action: "batch.approve", entity: "batch", entityID: String(batchID), detail: detail)
            return ApprovalSummary(id: batchID, period: b.period, approvedBy: actor.username, openExceptions: open,
                                   heldCount: held.count, heldSum: held.sum, acceptedNote: holding.isEmpty ? nil : note)
        }
    }

    /// Cancels a draft or approved batch before export; its lines stop being live.
    public func cancel(batchID: Int64, by actor: Actor, reason: String) throws {
        try actor.require(.maker)
        try db.writer.write { db in
            guard let status = try Batches.status(db, id: batchID) else {
                throw BatchError(Message("batch.missing", ["batch": .int(Int(batchID))]))
            }
            guard status == .draft || status == .approved else {
                throw (status == .exported ? BatchError(Message("batch.cancel.exported", ["batch": .int(Int(batchID))])) : BatchError(Message("batch.cancel.not_allowed", ["batch": .int(Int(batchID)), "status": .text(status.rawValue)])))
            }
            guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw BatchError(Message("batch.cancel.reason_required"))
            }
            try Batches.cancel(db, id: batchID, by: actor.username, userID: actor.userID, at: Timestamp.now(), reason: reason)
            try AuditLog.append(db, actor: actor, action: "batch.cancel", entity: "batch", entityID: String(batchID), detail: "was=\(status.rawValue) reason=\(reason)")
        }
    }
}
