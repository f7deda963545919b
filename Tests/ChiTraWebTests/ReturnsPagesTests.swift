import ChiTraBatch
import ChiTraCore
import ChiTraReturns
import ChiTraRoll
import ChiTraSigning
import ChiTraStore
import ChiTraWeb
import Foundation
import GRDB
import Hummingbird
import HummingbirdTesting
import XCTest
import ZIPFoundation

/// The hand-made roll (fixtures/rules) in the harness's store, December 2026 built by test.maker,
/// approved by test.checker and exported (signed) by test.maker; return files written by hand
/// about its lines and signed as a bank signs them (the store's active key).
struct ReturnsWebSetup {
    let h: WebHarness
    let keys: KeyStore
    let batchID: Int64
    static let formats = WebHarness.formats
    static let root = WebHarness.formats.deletingLastPathComponent()

    init() throws {
        h = try WebHarness()
        let tariff = try Tariff.load(from: Self.formats.appendingPathComponent("tariff.json"))
        let banks = try BankDirectory.load(from: Self.formats.appendingPathComponent("banks.json"))
        let payer = try Payer.load(from: Self.formats.appendingPathComponent("payer.json"))
        let roll = h.dir.appendingPathComponent("rules-roll.csv")
        try FileManager.default.copyItem(at: Self.root.appendingPathComponent("fixtures/rules/rules-roll.csv"), to: roll)
        _ = try RollImporter(db: h.db, validator: RollValidator(tariff: tariff, banks: banks, today: CivilDate(year: 2026, month: 11, day: 23)!),
                             actor: try h.db.actor(.maker)).importFile(roll)
        keys = KeyStore(directory: h.dir.appendingPathComponent("keys"))
        _ = try keys.create(id: "k1")
        var builder = BatchBuilder(db: h.db, tariff: tariff, banks: banks, payer: payer)
        builder.today = YearMonth("2026-11")!
        batchID = try builder.build(period: YearMonth("2026-12")!, by: try h.db.actor(.maker)).id
        try BatchLifecycle(db: h.db).approve(batchID: batchID, by: try h.db.actor(.checker))
        _ = try BatchExporter(db: h.db, payer: payer, banks: banks,
                              formats: try PayoutFormats.load(from: Self.formats.appendingPathComponent("payout-formats.json")), keys: keys)
            .export(batchID: batchID, to: h.dir.appendingPathComponent("out"), by: try h.db.actor(.maker))
    }

    struct Line: Sendable { let reference: String; let account: String; let amount: Int64; let group: String }

    /// The December allowance line of `code`.
    func line(_ code: String) throws -> Line {
        try h.db.writer.read {
            let r = try Row.fetchOne($0, sql: "SELECT * FROM payout_line WHERE batch_id = ? AND beneficiary_code = ? AND for_month = '2026-12' AND kind = 'allowance'",
                                     arguments: [batchID, code])!
            return Line(reference: r["reference"], account: r["account_no"], amount: r["amount"], group: r["group_key"])
        }
    }

    func state(_ reference: String) throws -> String {
        try h.db.writer.read { try PayoutLines.state($0, reference: reference)!.rawValue }
    }

    func count(_ sql: String) throws -> Int { try h.db.writer.read { try Int.fetchOne($0, sql: sql)! } }

    /// A bank CSV return (formats/return-formats.md) about lines of the batch.
    func bankReturn(_ rows: [(code: String, amount: Int64?, status: String, reason: String)]) throws -> Data {
        var s = "reference,account_no,amount,currency,status,reason_code,reason_text,value_date\r\n"
        for r in rows {
            let l = try line(r.code)
            s += "\(l.reference),\(l.account),\(r.amount ?? l.amount),VND,\(r.status),\(r.reason),,2026-12-05\r\n"
        }
        return Data(s.utf8)
    }

