import ChiTraBatch
import ChiTraCore
import ChiTraRoll
import ChiTraStore
import ChiTraWeb
import Foundation
import GRDB
import Hummingbird
import HummingbirdTesting
import XCTest

/// The person pages: finding a beneficiary by name (with or without diacritics) or code, and what
/// one is owed for a month and why, with grants, payments, flags and follow-up.
final class PersonPagesTests: XCTestCase {
    /// A harness with the hand-made rules roll (fixtures/rules/README.md) imported.
    func rulesHarness() throws -> WebHarness {
        let h = try WebHarness()
        let root = WebHarness.formats.deletingLastPathComponent()
        let dir = h.dir.appendingPathComponent("roll")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appendingPathComponent("rules-roll.csv")
        try FileManager.default.copyItem(at: root.appendingPathComponent("fixtures/rules/rules-roll.csv"), to: url)
        let validator = RollValidator(tariff: try h.env.tariff(), banks: try h.env.banks(), today: CivilDate(year: 2026, month: 11, day: 23)!)
        let s = try RollImporter(db: h.db, validator: validator, actor: try h.db.actor(.maker)).importFile(url)
        XCTAssertEqual(s.rejected, 0, "\(s.problems)")
        return h
    }

    func testThePersonPageShowsWhatIsOwedForAMonthAndItsLegalBasis() async throws {
        let h = try rulesHarness()
        try await h.app.test(.router) { client in
            let b = Browser()
            _ = try await b.login(client, "test.officer")
            // R01, Nguyễn Thị Lành, born 15/12/1946, elderly in a poor household with no supporter (Art. 5.5a):
            // 1.5 × 500,000 = 750,000 in November 2026; she turns 80 in December: 2.0 × 500,000 = 1,000,000.
            let r = try await b.get(client, "/person/R01?period=2026-12")
            XCTAssertEqual(r.status, .ok)
            var html = b.lastBody
            XCTAssertTrue(html.contains("Nguyễn Thị Lành"), html)
            XCTAssertTrue(html.contains("Số tiền kỳ chi trả 12/2026"), html)
            XCTAssertTrue(html.contains("Tổng phải chi: <strong>1.000.000 đ</strong>"), html)
            XCTAssertTrue(html.contains("hệ số 2,0 × mức chuẩn trợ giúp xã hội 500.000 đồng (Nghị định 76/2024/NĐ-CP) = 1.000.000 đồng"), html)
            XCTAssertTrue(html.contains("căn cứ NĐ 20/2021 Điều 5 khoản 5 điểm a; Điều 6 khoản 1 điểm đ"), html)
            XCTAssertTrue(html.contains("<input type=\"month\" id=\"period\" name=\"period\" value=\"2026-12\""), html)
            // The grant with its decision and legal basis.
            XCTAssertTrue(html.contains("Người cao tuổi hộ nghèo không có người phụng dưỡng"), html)
            XCTAssertTrue(html.contains("101/QĐ-UBND, ngày 10/03/2022"), html)
            // Personal ID and account masked.
            XCTAssertTrue(html.contains("046******101"), html)
            XCTAssertFalse(html.contains("046146000101"), "the full personal ID is not shown")
            XCTAssertTrue(html.contains("*********0101"), html)
            XCTAssertFalse(html.contains("4001205000101"), "the full account number is not shown")

            _ = try await b.get(client, "/person/R01?period=2026-11")
            html = b.lastBody
            XCTAssertTrue(html.contains("Tổng phải chi: <strong>750.000 đ</strong>"), html)
            XCTAssertTrue(html.contains("hệ số 1,5 × mức chuẩn"), html)

            // Highest only (Art. 6.2): R06 has a severe disability (2.0 × 500,000, elderly) and the social pension.
            _ = try await b.get(client, "/person/R06?period=2026-12")
            XCTAssertTrue(b.lastBody.contains("Tổng phải chi: <strong>1.000.000 đ</strong>"), b.lastBody)
            XCTAssertTrue(b.lastBody.contains("chỉ hưởng một mức cao nhất (NĐ 20/2021 Điều 6 khoản 2)"), b.lastBody)

            // A month that is not a month, a code that is not there.
            let bad = try await b.get(client, "/person/R01?period=12-2026")
            XCTAssertEqual(bad.status, .badRequest)
            XCTAssertTrue(b.lastBody.contains("không hợp lệ"), b.lastBody)
            let missing = try await b.get(client, "/person/KHONG-CO")
            XCTAssertEqual(missing.status, .notFound)
            XCTAssertTrue(b.lastBody.contains("Không tìm thấy đối tượng có mã KHONG-CO"), b.lastBody)
        }
    }

