import Foundation
import GRDB
import Testing
@testable import ChiTraStore
import ChiTraTestSupport

/// The audit log as a hash chain: every kind of tampering is caught and the entry named.
struct AuditChainTests {
    /// A store with `count` audit entries (ids 2…count+1, after #1: the first administrator's creation).
    func store(entries count: Int = 6) throws -> (AppDatabase, TempDir) {
        let dir = try TempDir()
        let db = try AppDatabase(path: dir.file("s.sqlite").path, auditKeyDirectory: dir.file("keys"))
        let admin = try db.actor(.admin)
        for i in 1...count {
            try db.writer.write { try AuditLog.append($0, actor: admin, action: "test.step", entity: "batch", entityID: "\(i)", detail: "step \(i)") }
        }
        return (db, dir)
    }

    /// Runs SQL as an attacker who drops the append-only triggers first.
    func tamper(_ db: AppDatabase, _ sql: String) throws {
        try db.writer.writeWithoutTransaction { d in
            try d.execute(sql: "DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete; DROP TRIGGER IF EXISTS audit_log_sealed")
            try d.execute(sql: sql)
        }
    }

    @Test func intactChainVerifies() throws {
        let (db, _dir) = try store()
        let r = try db.verifyAuditChain()
        #expect(r.ok && r.entries == 7, "\(r.message)")
        _ = _dir
    }

    @Test func keyFileIsPrivateAndOutsideTheStore() throws {
        let (db, dir) = try store(entries: 1)
        #expect(fileMode(dir.file("keys/audit.key").path) == 0o600)
        #expect(fileMode(dir.file("keys").path) == 0o700)
        #expect(fileMode(db.path) == 0o600)
        let kcv = try db.writer.read { try String.fetchOne($0, sql: "SELECT key_kcv FROM audit_chain") }
        #expect(kcv == db.auditKey.checkValue)
    }

    @Test func changedDetailIsNamed() throws {
        let (db, _dir) = try store()
        try tamper(db, "UPDATE audit_log SET detail = 'step 3, nothing to see' WHERE id = 3")
        let r = try db.verifyAuditChain()
        #expect(r.problem == .changed && r.entryID == 3, "\(r.message)")
        #expect(r.message.contains("#3"))
        _ = _dir
    }

    @Test func deletedRowIsNamed() throws {
        let (db, _dir) = try store()
        try tamper(db, "DELETE FROM audit_log WHERE id = 4")
        let r = try db.verifyAuditChain()
        #expect(r.problem == .removed && r.entryID == 5, "\(r.message)")
        #expect(r.message.contains("#4"))
        _ = _dir
    }

    @Test func deletedLastRowIsNamed() throws {
        let (db, _dir) = try store()
        try tamper(db, "DELETE FROM audit_log WHERE id = 6")
        let r = try db.verifyAuditChain()
        #expect(r.problem == .removed, "\(r.message)")
        #expect(r.message.contains("#6"))
        _ = _dir
    }

    @Test func swappedRowsAreNamed() throws {
        let (db, _dir) = try store()
        // Swap rows 2 and 3 entirely, seals included.
        try tamper(db, """
            CREATE TEMP TABLE t AS SELECT * FROM audit_log WHERE id IN (2, 3);
            UPDATE audit_log SET at = (SELECT at FROM t WHERE id = 5 - audit_log.id), actor = (SELECT actor FROM t WHERE id = 5 - audit_log.id),
                action = (SELECT action FROM t WHERE id = 5 - audit_log.id), entity = (SELECT entity FROM t WHERE id = 5 - audit_log.id),
                entity_id = (SELECT entity_id FROM t WHERE id = 5 - audit_log.id), detail = (SELECT detail FROM t WHERE id = 5 - audit_log.id),
                prev_mac = (SELECT prev_mac FROM t WHERE id = 5 - audit_log.id), mac = (SELECT mac FROM t WHERE id = 5 - audit_log.id)
            WHERE id IN (2, 3);
            """)
        let r = try db.verifyAuditChain()
        #expect(r.problem == .reordered && r.entryID == 2, "\(r.message)")
        _ = _dir
    }

