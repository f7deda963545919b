import ChiTraCore
import GRDB
import GRDBSQLite
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// The statements a roll import runs for every line, bound and read through the SQLite C API,
/// behind a typed API: look up and compare a person or a grant, insert them, write a history row.
///
/// Why: GRDB's `StatementArguments` and `Row` allocate per value and per row; at a national roll
/// (millions of lines, four or five statements each) that was a quarter of the import. These
/// statements are GRDB `Statement`s (GRDB prepares and finalizes them); only binding, stepping and
/// reading go through the C API, and they do exactly what GRDB does:
/// - a `String` is bound as NUL-terminated text copied by SQLite (`SQLITE_TRANSIENT`, length -1),
///   an integer as int64, nil as NULL;
/// - a text column is read as `String(cString:)` reads it (up to the first NUL).
///
/// Stored values are compared with the roll's text as `text(_:_:)` renders them (integers as
/// digits, blobs as nil) and with `String`'s `==` (canonical equivalence): bytes are compared
/// first, and only different non-ASCII bytes take the `String` comparison.
public final class RollImportStatements {
    let db: Database
    private let raw: RawSQL
    /// `personColumns` then `account_flag`, by code.
    private let selectPerson: Statement
    /// The grant's `grantColumns`, by code and category.
    private let selectGrant: Statement
    private let insertPersonStatement: Statement
    private let insertGrantStatement: Statement
    private let insertHistory: Statement

    /// The person columns a roll line carries (`RollRow.personFields`), in order. The person's
    /// status is not among them: it is derived from their grants' statuses (`Beneficiaries.deriveStatusAfterImport`).
    public static let personColumns = ["full_name", "name_bank", "birth_date", "birth_year_only", "sex", "personal_id", "id_legacy",
                                       "commune", "village", "address", "phone", "death_date", "channel", "bank_bin", "account_no",
                                       "account_name", "proxy_name", "proxy_id", "proxy_relation", "authorisation_until", "needs_proxy"]
    /// The grant columns a roll line carries (`RollRow.grantFields`), in order.
    public static let grantColumns = ["children", "decision_no", "decision_date", "start_month", "end_month", "status", "cared_for_birth_dates"]

    /// Index of `account_flag` in `selectPerson`'s columns.
    static let accountFlagColumn = Int32(personColumns.count)

    /// A stored field that differs from the line's value: the field (a column of
    /// `personColumns` or `grantColumns`), the stored text and the line's.
    public struct Difference: Sendable {
        public var field: String
        public var old: String?
        public var new: String?
    }

    public init(_ db: Database) throws {
        self.db = db
        raw = RawSQL(db: db)
        let cols = Self.personColumns
        selectPerson = try db.makeStatement(sql: "SELECT \(cols.joined(separator: ", ")), account_flag FROM beneficiary WHERE code = ?")
        selectGrant = try db.makeStatement(sql: "SELECT \(Self.grantColumns.joined(separator: ", ")) FROM grant_record WHERE code = ? AND category = ?")
        insertPersonStatement = try db.makeStatement(sql: Beneficiaries.insertFromRollSQL(columns: cols))
        insertGrantStatement = try db.makeStatement(sql: """
            INSERT INTO grant_record(code, category, children, decision_no, decision_date, start_month, end_month, status, last_file_id, cared_for_birth_dates)
            VALUES (?,?,?,?,?,?,?,?,?,?)
            """)
        insertHistory = try db.makeStatement(sql: """
            INSERT INTO roll_change(code, category, field, old_value, new_value, file_id, changed_at, changed_by, changed_by_user) VALUES (?,?,?,?,?,?,?,?,?)
            """)
    }

    // MARK: the person

    /// Compares the stored person of `code` with `fields` (`personColumns`, in order): nil when the
    /// store has no such person; else the fields that differ, and the account rejection flag
    /// (read only when something differs).
    public func comparePerson(code: String, with fields: [(String, String?)]) throws -> (differences: [Difference], accountFlag: String?)? {
        let st = selectPerson
        raw.reset(st)
        try raw.bind(st, 1, code)
        guard try raw.step(st) else { return nil }
        defer { raw.reset(st) }
        var changed: [Difference] = []
        for (i, (field, value)) in fields.enumerated() where !columnEquals(st, Int32(i), value) {
            changed.append(Difference(field: field, old: text(st, Int32(i)), new: value))
        }
        let flag = changed.isEmpty ? nil : text(st, Self.accountFlagColumn)
        return (changed, flag)
    }

