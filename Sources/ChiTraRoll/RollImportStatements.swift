import ChiTraCore
import ChiTraStore
import GRDB
import GRDBSQLite
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// The statements a roll import runs for every line, bound and read through the SQLite C API.
///
/// Why: GRDB's `StatementArguments` and `Row` allocate per value and per row; at a national roll
/// (millions of lines, four or five statements each) that was a quarter of the import. These
/// statements are GRDB `Statement`s (GRDB prepares and finalizes them); only binding, stepping and
/// reading go through the C API, and they do exactly what GRDB does:
/// - a `String` is bound as NUL-terminated text copied by SQLite (`SQLITE_TRANSIENT`, length -1),
///   an integer as int64, nil as NULL;
/// - a text column is read as `String(cString:)` reads it (up to the first NUL).
///
/// Stored values are compared with the roll's text as `RollImporter.text(_:_:)` renders them
/// (integers as digits, blobs as nil) and with `String`'s `==` (canonical equivalence): bytes are
/// compared first, and only different non-ASCII bytes take the `String` comparison.

final class RollImportStatements {
    let db: Database
    private let raw: RawSQL
    /// `RollRow.personColumns` then `account_flag`, by code.
    let selectPerson: Statement
    /// The grant's `RollRow.grantFields` columns, by code and category.
    let selectGrant: Statement
    let insertPerson: Statement
    let insertGrant: Statement
    let insertHistory: Statement

    /// Index of `account_flag` in `selectPerson`'s columns.
    static let accountFlagColumn = Int32(RollRow.personColumns.count)
    static let grantColumns = ["children", "decision_no", "decision_date", "start_month", "end_month", "status", "cared_for_birth_dates"]

    init(_ db: Database, insertPersonSQL: String) throws {
        self.db = db
        raw = RawSQL(db: db)
        selectPerson = try db.makeStatement(sql: "SELECT \(RollRow.personColumns.joined(separator: ", ")), account_flag FROM beneficiary WHERE code = ?")
        selectGrant = try db.makeStatement(sql: "SELECT \(Self.grantColumns.joined(separator: ", ")) FROM grant_record WHERE code = ? AND category = ?")
        insertPerson = try db.makeStatement(sql: insertPersonSQL)
        insertGrant = try db.makeStatement(sql: """
            INSERT INTO grant_record(code, category, children, decision_no, decision_date, start_month, end_month, status, last_file_id, cared_for_birth_dates)
            VALUES (?,?,?,?,?,?,?,?,?,?)
            """)
        insertHistory = try db.makeStatement(sql: """
            INSERT INTO roll_change(code, category, field, old_value, new_value, file_id, changed_at, changed_by, changed_by_user) VALUES (?,?,?,?,?,?,?,?,?)
            """)
    }

    // MARK: binding and stepping (RawSQL: GRDB's conventions through the C API)

    /// Resets `st` (clearing nothing: every parameter is bound again before the next step).
    @inline(__always)
    func reset(_ st: Statement) { raw.reset(st) }

    @inline(__always)
    func bind(_ st: Statement, _ index: Int32, _ value: String?) throws { try raw.bind(st, index, value) }

    @inline(__always)
    func bind(_ st: Statement, _ index: Int32, _ value: Int64?) throws { try raw.bind(st, index, value) }

    /// Runs a bound INSERT to completion.
    func execute(_ st: Statement) throws { try raw.execute(st) }

    /// Steps a bound SELECT: true with a row to read (then `reset` it after reading), false when there is none.
    func step(_ st: Statement) throws -> Bool { try raw.step(st) }

    // MARK: reading the current row

    /// The column as `RollImporter.text(_:_:)` renders it: integers as digits, text as text, NULL and blobs as nil.
    func text(_ st: Statement, _ column: Int32) -> String? {
        let s = st.sqliteStatement
        switch sqlite3_column_type(s, column) {
        case SQLITE_INTEGER: return String(sqlite3_column_int64(s, column))
        case SQLITE_FLOAT: return String(sqlite3_column_double(s, column))
        case SQLITE_TEXT: return String(cString: sqlite3_column_text(s, column))
        default: return nil
        }
    }

    /// `text(st, column) == value`, without making a `String` in the common cases.
    func columnEquals(_ st: Statement, _ column: Int32, _ value: String?) -> Bool {
        let s = st.sqliteStatement
        switch sqlite3_column_type(s, column) {
        case SQLITE_TEXT:
            guard let value else { return false }
            guard let p = sqlite3_column_text(s, column) else { return false }
            let n = strlen(p)   // String(cString:) stops at the first NUL
            let stored = UnsafeBufferPointer(start: p, count: n)
            var v = value
            let sameBytes = v.withUTF8 { $0.elementsEqual(stored) }
            if sameBytes { return true }
            // Different bytes may still be canonically equivalent text (NFC vs NFD); ASCII never is.
            if stored.allSatisfy({ $0 < 0x80 }) && value.utf8.allSatisfy({ $0 < 0x80 }) { return false }
            return String(cString: p) == value
        case SQLITE_NULL, SQLITE_BLOB:
            return value == nil
        default:
            return text(st, column) == value
        }
    }
}
