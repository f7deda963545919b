import ChiTraSigning
import Foundation
import GRDB

/// Online backups and checked restores of the store.
///
/// A backup is SQLite's online backup API (GRDB `backup(to:)`) into a private temporary file
/// beside the destination, which is flushed and renamed into place: the file appears whole or
/// not at all, mode 0600, and commands may keep writing to the store meanwhile. The audit key is
/// *not* in the backup: keep a copy of the key directory apart from it (`ops/runbook.md`).
extension AppDatabase {
    /// What a backup or a restore found.
    public struct BackupReport: Codable, Sendable {
        public var file: String
        public var bytes: Int64
        public var integrity: String
        public var auditChain: AuditLog.ChainReport
    }

    /// Copies the whole store to `destination` atomically (0600), recording the backup in the audit log first.
    @discardableResult
    public func backup(to destination: URL, by actor: Actor) throws -> BackupReport {
        try Users.require(actor, .admin)
        try writer.write { db in
            try AuditLog.append(db, actor: actor, action: "store.backup", entity: "store", entityID: "", detail: "to=\(destination.lastPathComponent)")
        }
        let temp = try AtomicFileWriter(destination: destination, mode: 0o600)
        do {
            var config = Configuration()
            config.busyMode = .timeout(30)
            let copy = try DatabaseQueue(path: temp.temporaryURL.path, configuration: config)
            try writer.backup(to: copy)
            try copy.writeWithoutTransaction { try $0.execute(sql: "PRAGMA journal_mode = DELETE") }
            try copy.close()
            try temp.commit()   // fsync, 0600, rename, fsync directory
        } catch {
            temp.abandon()
            for suffix in ["-wal", "-shm", "-journal"] { unlink(temp.temporaryURL.path + suffix) }
            throw error
        }
        return try Self.check(path: destination.path, auditKey: auditKey)
    }

    /// Opens a store file read-only and checks it: `PRAGMA integrity_check` and the audit chain.
    public static func check(path: String, auditKey: AuditKey) throws -> BackupReport {
        var config = Configuration()
        config.readonly = true
        config.busyMode = .timeout(30)
        let macFunction = auditMacFunction(auditKey)
        config.prepareDatabase { db in db.add(function: macFunction) }
        let queue: DatabaseQueue
        do { queue = try DatabaseQueue(path: path, configuration: config) }
        catch let e as DatabaseError { throw StoreError("cannot open \(path): \(e.message ?? "\(e.resultCode)")", remedy: "is it a ChiTra store or backup?") }
        let (integrity, chain): (String, AuditLog.ChainReport)
        do {
            (integrity, chain) = try queue.read { db in
                (try String.fetchAll(db, sql: "PRAGMA integrity_check").joined(separator: "; "), try AuditLog.verify(db))
            }
        } catch let e as DatabaseError {
            throw StoreError("\(path) is not a readable ChiTra store: \(e.message ?? "\(e.resultCode)")", remedy: "restore another backup")
        }
        try queue.close()
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value ?? 0
        return BackupReport(file: path, bytes: size, integrity: integrity, auditChain: chain)
    }

    /// Restores the backup `source` as the store at `path`.
    ///
    /// The backup is copied to a temporary file beside `path`, opened (migrations run), checked
    /// (`integrity_check` must say ok and the audit chain must verify), the restore is recorded
    /// in its audit log, and only then is it renamed over `path`. An existing store is replaced
    /// only with `force`. `authorize` is given the restored copy (migrated) and returns the
    /// administrator *of that copy* who restores it: the accounts are the backup's.
    public static func restore(from source: URL, to path: String, auditKey: AuditKey, force: Bool,
                               authorize: (AppDatabase) throws -> Actor) throws -> BackupReport {
        let fm = FileManager.default
        guard fm.fileExists(atPath: source.path) else { throw StoreError("no backup at \(source.path)") }
        if fm.fileExists(atPath: path) && !force {
            throw StoreError("a store already exists at \(path)", remedy: "restore to a new path, or pass --force to replace it (back it up first)")
        }
        let destination = URL(fileURLWithPath: path)
        let temp = try AtomicFileWriter(destination: destination, mode: 0o600)
        let tempPath = temp.temporaryURL.path
        func cleanup() { temp.abandon(); for s in ["-wal", "-shm", "-journal"] { unlink(tempPath + s) } }
        do {
            let input = try FileHandle(forReadingFrom: source)
            defer { try? input.close() }
            while let chunk = try input.read(upToCount: 1 << 20), !chunk.isEmpty { try temp.write(chunk) }
            let report = try check(path: tempPath, auditKey: auditKey)
            guard report.integrity == "ok" else {
                throw StoreError("the backup \(source.lastPathComponent) is damaged (integrity_check: \(report.integrity.prefix(200)))",
                                 remedy: "restore an older backup")
            }
            guard report.auditChain.ok else {
                throw StoreError("the backup \(source.lastPathComponent) fails the audit chain: \(report.auditChain.message)",
                                 remedy: "restore an older backup and report the tampering")
            }
            // Opened without anchoring: the anchor moves only once the copy is in place.
            let restored = try AppDatabase(path: tempPath, auditKey: auditKey, anchoring: false)
            let actor = try authorize(restored)
            try Users.require(actor, .admin)
            try restored.writer.write { db in
                try AuditLog.append(db, actor: actor, action: "store.restore", entity: "store", entityID: "", detail: "from=\(source.lastPathComponent)")
            }
            try restored.writer.writeWithoutTransaction { try $0.execute(sql: "PRAGMA journal_mode = DELETE") }
            try restored.writer.close()
            // A stale WAL beside the old store would be replayed into the restored one.
            for s in ["-wal", "-shm"] { unlink(path + s) }
            try temp.commit()
            // The anchor outside the store now follows the restored chain.
            if let url = AuditAnchor.url(for: auditKey) {
                let head = try AppDatabase(path: path, auditKey: auditKey, anchoring: false).writer.read { try AuditAnchor.head($0) }
                try head?.write(url, force: true)
            }
            return BackupReport(file: path, bytes: report.bytes, integrity: report.integrity, auditChain: try check(path: path, auditKey: auditKey).auditChain)
        } catch {
            cleanup()
            throw error
        }
    }
}
