import Foundation
import GRDB
import Testing
@testable import ChiTraStore
import ChiTraTestSupport

struct BackupTests {
    func store(_ dir: TempDir) throws -> AppDatabase {
        let db = try AppDatabase(path: dir.file("s.sqlite").path, auditKeyDirectory: dir.file("keys"))
        let admin = try db.actor(.admin)
        for i in 1...5 {
            try db.writer.write { try AuditLog.append($0, actor: admin, action: "test.step", entity: "batch", entityID: "\(i)") }
        }
        return db
    }

    @Test func backupRestoreAndVerifyTheChain() throws {
        let dir = try TempDir()
        let db = try store(dir)
        let admin = try db.actor(.admin)
        let backup = dir.file("backup.sqlite")
        let b = try db.backup(to: backup, by: try db.actor(.admin))
        #expect(b.integrity == "ok" && b.auditChain.ok && b.auditChain.entries == 7)
        #expect(fileMode(backup.path) == 0o600)
        #expect(!FileManager.default.fileExists(atPath: backup.path + "-wal"))
        let restoredPath = dir.file("restored.sqlite").path
        let r = try AppDatabase.restore(from: backup, to: restoredPath, auditKey: db.auditKey, force: false, authorize: { try $0.actor(.admin) })
        #expect(r.integrity == "ok" && r.auditChain.ok && r.auditChain.entries == 8)
        #expect(fileMode(restoredPath) == 0o600)
        let restored = try AppDatabase(path: restoredPath, auditKeyDirectory: dir.file("keys"))
        let actions = try restored.writer.read { try String.fetchAll($0, sql: "SELECT action FROM audit_log ORDER BY id") }
        #expect(actions.suffix(2) == ["store.backup", "store.restore"])
        #expect(try restored.verifyAuditChain().ok)
    }

    @Test func restoreRefusesAnExistingStoreWithoutForce() throws {
        let dir = try TempDir()
        let db = try store(dir)
        let admin = try db.actor(.admin)
        let backup = dir.file("backup.sqlite")
        try db.backup(to: backup, by: try db.actor(.admin))
        #expect { try AppDatabase.restore(from: backup, to: db.path, auditKey: db.auditKey, force: false, authorize: { try $0.actor(.admin) }) }
            throws: { "\($0)".contains("đã có kho dữ liệu tại") && "\($0)".contains("--force") }
        // With --force the store is replaced by the backup.
        try db.writer.write { try AuditLog.append($0, actor: admin, action: "after.backup", entity: "batch", entityID: "x") }
        let r = try AppDatabase.restore(from: backup, to: db.path, auditKey: db.auditKey, force: true, authorize: { try $0.actor(.admin) })
        #expect(r.auditChain.ok)
    }

    func actions(_ path: String) throws -> [String] {
        let q = try DatabaseQueue(path: path)
        defer { try? q.close() }
        return try q.read { try String.fetchAll($0, sql: "SELECT action FROM audit_log ORDER BY id") }
    }

