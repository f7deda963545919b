import ChiTraCore
import GRDB

/// The return files imported (`import_file` of kind `return`, `return_import`, `return_original`).
public enum ReturnFiles {
    /// The return file already imported with these bytes: its id and when, or nil.
    public static func previousImport(_ db: Database, sha256: String) throws -> (id: Int64, importedAt: String)? {
        try Row.fetchOne(db, sql: "SELECT id, imported_at FROM import_file WHERE kind = 'return' AND sha256 = ?", arguments: [sha256])
            .map { ($0["id"], $0["imported_at"]) }
    }

    /// Records a return file before its lines (they refer to it), its counts at zero until
    /// `complete`; returns its id.
    public static func begin(_ db: Database, sha256: String, name: String, at now: String, by actor: Actor) throws -> Int64 {
        try db.execute(sql: """
            INSERT INTO import_file(sha256, kind, name, imported_at, imported_by, imported_by_user, rows_total, rows_applied, rows_unchanged, rows_rejected)
            VALUES (?, 'return', ?, ?, ?, ?, 0, 0, 0, 0)
            """, arguments: [sha256, name, now, actor.username, actor.userID])
        return db.lastInsertedRowID
    }

    /// A payout message the file names, and the batch it is ours in (once per file and id).
    public static func recordOriginal(_ db: Database, fileID: Int64, originalID: String, batchID: Int64?) throws {
        try db.execute(sql: "INSERT OR IGNORE INTO return_original(file_id, original_id, batch_id) VALUES (?,?,?)", arguments: [fileID, originalID, batchID])
    }

    /// What the import of a return file found (`return_import`).
    public struct Import: Sendable {
        public var format: String
        public var messageID: String?
        public var originalMessageID: String?
        public var signature: String
        public var records: Int
        public var applied: Int
        public var exceptions: Int
        public var malformed: Int
        public init(format: String, messageID: String?, originalMessageID: String?, signature: String, records: Int, applied: Int,
                    exceptions: Int, malformed: Int) {
            self.format = format; self.messageID = messageID; self.originalMessageID = originalMessageID; self.signature = signature
            self.records = records; self.applied = applied; self.exceptions = exceptions; self.malformed = malformed
        }
    }

    /// Records what the import found and completes the file's counts.
    public static func complete(_ db: Database, fileID: Int64, _ i: Import, total: Int, unchanged: Int) throws {
        try db.execute(sql: """
            INSERT INTO return_import(file_id, format, message_id, original_message_id, signature, records, applied, exceptions, malformed)
            VALUES (?,?,?,?,?,?,?,?,?)
            """, arguments: [fileID, i.format, i.messageID, i.originalMessageID, i.signature, i.records, i.applied, i.exceptions, i.malformed])
        try db.execute(sql: "UPDATE import_file SET rows_total = ?, rows_applied = ?, rows_unchanged = ?, rows_rejected = ? WHERE id = ?",
                       arguments: [total, i.applied, unchanged, i.malformed, fileID])
    }
}