    /// The detached signature (`NAME.sig`) of `data` under the name `name`, with the active key.
    func signature(_ data: Data, name: String) throws -> Data {
        let dir = h.dir.appendingPathComponent("sign-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appendingPathComponent(name)
        try data.write(to: url)
        _ = try DetachedSignature.sign(file: url, with: try keys.activeKey())
        return try Data(contentsOf: DetachedSignature.signatureURL(for: url))
    }

    /// The control sum of the batch (what was sent).
    var controlSum: Int64 { get throws { try h.db.writer.read { try Int64.fetchOne($0, sql: "SELECT control_sum FROM batch WHERE id = ?", arguments: [batchID])! } } }
}

extension Browser {
    /// A multipart upload of several files under the field `file`, with text fields (CSRF first).
    @discardableResult
    func uploadFiles(_ client: some TestClientProtocol, _ path: String, fields: [String: String] = [:],
                     files: [(name: String, data: Data)]) async throws -> TestResponse {
        let boundary = "----chitra-test-\(UUID().uuidString)"
        var body = Data()
        var all = fields
        if all["csrf"] == nil, let csrf { all["csrf"] = csrf }
        for (k, v) in all.sorted(by: { $0.key == "csrf" ? true : $1.key == "csrf" ? false : $0.key < $1.key }) {
            body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(k)\"\r\n\r\n\(v)\r\n".utf8))
        }
        for f in files {
            body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(f.name)\"\r\nContent-Type: application/octet-stream\r\n\r\n".utf8))
            body.append(f.data)
            body.append(Data("\r\n".utf8))
        }
        body.append(Data("--\(boundary)--\r\n".utf8))
        var headers = cookieHeader
        headers[.contentType] = "multipart/form-data; boundary=\(boundary)"
        let r = try await client.execute(uri: path, method: .post, headers: headers, body: ByteBuffer(bytes: body))
        remember(r)
        return r
    }
}

/// The text of an HTML page without its tags, spaces collapsed (what a person reads).
func readable(_ html: String) -> String {
    var out = html.replacingOccurrences(of: "<[^>]+>", with: " ", options: .regularExpression)
    for (e, c) in [("&amp;", "&"), ("&quot;", "\""), ("&#39;", "'"), ("&lt;", "<"), ("&gt;", ">")] { out = out.replacingOccurrences(of: e, with: c) }
    return out.replacingOccurrences(of: "\\s+", with: " ", options: .regularExpression)
}

