@testable import ChiTraSigning
import ChiTraBatch
import ChiTraCore
import ChiTraRoll
import ChiTraTestSupport
import Foundation
import GRDB
import Testing
@testable import ChiTraStore

/// Accounts, roles and authentication (issue #11): the second signature is a second person.
struct IdentityTests {
    func users(_ db: AppDatabase) -> Users { Users(db: db, cost: .testing) }

    @Test("A clerk cannot build, a checker cannot import a roll, a maker cannot approve: each refusal names the role needed")
    func rolesAreEnforced() throws {
        let db = try AppDatabase.temporary()
        let clerk = try users(db).authenticate(try db.actor(.clerk).username, password: AppDatabase.testPassword("test.clerk"))
        #expect { try clerk.acting(as: .maker) } throws: { "\($0)".contains("maker (người lập)") && "\($0)".contains("test.clerk có vai trò: clerk") }
        let checker = try db.actor(.checker)
        #expect { try checker.require(.maker) } throws: { "\($0)".contains("không có vai trò cần cho việc này: maker") && ($0 as? IdentityError)?.message.text(in: .en).contains("does not have the role this needs: maker") == true }
        // The schema refuses a batch built by an account without the maker role, past the library.
        #expect(throws: DatabaseError.self) { try db.writer.write {
            try $0.execute(sql: "INSERT INTO batch(period, status, built_by, built_by_user, built_at) VALUES ('2026-12', 'draft', 'x', ?, 'now')", arguments: [checker.userID])
        } }
        #expect(throws: DatabaseError.self) { try db.writer.write {
            try $0.execute(sql: "INSERT INTO import_file(sha256, kind, name, imported_at, imported_by, imported_by_user, rows_total, rows_applied, rows_unchanged, rows_rejected) VALUES ('x','roll','f','t','u',?,0,0,0,0)", arguments: [checker.userID])
        } }
        // Without any account at all: refused too.
        #expect(throws: DatabaseError.self) { try db.writer.write {
            try $0.execute(sql: "INSERT INTO batch(period, status, built_by, built_at) VALUES ('2026-12', 'draft', 'Nguyễn Văn An', 'now')")
        } }
    }

    @Test("The use cases themselves refuse the wrong role: a clerk cannot build a batch, a checker cannot import a roll")
    func useCasesRefuseTheWrongRole() throws {
        let db = try AppDatabase.temporary()
        let formats = Paths.formats
        let tariff = try Tariff.load(from: formats.appendingPathComponent("tariff.json"))
        let banks = try BankDirectory.load(from: formats.appendingPathComponent("banks.json"))
        let builder = BatchBuilder(db: db, tariff: tariff, banks: banks, payer: try Payer.load(from: formats.appendingPathComponent("payer.json")))
        #expect { try builder.build(period: YearMonth("2026-12")!, by: try db.actor(.clerk)) } throws: { "\($0)".contains("cần cho việc này: maker") }
        let roll = Paths.fixtures.appendingPathComponent("rules/rules-roll.csv")
        let importer = RollImporter(db: db, validator: RollValidator(tariff: tariff, banks: banks), actor: try db.actor(.checker))
        #expect { try importer.importFile(roll) } throws: { "\($0)".contains("cần cho việc này: maker") }
        #expect(try db.writer.read { try Int.fetchOne($0, sql: "SELECT (SELECT count(*) FROM batch) + (SELECT count(*) FROM import_file)") } == 0)
    }

    @Test("A disabled account is refused at login and by the schema; enabling it restores it")
    func disabledAccount() throws {
        let db = try AppDatabase.temporary()
        let maker = try db.actor(.maker)
        let admin = try db.actor(.admin)
        try users(db).disable("test.maker", by: admin)
        #expect(throws: IdentityError.disabled(username: "test.maker")) {
            try users(db).authenticate("test.maker", password: AppDatabase.testPassword("test.maker"))
        }
        // An actor made before the account was disabled cannot write either: the triggers check.
        #expect(throws: DatabaseError.self) { try db.writer.write {
            try $0.execute(sql: "INSERT INTO batch(period, status, built_by, built_by_user, built_at) VALUES ('2026-12', 'draft', 'x', ?, 'now')", arguments: [maker.userID])
        } }
        // The last administrator cannot disable themselves.
        #expect { try users(db).disable("test.admin", by: admin) } throws: { "\($0)".contains("là quản trị viên cuối cùng đang hoạt động") }
        try users(db).enable("test.maker", by: admin)
        _ = try users(db).authenticate("test.maker", password: AppDatabase.testPassword("test.maker"))
    }

    @Test("Five wrong passwords lock the account for 15 minutes: the sixth try is refused even when right, until the lock ends; audited")
    func lockout() throws {
        let db = try AppDatabase.temporary()
        _ = try db.actor(.checker)
        let u = users(db)
        let t0 = Date(timeIntervalSince1970: 1_795_000_000)
        for i in 1...4 {
            #expect(throws: IdentityError.wrongCredentials) { try u.authenticate("test.checker", password: "wrong-\(i)-password", now: t0.addingTimeInterval(Double(i))) }
        }
        #expect { try u.authenticate("test.checker", password: "wrong-5-password", now: t0.addingTimeInterval(5)) } throws: { e in
            guard case IdentityError.locked(_, let until, let left) = e else { return false }
            return left == 15 && until == Timestamp.format(t0.addingTimeInterval(5 + 900)) && "\(e)".contains("bị khoá do nhập sai mật khẩu 5 lần, đến \(until) (còn 15 phút)")
                && (e as? IdentityError)?.message.text(in: .en).contains("is locked after 5 wrong passwords until \(until) (in 15 minutes)") == true
        }
        let right = AppDatabase.testPassword("test.checker")
        // The sixth try, with the right password, 14 minutes later: still locked, and says when it unlocks.
        #expect { try u.authenticate("test.checker", password: right, now: t0.addingTimeInterval(5 + 14 * 60)) } throws: { e in
            guard case IdentityError.locked(_, _, let left) = e else { return false }
            return left == 1
        }
        // After the 15 minutes: the right password works, and the count starts again.
        let ok = try u.authenticate("test.checker", password: right, now: t0.addingTimeInterval(5 + 15 * 60 + 1))
        #expect(ok.account.failedLogins == 0 && ok.account.lockedUntil == nil)
        let locks = try db.writer.read { try Row.fetchAll($0, sql: "SELECT user_id, role, detail FROM audit_log WHERE action = 'user.locked'") }
        #expect(locks.count == 1 && (locks[0]["user_id"] as Int64) == ok.account.id && (locks[0]["detail"] as String).contains("failed-logins=5"))
    }

    @Test("An unknown login and a wrong password get the same answer")
    func unknownLogin() throws {
        let db = try AppDatabase.temporary()
        _ = try db.actor(.maker)
        #expect(throws: IdentityError.wrongCredentials) { try users(db).authenticate("nobody.here", password: "whatever-password") }
        #expect(throws: IdentityError.wrongCredentials) { try users(db).authenticate("test.maker", password: "whatever-password") }
    }

    @Test("Logins are one account under any spelling; a second account with the same folded login is refused")
    func loginSpellings() throws {
        let db = try AppDatabase.temporary()
        let admin = try db.actor(.admin)
        try users(db).add(username: "An.Nguyen", fullName: "Nguyễn Văn An", roles: [.maker], password: "mat-khau-dai-2026", by: admin)
        for spelling in ["an.nguyen", "AN.NGUYEN", "  an.nguyen ", "an.nguyễn"] {
            #expect(try users(db).authenticate(spelling, password: "mat-khau-dai-2026").account.username == "an.nguyen")
        }
        #expect { try users(db).add(username: "AN.Nguyen", fullName: "Nguyễn Văn Ân", roles: [.checker], password: "mat-khau-khac-2026", by: admin) }
            throws: { "\($0)".contains("đã có tài khoản an.nguyen") }
        #expect { try users(db).add(username: "Nguyễn Văn An", fullName: "Nguyễn Văn An", roles: [.checker], password: "mat-khau-khac-2026", by: admin) }
            throws: { "\($0)".contains("tên đăng nhập gồm 3 đến 32") }
        #expect { try users(db).add(username: "binh", fullName: "Trần Thị Bình", roles: [.checker], password: "short", by: admin) }
            throws: { "\($0)" == "mật khẩu phải có ít nhất 10 ký tự" }
        // Only an administrator adds accounts.
        let maker = try users(db).authenticate("an.nguyen", password: "mat-khau-dai-2026").acting(as: .maker)
        #expect(throws: IdentityError.self) { try users(db).add(username: "x.y.z", fullName: "X", roles: [.admin], password: "mat-khau-dai-2026", by: maker) }
    }

    @Test("Passwords are stored only as scrypt hashes with a salt of their own; a user changes their own, an admin anyone's")
    func passwordStorage() throws {
        let db = try AppDatabase.temporary()
        let admin = try db.actor(.admin)
        try users(db).add(username: "cuc.le", fullName: "Lê Thị Cúc", roles: [.clerk], password: "mat-khau-dai-2026", by: admin)
        try users(db).add(username: "ha.le", fullName: "Lê Thị Hà", roles: [.officer], password: "mat-khau-dai-2026", by: admin)
        let hashes = try db.writer.read { try String.fetchAll($0, sql: "SELECT password_hash FROM app_user WHERE login_key IN ('cuc.le','ha.le')") }
        #expect(hashes.count == 2 && hashes[0] != hashes[1] && hashes.allSatisfy { $0.hasPrefix("scrypt$10$8$1$") && !$0.contains("mat-khau") })
        let cuc = try users(db).authenticate("cuc.le", password: "mat-khau-dai-2026")
        try users(db).setPassword("cuc.le", newPassword: "mat-khau-moi-2026", by: cuc)
        #expect(throws: IdentityError.wrongCredentials) { try users(db).authenticate("cuc.le", password: "mat-khau-dai-2026") }
        _ = try users(db).authenticate("cuc.le", password: "mat-khau-moi-2026")
        // A clerk cannot change someone else's password.
        #expect(throws: IdentityError.self) { try users(db).setPassword("ha.le", newPassword: "mat-khau-cuc-dat", by: cuc) }
        // A login with the standard cost upgrades a test-cost hash.
        _ = try Users(db: db).authenticate("ha.le", password: "mat-khau-dai-2026")
        let upgraded = try db.writer.read { try String.fetchOne($0, sql: "SELECT password_hash FROM app_user WHERE login_key = 'ha.le'") }
        #expect(upgraded?.hasPrefix("scrypt$15$8$1$") == true)
    }

    @Test("A month's audit trail names account ids and the role each acted in")
    func auditNamesIdsAndRoles() throws {
        let db = try AppDatabase.temporary()
        let maker = try db.actor(.maker), checker = try db.actor(.checker)
        try db.writer.write { d in
            try AuditLog.append(d, actor: maker, action: "batch.build", entity: "batch", entityID: "1")
            try AuditLog.append(d, actor: checker, action: "batch.approve", entity: "batch", entityID: "1")
        }
        let trail = try db.writer.read { try AuditLog.trail($0, batchID: 1) }
        #expect(trail.map(\.userID) == [maker.userID, checker.userID])
        #expect(trail.map(\.role) == ["maker", "checker"])
        #expect(trail[1].who == "#\(checker.userID) test.checker as checker")
        // Changing the role of an entry breaks its seal.
        try db.writer.writeWithoutTransaction { d in
            try d.execute(sql: "DROP TRIGGER audit_log_no_update")
            try d.execute(sql: "UPDATE audit_log SET role = 'maker' WHERE action = 'batch.approve'")
        }
        let r = try db.verifyAuditChain()
        #expect(r.problem == .changed, "\(r.message)")
    }

    @Test("Deleting the newest three audit entries and rewriting sqlite_sequence is caught by the anchor beside audit.key")
    func deletedTailIsCaughtByTheAnchor() throws {
        let db = try AppDatabase.temporary()
        let admin = try db.actor(.admin)
        for i in 1...6 {
            try db.writer.write { try AuditLog.append($0, actor: admin, action: "test.step", entity: "batch", entityID: "\(i)") }
        }
        #expect(try db.verifyAuditChain().ok)
        let last = try db.writer.read { try Int64.fetchOne($0, sql: "SELECT max(id) FROM audit_log")! }
        let anchorURL = try #require(db.auditAnchorURL)
        #expect(try AuditAnchor.read(anchorURL)?.entryID == last)
        var st = stat()
        #expect(stat(anchorURL.path, &st) == 0 && st.st_mode & 0o777 == 0o600)
        try db.writer.writeWithoutTransaction { d in
            try d.execute(sql: "DROP TRIGGER audit_log_no_delete")
            try d.execute(sql: "DELETE FROM audit_log WHERE id > ?", arguments: [last - 3])
            try d.execute(sql: "UPDATE sqlite_sequence SET seq = ? WHERE name = 'audit_log'", arguments: [last - 3])
        }
        // The chain alone no longer sees it (that was the limit before the anchor)…
        #expect(try db.writer.read { try AuditLog.verify($0) }.ok)
        // …the anchor does.
        let r = try db.verifyAuditChain()
        #expect(r.problem == .headRemoved, "\(r.message)")
        // Said in Vietnamese, whole, to whoever runs `chitra audit verify`.
        #expect(r.message == "các mục nhật ký kiểm toán mới nhất #\(last - 2)–#\(last) đã bị xoá: mốc đầu bên ngoài kho (audit.head) ghi #\(last), kho dữ liệu chỉ còn đến #\(last - 3)")
    }

    @Test("Entries written after the newest ones were deleted do not move the anchor: audit verify keeps reporting the deletion, however many follow")
    func newEntriesDoNotHealADeletion() throws {
        let db = try AppDatabase.temporary()
        let admin = try db.actor(.admin)
        func step(_ i: Int) throws {
            try db.writer.write { try AuditLog.append($0, actor: admin, action: "test.step", entity: "batch", entityID: "\(i)") }
        }
        for i in 1...4 { try step(i) }
        let url = try #require(db.auditAnchorURL)
        let anchored = try #require(try AuditAnchor.read(url))
        try db.writer.writeWithoutTransaction { d in
            try d.execute(sql: "DROP TRIGGER audit_log_no_delete")
            try d.execute(sql: "DELETE FROM audit_log WHERE id > ?", arguments: [anchored.entryID - 2])
            try d.execute(sql: "UPDATE sqlite_sequence SET seq = ? WHERE name = 'audit_log'", arguments: [anchored.entryID - 2])
        }
        // Two new entries take the deleted ids; the newest has another seal than the anchored one.
        for i in 5...6 { try step(i) }
        #expect(try AuditAnchor.read(url) == anchored)
        let replaced = try db.verifyAuditChain()
        #expect(replaced.problem == .headRemoved)
        #expect(replaced.message == "mục nhật ký kiểm toán #\(anchored.entryID) không phải mục đã ghi mốc bên ngoài kho: các mục mới nhất đã bị thay")
        // Three more, past the anchored id: still the same finding, the anchor unmoved.
        for i in 7...9 { try step(i) }
        #expect(try AuditAnchor.read(url) == anchored)
        #expect(try db.verifyAuditChain().message == replaced.message)
    }

    @Test("After a restore killed before the anchor followed, the restored store's next entry moves the anchor to it and clears what was pending")
    func commitAfterAKilledRestoreMovesTheAnchor() throws {
        let (db, dir, url, before, live) = try restoredThenKilledBeforeTheAnchorFollowed()
        let reopened = try AppDatabase(path: db.path, auditKeyDirectory: dir.appendingPathComponent("keys"))
        let admin = try reopened.actor(.admin)
        try reopened.writer.write { try AuditLog.append($0, actor: admin, action: "after", entity: "batch", entityID: "1") }
        let now = try #require(try AuditAnchor.read(url))
        #expect(now.entryID > live.entryID && now.entryID <= before.entryID && now.pending == nil)
        #expect(try reopened.verifyAuditChain().ok)
    }

    @Test("A new store is refused a key directory that anchors another store's audit head, saying what to do; with the anchor moved away it is made")
    func newStoreRefusesAnotherStoresKeyDirectory() throws {
        let first = try AppDatabase.temporary()
        let admin = try first.actor(.admin)
        try first.writer.write { try AuditLog.append($0, actor: admin, action: "test.step", entity: "batch", entityID: "1") }
        let url = try #require(first.auditAnchorURL)
        let held = try #require(try AuditAnchor.read(url))
        let keys = url.deletingLastPathComponent()
        let second = URL(fileURLWithPath: first.path).deletingLastPathComponent().appendingPathComponent("second.sqlite").path
        #expect {
            _ = try AppDatabase(path: second, auditKeyDirectory: keys)
        } throws: { error in
            "\(error)" == "thư mục khoá \(keys.path) đã giữ mốc đầu nhật ký kiểm toán (audit.head) của một kho dữ liệu khác (\(held.storeID.prefix(8))…); mỗi kho dữ liệu phải có thư mục khoá riêng: hãy dùng --keys THƯ_MỤC_MỚI cho kho mới. Nếu kho kia đã bỏ hẳn, hãy chuyển audit.head ra chỗ khác (giữ lại làm hồ sơ) rồi chạy lại"
        }
        // The first store's anchor is untouched, and the first store still verifies.
        #expect(try AuditAnchor.read(url) == held)
        #expect(try first.verifyAuditChain().ok)
        try FileManager.default.moveItem(at: url, to: keys.appendingPathComponent("audit.head.old"))
        let made = try AppDatabase(path: second, auditKeyDirectory: keys)
        let admin2 = try made.actor(.admin)
        try made.writer.write { try AuditLog.append($0, actor: admin2, action: "test.step", entity: "batch", entityID: "1") }
        #expect(try AuditAnchor.read(url)?.storeID != held.storeID)
        #expect(try made.verifyAuditChain().ok)
    }

    @Test("A missing anchor, another store's, or a replaced newest entry is reported, each in its own Vietnamese sentence; a store ahead of its anchor is fine")
    func anchorProblems() throws {
        let db = try AppDatabase.temporary()
        let admin = try db.actor(.admin)
        try db.writer.write { try AuditLog.append($0, actor: admin, action: "test.step", entity: "batch", entityID: "1") }
        let url = try #require(db.auditAnchorURL)
        var anchor = try #require(try AuditAnchor.read(url))
        // Ahead: the anchor one entry behind (a process killed between commit and anchoring).
        let previous = try #require(try db.writer.read { try Data.fetchOne($0, sql: "SELECT mac FROM audit_log WHERE id = ?", arguments: [anchor.entryID - 1]) })
        try AuditAnchor(storeID: anchor.storeID, entryID: anchor.entryID - 1, mac: previous).write(url, force: true)
        #expect(try db.verifyAuditChain().ok)
        let ours = anchor.storeID
        anchor.storeID = "00001111aaaa"
        try anchor.write(url, force: true)
        let other = try db.verifyAuditChain()
        #expect(other.problem == .unanchored)
        #expect(other.message == "tệp mốc đầu nhật ký kiểm toán \(url.path) thuộc về một kho dữ liệu khác (00001111…); mỗi kho dữ liệu phải có thư mục khoá riêng (--keys)")
        // The newest entry replaced: the anchor names an entry the store holds with another seal.
        anchor.storeID = ours
        anchor.mac = previous
        try anchor.write(url, force: true)
        let replaced = try db.verifyAuditChain()
        #expect(replaced.problem == .headRemoved)
        #expect(replaced.message == "mục nhật ký kiểm toán #\(anchor.entryID) không phải mục đã ghi mốc bên ngoài kho: các mục mới nhất đã bị thay")
        try FileManager.default.removeItem(at: url)
        let missing = try db.verifyAuditChain()
        #expect(missing.problem == .unanchored)
        #expect(missing.message == "tệp mốc đầu nhật ký kiểm toán \(url.path) không còn: không kiểm tra được các mục nhật ký mới nhất; hãy khôi phục thư mục khoá từ bản sao lưu")
    }

    /// A store backed up to `b.sqlite` beside it, then three more audit entries written (so a
    /// restore of the backup moves the audit head back).
    func backedUpThenThreeMoreEntries() throws -> (AppDatabase, URL) {
        let db = try AppDatabase.temporary()
        let admin = try db.actor(.admin)
        let dir = URL(fileURLWithPath: db.path).deletingLastPathComponent()
        try db.backup(to: dir.appendingPathComponent("b.sqlite"), by: admin)
        for i in 1...3 { try db.writer.write { try AuditLog.append($0, actor: admin, action: "later", entity: "batch", entityID: "\(i)") } }
        return (db, dir)
    }

    /// ``backedUpThenThreeMoreEntries()``, then the backup restored over the store and the anchor
    /// left as a restore killed after it replaced the store leaves it: the old head (`before`),
    /// with the restored one (`live`, older) pending.
    func restoredThenKilledBeforeTheAnchorFollowed() throws -> (AppDatabase, URL, URL, AuditAnchor, AuditAnchor) {
        let (db, dir) = try backedUpThenThreeMoreEntries()
        let url = try #require(db.auditAnchorURL)
        let before = try #require(try AuditAnchor.read(url))
        try db.writer.close()
        _ = try AppDatabase.restore(from: dir.appendingPathComponent("b.sqlite"), to: db.path, auditKey: db.auditKey, force: true,
                                    authorize: { try $0.actor(.admin) })
        let live = try #require(try AppDatabase.headOfCopy(at: db.path, auditKey: db.auditKey))
        #expect(live.entryID < before.entryID)
        var left = before
        left.pending = .init(storeID: live.storeID, entryID: live.entryID, mac: live.mac)
        try left.write(url, force: true)
        return (db, dir, url, before, live)
    }

    @Test("A test restore to a spare path with the live key directory moves the anchor; the anchor it replaced is kept and puts the live store right")
    func testRestoreKeepsTheReplacedAnchor() throws {
        let (db, dir) = try backedUpThenThreeMoreEntries()
        _ = try AppDatabase.restore(from: dir.appendingPathComponent("b.sqlite"), to: dir.appendingPathComponent("spare.sqlite").path,
                                    auditKey: db.auditKey, force: false, authorize: { try $0.actor(.admin) })
        #expect(try db.verifyAuditChain().problem == .headRemoved)
        let keys = try #require(db.auditAnchorURL).deletingLastPathComponent()
        let kept = try #require(try FileManager.default.contentsOfDirectory(atPath: keys.path).first { $0.hasPrefix("audit.head.before-restore-") })
        try FileManager.default.removeItem(at: keys.appendingPathComponent("audit.head"))
        try FileManager.default.copyItem(at: keys.appendingPathComponent(kept), to: keys.appendingPathComponent("audit.head"))
        #expect(try db.verifyAuditChain().ok)
    }

    @Test("A restore killed after it replaced the store, then its re-run killed before replacing it again: audit verify finds the store's head, no false alarm")
    func restoreKilledTwiceKeepsTheAnchorRight() throws {
        // The first run, killed after it replaced the store.
        let (db, dir, url, _, live) = try restoredThenKilledBeforeTheAnchorFollowed()
        // Its re-run made a copy of its own (its restore entry has another time, so another seal) and was killed before replacing the store.
        let copy = AuditAnchor(storeID: live.storeID, entryID: live.entryID, mac: Data(repeating: 7, count: 32))
        try AuditAnchor.expect(copy, at: url, live: live)
        let reopened = try AppDatabase(path: db.path, auditKeyDirectory: dir.appendingPathComponent("keys"))
        let r = try reopened.verifyAuditChain()
        #expect(r.ok, "\(r.message)")
        // And once the re-run's copy replaces the store, its head is accepted too (it is pending).
        #expect(try AuditAnchor.read(url)?.pending?.mac == copy.mac)
    }

    @Test("An account forged in the store file (its own scrypt hash, the checker role) cannot log in, and audit verify names it; so does a role added or an account re-enabled in the file")
    func forgedAccountsAreRefused() throws {
        let db = try AppDatabase.temporary()
        let maker = try db.actor(.maker)
        _ = try db.actor(.checker)
        let admin = try db.actor(.admin)
        try Users(db: db, cost: .testing).disable("test.checker", by: admin)
        // The attacker knows the maker's password and copies its hash into a new "checker" account.
        try db.writer.write { d in
            try d.execute(sql: """
                INSERT INTO app_user(username, login_key, full_name, kind, password_hash, created_at)
                SELECT 'fake.checker', 'fake.checker', 'Giả Mạo', 'person', password_hash, 't' FROM app_user WHERE id = ?
                """, arguments: [maker.userID])
            try d.execute(sql: "INSERT INTO user_role(user_id, role) VALUES ((SELECT id FROM app_user WHERE login_key = 'fake.checker'), 'checker')")
            try d.execute(sql: "INSERT INTO user_role(user_id, role) VALUES (?, 'checker')", arguments: [maker.userID])
            try d.execute(sql: "UPDATE app_user SET disabled_at = NULL WHERE login_key = 'test.checker'")
        }
        let users = Users(db: db, cost: .testing)
        for login in ["fake.checker", "test.maker", "test.checker"] {
            #expect(throws: IdentityError.changedOutsideChiTra(username: login)) {
                try users.authenticate(login, password: AppDatabase.testPassword(login == "fake.checker" ? "test.maker" : login))
            }
        }
        let report = try db.verifyIntegrity()
        #expect(!report.ok && report.accountsChangedOutsideChiTra == ["test.maker", "test.checker", "fake.checker"])
        // Accounts ChiTra changed itself are sealed: the administrator still logs in.
        _ = try users.authenticate("test.admin", password: AppDatabase.testPassword("test.admin"))
    }

    @Test("A maker swapped into the batch row so that its builder may approve: approve refuses, naming both accounts")
    func swappedMakerIsRefused() throws {
        let db = try AppDatabase.temporary()
        let formats = Paths.formats
        let tariff = try Tariff.load(from: formats.appendingPathComponent("tariff.json"))
        let banks = try BankDirectory.load(from: formats.appendingPathComponent("banks.json"))
        let both = try db.actor(.maker, login: "an.nguyen", roles: [.maker, .checker])
        let other = try db.actor(.maker, login: "binh.tran")
        try RollImporter(db: db, validator: RollValidator(tariff: tariff, banks: banks), actor: both)
            .importFile(try copyToTemp(Paths.fixtures.appendingPathComponent("rules/rules-roll.csv")))
        var builder = BatchBuilder(db: db, tariff: tariff, banks: banks, payer: try Payer.load(from: formats.appendingPathComponent("payer.json")))
        builder.today = YearMonth("2026-11")!
        let b = try builder.build(period: YearMonth("2026-12")!, by: both)
        try db.writer.write { try $0.execute(sql: "UPDATE batch SET built_by = 'binh.tran', built_by_user = ? WHERE id = ?", arguments: [other.userID, b.id]) }
        let checker = try Users(db: db, cost: .testing).authenticate("an.nguyen", password: AppDatabase.testPassword("an.nguyen")).acting(as: .checker)
        #expect { try BatchLifecycle(db: db).approve(batchID: b.id, by: checker) } throws: {
            "\($0)".contains("ghi tài khoản #\(other.userID) là người lập, nhưng nhật ký kiểm toán ghi tài khoản #\(both.userID) đã lập")
        }
        #expect(try BatchReport.load(db, batchID: b.id).status == .draft)
    }

    @Test("A store made before accounts migrates: free-text names become legacy actors, shown as such, and cannot log in")
    func legacyNamesMigrate() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("chitra-legacy-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("old.sqlite").path
        try makePreAccountsStore(at: path) { d in
            try d.execute(sql: "INSERT INTO batch(period, status, built_by, built_at, approved_by, approved_at) VALUES ('2026-11', 'approved', 'Nguyễn Văn An', 't', 'Trần Thị Bình', 't')")
            try d.execute(sql: "INSERT INTO import_file(sha256, kind, name, imported_at, imported_by, rows_total, rows_applied, rows_unchanged, rows_rejected) VALUES ('x','roll','f','t','Nguyễn Văn An',0,0,0,0)")
        }
        let db = try AppDatabase(path: path, auditKeyDirectory: dir.appendingPathComponent("keys"))
        let accounts = try users(db).list()
        #expect(Set(accounts.map(\.fullName)) == ["Nguyễn Văn An", "Trần Thị Bình"])
        #expect(accounts.allSatisfy { $0.kind == .legacy && $0.roles.isEmpty })
        #expect(accounts.first { $0.fullName == "Nguyễn Văn An" }?.display == "\"Nguyễn Văn An\" (tên cũ, không phải tài khoản)")
        let ids = try db.writer.read { try Row.fetchOne($0, sql: "SELECT built_by_user, approved_by_user FROM batch") }!
        #expect((ids["built_by_user"] as Int64?) != nil && (ids["built_by_user"] as Int64?) != (ids["approved_by_user"] as Int64?))
        #expect(throws: IdentityError.wrongCredentials) { try users(db).authenticate("Nguyễn Văn An", password: "anything-at-all") }
        #expect(try !users(db).hasActiveAdmin())
        // Legacy names hold no role and cannot be given one.
        #expect(throws: DatabaseError.self) { try db.writer.write { try $0.execute(sql: "INSERT INTO user_role(user_id, role) VALUES (?, 'checker')", arguments: [ids["built_by_user"] as Int64]) } }
    }
}

