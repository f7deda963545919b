import ChiTraCore
import Foundation
import GRDB

/// What the web's roll pages read and keep: the history of roll imports, and the result of each
/// roll file uploaded through the browser (`roll_import_result`), kept so that its page — the
/// summary, the rejected lines with their reasons, the flags — can be opened again later.
///
/// The summary is kept as the importer's JSON (`RollImportSummary`, which holds personal IDs and
/// account numbers only masked); the uploaded file and its rejects file stay in a folder of the
/// server's working directory, named here relative to it.
public enum RollPageQueries {
    /// v6: one row per roll file uploaded through the web. `file_id` is the import it made, NULL
    /// when nothing of the file was applied (a strict refusal, every line rejected, the file
    /// refused whole): such a file is not recorded in `import_file` and may be imported again.
    static let schema = """
    CREATE TABLE roll_import_result (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        file_id INTEGER UNIQUE REFERENCES import_file(id),
        name TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        uploaded_at TEXT NOT NULL,
        uploaded_by TEXT NOT NULL,
        uploaded_by_user INTEGER REFERENCES app_user(id),
        strict INTEGER NOT NULL CHECK (strict IN (0,1)),
        outcome TEXT NOT NULL CHECK (outcome IN ('applied','strict_refused','nothing_applied','file_refused')),  -- RollUploadOutcome
        summary TEXT NOT NULL,
        folder TEXT NOT NULL,
        rejects_name TEXT,
        CHECK ((outcome = 'applied') = (file_id IS NOT NULL))
    );
    """

    /// One roll import as the history lists it (from `import_file`: the CLI's imports too).
    public struct Import: Sendable {
        public let id: Int64
        public let name: String
        public let sha256: String
        public let importedAt: String
        public let importedBy: String
        public let rowsTotal: Int
        public let rowsApplied: Int
        public let rowsUnchanged: Int
        public let rowsRejected: Int
        /// The web result kept for it (nil for an import made with `chitra roll import`).
        public let resultID: Int64?
    }

    /// One uploaded roll file and what became of it.
    public struct Result: Sendable {
        public let id: Int64
        public let fileID: Int64?
        public let name: String
        public let sha256: String
        public let uploadedAt: String
        public let uploadedBy: String
        public let strict: Bool
        public let outcome: RollUploadOutcome
        /// The importer's summary, as JSON.
        public let summaryJSON: String
        /// Relative to the web working directory.
        public let folder: String
        public let rejectsName: String?
    }

    /// What to record for an upload.
    public struct NewResult: Sendable {
        public var fileID: Int64?
        public var name: String
        public var sha256: String
        public var strict: Bool
        public var outcome: RollUploadOutcome
        public var summaryJSON: String
        public var folder: String
        public var rejectsName: String?

        public init(fileID: Int64?, name: String, sha256: String, strict: Bool, outcome: RollUploadOutcome, summaryJSON: String,
                    folder: String, rejectsName: String?) {
            self.fileID = fileID; self.name = name; self.sha256 = sha256; self.strict = strict; self.outcome = outcome
            self.summaryJSON = summaryJSON; self.folder = folder; self.rejectsName = rejectsName
        }
    }

    /// The latest roll imports, newest first.
    public static func imports(_ db: AppDatabase, limit: Int = 50) throws -> [Import] {
        try db.writer.read { d in
            try Row.fetchAll(d, sql: """
                SELECT f.*, r.id AS result_id FROM import_file f LEFT JOIN roll_import_result r ON r.file_id = f.id
                WHERE f.kind = 'roll' ORDER BY f.id DESC LIMIT ?
                """, arguments: [limit]).map { try importRow(d, $0) }
        }
    }

    /// One roll import by its `import_file` id.
    public static func importFile(_ db: AppDatabase, id: Int64) throws -> Import? {
        try db.writer.read { d in
            try Row.fetchOne(d, sql: """
                SELECT f.*, r.id AS result_id FROM import_file f LEFT JOIN roll_import_result r ON r.file_id = f.id
                WHERE f.kind = 'roll' AND f.id = ?
                """, arguments: [id]).map { try importRow(d, $0) }
        }
    }

