import ChiTraTestSupport
import Foundation
import Testing

/// Issue 14 through the command line: what `chitra init`, `user`, `keys` and `report` print is
/// Vietnamese by default and English with `--lang en` (`formats/messages/cli.json`).
@Suite(.serialized) struct CLIMessagesLanguageTests {
    @Test("init, user and keys: Vietnamese by default, English with --lang en",
          .enabled(if: chitraBinary != nil, "needs the chitra executable"))
    func initUserKeys() throws {
        let tmp = try TempDir()
        let dir = tmp.url
        let admin = ChitraRun.admin
        var r = try ChitraRun.run(["init", "--admin", admin, "--full-name", "Phạm Văn Quản", "--password-stdin"], in: dir,
                                  input: ChitraRun.password(admin) + "\n")
        try #require(r.status == 0, "\(r.text)")
        #expect(r.text.contains("Đã tạo kho dữ liệu \(dir.appendingPathComponent("s.sqlite").path)."), "\(r.text)")
        #expect(r.text.contains("Quản trị viên đầu tiên: ") && !r.text.contains("First administrator"), "\(r.text)")
        r = try ChitraRun.run(["init", "--lang", "en"], in: dir)
        #expect(r.status == 0 && r.text.contains("already exists; its schema is up to date."), "\(r.text)")

        r = try ChitraRun.run(["user", "add", "an.nguyen", "--role", "maker", "--full-name", "Nguyễn Văn An"], in: dir, as: admin,
                              extraInput: ChitraRun.password("an.nguyen"))
        #expect(r.status == 0 && r.text.contains("với vai trò maker."), "\(r.text)")
        r = try ChitraRun.run(["user", "disable", "an.nguyen"], in: dir, as: admin)
        #expect(r.status == 0 && r.text.contains("Đã vô hiệu hóa tài khoản an.nguyen."), "\(r.text)")
        r = try ChitraRun.run(["user", "enable", "an.nguyen", "--lang", "en"], in: dir, as: admin)
        #expect(r.status == 0 && r.text.contains("Enabled an.nguyen."), "\(r.text)")

        r = try ChitraRun.run(["keys", "list"], in: dir)
        #expect(r.status == 0 && r.text.contains("Chưa có khóa nào trong"), "\(r.text)")
        r = try ChitraRun.run(["keys", "list", "--lang", "en"], in: dir)
        #expect(r.status == 0 && r.text.contains("No keys in"), "\(r.text)")
        r = try ChitraRun.run(["keys", "create", "--id", "bad id!"], in: dir, as: admin)
        #expect(r.status != 0 && r.text.contains("Mã khóa \"bad id!\" không hợp lệ"), "\(r.text)")
        // A command that fails as it runs starts its refusal with the Vietnamese word for error,
        // not ArgumentParser's English one (which stays for usage errors like the one above).
        r = try ChitraRun.run(["user", "disable", "khong.co"], in: dir, as: admin)
        #expect(r.status == 1 && r.text.hasPrefix("Lỗi: ") && !r.text.contains("Error:"), "\(r.text)")
        r = try ChitraRun.run(["user", "disable", "khong.co", "--lang", "en"], in: dir, as: admin)
        #expect(r.status == 1 && r.text.hasPrefix("Error: "), "\(r.text)")
        r = try ChitraRun.run(["keys", "create", "--id", "k1"], in: dir, as: admin)
        #expect(r.status == 0 && r.text.contains("Đã tạo khóa k1 (giá trị kiểm tra "), "\(r.text)")
        r = try ChitraRun.run(["keys", "rotate", "--id", "k2", "--lang", "en"], in: dir, as: admin)
        #expect(r.status == 0 && r.text.contains("Key k2 (check value ") && r.text.contains("the previous key (k1) is kept"), "\(r.text)")
    }

