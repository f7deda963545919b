import ChiTraCore
import Foundation
import GRDB

/// Where the monthly cycle stands, for the web's "This month" page: the latest roll import, each
/// live batch of a month with what came back for it. One read.
public enum CycleQueries {
    public struct RollImport: Sendable {
        public let name: String
        public let importedAt: String
        public let importedBy: String
        public let rowsTotal: Int
        public let rowsApplied: Int
        public let rowsRejected: Int
    }

    public struct BatchState: Sendable {
        public let id: Int64
        public let supplementary: Bool
        public let status: BatchStatus
        public let lineCount: Int
        public let controlSum: Int64
        public let builtAt: String
        public let approvedAt: String?
        public let exportedAt: String?
        /// Lines by state: paid, failed, pending (reported pending), and still awaiting a return (exported).
        public let paid: Int
        public let failed: Int
        public let pending: Int
        public let awaiting: Int
        public let returnFiles: Int
        public let openExceptions: Int
    }

    public struct Month: Sendable {
        public let period: String
        public let batches: [BatchState]
    }

    public static func latestRollImport(_ db: AppDatabase) throws -> RollImport? {
        try db.writer.read { d in
            try Row.fetchOne(d, sql: "SELECT * FROM import_file WHERE kind = 'roll' ORDER BY id DESC LIMIT 1").map {
                RollImport(name: $0["name"], importedAt: $0["imported_at"], importedBy: try Users.display(d, id: $0["imported_by_user"]) ?? $0["imported_by"],
                           rowsTotal: $0["rows_total"], rowsApplied: $0["rows_applied"], rowsRejected: $0["rows_rejected"])
            }
        }
    }

    /// The live (not cancelled) batches of `period`, regular first.
    public static func month(_ db: AppDatabase, period: String) throws -> Month {
        try db.writer.read { d in
            let rows = try Row.fetchAll(d, sql: "SELECT * FROM batch WHERE period = ? AND status <> 'cancelled' ORDER BY supplementary, id", arguments: [period])
            var out: [BatchState] = []
            for r in rows {
                let id: Int64 = r["id"]
                let counts = try PayoutLines.stateCounts(d, batchID: id)
                let files = try Int.fetchOne(d, sql: """
                    SELECT count(DISTINCT l.file_id) FROM return_line l JOIN payout_line p ON p.reference = l.reference WHERE p.batch_id = ?
                    """, arguments: [id]) ?? 0
                let open = try Int.fetchOne(d, sql: "SELECT count(*) FROM return_exception WHERE batch_id = ? AND status = 'open'", arguments: [id]) ?? 0
                out.append(BatchState(id: id, supplementary: (r["supplementary"] as Int) == 1,
                                          status: try StoredValue.decode(r["status"], "batch.status"), lineCount: r["line_count"],
                                      controlSum: r["control_sum"], builtAt: r["built_at"], approvedAt: r["approved_at"], exportedAt: r["exported_at"],
                                      paid: counts[.paid] ?? 0, failed: counts[.failed] ?? 0, pending: counts[.pending] ?? 0,
                                      awaiting: counts[.exported] ?? 0, returnFiles: files, openExceptions: open))
            }
            return Month(period: period, batches: out)
        }
    }
}
