import ChiTraBatch
import ChiTraCore
import ChiTraSigning
import ChiTraStore
import ChiTraTestSupport
import Foundation
import GRDB
import Testing

/// Issue 12, scenario 1: approved lines cannot be changed under the signature, and a person's
/// payment details cannot be changed outside ChiTra, by someone who can write the SQLite file
/// (and so drop and restore triggers) but cannot read the key directory.
@Suite("Sealed approvals and payment details")
struct SealedApprovalTests {
    /// Runs SQL as that attacker: the frozen-batch trigger dropped, the change made, the trigger put back.
    func tamperLines(_ db: AppDatabase, _ sql: String) throws {
        try db.writer.writeWithoutTransaction { d in
            let trigger = try String.fetchOne(d, sql: "SELECT sql FROM sqlite_schema WHERE name = 'payout_line_frozen_update'")!
            try d.execute(sql: "DROP TRIGGER payout_line_frozen_update")
            try d.execute(sql: sql)
            try d.execute(sql: trigger)
        }
    }

    @Test("Account numbers changed on approved lines under a restored trigger: export writes nothing and names the lines; audit verify reports it")
    func changedApprovedLinesAreRefused() throws {
        let s = try ExportSetup()
        let bank = try s.db.writer.read { try Row.fetchAll($0, sql: "SELECT reference, beneficiary_code FROM payout_line WHERE batch_id = ? AND channel = 'bank' ORDER BY id LIMIT 3", arguments: [s.batchID]) }
        #expect(bank.count == 3)
        try tamperLines(s.db, "UPDATE payout_line SET account_no = '9999888877776666' WHERE reference IN ('\(bank.map { $0["reference"] as String }.joined(separator: "','"))')")
        #expect {
            try s.exporter.export(batchID: s.batchID, to: s.out, by: try s.db.actor(.maker))
        } throws: { e in
            let m = "\(e)"
            return m.contains("không xuất được danh sách chi trả #\(s.batchID): 3 dòng đã bị sửa sau khi duyệt (") && bank.allSatisfy { m.contains($0["reference"] as String) } && m.contains("chưa ghi tệp nào")
        }
        #expect(!FileManager.default.fileExists(atPath: s.out.appendingPathComponent("manifest.json").path))
        let findings = try s.db.writer.read { try ApprovalSeal.checkAll($0) }
        #expect(findings.count == 1 && findings[0].changedLineCount == 3)
        // The audit chain itself is intact: the seal, not the chain, catches this.
        #expect(try s.db.verifyAuditChain().ok)
    }

    @Test("An account changed by another process while the files are being written: the export takes its files back and the batch stays approved")
    func changedWhileWriting() throws {
        let s = try ExportSetup()
        var exporter = s.exporter
        let target = try s.db.writer.read { try String.fetchOne($0, sql: "SELECT reference FROM payout_line WHERE batch_id = ? AND channel = 'bank' ORDER BY id LIMIT 1", arguments: [s.batchID])! }
        // Another connection to the same file (another process, as far as SQLite can tell), used
        // once the first file is written: the attacker's change commits between the check before
        // writing and the state change after.
        let path = s.db.path
        final class Once: @unchecked Sendable { var done = false; var error: Error? }
        let once = Once()
        exporter.progress = ProgressReport { _, _ in
            guard !once.done else { return }
            once.done = true
            do {
                let other = try DatabaseQueue(path: path)
                try other.writeWithoutTransaction { d in
                    let trigger = try String.fetchOne(d, sql: "SELECT sql FROM sqlite_schema WHERE name = 'payout_line_frozen_update'")!
                    try d.execute(sql: "DROP TRIGGER payout_line_frozen_update")
                    try d.execute(sql: "UPDATE payout_line SET account_no = '9999888877776666' WHERE reference = ?", arguments: [target])
                    try d.execute(sql: trigger)
                }
            } catch { once.error = error }
        }
        #expect {
            try exporter.export(batchID: s.batchID, to: s.out, by: try s.db.actor(.maker))
        } throws: { e in
            "\(e)".contains("bị thay đổi trong lúc ghi tệp") && "\(e)".contains("1 dòng đã bị sửa sau khi duyệt") && "\(e)".contains(target)
        }
        #expect(once.done && once.error == nil)
        // No payout file, signature or manifest is left, and the batch is still only approved.
        let left = try FileManager.default.contentsOfDirectory(atPath: s.out.path).filter { !$0.hasPrefix(".") }
        #expect(left.isEmpty, "left: \(left)")
        #expect(try s.db.writer.read { try String.fetchOne($0, sql: "SELECT status FROM batch WHERE id = ?", arguments: [s.batchID]) } == "approved")
        #expect(try s.db.writer.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM payout_line WHERE batch_id = ? AND state = 'exported'", arguments: [s.batchID]) } == 0)
    }

    @Test("Replacing the approver, or removing a line, breaks the batch's seal")
    func approverAndLinesAreSealed() throws {
        let s = try ExportSetup()
        let other = try s.db.actor(.checker, login: "someone.else")
        try s.db.writer.write { try $0.execute(sql: "UPDATE batch SET approved_by = 'someone.else', approved_by_user = ? WHERE id = ?", arguments: [other.userID, s.batchID]) }
        #expect { try s.exporter.export(batchID: s.batchID, to: s.out, by: try s.db.actor(.maker)) } throws: { "\($0)".contains("niêm phong phê duyệt không còn khớp") }

        let t = try ExportSetup()
        try t.db.writer.writeWithoutTransaction { d in
            try d.execute(sql: "DROP TRIGGER payout_line_frozen_delete")
            try d.execute(sql: "DELETE FROM payout_line WHERE id = (SELECT max(id) FROM payout_line WHERE batch_id = ?)", arguments: [t.batchID])
        }
        let f = try t.db.writer.read { try ApprovalSeal.check($0, batchID: t.batchID) }
        #expect(f.batchSealDiffers && f.changedLineCount == 0)
        // A forged seal in the batch row no longer matches the one in the approval's audit entry.
        try t.db.writer.write { try $0.execute(sql: "UPDATE batch SET approval_seal = ? WHERE id = ?", arguments: [String(repeating: "0", count: 64), t.batchID]) }
        #expect(try t.db.writer.read { try ApprovalSeal.check($0, batchID: t.batchID) }.auditEntryDiffers)
    }

    @Test("An untouched batch exports, its manifest carries the seal, and the approval's audit entry records it")
    func untouchedBatchExports() throws {
        let s = try ExportSetup()
        _ = try s.exporter.export(batchID: s.batchID, to: s.out, by: try s.db.actor(.maker))
        let manifest = try Manifest.decode(Data(contentsOf: s.out.appendingPathComponent("manifest.json")))
        let stored = try s.db.writer.read { try ApprovalSeal.storedSeal($0, batchID: s.batchID) }
        #expect(manifest.approvalSeal != nil && manifest.approvalSeal == stored)
        let detail = try s.db.writer.read { try String.fetchOne($0, sql: "SELECT detail FROM audit_log WHERE action = 'batch.approve'") }
        #expect(detail?.contains("seal=\(stored!)") == true)
        #expect(try s.db.writer.read { try ApprovalSeal.checkAll($0) }.isEmpty)
    }

    @Test("An account written straight into the store: the build refuses and names the person; a manual update through ChiTra is accepted")
    func paymentDetailsOutsideChiTra() throws {
        let db = try Fixture.rulesStore()
        let code = try db.writer.read { try String.fetchOne($0, sql: "SELECT code FROM beneficiary WHERE channel = 'bank' ORDER BY code LIMIT 1")! }
        try db.writer.write { try $0.execute(sql: "UPDATE beneficiary SET account_no = '1234567890123' WHERE code = ?", arguments: [code]) }
        #expect(try db.writer.read { try PaymentMAC.mismatches($0) } == [code])
        #expect {
            try Fixture.builder(db).build(period: YearMonth("2026-12")!, by: try db.actor(.maker))
        } throws: { e in "\(e)".contains("của 1 đối tượng đã bị sửa ngoài ChiTra") && "\(e)".contains(code) && "\(e)".contains("chưa lập gì") }
        #expect(try db.writer.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM batch") } == 0)
        // No history row and no audit entry were written for that change; the build names it all the same.
        #expect(try db.writer.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM roll_change WHERE field = 'account_no'") } == 0)
    }

    @Test("A dead person made active again, or a grant moved to a higher category, in the store file: the build refuses and names both")
    func amountsAndDeathsOutsideChiTra() throws {
        let db = try Fixture.rulesStore()
        let dead = try db.writer.read { try String.fetchAll($0, sql: "SELECT code FROM beneficiary WHERE death_date IS NOT NULL ORDER BY code") }
        #expect(!dead.isEmpty)
        try db.writer.write { d in
            try d.execute(sql: "UPDATE beneficiary SET death_date = NULL, status = 'active' WHERE code = ?", arguments: [dead[0]])
            try d.execute(sql: "UPDATE grant_record SET category = 'NKT_DAC_BIET_NANG' WHERE code = 'R01'")
        }
        #expect(try db.writer.read { try PaymentMAC.mismatches($0) } == ["R01", dead[0]].sorted())
        #expect {
            try Fixture.builder(db).build(period: YearMonth("2026-12")!, by: try db.actor(.maker))
        } throws: { e in "\(e)".contains("đã bị sửa ngoài ChiTra") && "\(e)".contains("R01") && "\(e)".contains(dead[0]) }
        #expect(try db.writer.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM batch") } == 0)
    }

    @Test("The checker's review lists account, channel and proxy changes since the last batch, masked")
    func reviewListsPaymentChanges() throws {
        let s = try ExportSetup()
        _ = try s.exporter.export(batchID: s.batchID, to: s.out, by: try s.db.actor(.maker))
        // Timestamps have whole seconds: the change must come after December's build.
        Thread.sleep(forTimeInterval: 1.1)
        // January's roll: R01 moved to another account at the same bank.
        var text = try String(contentsOf: Fixture.root.appendingPathComponent("fixtures/rules/rules-roll.csv"), encoding: .utf8)
        text = text.replacingOccurrences(of: ",970405,4001205000101,NGUYEN THI LANH,", with: ",970405,4001205077777,NGUYEN THI LANH,")
        try Fixture.importText(s.db, text)
        let b = try Fixture.builder(s.db).build(period: YearMonth("2027-01")!, by: try s.db.actor(.maker))
        let r = try BatchReport.load(s.db, batchID: b.id)
        #expect(r.changesSinceBatch == s.batchID)
        #expect(r.paymentChanges.map(\.field) == ["account_no"])
        #expect(r.paymentChanges.allSatisfy { $0.code == "R01" && $0.source == "import" })
        let lines = r.vietnameseLines(banks: Fixture.banks)
        #expect(lines.contains { $0.hasPrefix("Thay đổi tài khoản, hình thức nhận hoặc người nhận thay từ khi lập danh sách #\(s.batchID) (1 thay đổi, 1 người)") }, "\(lines)")
        #expect(lines.contains { $0.contains("R01 Nguyễn Thị Lành: số tài khoản *********0101 → *********7777 (từ tệp danh sách") }, "\(lines)")
        #expect(!lines.joined().contains("4001205077777") && !lines.joined().contains("4001205000101"))
        // December's own review, made before the change, listed none.
        #expect(try BatchReport.load(s.db, batchID: s.batchID).paymentChanges.map(\.code).contains("R01") == false)
    }
}
