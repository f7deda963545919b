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
        let backup = dir.file("backup.sqlite")
        try db.backup(to: backup, by: try db.actor(.admin))
        #expect { try AppDatabase.restore(from: backup, to: db.path, auditKey: db.auditKey, force: false, authorize: { try $0.actor(.admin) }) }
            throws: { "\($0)".contains("already exists") }
        // With --force the store is replaced by the backup.
        let admin = try db.actor(.admin)
        try db.writer.write { try AuditLog.append($0, actor: admin, action: "after.backup", entity: "batch", entityID: "x") }
        let r = try AppDatabase.restore(from: backup, to: db.path, auditKey: db.auditKey, force: true, authorize: { try $0.actor(.admin) })
        #expect(r.auditChain.ok)
    }

    @Test func aTamperedBackupIsNotRestored() throws {
        let dir = try TempDir()
        let db = try store(dir)
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
        let junk = dir.file("junk.sqlite")
        try Data(repeating: 0x41, count: 8192).write(to: junk)
        #expect(throws: (any Error).self) { try AppDatabase.restore(from: junk, to: dir.file("n.sqlite").path, auditKey: db.auditKey, force: false, authorize: { try $0.actor(.admin) }) }
        #expect(!FileManager.default.fileExists(atPath: dir.file("n.sqlite").path))
    }
}
