import GRDB
import GRDBSQLite

/// One group's payout lines, in reference order, read as the row's own bytes: the hot loop of the
/// export. One prepared statement stepped through the C API, no GRDB `Row` per line and no
/// `String` per column; the caller reads the columns it needs from the current row.
public final class PayoutLineCursor {
    /// The columns of a row.
    public enum Column: Int32 {
        case reference = 0, amount, channel, bankBIN, accountNo, accountName, payeeName, payeeRelation, kind, forMonth, beneficiaryCode
        /// The beneficiary's (NULL when the cursor does not join the beneficiary).
        case fullName, personalID, commune, village, address, phone
        case slot
    }

    private let sql: RawSQL
    private let statement: Statement
    @usableFromInline var sqlite: SQLiteStatement { statement.sqliteStatement }

    /// `withBeneficiary` joins the beneficiary table; without it the query reads `payout_line`
    /// alone (every line has its beneficiary: a foreign key the store enforces, and nothing
    /// deletes a beneficiary).
    public init(_ db: Database, withBeneficiary: Bool) throws {
        sql = RawSQL(db: db)
        let beneficiary = withBeneficiary
            ? "b.full_name, b.personal_id, b.commune, b.village, b.address, b.phone"
            : "NULL, NULL, NULL, NULL, NULL, NULL"
        let join = withBeneficiary ? "JOIN beneficiary b ON b.code = l.beneficiary_code" : ""
        statement = try db.makeStatement(sql: """
            SELECT l.reference, l.amount, l.channel, l.bank_bin, l.account_no, l.account_name, l.payee_name,
                   l.payee_relation, l.kind, l.for_month, l.beneficiary_code, \(beneficiary), l.slot
            FROM payout_line l \(join)
            WHERE l.batch_id = ? AND l.group_key = ? ORDER BY l.reference
            """)
    }

    /// Starts reading a group's lines (from the first, whatever was read before).
    public func start(batchID: Int64, groupKey: String) throws {
        sql.reset(statement)
        try sql.bind(statement, 1, batchID)
        try sql.bind(statement, 2, groupKey)
    }

    /// Moves to the next line: false when there is none left.
    public func next() throws -> Bool {
        try sql.step(statement)
    }

    /// Whether the column of the current line is NULL.
    @inlinable
    public func isNull(_ c: Column) -> Bool {
        sqlite3_column_type(sqlite, c.rawValue) == SQLITE_NULL
    }

    /// Whether the column of the current line holds an integer.
    @inlinable
    public func isInteger(_ c: Column) -> Bool {
        sqlite3_column_type(sqlite, c.rawValue) == SQLITE_INTEGER
    }

    @inlinable
    public func int64(_ c: Column) -> Int64 {
        sqlite3_column_int64(sqlite, c.rawValue)
    }

    /// The bytes of a text column of the current line (all of them, NUL bytes included), valid
    /// until the cursor moves; nil for NULL.
    @inlinable
    public func text(_ c: Column) -> UnsafeBufferPointer<UInt8>? {
        guard sqlite3_column_type(sqlite, c.rawValue) != SQLITE_NULL, let p = sqlite3_column_text(sqlite, c.rawValue) else { return nil }
        return UnsafeBufferPointer(start: p, count: Int(sqlite3_column_bytes(sqlite, c.rawValue)))
    }
}