    @Test("report periodic on a store without exported batches: the summary and the file written, in Vietnamese and in English",
          .enabled(if: chitraBinary != nil, "needs the chitra executable"))
    func periodicReport() throws {
        let tmp = try TempDir()
        let dir = tmp.url
        try ChitraRun.setUpStore(in: dir)
        var r = try ChitraRun.run(["report", "periodic", "--period", "2026-H2", "--csv", "bao-cao.csv"], in: dir, as: "ha.le")
        try #require(r.status == 0, "\(r.text)")
        #expect(r.text.contains("Báo cáo trợ giúp xã hội thường xuyên 6 tháng cuối năm 2026 (0 đợt chi đã gửi):"), "\(r.text)")
        #expect(r.text.contains("Tổng: 0 người (0 đã nhận), 0 khoản, đã chi 0 đồng"), "\(r.text)")
        #expect(r.text.contains("Đã ghi bao-cao.csv") && !r.text.contains("Wrote"), "\(r.text)")
        r = try ChitraRun.run(["report", "periodic", "--period", "2026-H2", "--csv", "report.csv", "--lang", "en"], in: dir, as: "ha.le")
        try #require(r.status == 0, "\(r.text)")
        #expect(r.text.contains("Report on regular social assistance, 2026-07..2026-12 (0 exported batches):"), "\(r.text)")
        #expect(r.text.contains("Total: 0 people (0 paid), 0 payments, paid 0 VND"), "\(r.text)")
        #expect(r.text.contains("Wrote report.csv"), "\(r.text)")
        r = try ChitraRun.run(["report", "periodic", "--period", "2026-H3", "--csv", "x.csv"], in: dir, as: "ha.le")
        #expect(r.status != 0 && r.text.contains("--period 2026-H3: không phải kỳ báo cáo"), "\(r.text)")
        r = try ChitraRun.run(["report", "periodic", "--period", "2026-H2", "--lang", "en"], in: dir, as: "ha.le")
        #expect(r.status != 0 && r.text.contains("say where to write the paper: --pdf FILE and/or --csv FILE"), "\(r.text)")
    }

    @Test("gaps: the files written, a follow-up recorded and a case's history, in Vietnamese and in English",
          .enabled(if: chitraBinary != nil, "needs the chitra executable"))
    func gaps() throws {
        let tmp = try TempDir()
        let dir = tmp.url
        try ChitraRun.setUpStore(in: dir)
        try FileManager.default.copyItem(at: Paths.fixtures.appendingPathComponent("rules/rules-roll.csv"), to: dir.appendingPathComponent("roll.csv"))
        var r = try ChitraRun.run(["roll", "import", "roll.csv"], in: dir, as: "an.nguyen")
        try #require(r.status == 0, "\(r.text)")
        r = try ChitraRun.run(["gaps", "--as-of", "2026-11-23", "--csv", "g.csv"], in: dir, as: "ha.le")
        #expect(r.status == 0 && r.text.contains("Đã ghi tệp CSV: g.csv") && r.text.contains("trường hợp cần xử lý trên"), "\(r.text)")
        r = try ChitraRun.run(["gaps", "--as-of", "2026-11-23", "--csv", "g-en.csv", "--lang", "en"], in: dir, as: "ha.le")
        #expect(r.status == 0 && r.text.contains("Wrote the CSV file: g-en.csv") && r.text.contains("cases to follow up among"), "\(r.text)")
        r = try ChitraRun.run(["gaps", "record", "R01", "--status", "visit-planned", "--note", "hẹn thứ Năm"], in: dir, as: "ha.le")
        #expect(r.status == 0 && r.text.contains("Đã ghi nhận cho R01: Đã hẹn đến nhà — hẹn thứ Năm (ha.le, "), "\(r.text)")
        r = try ChitraRun.run(["gaps", "history", "R01", "--as-of", "2026-11-23"], in: dir, as: "ha.le")
        #expect(r.status == 0 && r.text.contains("Lịch sử theo dõi của R01:") && r.text.contains("Đã hẹn đến nhà"), "\(r.text)")
        r = try ChitraRun.run(["gaps", "history", "R01", "--as-of", "2026-11-23", "--lang", "en"], in: dir, as: "ha.le")
        #expect(r.status == 0 && r.text.contains("Follow-up history of R01:") && r.text.contains("visit-planned"), "\(r.text)")
        #expect(!r.text.contains("Lịch sử theo dõi"), "\(r.text)")
        r = try ChitraRun.run(["gaps", "--as-of", "2026-02-30"], in: dir, as: "ha.le")
        #expect(r.status != 0 && r.text.contains("--as-of 2026-02-30: không phải ngày có thật"), "\(r.text)")
        r = try ChitraRun.run(["gaps", "--as-of", "2026-02-30", "--lang", "en"], in: dir, as: "ha.le")
        #expect(r.status != 0 && r.text.contains("--as-of 2026-02-30: not a real date; write it YYYY-MM-DD"), "\(r.text)")
    }