    func leftovers(_ dir: TempDir) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: dir.url.path).filter { $0.contains("tmp-") || $0.contains("before-restore") }
    }

    /// The reproduction of issue 12: work committed after the backup (still in the WAL) must survive
    /// a --force restore in the safety copy, and the output must say where that copy is.
    @Test func restoreOverAStoreKeepsASafetyCopyAndSaysWhere() throws {
        let dir = try TempDir()
        let db = try store(dir)
        let admin = try db.actor(.admin)
        let backup = dir.file("backup.sqlite")
        try db.backup(to: backup, by: admin)
        try db.writer.write { try AuditLog.append($0, actor: admin, action: "later.batch", entity: "batch", entityID: "2") }
        #expect(FileManager.default.fileExists(atPath: db.path + "-wal"))   // the later work is (also) in the WAL
        let r = try AppDatabase.restore(from: backup, to: db.path, auditKey: db.auditKey, force: true, authorize: { try $0.actor(.admin) })
        let copy = try #require(r.safetyCopy)
        #expect(URL(fileURLWithPath: copy).lastPathComponent.range(of: #"^s\.sqlite\.before-restore-\d{8}T\d{6}Z$"#, options: .regularExpression) != nil, "\(copy)")
        #expect(URL(fileURLWithPath: copy).deletingLastPathComponent().path == dir.url.path)
        #expect(fileMode(copy) == 0o600)
        #expect(!FileManager.default.fileExists(atPath: copy + "-wal"))
        #expect(try actions(copy).suffix(2) == ["store.backup", "later.batch"])
        #expect(try AppDatabase.check(path: copy, auditKey: db.auditKey).integrity == "ok")
        // The store is the backup plus the restore; a connection opened before the restore sees it too.
        #expect(try actions(db.path).suffix(2) == ["store.backup", "store.restore"])
        #expect(try db.writer.read { try String.fetchAll($0, sql: "SELECT action FROM audit_log ORDER BY id") }.suffix(2) == ["store.backup", "store.restore"])
        let detail = try db.writer.read { try String.fetchOne($0, sql: "SELECT detail FROM audit_log ORDER BY id DESC LIMIT 1") }
        #expect(detail?.contains(URL(fileURLWithPath: copy).lastPathComponent) == true)
        #expect(try db.verifyAuditChain().ok)
        #expect(try leftovers(dir) == [URL(fileURLWithPath: copy).lastPathComponent])
        // A second restore keeps a second copy, never over the first.
        let again = try AppDatabase.restore(from: backup, to: db.path, auditKey: db.auditKey, force: true, authorize: { try $0.actor(.admin) })
        #expect(again.safetyCopy != nil && again.safetyCopy != copy)
        #expect(try actions(copy).last == "later.batch")
    }

    /// A writer holding the store's write lock is waited for; what it commits is in the safety copy.
    @Test func restoreWaitsForARunningWriterAndKeepsItsWork() throws {
        let dir = try TempDir()
        let db = try store(dir)
        let admin = try db.actor(.admin)
        let backup = dir.file("backup.sqlite")
        try db.backup(to: backup, by: admin)
        let started = DispatchSemaphore(value: 0)
        let writer = Thread {
            try? db.writer.write { d in
                try AuditLog.append(d, actor: admin, action: "later.batch", entity: "batch", entityID: "2")
                started.signal()
                Thread.sleep(forTimeInterval: 0.8)
            }
        }
        writer.start()
        started.wait()
        let t0 = Date()
        let r = try AppDatabase.restore(from: backup, to: db.path, auditKey: db.auditKey, force: true, busyTimeout: 20, authorize: { try $0.actor(.admin) })
        #expect(Date().timeIntervalSince(t0) > 0.4)
        let copy = try #require(r.safetyCopy)
        #expect(try actions(copy).last == "later.batch")
        #expect(try actions(db.path).suffix(2) == ["store.backup", "store.restore"])
    }

    /// A writer holding the lock past the busy timeout: refused, nothing changed, no copy, no temporary.
    @Test func restoreRefusesWhileAWriterHoldsTheLockPastTheTimeout() throws {
        let dir = try TempDir()
        let db = try store(dir)
        let admin = try db.actor(.admin)
        let backup = dir.file("backup.sqlite")
        try db.backup(to: backup, by: admin)
        try db.writer.write { try AuditLog.append($0, actor: admin, action: "later.batch", entity: "batch", entityID: "2") }
        let started = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0), done = DispatchSemaphore(value: 0)
        let writer = Thread {
            try? db.writer.write { d in
                try AuditLog.append(d, actor: admin, action: "returns.import", entity: "batch", entityID: "2")
                started.signal()
                release.wait()
            }
            done.signal()
        }
        writer.start()
        started.wait()
        let t0 = Date()
        #expect { try AppDatabase.restore(from: backup, to: db.path, auditKey: db.auditKey, force: true, busyTimeout: 0.5, authorize: { try $0.actor(.admin) }) } throws: {
            "\($0)".contains("đang bận") && "\($0)".contains("chưa có gì thay đổi")
        }
        #expect(Date().timeIntervalSince(t0) >= 0.45)
        release.signal()
        done.wait()
        #expect(try actions(db.path).suffix(2) == ["later.batch", "returns.import"])
        #expect(try leftovers(dir).isEmpty)
        #expect(try db.verifyAuditChain().ok)
    }

    @Test func aKilledRestoresTemporariesAreFound() throws {
        let dir = try TempDir()
        for name in [".s.sqlite.restoring.tmp-a1B2c3", ".s.sqlite.restoring.tmp-a1B2c3-journal",
                     ".s.sqlite.before-restore-20261128T081500Z.tmp-Zz9yX8", ".s.sqlite.bak.tmp-a1B2c3", ".t.sqlite.restoring.tmp-a1B2c3", "s.sqlite"] {
            _ = FileManager.default.createFile(atPath: dir.file(name).path, contents: Data())
        }
        #expect(AppDatabase.interruptedRestoreTemporaries(beside: dir.file("s.sqlite").path) ==
                [".s.sqlite.before-restore-20261128T081500Z.tmp-Zz9yX8", ".s.sqlite.restoring.tmp-a1B2c3", ".s.sqlite.restoring.tmp-a1B2c3-journal"])
    }

    @Test func backupRefusesAnExistingFileWithoutForce() throws {
        let dir = try TempDir()
        let db = try store(dir)
        let admin = try db.actor(.admin)
        let roll = dir.file("roll.csv")
        try Data("ma_doi_tuong,ho_ten\nDT0000001,Nguyễn Văn An\n".utf8).write(to: roll)
        #expect { try db.backup(to: roll, by: admin) } throws: { "\($0)".contains("roll.csv đã có; không ghi gì") && "\($0)".contains("--force") }
        #expect(try String(contentsOf: roll, encoding: .utf8).hasPrefix("ma_doi_tuong"))
        // --force does not make a CSV, an empty file or another application's database a backup.
        #expect { try db.backup(to: roll, by: admin, force: true) } throws: { "\($0)".contains("không phải bản sao lưu ChiTra (tệp không phải cơ sở dữ liệu SQLite)")
            && ($0 as? StoreError)?.text(in: .en).contains("is not a ChiTra backup (it is not a SQLite database)") == true }
        #expect(try String(contentsOf: roll, encoding: .utf8).hasPrefix("ma_doi_tuong"))
        let empty = dir.file("empty.sqlite")
        _ = FileManager.default.createFile(atPath: empty.path, contents: nil)
        #expect { try db.backup(to: empty, by: admin, force: true) } throws: { "\($0)".contains("empty.sqlite không phải bản sao lưu ChiTra") }
        let other = dir.file("other.sqlite")
        let q = try DatabaseQueue(path: other.path)
        try q.write { try $0.execute(sql: "CREATE TABLE note(t TEXT); INSERT INTO note VALUES ('x')") }
        try q.close()
        #expect { try db.backup(to: other, by: admin, force: true) } throws: { "\($0)".contains("không có các bảng của ChiTra") }
        #expect { try db.backup(to: URL(fileURLWithPath: db.path), by: admin, force: true) } throws: { "\($0)".contains("chính là kho dữ liệu") }
        #expect(try leftovers(dir).isEmpty)
    }

    @Test func backupWithForceReplacesAnOlderBackup() throws {
        let dir = try TempDir()
        let db = try store(dir)
        let admin = try db.actor(.admin)
        let backup = dir.file("backup.sqlite")
        try db.backup(to: backup, by: admin)
        try db.writer.write { try AuditLog.append($0, actor: admin, action: "later.batch", entity: "batch", entityID: "2") }
        let r = try db.backup(to: backup, by: admin, force: true)
        #expect(r.integrity == "ok" && r.auditChain.ok)
        #expect(try actions(backup.path).suffix(2) == ["later.batch", "store.backup"])
        #expect(fileMode(backup.path) == 0o600)
    }

    @Test(.enabled(if: chitraBinary != nil, "needs the chitra executable"))
    func backupAndRestoreCommands() throws {
        let dir = try TempDir()
        try ChitraRun.setUpStore(in: dir.url)
        let admin = ChitraRun.admin
        try Data("ma_doi_tuong,ho_ten\n".utf8).write(to: dir.file("roll.csv"))
        var r = try ChitraRun.run(["backup", "--out", "roll.csv"], in: dir.url, as: admin)
        #expect(r.status != 0 && r.text.contains("roll.csv đã có; không ghi gì"), "\(r.text)")
        r = try ChitraRun.run(["backup", "--out", "roll.csv", "--force"], in: dir.url, as: admin)
        #expect(r.status != 0 && r.text.contains("roll.csv không phải bản sao lưu ChiTra (tệp không phải cơ sở dữ liệu SQLite)"), "\(r.text)")
        // The same refusal in English with --lang en.
        r = try ChitraRun.run(["backup", "--out", "roll.csv", "--force", "--lang", "en"], in: dir.url, as: admin)
        #expect(r.status != 0 && r.text.contains("roll.csv is not a ChiTra backup (it is not a SQLite database)"), "\(r.text)")
        #expect(try String(contentsOf: dir.file("roll.csv"), encoding: .utf8) == "ma_doi_tuong,ho_ten\n")
        r = try ChitraRun.run(["backup", "--out", "b.sqlite"], in: dir.url, as: admin)
        #expect(r.status == 0, "\(r.text)")
        r = try ChitraRun.run(["backup", "--out", "b.sqlite", "--force"], in: dir.url, as: admin)
        #expect(r.status == 0, "\(r.text)")
        r = try ChitraRun.run(["restore", "b.sqlite", "--force"], in: dir.url, as: admin)
        #expect(r.status == 0, "\(r.text)")
        #expect(r.text.contains("The audit head anchor (audit.head beside the audit key) now points at entry #"), "\(r.text)")
        #expect(try ChitraRun.run(["audit", "verify"], in: dir.url).status == 0)
        #expect(r.text.range(of: #"kept in \S+/s\.sqlite\.before-restore-\d{8}T\d{6}Z \(mode 0600\)"#, options: .regularExpression) != nil, "\(r.text)")
    }

    @Test func aTamperedBackupIsNotRestored() throws {
        let dir = try TempDir()
        let db = try store(dir)
        let admin = try db.actor(.admin)
        let backup = dir.file("backup.sqlite")
        try db.backup(to: backup, by: try db.actor(.admin))
        let q = try DatabaseQueue(path: backup.path)
        try q.write { d in
            try d.execute(sql: "DROP TRIGGER audit_log_no_update; UPDATE audit_log SET actor = 'Mallory' WHERE id = 2")
        }
        try q.close()
        let target = dir.file("new.sqlite").path
        #expect { try AppDatabase.restore(from: backup, to: target, auditKey: db.auditKey, force: false, authorize: { try $0.actor(.admin) }) }
            throws: { "\($0)".contains("#2") }
        #expect(!FileManager.default.fileExists(atPath: target))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.url.path).filter { $0.contains("tmp") }
        #expect(leftovers.isEmpty)
    }

    @Test func aDamagedFileIsNotRestored() throws {
        let dir = try TempDir()
        let db = try store(dir)
        let admin = try db.actor(.admin)
        let junk = dir.file("junk.sqlite")
        try Data(repeating: 0x41, count: 8192).write(to: junk)
        #expect(throws: (any Error).self) { try AppDatabase.restore(from: junk, to: dir.file("n.sqlite").path, auditKey: db.auditKey, force: false, authorize: { try $0.actor(.admin) }) }
        #expect(!FileManager.default.fileExists(atPath: dir.file("n.sqlite").path))
    }
}

