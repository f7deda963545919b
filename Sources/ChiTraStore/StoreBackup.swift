import ChiTraCore
import ChiTraSigning
import Foundation
import GRDB
import GRDBSQLite

/// Online backups and checked restores of the store.
///
/// A backup is SQLite's online backup API (GRDB `backup(to:)`) into a private temporary file
/// beside the destination, which is flushed and renamed into place: the file appears whole or
/// not at all, mode 0600, and commands may keep writing to the store meanwhile. An existing file
/// is replaced only with `force`, and only when it is a ChiTra backup or store. The audit key is
/// *not* in the backup: keep a copy of the key directory apart from it (`ops/runbook.md`).
///
/// A restore over an existing store replaces it under its write lock, through the same backup
/// API, after keeping a safety copy of it; see ``restore(from:to:auditKey:force:by:busyTimeout:)``.

extension AppDatabase {
    /// What a backup or a restore found.
    public struct BackupReport: Codable, Sendable {
        public var file: String
        public var bytes: Int64
        public var integrity: String
        public var auditChain: AuditLog.ChainReport
        /// After a restore over an existing store: where the store it replaced is kept (mode 0600,
        /// beside it, `NAME.before-restore-YYYYMMDDTHHMMSSZ`). Nil for a backup or a restore to a new path.
        public var safetyCopy: String? = nil
    }

    /// Copies the whole store to `destination` atomically (0600), recording the backup in the audit log first.
    ///
    /// An existing `destination` is refused unless `force`, and even then unless it is a ChiTra
    /// backup or store (SQLite header and ChiTra's tables): `--out roll.csv` must not eat the roll.
    @discardableResult
    public func backup(to destination: URL, by actor: Actor, force: Bool = false) throws -> BackupReport {
        try actor.require(.admin)
        try Self.checkBackupDestination(destination, store: path, force: force)
        try writer.write { db in
            try AuditLog.append(db, actor: actor, action: "store.backup", entity: "store", entityID: "", detail: "to=\(destination.lastPathComponent)")
        }
        do {
            try Self.writeOnlineCopy(of: writer, to: destination, replacing: force)
        } catch SigningError.alreadyExists {
            throw StoreError(Message("store.backup.appeared", ["path": .text(destination.path)]))
        }
        return try Self.check(path: destination.path, auditKey: auditKey)
    }

    /// The tables every ChiTra store has had since its first schema.
    static let chiTraTables: Set<String> = ["import_file", "beneficiary", "audit_log", "batch", "payout_line"]