final class ReturnsPagesTests: XCTestCase {
    func testClerkUploadsASignedReturnAndTheReconciliationBalancesToTheDong() async throws {
        let s = try ReturnsWebSetup()
        let r01 = try s.line("R01"), r04 = try s.line("R04"), r06 = try s.line("R06")
        // Worked out by hand from the tariff: R01 1,000,000 paid; R04 1,250,000 and R06 1,000,000 not paid.
        XCTAssertEqual(r01.amount, 1_000_000)
        XCTAssertEqual(r04.amount, 1_250_000)
        XCTAssertEqual(r06.amount, 1_000_000)
        XCTAssertEqual(r01.group, "BANK-970405")
        let name = "CT202612-B000001-970405.return.csv"
        let file = try s.bankReturn([("R01", nil, "PAID", ""), ("R04", nil, "REJECTED", "AC04"), ("R06", nil, "REJECTED", "MS03")])
        let sig = try s.signature(file, name: name)
        let sent = try s.controlSum

        try await s.h.app.test(.router) { client in
            let b = Browser()
            _ = try await b.login(client, "test.clerk")
            let index = try await b.get(client, "/returns")
            XCTAssertEqual(index.status, .ok)
            XCTAssertTrue(b.lastBody.contains("<input type=\"file\" name=\"file\" multiple"), "the upload form takes several files")
            XCTAssertTrue(b.lastBody.contains("Bắt buộc có chữ ký"))
            XCTAssertTrue(b.lastBody.contains("href=\"/returns/reconcile/\(s.batchID)\""), "a link to the batch's reconciliation")
            XCTAssertTrue(b.lastBody.contains("Chưa nhập tệp kết quả nào."))

            let up = try await b.uploadFiles(client, "/returns/upload", files: [(name, file), (name + ".sig", sig)])
            XCTAssertEqual(up.status, .ok, readable(b.lastBody))
            let result = readable(b.lastBody)
            XCTAssertTrue(result.contains("Đã nhập xong 1 tệp."), result)
            XCTAssertTrue(result.contains(name))
            XCTAssertTrue(result.contains("Chữ ký số hợp lệ"), result)
            XCTAssertTrue(result.contains("Số dòng 3 "), result)
            XCTAssertTrue(result.contains("Đã chi 1 "), result)
            XCTAssertTrue(result.contains("Không chi được 2 "), result)
            XCTAssertTrue(result.contains("Đang xử lý 0 "), result)
            XCTAssertTrue(result.contains("Ngoại lệ 0"), result)
            // AC04 (closed account) raises a to-do for R04, said in Vietnamese.
            XCTAssertTrue(result.contains("R04 : tài khoản bị ngân hàng từ chối — cần cập nhật tài khoản"), result)
            XCTAssertFalse(result.contains("account_rejected"), result)
            XCTAssertEqual(try s.state(r01.reference), "paid")
            XCTAssertEqual(try s.state(r04.reference), "failed")
            // Recorded under its own name, by the clerk's account.
            XCTAssertEqual(try s.count("SELECT count(*) FROM import_file WHERE kind = 'return' AND name = '\(name)' AND imported_by = 'test.clerk'"), 1)

            // The list of files imported.
            _ = try await b.get(client, "/returns")
            let list = readable(b.lastBody)
            XCTAssertTrue(list.contains(name) && list.contains("CSV ngân hàng") && list.contains("hợp lệ"), list)
            XCTAssertTrue(list.contains("test.clerk"), list)

            // The reconciliation, to the đồng.
            let rec = try await b.get(client, "/returns/reconcile/\(s.batchID)")
            XCTAssertEqual(rec.status, .ok)
            let page = readable(b.lastBody)
            XCTAssertTrue(page.contains("Khớp đến từng đồng."), page)
            let awaiting = sent - 3_250_000
            let equation = "\(Show.money(sent)) đã gửi = 1.000.000 đ đã chi + 2.250.000 đ không chi được + 0 đ đang xử lý + \(Show.money(awaiting)) chưa có kết quả"
            XCTAssertTrue(page.contains(equation), "expected «\(equation)» in \(page)")
            XCTAssertTrue(page.contains("Agribank (970405)"), page)
            XCTAssertTrue(page.contains("Tài khoản đã đóng 1 1.250.000 đ"), "AC04 by reason, in Vietnamese: \(page)")
            XCTAssertTrue(page.contains("Lý do khác, cần xem xét 1 1.000.000 đ"), page)
            XCTAssertTrue(page.contains("Tổng không chi được: 2 khoản, 2.250.000 đ"), page)
            // AC04 (closed account) waits for a new account; MS03 (transient) is paid again next month.
            XCTAssertTrue(page.contains("Chờ cập nhật tài khoản (hoặc chi qua bưu điện nếu xã cho phép) 1 1.250.000 đ"), page)
            XCTAssertTrue(page.contains("Sẽ chuyển sang bảng chi kế tiếp khi lập: 1 khoản, 1.000.000 đ"), page)
            XCTAssertTrue(page.contains("Phạm Thị Hoa"), "the failed lines are listed: \(page)")
            // The fee on what Agribank actually paid: 0.1 % × 1,000,000 = 1,000 đ (payer.json), the only payment made.
            XCTAssertTrue(page.contains("Chi phí chi trả"), page)
            XCTAssertTrue(page.contains("1.000.000 đ (1 khoản) 0,1% 1.000 đ"), "Agribank's fee: \(page)")
            XCTAssertEqual(rec.headers[.init("Server-Timing")!]?.contains("built"), true)
            let again = try await b.get(client, "/returns/reconcile/\(s.batchID)")
            XCTAssertEqual(again.headers[.init("Server-Timing")!]?.contains("cache"), true, "the second request comes from the cache")
            XCTAssertTrue(readable(b.lastBody).contains(equation))

            // The accountant CSV.
            let csv = try await b.get(client, "/returns/reconcile/\(s.batchID)/csv")
            XCTAssertEqual(csv.status, .ok)
            XCTAssertEqual(csv.headers[.contentType], "text/csv; charset=utf-8")
            XCTAssertTrue(csv.headers[.contentDisposition]?.contains("doi-chieu-2026-12-B\(s.batchID).csv") ?? false)
            let text = String(buffer: csv.body)
            XCTAssertTrue(text.hasPrefix("\u{FEFF}Mã tham chiếu,"))
            XCTAssertTrue(text.contains("\(r04.reference),R04,Phạm Thị Hoa"), text)

            // The same reconciliation as an Excel workbook: the sheet "Đối chiếu" with the 1,000,000 đ paid as a number.
            let xlsx = try await b.get(client, "/returns/reconcile/\(s.batchID)/xlsx")
            XCTAssertEqual(xlsx.status, .ok)
            XCTAssertEqual(xlsx.headers[.contentType], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            XCTAssertTrue(xlsx.headers[.contentDisposition]?.contains("doi-chieu-2026-12-B\(s.batchID).xlsx") ?? false)
            let archive = try Archive(data: Data(buffer: xlsx.body), accessMode: .read)
            func part(_ path: String) throws -> String {
                var out = Data()
                _ = try archive.extract(try XCTUnwrap(archive[path], path)) { out.append($0) }
                return String(decoding: out, as: UTF8.self)
            }
            XCTAssertTrue(try part("xl/workbook.xml").contains("name=\"Đối chiếu\""))
            XCTAssertTrue(try part("xl/worksheets/sheet1.xml").contains("<v>1000000</v>"))

            // The same file again changes nothing.
            _ = try await b.uploadFiles(client, "/returns/upload", files: [(name, file), (name + ".sig", sig)])
            XCTAssertTrue(readable(b.lastBody).contains("Tệp này đã được nhập lúc"), readable(b.lastBody))
            XCTAssertEqual(try s.count("SELECT count(*) FROM import_file WHERE kind = 'return'"), 1)

            // A new return changes the mark: the page is computed again and shows it.
            let second = try s.bankReturn([("R01", 1_100_000, "PAID", "")])
            _ = try await b.uploadFiles(client, "/returns/upload", files: [("agribank-2.csv", second), ("agribank-2.csv.sig", try s.signature(second, name: "agribank-2.csv"))])
            XCTAssertTrue(readable(b.lastBody).contains("Số tiền khác số đã gửi"), readable(b.lastBody))
            // The store changed: the page is built again. Until the new figures are ready (40 ms
            // here, seconds at 100,000 lines) the previous ones are shown with a notice saying so.
            var after = try await b.get(client, "/returns/reconcile/\(s.batchID)")
            var built = after.headers[.init("Server-Timing")!]?.contains("built") == true
            for _ in 0..<100 where !built {
                XCTAssertTrue(readable(b.lastBody).contains("Số liệu đang được cập nhật"), "stale figures are marked as such: \(readable(b.lastBody))")
                try await Task.sleep(nanoseconds: 50_000_000)
                after = try await b.get(client, "/returns/reconcile/\(s.batchID)")
                built = !readable(b.lastBody).contains("Số liệu đang được cập nhật")
            }
            XCTAssertTrue(built, "the store changed: built again")
            XCTAssertTrue(readable(b.lastBody).contains("1 ngoại lệ chờ xử lý cho bảng chi này"), readable(b.lastBody))
        }
    }

    func testAForgedOrUnsignedFileIsRefusedAndNothingIsApplied() async throws {
        let s = try ReturnsWebSetup()
        let r01 = try s.line("R01")
        let good = try s.bankReturn([("R01", nil, "PAID", "")])
        let goodSig = try s.signature(good, name: "a.csv")
        // The bank's file with one line changed after signing: R04 turned into "paid".
        let honest = try s.bankReturn([("R04", nil, "REJECTED", "AC04")])
        let honestSig = try s.signature(honest, name: "b.csv")
        let forged = try s.bankReturn([("R04", nil, "PAID", "")])

        try await s.h.app.test(.router) { client in
            let b = Browser()
            _ = try await b.login(client, "test.clerk")
            _ = try await b.get(client, "/returns")

            // Unsigned, with "signature required".
            var r = try await b.uploadFiles(client, "/returns/upload", fields: ["requireSignature": "1"], files: [("a.csv", good)])
            XCTAssertEqual(r.status, .badRequest)
            var page = readable(b.lastBody)
            XCTAssertTrue(page.contains("Tệp a.csv bị từ chối: không kèm tệp chữ ký a.csv.sig, trong khi đã chọn \"bắt buộc có chữ ký\". Không có gì được nhập từ tệp này; chọn cả tệp .sig rồi tải lại."), page)
            // Said once, in the page's words: not the command line's option.
            XCTAssertFalse(page.contains("--require-signature"), page)
            XCTAssertTrue(page.contains("Đã nhập không có"), page)
            XCTAssertEqual(try s.state(r01.reference), "exported")
            XCTAssertEqual(try s.count("SELECT count(*) FROM import_file WHERE kind = 'return'"), 0)

            // Unsigned without the box: Agribank signs its returns (banks.json), so refused all the same.
            r = try await b.uploadFiles(client, "/returns/upload", files: [("a.csv", good)])
            XCTAssertEqual(r.status, .badRequest)
            page = readable(b.lastBody)
            XCTAssertTrue(page.contains("Tệp a.csv bị từ chối: không kèm tệp chữ ký a.csv.sig, nhưng nó báo kết quả cho các khoản gửi tới Agribank (970405), đơn vị luôn ký số kết quả chi trả. Tệp không có chữ ký có thể là giả mạo. Không có gì được nhập; đề nghị đơn vị gửi tệp đã ký cùng tệp .sig."), page)
            XCTAssertFalse(page.contains("formats/banks.json"), page)
            XCTAssertEqual(try s.count("SELECT count(*) FROM return_line"), 0)

            // Forged: b.csv's signature beside a changed b.csv. A good file before it is kept, the one after it waits.
            r = try await b.uploadFiles(client, "/returns/upload", fields: ["requireSignature": "1"],
                                        files: [("a.csv", good), ("a.csv.sig", goodSig), ("b.csv", forged), ("b.csv.sig", honestSig), ("c.csv", honest)])
            XCTAssertEqual(r.status, .badRequest)
            page = readable(b.lastBody)
            XCTAssertTrue(page.contains("Tệp b.csv bị từ chối và việc nhập đã dừng lại ở tệp đó."), page)
            XCTAssertTrue(page.contains("Tệp b.csv bị từ chối: chữ ký số (b.csv.sig) không khớp — tệp đã bị sửa, hoặc được ký bằng khoá khác. Không có gì được nhập từ tệp này; đề nghị đơn vị gửi lại tệp có chữ ký đúng. Kết quả kiểm tra: ĐÃ BỊ SỬA: b.csv không khớp chữ ký số (khoá "), page)
            // The advice once; not the advice for files ChiTra sends ("không gửi tệp này").
            XCTAssertEqual(page.components(separatedBy: "đề nghị đơn vị gửi lại tệp có chữ ký đúng").count, 2, page)
            XCTAssertFalse(page.contains("không gửi tệp này"), page)
            XCTAssertTrue(page.contains("Đã nhập a.csv"), page)
            XCTAssertTrue(page.contains("Chưa nhập b.csv, c.csv"), page)
            XCTAssertTrue(page.contains("Chưa nhập: dừng lại vì tệp b.csv bị từ chối."), page)
            XCTAssertEqual(try s.state(r01.reference), "paid", "the file before the refused one stays imported")
            XCTAssertEqual(try s.state(try s.line("R04").reference), "exported", "the forged line changed nothing")
            XCTAssertEqual(try s.count("SELECT count(*) FROM import_file WHERE kind = 'return'"), 1)

            // Nothing chosen, or only a signature.
            r = try await b.uploadFiles(client, "/returns/upload", files: [("b.csv.sig", honestSig)])
            XCTAssertEqual(r.status, .badRequest)
            XCTAssertTrue(readable(b.lastBody).contains("Chỉ có tệp chữ ký (.sig)"))

            // Only a clerk imports.
            let checker = Browser()
            _ = try await checker.login(client, "test.checker")
            _ = try await checker.get(client, "/returns")
            XCTAssertTrue(checker.lastBody.contains("Chỉ kế toán đối soát được nhập tệp kết quả chi trả."))
            XCTAssertFalse(checker.lastBody.contains("action=\"/returns/upload\""))
            r = try await checker.uploadFiles(client, "/returns/upload", files: [("b.csv", honest), ("b.csv.sig", honestSig)])
            XCTAssertEqual(r.status, .forbidden)
            XCTAssertEqual(try s.count("SELECT count(*) FROM import_file WHERE kind = 'return'"), 1)
        }
    }

    func testResolvingAnExceptionNeedsANote() async throws {
        let s = try ReturnsWebSetup()
        let r01 = try s.line("R01")
        // The bank reports R01 paid, but for 1,100,000 where 1,000,000 was sent: an exception, nothing applied.
        let file = try s.bankReturn([("R01", 1_100_000, "PAID", "")])
        let sig = try s.signature(file, name: "agribank.csv")

        try await s.h.app.test(.router) { client in
            let b = Browser()
            _ = try await b.login(client, "test.clerk")
            _ = try await b.get(client, "/returns")
            _ = try await b.uploadFiles(client, "/returns/upload", files: [("agribank.csv", file), ("agribank.csv.sig", sig)])
            XCTAssertEqual(try s.state(r01.reference), "exported")
            let id = try s.count("SELECT id FROM return_exception")

            _ = try await b.get(client, "/returns/exceptions")
            var page = readable(b.lastBody)
            XCTAssertTrue(page.contains("Ngoại lệ số \(id): Số tiền khác số đã gửi"), page)
            XCTAssertTrue(page.contains("đang giữ tiền"), page)
            XCTAssertTrue(page.contains("tệp trả về ghi 1.100.000 đồng nhưng xã/phường đã gửi 1.000.000 đồng"), "the detail in Vietnamese: \(page)")
            XCTAssertTrue(page.contains("Bỏ qua (không đổi tiền)") && page.contains("Áp dụng kết quả của ngân hàng"), page)
            XCTAssertTrue(b.lastBody.contains("action=\"/returns/exceptions/\(id)/resolve\""))

            // Without a note: refused, nothing changes.
            var r = try await b.post(client, "/returns/exceptions/\(id)/resolve", ["resolution": "apply", "note": "   "])
            XCTAssertEqual(r.status, .badRequest)
            page = readable(b.lastBody)
            XCTAssertTrue(page.contains("Chưa xử lý ngoại lệ số \(id): phải ghi chú đã kiểm tra gì, với ai"), page)
            XCTAssertEqual(try s.count("SELECT count(*) FROM return_exception WHERE status = 'open'"), 1)
            XCTAssertEqual(try s.state(r01.reference), "exported")
            // Without a choice: refused too.
            r = try await b.post(client, "/returns/exceptions/\(id)/resolve", ["note": "đã hỏi"])
            XCTAssertEqual(r.status, .badRequest)
            XCTAssertTrue(readable(b.lastBody).contains("chọn cách xử lý"))

            // With a note: resolved, the bank's outcome applied, the note kept (an account number in it masked on the pages).
            r = try await b.post(client, "/returns/exceptions/\(id)/resolve",
                                 ["resolution": "apply", "note": "Đã gọi Agribank: chi đúng vào tài khoản 4091759675258, số tiền ghi nhầm"])
            XCTAssertEqual(r.status, .seeOther)
            let location = r.headers[.location] ?? ""
            XCTAssertTrue(location.hasPrefix("/returns/exceptions?ok=resolved&id=\(id)"), location)
            _ = try await b.get(client, location)
            page = readable(b.lastBody)
            XCTAssertTrue(page.contains("Đã xử lý ngoại lệ số \(id): áp dụng kết quả của ngân hàng vào khoản chi."), page)
            XCTAssertTrue(page.contains("Không có ngoại lệ nào chờ xử lý."), page)
            XCTAssertEqual(try s.state(r01.reference), "paid")
            XCTAssertEqual(try s.count("SELECT count(*) FROM return_exception WHERE status = 'open'"), 0)

            _ = try await b.get(client, "/returns/exceptions?all=1")
            page = readable(b.lastBody)
            XCTAssertTrue(page.contains("Đã xử lý: áp dụng kết quả của ngân hàng, bởi test.clerk."), page)
            XCTAssertTrue(page.contains("*********5258"), page)
            XCTAssertFalse(page.contains("4091759675258"), "an account number in a note is masked")

            // Again: already resolved, said in Vietnamese.
            r = try await b.post(client, "/returns/exceptions/\(id)/resolve", ["resolution": "dismiss", "note": "lần nữa"])
            XCTAssertEqual(r.status, .badRequest)
            XCTAssertTrue(readable(b.lastBody).contains("đã được xử lý trước đó"), readable(b.lastBody))

            // A checker sees the queue, without the form.
            let checker = Browser()
            _ = try await checker.login(client, "test.checker")
            _ = try await checker.get(client, "/returns/exceptions?all=1")
            XCTAssertTrue(checker.lastBody.contains("Chỉ kế toán đối soát được xử lý ngoại lệ."))
            XCTAssertFalse(checker.lastBody.contains("/resolve\""))
        }
    }

    func testAReconciliationOfNoSuchBatchIsNotFound() async throws {
        let h = try WebHarness()
        try await h.app.test(.router) { client in
            let b = Browser()
            _ = try await b.login(client, "test.clerk")
            var r = try await b.get(client, "/returns/reconcile/42")
            XCTAssertEqual(r.status, .notFound)
            XCTAssertTrue(b.lastBody.contains("Không tìm thấy bảng chi số 42."))
            r = try await b.get(client, "/returns/reconcile/42/csv")
            XCTAssertEqual(r.status, .notFound)
            r = try await b.get(client, "/returns")
            XCTAssertEqual(r.status, .ok)
            XCTAssertTrue(readable(b.lastBody).contains("Chưa có bảng chi nào được xuất tệp"))
        }
    }
}
