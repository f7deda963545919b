import ChiTraCore
import Foundation
import GRDB

/// What the web's Returns pages read besides the use cases (ReturnImporter, Reconciliation,
/// ExceptionQueue): the return files imported so far, the batches that can be reconciled, the
/// count of open exceptions, and a mark that changes whenever anything the reconciliation shows
/// may have changed.
public enum ReturnsQueries {
    /// One imported return file, with what its lines came to.
    public struct ReturnFile: Sendable {
        public let id: Int64
        public let name: String
        public let importedAt: String
        /// The account that imported it, as shown next to what it did.
        public let importedBy: String
        public let format: String
        /// `valid` or `absent`.
        public let signature: String
        public let records: Int
        /// Lines whose outcome was applied, by outcome (an exception later applied counts here too).
        public let paid: Int
        public let failed: Int
        public let pending: Int
        /// Lines that repeated what the payment already had (pending → pending).
        public let unchanged: Int
        public let exceptions: Int
        /// Of those, still open.
        public let openExceptions: Int
        public let malformed: Int
    }

    /// The return files imported, newest first (at most `limit`).
    public static func returnFiles(_ db: AppDatabase, limit: Int = 100) throws -> [ReturnFile] {
        try db.writer.read { d in
            let rows = try Row.fetchAll(d, sql: """
                SELECT f.id, f.name, f.imported_at, f.imported_by, f.imported_by_user, f.rows_unchanged,
                       r.format, r.signature, r.records, r.exceptions, r.malformed,
                       (SELECT count(*) FROM return_exception e WHERE e.file_id = f.id AND e.status = 'open') AS open_exceptions
                FROM import_file f JOIN return_import r ON r.file_id = f.id
                WHERE f.kind = 'return' ORDER BY f.id DESC LIMIT ?
                """, arguments: [limit])
            guard !rows.isEmpty else { return [] }
            // Applied lines by file and outcome: one pass over the return lines of the files listed.
            let ids = rows.map { $0["id"] as Int64 }
            var counts: [Int64: [String: Int]] = [:]
            let minID = ids.min()!
            for r in try Row.fetchAll(d, sql: """
                SELECT file_id, outcome, count(*) AS n FROM return_line
                WHERE file_id >= ? AND result = 'applied' GROUP BY file_id, outcome
                """, arguments: [minID]) {
                counts[r["file_id"], default: [:]][r["outcome"]] = r["n"]
            }
            var names: [Int64: String] = [:]
            return try rows.map { r in
                let id: Int64 = r["id"]
                let userID: Int64? = r["imported_by_user"]
                var by: String = r["imported_by"]
                if let userID {
                    if let n = names[userID] { by = n } else if let n = try Users.display(d, id: userID) { names[userID] = n; by = n }
                }
                let c = counts[id] ?? [:]
                return ReturnFile(id: id, name: r["name"], importedAt: r["imported_at"], importedBy: by, format: r["format"],
                                  signature: r["signature"], records: r["records"], paid: c["paid"] ?? 0, failed: c["rejected"] ?? 0,
                                  pending: c["pending"] ?? 0, unchanged: r["rows_unchanged"], exceptions: r["exceptions"],
                                  openExceptions: r["open_exceptions"], malformed: r["malformed"])
            }
        }
    }

    /// One exception a return file raised.
    public struct FileException: Sendable {
        public let id: Int64
        public let kind: ReturnExceptionKind
        public let lineNo: Int
        public let batchID: Int64?
        public let detail: String
    }

    /// The exceptions one imported file raised, in the order they were written (at most `limit`).
    public static func fileExceptions(_ db: AppDatabase, fileID: Int64, limit: Int) throws -> [FileException] {
        try db.writer.read { d in
            try Row.fetchAll(d, sql: "SELECT id, kind, line_no, batch_id, detail FROM return_exception WHERE file_id = ? ORDER BY id LIMIT ?",
                             arguments: [fileID, limit]).map {
                FileException(id: $0["id"], kind: try StoredValue.decode($0["kind"], "return_exception.kind"), lineNo: $0["line_no"], batchID: $0["batch_id"], detail: $0["detail"])
            }
        }
    }

    /// A batch that was sent (exported), with where its answers stand.
    public struct SentBatch: Sendable {
        public let id: Int64
        public let period: String
        public let supplementary: Bool
        public let status: BatchStatus
        public let lineCount: Int
        public let controlSum: Int64
        public let exportedAt: String?
        public let paid: Int
        public let failed: Int
        public let pending: Int
        /// Still exported: no return has spoken of it yet.
        public let awaiting: Int
        public let openExceptions: Int
    }

    /// The batches that were exported (the ones a reconciliation is about), newest first.
    public static func sentBatches(_ db: AppDatabase, limit: Int = 24) throws -> [SentBatch] {
        try db.writer.read { d in
            try Row.fetchAll(d, sql: """
                SELECT id, period, supplementary, status, line_count, control_sum, exported_at FROM batch
                WHERE exported_at IS NOT NULL ORDER BY id DESC LIMIT ?
                """, arguments: [limit]).map { r in
                    let id: Int64 = r["id"]
                    let counts = try PayoutLines.stateCounts(d, batchID: id)
                    let open = try Int.fetchOne(d, sql: "SELECT count(*) FROM return_exception WHERE batch_id = ? AND status = 'open'", arguments: [id]) ?? 0
                    return SentBatch(id: id, period: r["period"], supplementary: (r["supplementary"] as Int) == 1,
                                     status: try StoredValue.decode(r["status"], "batch.status"),
                                     lineCount: r["line_count"], controlSum: r["control_sum"], exportedAt: r["exported_at"],
                                     paid: counts[.paid] ?? 0, failed: counts[.failed] ?? 0, pending: counts[.pending] ?? 0,
                                     awaiting: counts[.exported] ?? 0, openExceptions: open)
                }
        }
    }

    /// The open return exceptions of the whole store.
    public static func openExceptionCount(_ db: AppDatabase) throws -> Int {
        try db.writer.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM return_exception WHERE status = 'open'") ?? 0 }
    }

    /// A batch's month and status, or nil when there is no such batch.
    public static func batchHeader(_ db: AppDatabase, id: Int64) throws -> (period: String, status: BatchStatus, exported: Bool)? {
        try db.writer.read { d in
            try Row.fetchOne(d, sql: "SELECT period, status, exported_at FROM batch WHERE id = ?", arguments: [id]).map {
                (period: $0["period"], status: try StoredValue.decode($0["status"], "batch.status"), exported: ($0["exported_at"] as String?) != nil)
            }
        }
    }

    /// A mark that changes whenever the store's money, people or returns may have changed: the
    /// newest audit entry's id. Every use case that changes what a reconciliation shows (returns
    /// import, exception resolved, batch built, cancelled or exported, roll import, account set)
    /// writes its audit entry in the same transaction; a failed one rolls its entry back too.
    /// One look-up of the table's largest rowid.
    public static func changeMark(_ db: AppDatabase) throws -> Int64 {
        try db.writer.read { try Int64.fetchOne($0, sql: "SELECT max(id) FROM audit_log") ?? 0 }
    }
}
