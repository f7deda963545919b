import GRDB
import GRDBSQLite

/// Binding, stepping and reading GRDB statements through the SQLite C API, for the hot loops of
/// the roll import and the batch build.
///
/// Why: GRDB's `StatementArguments`, `Row` and cursors allocate per value and per row; a national
/// roll or build runs several statements per line (millions in all). The statements stay GRDB
/// `Statement`s (GRDB prepares and finalizes them); only binding, stepping and reading go through
/// the C API, and they do exactly what GRDB does:
/// - a `String` is bound as NUL-terminated text copied by SQLite (`SQLITE_TRANSIENT`, length -1),
///   an integer as int64, nil as NULL;
/// - a text column is read as `String(cString:)` reads it, an integer with `sqlite3_column_int64`.
public struct RawSQL {
    @usableFromInline let db: Database

    public init(db: Database) { self.db = db }

    /// `SQLITE_TRANSIENT` (a macro the C importer does not bring over): SQLite copies the bytes.
    @usableFromInline static let transient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)

    // MARK: binding

    @inlinable
    public func bind(_ st: Statement, _ index: Int32, _ value: String?) throws {
        let s = st.sqliteStatement
        let rc: Int32
        if let value {
            rc = value.withCString { sqlite3_bind_text(s, index, $0, -1, Self.transient) }
        } else {
            rc = sqlite3_bind_null(s, index)
        }
        if rc != SQLITE_OK { throw error(rc, st) }
    }

    @inlinable
    public func bind(_ st: Statement, _ index: Int32, _ value: Int64?) throws {
        let s = st.sqliteStatement
        let rc = value.map { sqlite3_bind_int64(s, index, $0) } ?? sqlite3_bind_null(s, index)
        if rc != SQLITE_OK { throw error(rc, st) }
    }

    // MARK: stepping

    /// Runs a bound INSERT (or UPDATE) to completion and resets it.
    @inlinable
    public func execute(_ st: Statement) throws {
        let rc = sqlite3_step(st.sqliteStatement)
        if rc != SQLITE_DONE {
            let e = error(rc, st)
            sqlite3_reset(st.sqliteStatement)
            throw e
        }
        sqlite3_reset(st.sqliteStatement)
    }

    /// Steps a bound SELECT: true with a row to read, false (and reset) when there is none left.
    /// A caller that stops before the end resets the statement itself.
    @inlinable
    public func step(_ st: Statement) throws -> Bool {
        let rc = sqlite3_step(st.sqliteStatement)
        if rc == SQLITE_ROW { return true }
        if rc == SQLITE_DONE { sqlite3_reset(st.sqliteStatement); return false }
        let e = error(rc, st)
        sqlite3_reset(st.sqliteStatement)
        throw e
    }

    @inlinable
    public func reset(_ st: Statement) { sqlite3_reset(st.sqliteStatement) }

    /// The error GRDB would throw for this statement (same code, message and SQL).
    @inlinable
    public func error(_ rc: Int32, _ st: Statement) -> DatabaseError {
        DatabaseError(resultCode: ResultCode(rawValue: rc), message: String(cString: sqlite3_errmsg(db.sqliteConnection)), sql: st.sql)
    }

    // MARK: reading the current row

    @inlinable
    public static func isNull(_ st: Statement, _ column: Int32) -> Bool {
        sqlite3_column_type(st.sqliteStatement, column) == SQLITE_NULL
    }

    /// A NOT NULL text column, as GRDB decodes a `String`.
    @inlinable
    public static func string(_ st: Statement, _ column: Int32) -> String {
        String(cString: sqlite3_column_text(st.sqliteStatement, column)!)
    }

    /// A text column that may be NULL, as GRDB decodes a `String?`.
    @inlinable
    public static func optionalString(_ st: Statement, _ column: Int32) -> String? {
        isNull(st, column) ? nil : string(st, column)
    }

    @inlinable
    public static func int64(_ st: Statement, _ column: Int32) -> Int64 {
        sqlite3_column_int64(st.sqliteStatement, column)
    }

    @inlinable
    public static func optionalInt64(_ st: Statement, _ column: Int32) -> Int64? {
        isNull(st, column) ? nil : int64(st, column)
    }

    /// The bytes of a text column (up to the first NUL, as `String(cString:)` reads it), valid
    /// until the statement steps again; empty for NULL.
    @inlinable
    public static func bytes(_ st: Statement, _ column: Int32) -> UnsafeBufferPointer<UInt8> {
        guard let p = sqlite3_column_text(st.sqliteStatement, column) else { return UnsafeBufferPointer(start: nil, count: 0) }
        return UnsafeBufferPointer(start: p, count: Int(strlen(p)))
    }
}

#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