    static func importRow(_ d: Database, _ r: Row) throws -> Import {
        Import(id: r["id"], name: r["name"], sha256: r["sha256"], importedAt: r["imported_at"],
               importedBy: try Users.display(d, id: r["imported_by_user"]) ?? r["imported_by"],
               rowsTotal: r["rows_total"], rowsApplied: r["rows_applied"], rowsUnchanged: r["rows_unchanged"],
               rowsRejected: r["rows_rejected"], resultID: r["result_id"])
    }

    /// The latest uploads of which nothing was applied, newest first.
    public static func refusedUploads(_ db: AppDatabase, limit: Int = 20) throws -> [Result] {
        try db.writer.read { d in
            try Row.fetchAll(d, sql: "SELECT * FROM roll_import_result WHERE file_id IS NULL ORDER BY id DESC LIMIT ?",
                             arguments: [limit]).map { try resultRow(d, $0) }
        }
    }

    /// An upload's result by its own id.
    public static func result(_ db: AppDatabase, id: Int64) throws -> Result? {
        try db.writer.read { d in
            try Row.fetchOne(d, sql: "SELECT * FROM roll_import_result WHERE id = ?", arguments: [id]).map { try resultRow(d, $0) }
        }
    }

    /// The result kept for an import (nil for an import made with the CLI).
    public static func result(_ db: AppDatabase, fileID: Int64) throws -> Result? {
        try db.writer.read { d in
            try Row.fetchOne(d, sql: "SELECT * FROM roll_import_result WHERE file_id = ?", arguments: [fileID]).map { try resultRow(d, $0) }
        }
    }

    static func resultRow(_ d: Database, _ r: Row) throws -> Result {
        Result(id: r["id"], fileID: r["file_id"], name: r["name"], sha256: r["sha256"], uploadedAt: r["uploaded_at"],
               uploadedBy: try Users.display(d, id: r["uploaded_by_user"]) ?? r["uploaded_by"], strict: (r["strict"] as Int) == 1,
               outcome: try StoredValue.decode(r["outcome"], "roll_import_result.outcome"), summaryJSON: r["summary"], folder: r["folder"], rejectsName: r["rejects_name"])
    }

    /// Records an upload's result (after the importer has run); returns its id.
    @discardableResult
    public static func record(_ db: AppDatabase, _ n: NewResult, by actor: Actor) throws -> Int64 {
        try db.writer.write { d in
            try d.execute(sql: """
                INSERT INTO roll_import_result(file_id, name, sha256, uploaded_at, uploaded_by, uploaded_by_user, strict, outcome, summary, folder, rejects_name)
                VALUES (?,?,?,?,?,?,?,?,?,?,?)
                """, arguments: [n.fileID, n.name, n.sha256, Timestamp.now(), actor.username, actor.userID, n.strict ? 1 : 0,
                                 n.outcome.rawValue, n.summaryJSON, n.folder, n.rejectsName])
            return d.lastInsertedRowID
        }
    }

    /// The codes of people on the roll (not stopped) who still have an old 9-digit CMND, at most `limit`.
    public static func legacyIDCodes(_ db: AppDatabase, limit: Int = 200) throws -> [String] {
        try db.writer.read { d in
            try String.fetchAll(d, sql: "SELECT code FROM beneficiary WHERE id_legacy = 1 AND status <> 'stopped' ORDER BY code LIMIT ?", arguments: [limit])
        }
    }

    /// A rejects file (full personal IDs and accounts of the rejected lines) was downloaded: who, which.
    public static func recordRejectsDownload(_ db: AppDatabase, resultID: Int64, name: String, by actor: Actor) throws {
        try db.writer.write { d in
            try AuditLog.append(d, actor: actor, action: "roll.rejects-download", entity: "roll_import_result",
                                entityID: String(resultID), detail: name)
        }
    }
}
