import ChiTraCore
import ChiTraStore
import GRDB

/// The queue of return lines that need a person: listed, then resolved with a note.
public struct ExceptionQueue {
    public struct Item: Sendable, Codable {
        public var id: Int64
        public var kind: String
        public var file: String
        public var lineNo: Int
        public var batchID: Int64?
        public var reference: String?
        public var detail: String
        public var status: String
        public var resolution: String?
        public var resolvedBy: String?
        public var note: String?
        /// XML: the transaction's position in the file and its EndToEndId (nil for CSV lines).
        public var transaction: Int?
        public var endToEndID: String?
        /// Return lines the exception stands for (a re-sent report's repeats of one batch are one exception).
        public var lines: Int = 1

        /// "transaction 17 (EndToEndId …)" for an XML file, "line 12" for a CSV file.
        public var location: ReturnLocation { ReturnLocation(line: lineNo, transaction: transaction, endToEndID: endToEndID) }
    }
    public enum Resolution: String, Sendable, CaseIterable {
        /// Nothing changes; the note says why (e.g. confirmed with the bank that it was a stray line).
        case dismiss
        /// Apply the return line's outcome to the payout line after checking with the bank.
        case apply
    }

    public let db: AppDatabase
    public init(db: AppDatabase) { self.db = db }

    public func list(openOnly: Bool = true, batchID: Int64? = nil) throws -> [Item] {
        try db.writer.read { db in try Self.list(db, openOnly: openOnly, batchID: batchID) }
    }

    /// `list`, inside a read the caller already holds.
    static func list(_ db: Database, openOnly: Bool, batchID: Int64?) throws -> [Item] {
        do {
            var sql = """
                SELECT e.*, f.name AS file_name, r.reference FROM return_exception e JOIN import_file f ON f.id = e.file_id
                LEFT JOIN return_line r ON r.id = e.return_line_id WHERE 1
                """
            var args: StatementArguments = []
            if openOnly { sql += " AND e.status = 'open'" }
            if let batchID { sql += " AND e.batch_id = ?"; args += [batchID] }
            sql += " ORDER BY e.id"
            return try Row.fetchAll(db, sql: sql, arguments: args).map {
                Item(id: $0["id"], kind: $0["kind"], file: $0["file_name"], lineNo: $0["line_no"], batchID: $0["batch_id"],
                     reference: $0["reference"], detail: $0["detail"], status: $0["status"], resolution: $0["resolution"],
                     resolvedBy: $0["resolved_by"], note: $0["note"], transaction: $0["tx_no"], endToEndID: $0["end_to_end_id"],
                     lines: $0["lines"] ?? 1)
            }
        }
    }

    /// Resolves one exception, in one transaction, with who and why in the audit log.
    public func resolve(id: Int64, resolution: Resolution, note: String, by actor: Actor) throws {
        try actor.require(.clerk)
        guard !note.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw StoreError(Message("store.exception.note_required"))
        }
        try db.writer.write { db in
            guard let e = try Row.fetchOne(db, sql: "SELECT * FROM return_exception WHERE id = ?", arguments: [id]) else {
                throw StoreError(Message("store.exception.missing", ["id": .int(Int(id))]))
            }
            guard (e["status"] as String) == "open" else {
                throw StoreError(Message("store.exception.already_resolved", ["id": .int(Int(id)), "by": .text(e["resolved_by"] as String? ?? "?")]))
            }
            let kind: String = e["kind"]
            if resolution == .apply {
                // The kinds whose outcome may yet be applied are the kinds that hold money.
                guard OpenExceptions.holdingKinds.contains(kind),
                      let lineID = e["payout_line_id"] as Int64?, let rlID = e["return_line_id"] as Int64? else {
                    throw StoreError(Message("store.exception.no_payment", ["id": .int(Int(id)), "kind": .text(kind)]))
                }
                let rl = try Row.fetchOne(db, sql: "SELECT * FROM return_line WHERE id = ?", arguments: [rlID])!
                let outcome: String = rl["outcome"]
                let state = outcome == "paid" ? "paid" : outcome == "rejected" ? "failed" : "pending"
                // Paid (or pending) after all, while a later batch carries it over: that batch must go first.
                if state != "failed", let carrier = try PayoutQueries.liveCarrier(db, ofLine: lineID) {
                    let batch = carrier.batchID
                    throw StoreError(Message("store.exception.carried_over", ["id": .int(Int(id)), "state": .text(state), "batch": .int(Int(batch)), "status": .text(carrier.status)]))
                }
                try db.execute(sql: """
                    UPDATE payout_line SET state = ?, result_reason = ?, result_reason_code = ?, result_retryable = ?, result_receiver = ?,
                           result_date = ?, result_return_line = ?, result_at = ? WHERE id = ?
                    """, arguments: [state, rl["reason"] as String?, rl["reason_code"] as String?, rl["retryable"] as Int?, rl["receiver"] as String?,
                                     rl["date"] as String?, rlID, Timestamp.now(), lineID])
                try db.execute(sql: "UPDATE return_line SET result = 'applied' WHERE id = ?", arguments: [rlID])
            }
            try db.execute(sql: "UPDATE return_exception SET status = 'resolved', resolution = ?, resolved_by = ?, resolved_by_user = ?, resolved_at = ?, note = ? WHERE id = ?",
                           arguments: [resolution == .apply ? "applied" : "dismissed", actor.username, actor.userID, Timestamp.now(), note, id])
            try AuditLog.append(db, actor: actor, action: "exception.resolve", entity: "return_exception", entityID: String(id),
                                detail: "kind=\(kind) resolution=\(resolution.rawValue) note=\(note)")
        }
    }
}