    /// Why `path` is not a ChiTra store or backup, or nil when it is one: a SQLite file (header
    /// `SQLite format 3`) holding ChiTra's tables. Never quotes the file's content.
    static func whyNotAChiTraStore(_ path: String) -> Message? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return Message("store.why.unreadable") }
        let header = try? handle.read(upToCount: 16)
        try? handle.close()
        guard header == Data("SQLite format 3\u{0}".utf8) else { return Message("store.why.not_sqlite") }
        var config = Configuration()
        config.readonly = true
        config.busyMode = .timeout(5)
        do {
            let queue = try DatabaseQueue(path: path, configuration: config)
            defer { try? queue.close() }
            let tables = try queue.read { try Set(String.fetchAll($0, sql: "SELECT name FROM sqlite_master WHERE type = 'table'")) }
            if tables.isEmpty { return emptyDatabase }
            let missing = chiTraTables.subtracting(tables)
            return missing.isEmpty ? nil : Message("store.why.no_tables", ["tables": .text(missing.sorted().joined(separator: ", "))])
        } catch {
            return Message("store.why.cannot_open")
        }
    }
    static let emptyDatabase = Message("store.why.empty")

    /// True when both paths name the same file (device and inode).
    static func sameFile(_ a: String, _ b: String) -> Bool {
        var sa = stat(), sb = stat()
        return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino
    }

    /// Refuses a backup destination that exists, unless `force` and it is an older ChiTra backup.
    static func checkBackupDestination(_ destination: URL, store: String, force: Bool) throws {
        let path = destination.path
        var st = stat()
        guard lstat(path, &st) == 0 else { return }
        if sameFile(path, store) {
            throw StoreError(Message("store.backup.is_store", ["path": .text(path)]))
        }
        guard force else {
            throw StoreError(Message("store.backup.exists", ["path": .text(path)]))
        }
        switch st.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFLNK: throw StoreError(Message("store.backup.symlink", ["path": .text(path)]))
        default: throw StoreError(Message("store.backup.not_file", ["path": .text(path)]))
        }
        if let why = whyNotAChiTraStore(path) {
            throw StoreError(Message("store.backup.not_backup", ["path": .text(path), "why": .message(why)]))
        }
    }

    /// The online backup path: SQLite's backup API from `source` into a private temporary file
    /// beside `destination`, switched to a rollback journal (one self-contained file), then
    /// fsynced, given mode 0600 and put in place (replacing an existing file only if `replacing`).
    static func writeOnlineCopy(of source: any DatabaseReader, to destination: URL, replacing: Bool) throws {
        let temp = try AtomicFileWriter(destination: destination, mode: 0o600)
        do {
            var config = Configuration()
            config.busyMode = .timeout(30)
            let copy = try DatabaseQueue(path: temp.temporaryURL.path, configuration: config)
            try source.backup(to: copy)
            try copy.writeWithoutTransaction { try $0.execute(sql: "PRAGMA journal_mode = DELETE") }
            try copy.close()
            try temp.commit(replacing: replacing)   // fsync, 0600, rename (or link), fsync directory
        } catch {
            temp.abandon()
            for suffix in ["-wal", "-shm", "-journal"] { unlink(temp.temporaryURL.path + suffix) }
            throw error
        }
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
        catch let e as DatabaseError { throw StoreError(Message("store.backup.open_failed", ["path": .text(path), "detail": .text(e.message ?? "\(e.resultCode)")])) }
        let (integrity, chain): (String, AuditLog.ChainReport)
        do {
            (integrity, chain) = try queue.read { db in
                (try String.fetchAll(db, sql: "PRAGMA integrity_check").joined(separator: "; "), try AuditLog.verify(db))
            }
        } catch let e as DatabaseError {
            throw StoreError(Message("store.backup.unreadable", ["path": .text(path), "detail": .text(e.message ?? "\(e.resultCode)")]))
        }
        try queue.close()
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value ?? 0
        return BackupReport(file: path, bytes: size, integrity: integrity, auditChain: chain)
    }

    /// Restores the backup `source` as the store at `path`.
    ///
    /// The backup is copied to a temporary file beside `path`, checked (`integrity_check` must
    /// say ok and the audit chain must verify), opened (migrations run) and the restore recorded
    /// in its audit log. Then:
    /// - no store at `path`: the checked file is put in place (never over a file that appeared
    ///   meanwhile), after removing a stale `-wal`/`-shm` that SQLite would otherwise replay onto it;
    /// - an existing store (only with `force`; a file that is not a ChiTra store is refused): its
    ///   content is replaced through SQLite's backup API *into* the live store, so the replacement
    ///   is one SQLite transaction under the store's write lock (in its WAL, like any command's):
    ///   the lock is taken first, waiting up to `busyTimeout` seconds for a running command (then
    ///   refused, nothing changed); holding it, a safety copy of the store as it is — its committed
    ///   WAL content included — is written beside it with the online backup path
    ///   (`NAME.before-restore-YYYYMMDDTHHMMSSZ`, 0600); only then are the restored pages
    ///   written and committed. A crash leaves the old store or the restored one, never a mix;
    ///   no file is renamed over the store, so no stale WAL can be replayed onto it, and commands
    ///   that wait for the lock meanwhile then run on the restored store.
    ///
    /// `authorize` is given the restored copy (migrated) and returns the administrator *of that
    /// copy* who restores it: the accounts are the backup's. The audit head anchor beside the key
    /// (``AuditAnchor``) is told of the restored head before the store changes (as a pending head)
    /// and follows it once the store is replaced, so a crash in between leaves an anchor that
    /// accepts the store either way.
    public static func restore(from source: URL, to path: String, auditKey: AuditKey, force: Bool,
                               busyTimeout: TimeInterval = 30, authorize: (AppDatabase) throws -> Actor) throws -> BackupReport {
        let fm = FileManager.default
        guard fm.fileExists(atPath: source.path) else { throw StoreError(Message("store.restore.no_backup", ["path": .text(source.path)])) }
        var st = stat()
        let exists = lstat(path, &st) == 0
        if exists {
            guard force else {
                throw StoreError(Message("store.restore.exists", ["path": .text(path)]))
            }
            if sameFile(source.path, path) { throw StoreError(Message("store.restore.same", ["path": .text(source.path)])) }
            var target = stat()
            guard stat(path, &target) == 0, (target.st_mode & S_IFMT) == S_IFREG else {
                throw StoreError(Message("store.restore.not_store_file", ["path": .text(path)]))
            }
            if target.st_size > 0, let why = whyNotAChiTraStore(path), why != emptyDatabase {
                throw StoreError(Message("store.restore.not_store", ["path": .text(path), "why": .message(why)]))
            }
        }
        let destination = URL(fileURLWithPath: path)
        // Over an existing store the checked copy is only read from (and removed at the end); it is
        // named after `NAME.restoring` so that a symbolic link at `path` is followed, not replaced.
        let temp = try AtomicFileWriter(destination: exists ? URL(fileURLWithPath: path + ".restoring") : destination, mode: 0o600)
        let tempPath = temp.temporaryURL.path
        func cleanup() { temp.abandon(); for s in ["-wal", "-shm", "-journal"] { unlink(tempPath + s) } }
        do {
            let input = try FileHandle(forReadingFrom: source)
            defer { try? input.close() }
            while let chunk = try input.read(upToCount: 1 << 20), !chunk.isEmpty { try temp.write(chunk) }
            let report = try check(path: tempPath, auditKey: auditKey)
            guard report.integrity == "ok" else {
                throw StoreError(Message("store.restore.damaged", ["file": .text(source.lastPathComponent), "detail": .text(String(report.integrity.prefix(200)))]))
            }
            guard report.auditChain.ok else {
                throw StoreError(Message("store.restore.chain", ["file": .text(source.lastPathComponent), "detail": .text(report.auditChain.message)]))
            }
            let safety = exists ? safetyCopyURL(for: path, at: Date()) : nil
            // Opened without anchoring: the anchor moves only once the copy is in place.
            let restored = try AppDatabase(path: tempPath, auditKey: auditKey, anchoring: false)
            let actor = try authorize(restored)
            try actor.require(.admin)
            try restored.writer.write { db in
                try AuditLog.append(db, actor: actor, action: "store.restore", entity: "store", entityID: "",
                                    detail: "from=\(source.lastPathComponent)" + (safety.map { " replaced-store-kept-as=\($0.lastPathComponent)" } ?? ""))
            }
            try restored.writer.writeWithoutTransaction { try $0.execute(sql: "PRAGMA journal_mode = DELETE") }
            try restored.writer.close()
            // The anchor accepts the restored head from now on, beside the current one.
            let anchorURL = AuditAnchor.url(for: auditKey)
            let restoredHead = try AppDatabase.headOfCopy(at: tempPath, auditKey: auditKey)
            if let anchorURL, let restoredHead {
                let live = exists ? (try? AppDatabase.headOfCopy(at: path, auditKey: auditKey)) ?? nil : nil
                try AuditAnchor.expect(restoredHead, at: anchorURL, live: live)
            }
            if let safety {
                try replaceLiveStore(at: path, withCheckedCopy: tempPath, keepingCopyAt: safety, busyTimeout: busyTimeout)
                cleanup()
            } else {
                // A stale WAL beside a removed store would be replayed into the restored one.
                for s in ["-wal", "-shm"] { unlink(path + s) }
                do { try temp.commit(replacing: false) } catch SigningError.alreadyExists {
                    throw StoreError(Message("store.restore.appeared", ["path": .text(path)]))
                }
            }
            // The store now holds the restored chain: the anchor follows it.
            if let anchorURL, let restoredHead { try restoredHead.write(anchorURL, force: true) }
            return BackupReport(file: path, bytes: report.bytes, integrity: report.integrity,
                                auditChain: try check(path: path, auditKey: auditKey).auditChain, safetyCopy: safety?.path)
        } catch {
            cleanup()
            throw error
        }
    }

    /// Hidden temporaries beside the store at `path` that only a restore makes, left by one that was
    /// killed: `.NAME.restoring.tmp-XXXXXX` (the checked copy) and
    /// `.NAME.before-restore-….tmp-XXXXXX` (a safety copy being written), with their journals.
    public static func interruptedRestoreTemporaries(beside path: String) -> [String] {
        let url = URL(fileURLWithPath: path)
        let name = NSRegularExpression.escapedPattern(for: url.lastPathComponent)
        let pattern = "^\\.\(name)\\.(restoring|before-restore-[0-9TZ-]+)\\.tmp-[A-Za-z0-9]{6}(-journal|-wal|-shm)?$"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: url.deletingLastPathComponent().path)) ?? []
        return names.filter { $0.range(of: pattern, options: .regularExpression) != nil }.sorted()
    }

    /// `PATH.before-restore-20261128T081500Z` (UTC), with `-2`, `-3`… if that name is taken.
    static func safetyCopyURL(for path: String, at date: Date) -> URL {
        let base = path + ".before-restore-" + Timestamp.compact(date)
        var candidate = base
        var st = stat()
        var n = 2
        while lstat(candidate, &st) == 0 { candidate = base + "-\(n)"; n += 1 }
        return URL(fileURLWithPath: candidate)
    }

    /// Replaces the live store at `path` with the checked store file `restoredPath`, in one SQLite
    /// transaction under the store's write lock, after writing a safety copy of it to `safety`.
    static func replaceLiveStore(at path: String, withCheckedCopy restoredPath: String, keepingCopyAt safety: URL,
                                 busyTimeout: TimeInterval) throws {
        var config = Configuration()
        config.busyMode = .timeout(busyTimeout)
        var readOnly = config
        readOnly.readonly = true
        var safetyWritten = false, committed = false
        do {
            let target = try DatabaseQueue(path: path, configuration: config)
            defer { try? target.close() }
            // WAL, as every chitra command leaves the store (a store restored by an older version and
            // not opened since is still in rollback mode): the safety copy reads the store while
            // this connection holds its write lock, which only WAL allows.
            let pageSize = try target.writeWithoutTransaction { db -> Int in
                let mode = try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL")
                guard mode == "wal" else { throw StoreError.busy(path: path, seconds: busyTimeout) }
                return try Int.fetchOne(db, sql: "PRAGMA page_size") ?? 4096
            }
            // SQLite's backup API refuses to change a WAL store's page size: give the copy the store's.
            let copy = try DatabaseQueue(path: restoredPath, configuration: Configuration())
            if try copy.read({ try Int.fetchOne($0, sql: "PRAGMA page_size") }) != pageSize {
                try copy.writeWithoutTransaction { db in
                    try db.execute(sql: "PRAGMA page_size = \(pageSize)")
                    try db.execute(sql: "VACUUM")
                }
            }
            try copy.close()
            let restored = try DatabaseQueue(path: restoredPath, configuration: readOnly)
            defer { try? restored.close() }
            let current = try DatabaseQueue(path: path, configuration: readOnly)
            defer { try? current.close() }

            try target.writeWithoutTransaction { dest in
                try restored.read { src in
                    guard let backup = sqlite3_backup_init(dest.sqliteConnection, "main", src.sqliteConnection, "main") else {
                        throw DatabaseError(resultCode: dest.lastErrorCode, message: dest.lastErrorMessage)
                    }
                    var open = true
                    defer { if open { sqlite3_backup_finish(backup) } }
                    // Copying no page yet, the first step takes the store's write lock (waiting on the busy
                    // timeout, like any writer) and keeps it until the last step commits.
                    var rc = sqlite3_backup_step(backup, 0)
                    guard rc == SQLITE_OK else { throw DatabaseError(resultCode: ResultCode(rawValue: rc), message: dest.lastErrorMessage) }
                    // Nobody can commit now: the copy holds the store exactly as it is replaced,
                    // read through another connection (so with what its WAL holds).
                    try writeOnlineCopy(of: current, to: safety, replacing: false)
                    safetyWritten = true
                    rc = sqlite3_backup_step(backup, -1)
                    guard rc == SQLITE_DONE else { throw DatabaseError(resultCode: ResultCode(rawValue: rc), message: dest.lastErrorMessage) }
                    committed = true
                    open = false
                    rc = sqlite3_backup_finish(backup)
                    guard rc == SQLITE_OK else { throw DatabaseError(resultCode: ResultCode(rawValue: rc), message: dest.lastErrorMessage) }
                }
                dest.clearSchemaCache()
                // Fold the restored pages into the store file now if no reader is in the way (else the next command does).
                _ = try? Row.fetchAll(dest, sql: "PRAGMA wal_checkpoint(PASSIVE)")
            }
        } catch {
            // Not replaced: the store is as it was, so its copy is not needed.
            if safetyWritten && !committed { unlink(safety.path) }
            if let e = error as? DatabaseError, e.resultCode == .SQLITE_BUSY || e.resultCode == .SQLITE_LOCKED {
                throw StoreError.busy(path: path, seconds: busyTimeout)
            }
            if let e = error as? StoreError { throw e }
            if let e = error as? DatabaseError {
                throw StoreError(Message("store.restore.replace_failed", ["path": .text(path), "detail": .text(e.message ?? "\(e.resultCode)")]))
            }
            throw error
        }
    }
}
