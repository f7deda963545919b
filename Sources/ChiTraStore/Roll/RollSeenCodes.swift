import GRDB
import GRDBSQLite

/// The codes a roll import has accepted so far, with the first line of each code, whether that
/// line created the person, and the categories of its accepted lines.
///
/// Why a table: a national roll has millions of codes, and a dictionary of them grew the import's
/// memory with the roll. This is a temporary table of the import's connection (SQLite's temp store:
/// a file, with its own small page cache), so memory stays flat whatever the roll's size. It
/// lives inside the import's transaction: a rolled-back import leaves nothing behind.
///
/// Categories are the import's category numbers (`RollImporter`'s `categoryNumber`), compared as integers, so they
/// keep the `String` equality the numbers were assigned with.
public final class RollSeenCodes {
    private let sql: RollImportStatements
    private let select: Statement
    private let insert: Statement
    private let db: Database

    public struct First: Sendable { public var line: Int; public var created: Bool; public var hasCategory: Bool }

    public init(_ db: Database, statements: RollImportStatements) throws {
        self.db = db
        self.sql = statements
        try db.execute(sql: """
            DROP TABLE IF EXISTS temp.roll_import_seen;
            CREATE TEMP TABLE roll_import_seen (
                code TEXT NOT NULL,
                category INTEGER NOT NULL,
                first_line INTEGER NOT NULL,
                created INTEGER NOT NULL,
                PRIMARY KEY (code, category)
            ) WITHOUT ROWID;
            """)
        // One row whatever happens: first_line is NULL for a code not seen yet.
        select = try db.makeStatement(sql: "SELECT max(first_line), max(created), max(category = ?2) FROM temp.roll_import_seen WHERE code = ?1")
        insert = try db.makeStatement(sql: "INSERT INTO temp.roll_import_seen(code, category, first_line, created) VALUES (?, ?, ?, ?)")
    }

    /// The code's first accepted line (and whether it already has `category`), or nil if not seen yet.
    public func lookup(code: String, category: UInt16) throws -> First? {
        sql.reset(select)
        try sql.bind(select, 1, code)
        try sql.bind(select, 2, Int64(category))
        guard try sql.step(select) else { return nil }
        let s = select.sqliteStatement
        defer { sql.reset(select) }
        if sqlite3_column_type(s, 0) == SQLITE_NULL { return nil }
        return First(line: Int(sqlite3_column_int64(s, 0)), created: sqlite3_column_int64(s, 1) != 0,
                     hasCategory: sqlite3_column_int64(s, 2) != 0)
    }

    /// Records an accepted line of `code` (its first line's number and outcome are copied on every row).
    public func add(code: String, category: UInt16, firstLine: Int, created: Bool) throws {
        try sql.bind(insert, 1, code)
        try sql.bind(insert, 2, Int64(category))
        try sql.bind(insert, 3, Int64(firstLine))
        try sql.bind(insert, 4, Int64(created ? 1 : 0))
        try sql.execute(insert)
    }

    /// Removes the table (the import is over).
    public func drop() throws {
        sql.reset(select); sql.reset(insert)
        try db.execute(sql: "DROP TABLE temp.roll_import_seen")
    }
}