    /// Inserts a new person: `fields` are `personColumns` in order.
    public func insertPerson(code: String, fields: [(String, String?)], status: PersonFacts.Status, fileID: Int64, at now: String) throws {
        assert(fields.map(\.0) == Self.personColumns)
        // code, the person columns, status, first_file_id, last_file_id, updated_at
        let ins = insertPersonStatement
        try raw.bind(ins, 1, code)
        var i: Int32 = 2
        for (_, value) in fields { try raw.bind(ins, i, value); i += 1 }
        try raw.bind(ins, i, status.rawValue)
        try raw.bind(ins, i + 1, fileID)
        try raw.bind(ins, i + 2, fileID)
        try raw.bind(ins, i + 3, now)
        try raw.execute(ins)
    }

    /// Writes the line's values of the `changes` fields into the stored person; `clearAccountFlag`
    /// also clears the account rejection flag (a new account or bank closes that gap).
    public func updatePerson(code: String, changes: [Difference], clearAccountFlag: Bool, fileID: Int64, at now: String) throws {
        try Beneficiaries.updateFromRoll(db, code: code, changes: changes.map { ($0.field, $0.new) }, clearAccountFlag: clearAccountFlag,
                                         fileID: fileID, at: now)
    }

    // MARK: the grant

    /// Compares the stored grant of `code` and `category` with `fields` (`grantColumns`, in
    /// order): nil when the store has no such grant; else the fields that differ.
    public func compareGrant(code: String, category: String, with fields: [(String, String?)]) throws -> [Difference]? {
        assert(fields.map(\.0) == Self.grantColumns)
        let st = selectGrant
        raw.reset(st)
        try raw.bind(st, 1, code)
        try raw.bind(st, 2, category)
        guard try raw.step(st) else { return nil }
        defer { raw.reset(st) }
        var changed: [Difference] = []
        for (i, (field, value)) in fields.enumerated() where !columnEquals(st, Int32(i), value) {
            changed.append(Difference(field: field, old: text(st, Int32(i)), new: value))
        }
        return changed
    }

    /// Inserts a new grant.
    public func insertGrant(code: String, category: String, children: Int?, decisionNo: String, decisionDate: CivilDate,
                            startMonth: YearMonth, endMonth: YearMonth?, status: PersonFacts.Status, fileID: Int64,
                            caredForBirthDates: [CivilDate]) throws {
        let ins = insertGrantStatement
        try raw.bind(ins, 1, code); try raw.bind(ins, 2, category); try raw.bind(ins, 3, children.map(Int64.init))
        try raw.bind(ins, 4, decisionNo); try raw.bind(ins, 5, decisionDate.description)
        try raw.bind(ins, 6, startMonth.description); try raw.bind(ins, 7, endMonth?.description)
        try raw.bind(ins, 8, status.rawValue); try raw.bind(ins, 9, fileID)
        try raw.bind(ins, 10, CaredForBirthDates.stored(caredForBirthDates))
        try raw.execute(ins)
    }

    /// Writes the line's values of the `changes` fields into the stored grant.
    public func updateGrant(code: String, category: String, changes: [Difference], fileID: Int64) throws {
        precondition(changes.allSatisfy { Self.grantColumns.contains($0.field) })
        let sets = changes.map { "\($0.field) = ?" }.joined(separator: ", ")
        var args = StatementArguments(changes.map(\.new))
        args += [fileID, code, category]
        try db.execute(sql: "UPDATE grant_record SET \(sets), last_file_id = ? WHERE code = ? AND category = ?", arguments: args)
    }

    // MARK: history

    /// One history row of the import (`roll_change`, source left to its default: the import).
    public func history(code: String, category: String?, field: String, old: String?, new: String?, fileID: Int64, at now: String, actor: Actor) throws {
        let h = insertHistory
        try raw.bind(h, 1, code); try raw.bind(h, 2, category); try raw.bind(h, 3, field)
        try raw.bind(h, 4, old); try raw.bind(h, 5, new); try raw.bind(h, 6, fileID)
        try raw.bind(h, 7, now); try raw.bind(h, 8, actor.username); try raw.bind(h, 9, actor.userID)
        try raw.execute(h)
    }

    // MARK: binding for RollSeenCodes (same connection, same conventions)

    @inline(__always) func reset(_ st: Statement) { raw.reset(st) }
    @inline(__always) func bind(_ st: Statement, _ index: Int32, _ value: String?) throws { try raw.bind(st, index, value) }
    @inline(__always) func bind(_ st: Statement, _ index: Int32, _ value: Int64?) throws { try raw.bind(st, index, value) }
    func execute(_ st: Statement) throws { try raw.execute(st) }
    func step(_ st: Statement) throws -> Bool { try raw.step(st) }

    // MARK: reading the current row

    /// The column as the roll would carry it: integers as digits, text as text, NULL and blobs as nil.
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
