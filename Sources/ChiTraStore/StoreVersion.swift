import GRDB

/// Whether another connection (another `chitra` process, the web server, `sqlite3`, anything that
/// opens the file through SQLite) has committed a change to the store since a moment this
/// connection looked: SQLite's `PRAGMA data_version`, which changes exactly when another
/// connection commits. Read it inside a transaction; compare two readings of one connection.
public enum StoreVersion {
    public static func current(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db, sql: "PRAGMA data_version") ?? 0
    }
}