    func testThePersonPageListsPaymentsFlagsAndFollowUp() async throws {
        let h = try rulesHarness()
        // A December 2026 list built (draft), a flag raised by a return, a follow-up entry by an officer.
        var builder = BatchBuilder(db: h.db, tariff: try h.env.tariff(), banks: try h.env.banks(),
                                   payer: try Payer.load(from: WebHarness.formats.appendingPathComponent("payer.json")))
        builder.today = YearMonth(year: 2026, month: 11)!
        let built = try builder.build(period: YearMonth(year: 2026, month: 12)!, by: try h.db.actor(.maker))
        try await h.db.writer.write { d in
            try d.execute(sql: "INSERT INTO beneficiary_flag(beneficiary_code, kind, detail, raised_at) VALUES ('R01', 'suspend_not_collected', 'Không nhận tiền 09, 10, 11/2026', '2026-11-20T03:00:00Z')")
            let officer: Int64 = try Int64.fetchOne(d, sql: "SELECT id FROM app_user WHERE username = 'test.officer'")!
            try d.execute(sql: "INSERT INTO gap_case_event(code, status, note, recorded_by, recorded_by_user, recorded_at) VALUES ('R01', 'visit-planned', 'Hẹn đến nhà thứ Ba', 'test.officer', ?, '2026-11-21T02:00:00Z')",
                          arguments: [officer])
        }
        try await h.app.test(.router) { client in
            let b = Browser()
            _ = try await b.login(client, "test.clerk")
            _ = try await b.get(client, "/person/R01?period=2026-12")
            let html = b.lastBody
            XCTAssertTrue(html.contains("<a href=\"/batches/\(built.id)\">Số \(built.id)</a>"), html)
            XCTAssertTrue(html.contains("<td>Trợ cấp hằng tháng</td>"), html)
            XCTAssertTrue(html.contains("<td class=\"num\">1.000.000 đ</td>"), html)
            XCTAssertTrue(html.contains("Nháp (chưa duyệt)"), html)
            XCTAssertTrue(html.contains("Không nhận tiền 3 tháng liên tục"), html)
            XCTAssertTrue(html.contains("Không nhận tiền 09, 10, 11/2026"), html)
            XCTAssertTrue(html.contains("Đã hẹn đến nhà"), html)
            XCTAssertTrue(html.contains("Hẹn đến nhà thứ Ba"), html)
            XCTAssertTrue(html.contains("Chưa có kết quả nào báo về"), html)
        }
    }

    func testNameSearchFindsThePersonWithOrWithoutDiacriticsAndACodeOpensTheirPage() async throws {
        let h = try rulesHarness()
        try await h.app.test(.router) { client in
            let b = Browser()
            _ = try await b.login(client, "test.checker")
            _ = try await b.get(client, "/person")
            XCTAssertTrue(b.lastBody.contains("Mã đối tượng hoặc họ tên"))
            for q in ["Nguyễn Thị Lành", "nguyen thi lanh", "LANH", "Lành", "thi la"] {
                let r = try await b.get(client, "/person?q=" + Browser.encode(q))
                XCTAssertEqual(r.status, .ok, q)
                XCTAssertTrue(b.lastBody.contains("<a href=\"/person/R01\">Nguyễn Thị Lành</a>"), "\(q): \(b.lastBody)")
                XCTAssertTrue(b.lastBody.contains("Tổ dân phố 1, Phường Hương Trà"), q)
            }
            // A name as a browser's GET form sends it (spaces as +), in NFD as some systems type it.
            let nfd = "Nguyễn Thị Lành".decomposedStringWithCanonicalMapping
            _ = try await b.get(client, "/person?q=" + Browser.encode(nfd).replacingOccurrences(of: "%20", with: "+"))
            XCTAssertTrue(b.lastBody.contains("Nguyễn Thị Lành"), b.lastBody)
            // "Hoàng Văn Sáu" is under two codes (R05, R17): both listed.
            _ = try await b.get(client, "/person?q=hoang+van+sau")
            XCTAssertTrue(b.lastBody.contains(">R05<") && b.lastBody.contains(">R17<"), b.lastBody)
            // An exact code opens the person's page.
            let code = try await b.get(client, "/person?q=R04")
            XCTAssertEqual(code.status, .seeOther)
            XCTAssertEqual(code.headers[.location], "/person/R04")
            _ = try await b.get(client, "/person?q=zzzz")
            XCTAssertTrue(b.lastBody.contains("Không tìm thấy đối tượng nào"), b.lastBody)
        }
    }

    func testSearchResultsStopAtFifty() async throws {
        let h = try WebHarness()
        var lines = [RollPagesTests.header]
        for i in 1...60 {
            let n = String(format: "%03d", i)
            lines.append("T\(n),Trần Văn Thử,15/03/1950,Nam,046050000\(n),Phường Hương Trà,Tổ dân phố 1,,,HUU_TRI_XA_HOI,,1/QĐ-UBND,01/08/2025,08/2025,,,active,post_cash,,,,,,,")
        }
        let url = h.dir.appendingPathComponent("sixty.csv")
        try Data(lines.joined(separator: "\n").utf8).write(to: url)
        let s = try RollImporter(db: h.db, validator: RollValidator(tariff: try h.env.tariff(), banks: try h.env.banks()), actor: try h.db.actor(.maker)).importFile(url)
        XCTAssertEqual(s.applied, 60, "\(s.problems)")
        try await h.app.test(.router) { client in
            let b = Browser()
            _ = try await b.login(client, "test.admin")
            _ = try await b.get(client, "/person?q=tran+van+thu")
            XCTAssertEqual(b.lastBody.components(separatedBy: "\">Trần Văn Thử</a>").count - 1, 50)
            XCTAssertTrue(b.lastBody.contains("Chỉ hiện 50 kết quả đầu tiên"), b.lastBody)
        }
    }
}