/// A backup made before accounts existed: restoring it names its first administrator, and the
/// names it recorded become legacy actors.
@Suite(.serialized) struct PreAccountsRestoreTests {
    @Test("chitra restore of a pre-v5 backup creates its first administrator from --user and --full-name; legacy names are listed as such",
          .enabled(if: chitraBinary != nil, "needs the chitra executable"))
    func restoreOldBackup() throws {
        let dir = try TempDir()
        try ChitraRun.setUpStore(in: dir.url)   // the key directory the old store was sealed with
        try makePreAccountsStore(at: dir.file("old.sqlite").path) { d in
            try d.execute(sql: "INSERT INTO batch(period, status, built_by, built_at) VALUES ('2026-11', 'draft', 'Nguyễn Văn An', '2026-11-20T00:00:00Z')")
        }
        var r = try ChitraRun.run(["restore", "old.sqlite", "--db", "new.sqlite"], in: dir.url)
        #expect(r.status != 0 && r.text.contains("bản sao lưu old.sqlite được tạo trước khi có tài khoản"), "\(r.text)")
        r = try ChitraRun.run(["restore", "old.sqlite", "--db", "new.sqlite", "--user", "quan.tri", "--full-name", "Phạm Văn Quản", "--password-stdin"],
                              in: dir.url, input: "mat-khau-moi-quan-tri\n")
        #expect(r.status == 0, "\(r.text)")
        r = try ChitraRun.run(["user", "list", "--db", "new.sqlite", "--user", "quan.tri", "--password-stdin"], in: dir.url, input: "mat-khau-moi-quan-tri\n")
        #expect(r.status == 0 && r.text.contains("\"Nguyễn Văn An\" (tên cũ, không phải tài khoản)") && r.text.contains("quan.tri — Phạm Văn Quản: admin"), "\(r.text)")
        r = try ChitraRun.run(["audit", "verify", "--db", "new.sqlite"], in: dir.url)
        #expect(r.status == 0, "\(r.text)")
    }
}