/// scrypt through OpenSSL, checked against RFC 7914's test vector.
struct PasswordHashTests {
    @Test("scrypt(\"password\", \"NaCl\", N=1024, r=8, p=16) gives RFC 7914's first 32 bytes")
    func rfc7914Vector() throws {
        let key = try PasswordHash.derive(password: "password", salt: Array("NaCl".utf8), cost: .init(logN: 10, r: 8, p: 16))
        #expect(key.map { String(format: "%02x", $0) }.joined() == "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b373162")
    }

    @Test("A hash verifies its password only; decomposed Vietnamese matches precomposed")
    func verify() throws {
        let h = try PasswordHash.make(password: "Mật khẩu của Hà", cost: .testing)
        #expect(try PasswordHash.verify(password: "Mật khẩu của Hà", against: h))
        #expect(try PasswordHash.verify(password: "Mật khẩu của Hà".decomposedStringWithCanonicalMapping, against: h))
        #expect(try !PasswordHash.verify(password: "Mat khau cua Ha", against: h))
        #expect(try !PasswordHash.verify(password: "Mật khẩu của Hà", against: "scrypt$10$8$1$broken"))
    }
}

/// The seal functions SQLite calls (C API) and the Swift encoding agree byte for byte.
struct SealFunctionTests {
    @Test("chitra_line_seal and chitra_payment_mac equal the HMAC of SealEncoding for NULL, empty, integer, text and blob arguments")
    func cAndSwiftAgree() throws {
        let db = try AppDatabase.temporary()
        let values: [DatabaseValue] = [Int64(7).databaseValue, "CT202612-ABC".databaseValue, "DT0000114".databaseValue, "046150000114".databaseValue,
                                       "allowance".databaseValue, "allowance".databaseValue, "2026-12".databaseValue, Int64(1_250_000).databaseValue,
                                       "BANK-970405".databaseValue, "bank".databaseValue, .null, "".databaseValue,
                                       "Nguyễn Thị Hoà".databaseValue, Data([0, 1, 2, 255]).databaseValue, .null, "NKT".databaseValue]
        let placeholders = values.map { _ in "?" }.joined(separator: ", ")
        let line = try db.writer.read { try Data.fetchOne($0, sql: "SELECT chitra_line_seal(\(placeholders))", arguments: StatementArguments(values)) }
        #expect(line == (try db.auditKey.mac(SealEncoding.encode(tag: "chitra-line-v1", values))))
        let person = Array(values.prefix(PaymentMAC.columns.count))
        let mac = try db.writer.read { try Data.fetchOne($0, sql: "SELECT chitra_payment_mac(\(person.map { _ in "?" }.joined(separator: ", ")))", arguments: StatementArguments(person)) }
        #expect(mac == (try db.auditKey.mac(SealEncoding.encode(tag: "chitra-payment-v1", person))))
        // One value changed, one NULL for an empty string: another seal.
        var other = values; other[11] = .null
        let changed = try db.writer.read { try Data.fetchOne($0, sql: "SELECT chitra_line_seal(\(placeholders))", arguments: StatementArguments(other)) }
        #expect(changed != line)
        // Integers are their decimal digits with a minus sign when negative (zero and the extremes too).
        for (i, n) in [(0, Int64.min), (7, 0), (0, -42), (7, Int64.max)] {
            var ints = values; ints[i] = n.databaseValue
            let seal = try db.writer.read { try Data.fetchOne($0, sql: "SELECT chitra_line_seal(\(placeholders))", arguments: StatementArguments(ints)) }
            #expect(seal == (try db.auditKey.mac(SealEncoding.encode(tag: "chitra-line-v1", ints))), "integer \(n)")
        }
    }
}

/// A copy of `url` in a fresh temporary folder (a roll import writes its rejects beside its input).
func copyToTemp(_ url: URL) throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("chitra-copy-\(UUID())")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let copy = dir.appendingPathComponent(url.lastPathComponent)
    try FileManager.default.copyItem(at: url, to: copy)
    return copy
}
