import ChiTraCore
import GRDB

/// The return exceptions (`return_exception`): written by the import, listed and resolved by a person.
public enum ReturnExceptions {
    /// A new exception.
    public struct New {
        public var fileID: Int64
        public var returnLine: Int64?
        public var lineNo: Int
        public var kind: ReturnExceptionKind
        public var payoutLine: Int64?
        public var batch: Int64?
        public var detail: String
        public var transaction: Int?
        public var endToEndID: String?
        public var lines: Int
        public init(fileID: Int64, returnLine: Int64?, lineNo: Int, kind: ReturnExceptionKind, payoutLine: Int64?, batch: Int64?,
                    detail: String, transaction: Int?, endToEndID: String?, lines: Int) {
            self.fileID = fileID; self.returnLine = returnLine; self.lineNo = lineNo; self.kind = kind; self.payoutLine = payoutLine
            self.batch = batch; self.detail = detail; self.transaction = transaction; self.endToEndID = endToEndID; self.lines = lines
        }
    }

    public static func insert(_ db: Database, _ e: New) throws {
        try db.cachedStatement(sql: """
            INSERT INTO return_exception(file_id, return_line_id, line_no, kind, payout_line_id, batch_id, detail, tx_no, end_to_end_id, lines)
            VALUES (?,?,?,?,?,?,?,?,?,?)
            """).execute(arguments: [e.fileID, e.returnLine, e.lineNo, e.kind.rawValue, e.payoutLine, e.batch, e.detail, e.transaction, e.endToEndID, e.lines])
    }

    /// An exception as listed, with its file's name and the return line's reference (the queue's
    /// item, `ExceptionQueue.Item`, and its JSON: field names are the output's keys).
    public struct Listed: Sendable, Codable {
        public var id: Int64
        public var kind: ReturnExceptionKind
        /// The return file's name.
        public var file: String
        public var lineNo: Int
        public var batchID: Int64?
        public var reference: String?
        public var detail: String
        public var status: ExceptionStatus
        public var resolution: ExceptionResolution?
        public var resolvedBy: String?
        public var note: String?
        /// XML: the transaction's position in the file and its EndToEndId (nil for CSV lines).
        public var transaction: Int?
        public var endToEndID: String?
        /// Return lines the exception stands for (a re-sent report's repeats of one batch are one exception).
        public var lines: Int
    }

    /// The exceptions (only the open ones, of one batch when given), oldest first.
    public static func list(_ db: Database, openOnly: Bool, batchID: Int64?) throws -> [Listed] {
        var sql = """
            SELECT e.*, f.name AS file_name, r.reference FROM return_exception e JOIN import_file f ON f.id = e.file_id
            LEFT JOIN return_line r ON r.id = e.return_line_id WHERE 1
            """
        var args: StatementArguments = []
        if openOnly { sql += " AND e.status = 'open'" }
        if let batchID { sql += " AND e.batch_id = ?"; args += [batchID] }
        sql += " ORDER BY e.id"
        return try Row.fetchAll(db, sql: sql, arguments: args).map {
            Listed(id: $0["id"], kind: try StoredValue.decode($0["kind"], "return_exception.kind"), file: $0["file_name"], lineNo: $0["line_no"], batchID: $0["batch_id"],
                   reference: $0["reference"], detail: $0["detail"], status: try StoredValue.decode($0["status"], "return_exception.status"),
                   resolution: try ($0["resolution"] as String?).map { try StoredValue.decode($0, "return_exception.resolution") },
                   resolvedBy: $0["resolved_by"], note: $0["note"], transaction: $0["tx_no"], endToEndID: $0["end_to_end_id"],
                   lines: $0["lines"] ?? 1)
        }
    }

    /// One exception, as resolving it needs.
    public struct Stored: Sendable {
        public var id: Int64
        public var kind: ReturnExceptionKind
        public var status: ExceptionStatus
        public var resolvedBy: String?
        public var payoutLineID: Int64?
        public var returnLineID: Int64?
    }

    public static func stored(_ db: Database, id: Int64) throws -> Stored? {
        try Row.fetchOne(db, sql: "SELECT id, kind, status, resolved_by, payout_line_id, return_line_id FROM return_exception WHERE id = ?", arguments: [id]).map {
            Stored(id: $0["id"], kind: try StoredValue.decode($0["kind"], "return_exception.kind"), status: ExceptionStatus(rawValue: $0["status"]) ?? .resolved, resolvedBy: $0["resolved_by"],
                   payoutLineID: $0["payout_line_id"], returnLineID: $0["return_line_id"])
        }
    }

    /// Closes an exception: how, by whom, when and why.
    public static func resolve(_ db: Database, id: Int64, resolution: ExceptionResolution, by actor: Actor, at now: String, note: String) throws {
        try db.execute(sql: "UPDATE return_exception SET status = 'resolved', resolution = ?, resolved_by = ?, resolved_by_user = ?, resolved_at = ?, note = ? WHERE id = ?",
                       arguments: [resolution.rawValue, actor.username, actor.userID, now, note, id])
    }
}
