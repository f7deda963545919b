import GRDB

/// The roll files imported (`import_file` rows of kind `roll`): one per file's bytes.
public enum RollImportFiles {
    /// A roll file imported before.
    public struct Previous: Sendable {
        public var id: Int64
        public var importedAt: String
    }

    /// The earlier import of the same bytes (by SHA-256), if any.
    public static func previous(_ db: Database, sha256: String) throws -> Previous? {
        try Row.fetchOne(db, sql: "SELECT id, imported_at FROM import_file WHERE kind = 'roll' AND sha256 = ?", arguments: [sha256])
            .map { Previous(id: $0["id"], importedAt: $0["imported_at"]) }
    }

    /// Records the start of an import (every count zero until `finish`); returns the file's id.
    public static func begin(_ db: Database, sha256: String, name: String, at now: String, actor: Actor) throws -> Int64 {
        try db.execute(sql: """
            INSERT INTO import_file(sha256, kind, name, imported_at, imported_by, imported_by_user, rows_total, rows_applied, rows_unchanged, rows_rejected)
            VALUES (?, 'roll', ?, ?, ?, ?, 0, 0, 0, 0)
            """, arguments: [sha256, name, now, actor.username, actor.userID])
        return db.lastInsertedRowID
    }

    /// Records the import's line counts.
    public static func finish(_ db: Database, fileID: Int64, lines: Int, applied: Int, unchanged: Int, rejected: Int) throws {
        try db.execute(sql: "UPDATE import_file SET rows_total = ?, rows_applied = ?, rows_unchanged = ?, rows_rejected = ? WHERE id = ?",
                       arguments: [lines, applied, unchanged, rejected, fileID])
    }
}