    @Test func swappedContentWithoutSealsIsNamed() throws {
        let (db, _dir) = try store()
        try tamper(db, """
            CREATE TEMP TABLE t AS SELECT * FROM audit_log WHERE id IN (4, 5);
            UPDATE audit_log SET actor = (SELECT actor FROM t WHERE id = 9 - audit_log.id), entity_id = (SELECT entity_id FROM t WHERE id = 9 - audit_log.id),
                detail = (SELECT detail FROM t WHERE id = 9 - audit_log.id) WHERE id IN (4, 5);
            """)
        let r = try db.verifyAuditChain()
        #expect(r.entryID == 4 && (r.problem == .reordered || r.problem == .changed), "\(r.message)")
        _ = _dir
    }

    @Test func unsealedInsertIsRefusedAndNamed() throws {
        let (db, _dir) = try store()
        #expect(throws: (any Error).self) {
            try db.writer.write { try $0.execute(sql: "INSERT INTO audit_log(at, actor, action, entity, entity_id) VALUES ('x','x','x','x','x')") }
        }
        try tamper(db, "INSERT INTO audit_log(at, actor, action, entity, entity_id) VALUES ('x','x','x','x','x')")
        let r = try db.verifyAuditChain()
        #expect(r.problem == .unsealed && r.entryID == 8, "\(r.message)")
        _ = _dir
    }

    @Test func aForgedSealWithAnotherKeyIsCaught() throws {
        let (db, dir) = try store()
        // The attacker has SQL access and their own key, not the store's audit key.
        let other = try AppDatabase(path: dir.file("other.sqlite").path, auditKeyDirectory: dir.file("other-keys"))
        let last = try db.writer.read { try Data.fetchOne($0, sql: "SELECT mac FROM audit_log ORDER BY id DESC LIMIT 1")! }
        let f = AuditLog.Fields(at: "2026-01-01T00:00:00Z", actor: "X", action: "batch.approve", entity: "batch", entityID: "9", detail: "")
        let mac = try other.writer.read { try AuditLog.seal($0, fields: f, prevMac: last) }
        try db.writer.writeWithoutTransaction { d in
            try d.execute(sql: "DROP TRIGGER audit_log_sealed")
            try d.execute(sql: "INSERT INTO audit_log(at, actor, action, entity, entity_id, detail, prev_mac, mac) VALUES (?,?,?,?,?,?,?,?)",
                          arguments: [f.at, f.actor, f.action, f.entity, f.entityID, f.detail, last, mac])
        }
        let r = try db.verifyAuditChain()
        #expect(r.problem == .changed && r.entryID == 8, "\(r.message)")
    }

    @Test func theWrongAuditKeyIsRefusedOnOpen() throws {
        let (db, dir) = try store(entries: 2)
        let path = db.path
        _ = try AuditKey.loadOrCreate(directory: dir.file("elsewhere"))   // another store's key
        #expect {
            _ = try AppDatabase(path: path, auditKeyDirectory: dir.file("elsewhere"))
        } throws: { "\($0)".contains("giá trị kiểm tra") && ($0 as? StoreError)?.text(in: .en).contains("check value") == true }
    }

    @Test func anExistingStoreDoesNotCreateAStrayAuditKey() throws {
        let (db, dir) = try store(entries: 1)
        let path = db.path
        #expect {
            _ = try AppDatabase(path: path, auditKeyDirectory: dir.file("wrong-dir"))
        } throws: { "\($0)".contains("không có khoá kiểm toán") && "\($0)".contains("--keys") }
        #expect(!FileManager.default.fileExists(atPath: dir.file("wrong-dir").path))
    }

    @Test func theMigrationSealsOlderEntries() throws {
        let dir = try TempDir()
        let path = dir.file("old.sqlite").path
        do {
            let queue = try DatabaseQueue(path: path)
            try AppDatabase.migrator.migrate(queue, upTo: "v2-gaps")
            try queue.write { d in
                for i in 1...3 {
                    try d.execute(sql: "INSERT INTO audit_log(at, actor, action, entity, entity_id, detail) VALUES ('2026-01-0\(i)T00:00:00Z','A','old','batch','\(i)','')")
                }
            }
        }
        let db = try AppDatabase(path: path, auditKeyDirectory: dir.file("keys"))
        let admin = try db.actor(.admin)
        try db.writer.write { try AuditLog.append($0, actor: admin, action: "new", entity: "batch", entityID: "4") }
        let r = try db.verifyAuditChain()
        // 3 legacy entries, the first admin's creation, and the new one.
        #expect(r.ok && r.entries == 5, "\(r.message)")
    }
}
