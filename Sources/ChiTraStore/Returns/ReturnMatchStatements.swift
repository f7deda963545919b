import ChiTraCore
import GRDB
import GRDBSQLite

/// `SQLITE_TRANSIENT` (a C macro Swift does not import): SQLite copies the bound bytes.
private let SQLITE_TRANSIENT = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)

/// The two statements the returns matcher runs for every return line, bound, stepped and read
/// through the SQLite C API: find the payout line of a reference, record the return line. (The
/// payout line is settled at the end of the command, in line order: `ReturnSettlements`.)
///
/// Why: a national batch has about a million return lines, and GRDB's `StatementArguments`
/// (an array of `DatabaseValue`s per call) and `Row` (a copied dictionary of values per fetch)
/// cost more than the SQLite work itself. These are GRDB `Statement`s (GRDB prepares and
/// finalizes them, inside the import's transaction); only binding, stepping and reading use the
/// C API, and they do exactly what GRDB does:
/// - a `String` is bound as NUL-terminated text copied by SQLite (`SQLITE_TRANSIENT`, length -1),
///   an integer as int64, nil as NULL;
/// - a text column is read as `String(cString:)`, an integer column with `sqlite3_column_int64`;
/// - a failing step throws the `DatabaseError` GRDB would throw (result code, SQLite's message, SQL).
public final class ReturnMatchStatements {
    /// The payout line of a reference, with its batch's status.
    public struct PayoutLine: Sendable {
        public var id: Int64
        public var batchID: Int64
        public var beneficiaryCode: String
        public var amount: Int64
        public var accountNo: String?
        /// The outcome a return already settled the line with (`paid`, `failed` → rejected,
        /// `pending`), nil while none has (exported, or not yet sent).
        public var settled: ReturnOutcome?
        public var slot: EntitlementKind
        public var forMonth: String
        /// The batch's status as stored (`exported`, `cancelled`, …), for messages.
        public var batchStatus: String
        public var batchCancelled: Bool { batchStatus == "cancelled" }
        public var batchExported: Bool { batchStatus == "exported" }
        /// `BANK-<BIN>` or `VNPOST-…`: the institution it was sent to.
        public var groupKey: String
    }

    /// One return line as recorded (`return_line`), with its final payout line and result.
    public struct ReturnLine {
        public var fileID: Int64
        /// The physical line (CSV) or the line the transaction starts on (XML).
        public var lineNo: Int
        public var reference: String?
        public var amount: Int64?
        public var accountNo: String?
        public var outcome: ReturnOutcome
        public var reasonCode: String?
        public var reason: CanonicalReason?
        public var retryable: Bool?
        public var receiver: ReturnReceiver?
        public var date: String?
        public var payoutLineID: Int64?
        public var result: ReturnLineResult
        /// XML: the transaction's position in the file.
        public var transaction: Int?

        public init(fileID: Int64, lineNo: Int, reference: String?, amount: Int64?, accountNo: String?, outcome: ReturnOutcome,
                    reasonCode: String?, reason: CanonicalReason?, retryable: Bool?, receiver: ReturnReceiver?, date: String?,
                    payoutLineID: Int64?, result: ReturnLineResult, transaction: Int?) {
            self.fileID = fileID; self.lineNo = lineNo; self.reference = reference; self.amount = amount; self.accountNo = accountNo
            self.outcome = outcome; self.reasonCode = reasonCode; self.reason = reason; self.retryable = retryable
            self.receiver = receiver; self.date = date; self.payoutLineID = payoutLineID; self.result = result; self.transaction = transaction
        }
    }

    private let db: Database
    private let lookup: Statement
    private let insertReturnLine: Statement

    public init(_ db: Database) throws {
        self.db = db
        lookup = try db.makeStatement(sql: """
            SELECT l.id, l.batch_id, l.beneficiary_code, l.amount, l.account_no, l.state, l.slot, l.for_month, b.status, l.group_key
            FROM payout_line l JOIN batch b ON b.id = l.batch_id WHERE l.reference = ?
            """)
        insertReturnLine = try db.makeStatement(sql: """
            INSERT INTO return_line(file_id, line_no, reference, amount, account_no, outcome, reason_code, reason, retryable, receiver, date, payout_line_id, result, tx_no)
            VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)
            """)
    }

    /// The payout line whose reference is `reference`, or nil.
    public func payoutLine(reference: String) throws -> PayoutLine? {
        let s = lookup.sqliteStatement
        defer { sqlite3_reset(s); sqlite3_clear_bindings(s) }
        bind(reference, 1, s)
        let code = sqlite3_step(s)
        if code == SQLITE_DONE { return nil }
        guard code == SQLITE_ROW else { throw failure(code, lookup) }
        let slot = text(s, 6)!
        guard let kind = EntitlementKind(rawValue: slot) else { throw failure(SQLITE_MISMATCH, lookup) }
        return PayoutLine(id: sqlite3_column_int64(s, 0), batchID: sqlite3_column_int64(s, 1), beneficiaryCode: text(s, 2)!,
                          amount: sqlite3_column_int64(s, 3), accountNo: text(s, 4), settled: ReturnSettlement.outcome(ofLineState: text(s, 5)!),
                          slot: kind, forMonth: text(s, 7)!, batchStatus: text(s, 8)!, groupKey: text(s, 9)!)
    }

    /// Inserts one `return_line` with its final `payout_line_id` and `result`; returns its id.
    public func insert(_ rec: ReturnLine) throws -> Int64 {
        let s = insertReturnLine.sqliteStatement
        defer { sqlite3_reset(s); sqlite3_clear_bindings(s) }
        sqlite3_bind_int64(s, 1, rec.fileID)
        sqlite3_bind_int64(s, 2, Int64(rec.lineNo))
        bind(rec.reference, 3, s)
        bind(rec.amount, 4, s)
        bind(rec.accountNo, 5, s)
        bind(rec.outcome.rawValue, 6, s)
        bind(rec.reasonCode, 7, s)
        bind(rec.reason?.rawValue, 8, s)
        bind(rec.retryable.map { Int64($0 ? 1 : 0) }, 9, s)
        bind(rec.receiver?.rawValue, 10, s)
        bind(rec.date, 11, s)
        bind(rec.payoutLineID, 12, s)
        bind(rec.result.rawValue, 13, s)
        bind(rec.transaction.map(Int64.init), 14, s)
        try step(insertReturnLine)
        return sqlite3_last_insert_rowid(db.sqliteConnection)
    }

    // MARK: - C API helpers (GRDB's own conventions)

    private func bind(_ value: String?, _ index: Int32, _ s: OpaquePointer) {
        if let value { sqlite3_bind_text(s, index, value, -1, SQLITE_TRANSIENT) } else { sqlite3_bind_null(s, index) }
    }

    private func bind(_ value: Int64?, _ index: Int32, _ s: OpaquePointer) {
        if let value { sqlite3_bind_int64(s, index, value) } else { sqlite3_bind_null(s, index) }
    }

    private func text(_ s: OpaquePointer, _ column: Int32) -> String? {
        guard sqlite3_column_type(s, column) != SQLITE_NULL, let p = sqlite3_column_text(s, column) else { return nil }
        return String(cString: p)
    }

    private func step(_ statement: Statement) throws {
        let code = sqlite3_step(statement.sqliteStatement)
        guard code == SQLITE_DONE else { throw failure(code, statement) }
    }

    private func failure(_ code: Int32, _ statement: Statement) -> DatabaseError {
        DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)), sql: statement.sql)
    }
}