    @Test("an exported batch: the payment list's summary and the reconciliation, Vietnamese by default and English with --lang en",
          .enabled(if: chitraBinary != nil, "needs the chitra executable"))
    func paymentListAndReconciliation() throws {
        let tmp = try TempDir()
        let dir = tmp.url
        try ChitraRun.setUpStore(in: dir)
        try FileManager.default.copyItem(at: Paths.fixtures.appendingPathComponent("rules/rules-roll.csv"), to: dir.appendingPathComponent("roll.csv"))
        for (args, login) in [(["keys", "create", "--id", "k1"], ChitraRun.admin), (["roll", "import", "roll.csv"], "an.nguyen"),
                              (["batch", "build", "--period", "2026-12", "--as-of", "2026-11-28"], "an.nguyen"),
                              (["batch", "approve", "1"], "binh.tran"), (["batch", "export", "1", "--out", "out"], "an.nguyen")] {
            let r = try ChitraRun.run(args, in: dir, as: login)
            try #require(r.status == 0, "\(args): \(r.text)")
        }
        var r = try ChitraRun.run(["report", "payment-list", "1", "--csv", "ds.csv"], in: dir, as: "ha.le")
        #expect(r.status == 0 && r.text.contains("Danh sách chi trả tháng 12/2026, đợt #1 (") && r.text.contains("Đã ghi ds.csv"), "\(r.text)")
        r = try ChitraRun.run(["report", "payment-list", "1", "--csv", "list.csv", "--lang", "en"], in: dir, as: "ha.le")
        #expect(r.status == 0 && r.text.contains("Payment list for 12/2026, batch #1 (") && r.text.contains("Wrote list.csv"), "\(r.text)")
        #expect(r.text.contains(" people, ") && !r.text.contains(" người, "), "\(r.text)")

        // Nothing returned yet: every payment sent is still without a result, and the parts add up.
        r = try ChitraRun.run(["batch", "reconcile", "1"], in: dir, as: "cuc.le")
        #expect(r.text.contains("Đối chiếu danh sách chi trả #1 — tháng 12/2026"), "\(r.text)")
        #expect(r.text.contains("  Đã chi: 0 khoản, 0 đồng") && r.text.contains("Khớp: đã gửi = đã chi + chưa chi"), "\(r.text)")
        r = try ChitraRun.run(["batch", "reconcile", "1", "--lang", "en"], in: dir, as: "cuc.le")
        #expect(r.text.contains("Reconciliation of payment list #1 — month 12/2026"), "\(r.text)")
        #expect(r.text.contains("  Paid: 0 payments, 0 VND") && r.text.contains("Balanced: sent = paid + not paid"), "\(r.text)")
        #expect(!r.text.contains("Đã gửi"), "\(r.text)")
    }

    @Test("A month typed the wrong way is refused in Vietnamese by default, in English with --lang en",
          .enabled(if: chitraBinary != nil, "needs the chitra executable"))
    func optionErrors() throws {
        let tmp = try TempDir()
        let dir = tmp.url
        try ChitraRun.setUpStore(in: dir)
        var r = try ChitraRun.run(["batch", "build", "--period", "2026-13"], in: dir, as: "an.nguyen")
        #expect(r.status != 0 && r.text.contains("--period phải có dạng YYYY-MM (năm-tháng), ví dụ 2026-12"), "\(r.text)")
        r = try ChitraRun.run(["batch", "build", "--period", "2026-13", "--lang", "en"], in: dir, as: "an.nguyen")
        #expect(r.status != 0 && r.text.contains("--period must be YYYY-MM, e.g. 2026-12"), "\(r.text)")
        r = try ChitraRun.run(["exceptions", "resolve", "3", "--resolution", "xoa", "--note", "x"], in: dir)
        #expect(r.status != 0 && r.text.contains("--resolution phải là dismiss (bỏ qua) hoặc apply (áp dụng)"), "\(r.text)")
    }
}
