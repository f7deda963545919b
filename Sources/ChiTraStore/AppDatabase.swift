import Foundation
import GRDB

/// The embedded SQLite store. One `AppDatabase` owns the writer, runs the migrations on open
/// and offers intention-named operations elsewhere (`roll`, `batch`, …), each one transaction.
///
/// Invariants live in the schema (NOT NULL, CHECK, UNIQUE, triggers): a second live payout line
/// for the same person, kind and month is refused by SQLite itself.
public final class AppDatabase: Sendable {
    public let writer: DatabaseQueue
    public let path: String

    /// Opens (creating if needed) the store at `path`, mode 0600, WAL journal.
    public init(path: String) throws {
        self.path = path
        var config = Configuration()
        config.foreignKeysEnabled = true
        config.busyMode = .timeout(30)
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            // A 64 MiB page cache (SQLite's default is 2 MiB): a national roll's indexes are
            // updated at random places, and a small cache rereads the same pages from the OS.
            try db.execute(sql: "PRAGMA cache_size = -65536")
        }
        let fm = FileManager.default
        let existed = fm.fileExists(atPath: path)
        if !existed {
            // Create the file 0600 before SQLite opens it: it holds personal data.
            let fd = open(path, O_CREAT | O_WRONLY, 0o600)
            if fd < 0 { throw StoreError("cannot create the store at \(path): \(String(cString: strerror(errno)))", remedy: "check that the folder exists and is writable") }
            close(fd)
        }
        do {
            writer = try DatabaseQueue(path: path, configuration: config)
            try writer.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = WAL") }
            try Self.migrator.migrate(writer)
        } catch let e as DatabaseError {
            throw StoreError("cannot open the store at \(path): \(e.message ?? "\(e.resultCode)")", remedy: "is it a ChiTra store? `chitra init` creates a new one")
        }
        chmod(path, 0o600)
    }

    /// A throwaway store in a temporary file, for tests.
    public static func temporary() throws -> AppDatabase {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("chitra-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return try AppDatabase(path: dir.appendingPathComponent("chitra.sqlite").path)
    }

    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1-roll-batch-audit") { db in
            try db.execute(sql: Schema.v1)
        }
        m.registerMigration("v2-gaps") { db in
            try db.execute(sql: Schema.v2Gaps)
        }
        m.registerMigration("v3-scale-indexes") { db in
            try db.execute(sql: Schema.v3ScaleIndexes)
        }
        return m
    }
}

/// A store error with what to do about it; never carries personal data or statement arguments.
public struct StoreError: Error, CustomStringConvertible {
    public let message: String
    public let remedy: String?
    public init(_ message: String, remedy: String? = nil) { self.message = message; self.remedy = remedy }
    public var description: String { remedy.map { "\(message); \($0)" } ?? message }
}
