import ChiTraTestSupport
import Foundation
import Testing

/// Issue 12 through the command line: the messages an officer reads.
@Suite(.serialized) struct ApprovedMoneyCommandTests {
    @Test("batch build refuses a far month and a supplementary batch without a reason, names the batch that already holds an amount; approve stops on open exceptions holding money; an unsigned return from a signing bank is refused",
          .enabled(if: chitraBinary != nil, "needs the chitra executable"))
    func messages() throws {
        let dir = try TempDir()
        // Who acts: the maker an.nguyen, the checker binh.tran, the clerk cuc.le (accounts of ChitraRun.setUpStore).
        let (maker, checker, clerk) = ("an.nguyen", "binh.tran", "cuc.le")
        func run(_ args: [String], as login: String?) throws -> (status: Int32, text: String) { try ChitraRun.run(args, in: dir.url, as: login) }
        func ok(_ args: [String], as login: String? = nil) throws -> String {
            let r = try run(args, as: login)
            try #require(r.status == 0, "\(args): \(r.text)")
            return r.text
        }
        func refused(_ args: [String], as login: String? = nil) throws -> String {
            let r = try run(args, as: login)
            #expect(r.status != 0, "\(args) should be refused: \(r.text)")
            return r.text
        }
        try FileManager.default.copyItem(at: Paths.fixtures.appendingPathComponent("rules/rules-roll.csv"), to: dir.file("roll.csv"))
        try ChitraRun.setUpStore(in: dir.url)
        _ = try ChitraRun.run(["keys", "create", "--id", "k-i12"], in: dir.url, as: ChitraRun.admin)
        _ = try ok(["roll", "import", "roll.csv"], as: maker)

        // Vietnamese by default; the same refusal in English with --lang en.
        #expect(try refused(["batch", "build", "--period", "2036-12", "--as-of", "2026-11-28"], as: maker)
            .contains("tháng 2036-12 cách tháng hiện tại (2026-11) 121 tháng; danh sách chi trả hằng tháng chỉ lập cho tháng này hoặc tháng sau"))
        #expect(try refused(["batch", "build", "--period", "2036-12", "--as-of", "2026-11-28", "--lang", "en"], as: maker)
            .contains("2036-12 is 121 months after the current month (2026-11)"))
        _ = try ok(["batch", "build", "--period", "2026-12", "--as-of", "2026-11-28"], as: maker)
        #expect(try refused(["batch", "approve", "1", "--accept-open-exceptions"], as: checker).contains("--accept-open-exceptions cần ghi chú đã kiểm tra gì"))
        _ = try ok(["batch", "approve", "1"], as: checker)
        #expect(try refused(["batch", "build", "--period", "2026-12", "--supplementary"], as: maker).contains("danh sách chi trả bổ sung tháng 2026-12 cần ghi lý do"))
        #expect(try refused(["batch", "build", "--period", "2026-12", "--supplementary", "--lang", "en"], as: maker).contains("a supplementary batch for 2026-12 needs a reason"))
        let sup = try ok(["batch", "build", "--period", "2026-12", "--supplementary", "--reason", "late decision"], as: maker)
        #expect(sup.contains("16 khoản đã có trong một danh sách chi trả khác đang hiệu lực nên không đưa vào lần nữa: 16 khoản trong danh sách #1 (2026-12, approved)."), "\(sup)")
        _ = try ok(["batch", "cancel", "2", "--reason", "nothing to add"], as: maker)
        _ = try ok(["batch", "export", "1", "--out", "out"], as: maker)

        // BIDV signs its returns (formats/banks.json): the simulator signs as it would; unsigned, the file is refused.
        let bidv = "out/CT202612-B000001-970418.xml"
        _ = try ok(["simulate", bidv, "--out", "unsigned.xml", "--unsigned", "--fail-rate", "0", "--payment-date", "2026-12-05"])
        #expect(try refused(["returns", "import", "unsigned.xml"], as: clerk).contains("gửi tới BIDV (970418), đơn vị luôn ký số kết quả chi trả"))
        #expect(try refused(["returns", "import", "unsigned.xml", "--lang", "en"], as: clerk).contains("BIDV (970418), which signs its returns"))
        // Two signed answers that disagree: rejected, then paid. The second raises a conflicting outcome.
        _ = try ok(["simulate", bidv, "--out", "rejected.xml", "--fail-rate", "1", "--payment-date", "2026-12-05"])
        _ = try ok(["simulate", bidv, "--out", "paid.xml", "--fail-rate", "0", "--payment-date", "2026-12-05"])
        #expect(FileManager.default.fileExists(atPath: dir.file("paid.xml.sig").path))
        _ = try ok(["returns", "import", "rejected.xml"], as: clerk)
        #expect(try ok(["returns", "import", "paid.xml"], as: clerk).contains("; 1 ngoại lệ, 0 dòng lỗi."))

        let jan = try ok(["batch", "build", "--period", "2027-01", "--as-of", "2026-12-20"], as: maker)
        #expect(jan.contains("Ngoại lệ tệp trả về còn mở đang giữ tiền (1; 1 khoản, 1.750.000 đồng)"), "\(jan)")
        #expect(jan.contains("[conflicting_outcome] danh sách chi trả #1"))
        #expect(try refused(["batch", "approve", "3"], as: checker).contains("1 ngoại lệ tệp trả về còn mở đang giữ 1 khoản chi, tổng 1.750.000 đồng"))
        #expect(try refused(["batch", "approve", "3", "--lang", "en"], as: checker).contains("1 open return exceptions hold 1 payments of 1,750,000 VND"))
        let approved = try ok(["batch", "approve", "3", "--accept-open-exceptions", "--note", "BIDV confirms by phone"], as: checker)
        #expect(approved.contains("Đã duyệt khi còn ngoại lệ mở đang giữ 1 khoản chi, tổng 1.750.000 đồng"))
        #expect(try ok(["audit", "show", "--batch", "3"], as: checker).contains("note=BIDV confirms by phone"))
    }
}
