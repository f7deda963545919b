import ChiTraTestSupport
import Foundation
import GRDB
import Testing

/// Issue 15 through the command line: `chitra funeral` (maker, audited), the roll's warnings.
@Suite(.serialized) struct FuneralCommandTests {
    @Test("funeral add records 10,000,000 for R09 (died 15/10/2026), a second add is refused, list shows it, the build pays the organiser; the roll import prints its warnings",
          .enabled(if: chitraBinary != nil, "needs the chitra executable"))
    func funeralThroughTheCLI() throws {
        let dir = try Fixture.tempDir()
        try ChitraRun.setUpStore(in: dir)
        try FileManager.default.copyItem(at: Fixture.root.appendingPathComponent("fixtures/rules/rules-roll.csv"), to: dir.appendingPathComponent("roll.csv"))
        var r = try ChitraRun.run(["roll", "import", "roll.csv"], in: dir, as: "an.nguyen")
        try #require(r.status == 0, "\(r.text)")
        let add = ["funeral", "add", "R09", "--organiser", "Đỗ Văn Tám", "--organiser-id", "046078000301", "--relation", "Con",
                   "--decision", "45/QĐ-UBND", "--date", "20/10/2026", "--channel", "bank", "--bin", "970436",
                   "--account", "0071000123456", "--account-name", "DO VAN TAM"]
        // Not a maker: refused, nothing recorded.
        r = try ChitraRun.run(add, in: dir, as: "binh.tran")
        #expect(r.status != 0 && r.text.contains("maker"), "\(r.text)")
        r = try ChitraRun.run(add, in: dir, as: "an.nguyen")
        #expect(r.status == 0, "\(r.text)")
        #expect(r.text.contains("Đã ghi hồ sơ hỗ trợ mai táng phí #1: R09 Đỗ Văn Bảy, mất ngày 15/10/2026."), "\(r.text)")
        #expect(r.text.contains("số tiền 10.000.000 đồng = 20 × mức chuẩn 500.000 đồng tại tháng mất"), "\(r.text)")
        #expect(r.text.contains("*********3456") && !r.text.contains("0071000123456") && !r.text.contains("046078000301"), "\(r.text)")
        r = try ChitraRun.run(add, in: dir, as: "an.nguyen")
        #expect(r.status != 0 && r.text.contains("hỗ trợ mai táng cho R09 đã có hồ sơ #1"), "\(r.text)")
        r = try ChitraRun.run(["funeral", "list"], in: dir, as: "cuc.le")
        #expect(r.status == 0 && r.text.contains("#1 R09 Đỗ Văn Bảy, mất ngày 15/10/2026 — chờ đợt chi trả tiếp theo"), "\(r.text)")
        r = try ChitraRun.run(["funeral", "list", "--lang", "en"], in: dir, as: "cuc.le")
        #expect(r.status == 0 && r.text.contains("#1 R09 Đỗ Văn Bảy, died 15/10/2026 — waiting for the next batch"), "\(r.text)")
        #expect(r.text.contains("Decision 45/QĐ-UBND of 20/10/2026; amount 10,000,000 VND = ") && !r.text.contains("Quyết định"), "\(r.text)")
        // A beneficiary's details set again as they are: nothing changes, said in each language.
        r = try ChitraRun.run(["beneficiary", "set-account", "R01", "--channel", "post_cash"], in: dir, as: "an.nguyen")
        #expect(r.status == 0, "\(r.text)")
        r = try ChitraRun.run(["beneficiary", "set-account", "R01", "--channel", "post_cash"], in: dir, as: "an.nguyen")
        #expect(r.status == 0 && r.text.contains("R01: không có gì thay đổi (thông tin đã như vậy)."), "\(r.text)")
        r = try ChitraRun.run(["beneficiary", "set-account", "R01", "--channel", "post_cash", "--lang", "en"], in: dir, as: "an.nguyen")
        #expect(r.status == 0 && r.text.contains("R01: nothing changed (the details were already so)."), "\(r.text)")
        r = try ChitraRun.run(["batch", "build", "--period", "2026-12", "--as-of", "2026-11-28", "--json"], in: dir, as: "an.nguyen")
        #expect(r.status == 0 && r.text.contains("\"controlSum\" : 24750000"), "\(r.text)")
        r = try ChitraRun.run(["explain", "R09", "--period", "2026-12"], in: dir, as: "cuc.le")
        #expect(r.text.contains("Hỗ trợ mai táng phí (hồ sơ #1, quyết định 45/QĐ-UBND): 10.000.000 đồng") && r.text.contains("trong đợt dự thảo #1"), "\(r.text)")
        let db = try DatabaseQueue(path: dir.appendingPathComponent("s.sqlite").path)
        let audit = try db.read { try String.fetchAll($0, sql: "SELECT action FROM audit_log WHERE entity = 'funeral_claim'") }
        try db.close()
        #expect(audit == ["funeral.add"])

        // The roll's warnings, per line.
        let roll = """
        code,full_name,birth_date,sex,personal_id,commune,village,category,decision_no,decision_date,start_month,status,channel
        W02,Nguyễn Văn Hai,10/05/1954,Nam,046054000002,Phường Hương Trà,Tổ 1,HUU_TRI_XA_HOI,2/QĐ-UBND,01/08/2025,08/2025,Đang hưởng,Tiền mặt tại bưu điện

        """
        try Data(roll.utf8).write(to: dir.appendingPathComponent("w.csv"))
        r = try ChitraRun.run(["roll", "import", "w.csv", "--lang", "en"], in: dir, as: "an.nguyen")
        #expect(r.status == 0, "\(r.text)")
        #expect(r.text.contains("Warnings (1)"), "\(r.text)")
        #expect(r.text.contains("w.csv, line 2, W02 [HUU_TRI_XA_HOI]: no month from 08/2025 to"), "\(r.text)")
    }
}
