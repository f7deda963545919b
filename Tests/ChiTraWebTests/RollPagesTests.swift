import ChiTraStore
import ChiTraTestSupport
import ChiTraWeb
import Foundation
import GRDB
import Hummingbird
import HummingbirdTesting
import XCTest

/// The roll pages as a maker uses them: upload a roll, read what was applied and why lines were
/// refused, download the rejects, and the refusals (strict, same file again, too large).
final class RollPagesTests: XCTestCase {
    static let header = "code,full_name,birth_date,sex,personal_id,commune,village,address,phone,category,children,decision_no,decision_date,start_month,end_month,death_date,status,channel,bank_bin,account_no,account_name,proxy_name,proxy_id,proxy_relation,authorisation_until"
    /// One good line (G01) and two bad ones: an unknown bank BIN (line 3), a sex that is neither Nam nor Nữ (line 4).
    static let roll = [
        header,
        "G01,Nguyễn Văn Mẫu,15/03/1950,Nam,046050654321,Phường Hương Trà,Tổ dân phố 1,,0912345678,HUU_TRI_XA_HOI,,1/QĐ-UBND,01/08/2025,08/2025,,,active,bank,970405,4001205999001,NGUYEN VAN MAU,,,,",
        "B04,Trần Văn Bốn,15/03/1950,Nam,046050123456,Phường Hương Trà,Tổ dân phố 1,,0912345678,HUU_TRI_XA_HOI,,1/QĐ-UBND,01/08/2025,08/2025,,,active,bank,999999,4001205999004,TRAN VAN BON,,,,",
        "B13,Lê Văn Mười Ba,15/03/1950,X,046050123413,Phường Hương Trà,Tổ dân phố 1,,0912345678,HUU_TRI_XA_HOI,,1/QĐ-UBND,01/08/2025,08/2025,,,active,bank,970405,4001205999013,LE VAN MUOI BA,,,,",
    ].joined(separator: "\n") + "\n"

    static func count(_ h: WebHarness, _ sql: String) throws -> Int {
        try h.db.writer.read { try Int.fetchOne($0, sql: sql) ?? 0 }
    }

    /// Follows a 303 and returns the page.
    @discardableResult
    static func follow(_ b: Browser, _ client: some TestClientProtocol, _ r: TestResponse, file: StaticString = #filePath, line: UInt = #line) async throws -> TestResponse {
        XCTAssertEqual(r.status, .seeOther, "expected a redirect: \(b.lastBody.prefix(400))", file: file, line: line)
        let location = try XCTUnwrap(r.headers[.location], file: file, line: line)
        return try await b.get(client, location)
    }

    func testUploadAppliesTheGoodLineAndListsEachRejectedLineWithItsReason() async throws {
        let h = try WebHarness()
        try await h.app.test(.router) { client in
            let b = Browser()
            _ = try await b.login(client, "test.maker")
            let form = try await b.get(client, "/roll")
            XCTAssertEqual(form.status, .ok)
            XCTAssertTrue(b.lastBody.contains("strict: không áp dụng gì nếu có dòng bị từ chối"))
            XCTAssertTrue(b.lastBody.contains("Chưa nhập danh sách nào"))

            let r = try await b.upload(client, "/roll/upload", filename: "danh-sach-thang-11.csv", data: Data(Self.roll.utf8))
            let location = try XCTUnwrap(r.headers[.location])
            XCTAssertTrue(location.hasPrefix("/roll/imports/"), location)
            let page = try await Self.follow(b, client, r)
            XCTAssertEqual(page.status, .ok)
            let html = b.lastBody
            XCTAssertTrue(html.contains("Đã nhập tệp danh-sach-thang-11.csv"), html)
            // The summary: 3 lines, 1 applied, 2 rejected.
            XCTAssertTrue(html.contains("Đã áp dụng 1 dòng; 2 dòng bị từ chối"), html)
            XCTAssertTrue(html.contains("<th scope=\"row\">Số dòng trong tệp</th><td class=\"num\"><strong>3</strong>"), html)
            XCTAssertTrue(html.contains("<th scope=\"row\">Dòng được áp dụng</th><td class=\"num\"><strong>1</strong>"), html)
            XCTAssertTrue(html.contains("<th scope=\"row\">Dòng bị từ chối</th><td class=\"num\"><strong>2</strong>"), html)
            // The rejects table: each line, its code, the column and the reason in Vietnamese.
            XCTAssertTrue(html.contains("<td class=\"num\">3<span class=\"only-phone\"><br>B04</span></td><td class=\"hide-phone\">B04</td><td>Mã ngân hàng (BIN)</td><td class=\"hide-phone\">999999</td><td>không phải mã ngân hàng (BIN) đã biết; xem danh sách ngân hàng trong formats/banks.json"), html)
            XCTAssertTrue(html.contains("<td class=\"num\">4<span class=\"only-phone\"><br>B13</span></td><td class=\"hide-phone\">B13</td><td>Giới tính</td><td class=\"hide-phone\">X</td><td>phải là Nam hoặc Nữ</td>"), html)
            XCTAssertTrue(html.contains("Tải tệp các dòng bị từ chối (CSV)"))
            XCTAssertEqual(try Self.count(h, "SELECT count(*) FROM beneficiary"), 1)
            XCTAssertEqual(try Self.count(h, "SELECT count(*) FROM beneficiary WHERE code = 'G01'"), 1)
            // The original name, not the upload's temporary one, is what the store records.
            let recorded = try await h.db.writer.read { try String.fetchOne($0, sql: "SELECT name FROM import_file") }
            XCTAssertEqual(recorded, "danh-sach-thang-11.csv")

            // The rejects download: a CSV attachment holding the refused lines and the reasons.
            let rejects = try await b.get(client, location.split(separator: "?")[0] + "/rejects")
            XCTAssertEqual(rejects.status, .ok)
            XCTAssertEqual(rejects.headers[.contentType], "text/csv; charset=utf-8")
            XCTAssertTrue(rejects.headers[.contentDisposition]?.hasPrefix("attachment;") ?? false)
            XCTAssertTrue(rejects.headers[.contentDisposition]?.contains("danh-sach-thang-11.csv.rejects.csv") ?? false)
            let csv = String(decoding: Data(buffer: rejects.body).dropFirst(3), as: UTF8.self)   // after the BOM
            XCTAssertTrue(csv.contains("Lý do từ chối"), csv)
            XCTAssertTrue(csv.contains("B04,") && csv.contains("B13,"), csv)
            XCTAssertFalse(csv.contains("G01,"), csv)
            // Who downloaded it is in the audit log (the file holds full IDs and accounts).
            XCTAssertEqual(try Self.count(h, "SELECT count(*) FROM audit_log WHERE action = 'roll.rejects-download'"), 1)

            // The history on /roll links to the result, with the counts.
            _ = try await b.get(client, "/roll")
            XCTAssertTrue(b.lastBody.contains("href=\"\(location.split(separator: "?")[0])\">danh-sach-thang-11.csv</a>"), b.lastBody)

            // A checker sees the result and the history, but no upload form.
            let checker = Browser()
            _ = try await checker.login(client, "test.checker")
            _ = try await checker.get(client, "/roll")
            XCTAssertFalse(checker.lastBody.contains("action=\"/roll/upload\""))
            XCTAssertTrue(checker.lastBody.contains("danh-sach-thang-11.csv"))
            let seen = try await checker.get(client, String(location.split(separator: "?")[0]))
            XCTAssertEqual(seen.status, .ok)
            XCTAssertTrue(checker.lastBody.contains("phải là Nam hoặc Nữ"))
        }
    }

    func testStrictUploadWithARejectedLineAppliesNothingAndSaysWhatToFix() async throws {
        let h = try WebHarness()
        try await h.app.test(.router) { client in
            let b = Browser()
            _ = try await b.login(client, "test.maker")
            _ = try await b.get(client, "/roll")
            let r = try await b.upload(client, "/roll/upload", fields: ["strict": "1"], filename: "roll.csv", data: Data(Self.roll.utf8))
            XCTAssertTrue(r.headers[.location]?.hasPrefix("/roll/uploads/") ?? false, "\(r.headers)")
            let page = try await Self.follow(b, client, r)
            XCTAssertEqual(page.status, .ok)
            XCTAssertTrue(b.lastBody.contains("Chế độ strict: có 2 dòng bị từ chối nên không áp dụng dòng nào"), b.lastBody)
            XCTAssertTrue(b.lastBody.contains("<td class=\"hide-phone\">B04</td><td>Mã ngân hàng (BIN)</td>"), b.lastBody)
            XCTAssertEqual(try Self.count(h, "SELECT count(*) FROM beneficiary"), 0)
            XCTAssertEqual(try Self.count(h, "SELECT count(*) FROM import_file"), 0)
            // Its rejects can still be downloaded, and /roll lists it among the uploads not applied.
            let rejects = try await b.get(client, r.headers[.location]! + "/rejects")
            XCTAssertEqual(rejects.status, .ok)
            XCTAssertEqual(rejects.headers[.contentType], "text/csv; charset=utf-8")
            _ = try await b.get(client, "/roll")
            XCTAssertTrue(b.lastBody.contains("Tệp tải lên không được áp dụng"))
            XCTAssertTrue(b.lastBody.contains("Strict: không áp dụng vì có dòng bị từ chối"))
            // The same file without strict then applies its good line (a refused file is not recorded).
            let again = try await b.upload(client, "/roll/upload", filename: "roll.csv", data: Data(Self.roll.utf8))
            XCTAssertTrue(again.headers[.location]?.hasPrefix("/roll/imports/") ?? false)
            XCTAssertEqual(try Self.count(h, "SELECT count(*) FROM beneficiary"), 1)
        }
    }

    /// Issue 14: the officer uploads the Excel workbook as the office keeps it (the LibreOffice-written
    /// fixture of 40 people, 45 lines): read from its first sheet, every line applied, said so.
    func testAnExcelWorkbookUploadIsImportedFromItsFirstSheet() async throws {
        let h = try WebHarness()
        try await h.app.test(.router) { client in
            let b = Browser()
            _ = try await b.login(client, "test.maker")
            _ = try await b.get(client, "/roll")
            XCTAssertTrue(b.lastBody.contains("accept=\".csv,.txt,.xlsx,"), b.lastBody)
            let xlsx = try Data(contentsOf: ChitraRun.packageRoot.appendingPathComponent("fixtures/excel/roll-40.xlsx"))
            let r = try await b.upload(client, "/roll/upload", filename: "danh-sach-thang-12.xlsx", data: xlsx)
            _ = try await Self.follow(b, client, r)
            let html = b.lastBody
            XCTAssertTrue(html.contains("Đã đọc tệp Excel .xlsx, trang tính"), html)
            XCTAssertTrue(html.contains("<th scope=\"row\">Số dòng trong tệp</th><td class=\"num\"><strong>45</strong>"), html)
            XCTAssertTrue(html.contains("<th scope=\"row\">Dòng bị từ chối</th><td class=\"num\"><strong>0</strong>"), html)
            XCTAssertEqual(try Self.count(h, "SELECT count(*) FROM beneficiary"), 40)
            XCTAssertEqual(try Self.count(h, "SELECT count(*) FROM grant_record"), 45)
        }
    }

    func testTheSameFileUploadedTwiceChangesNothingAndSaysSo() async throws {
        let h = try WebHarness()
        try await h.app.test(.router) { client in
            let b = Browser()
            _ = try await b.login(client, "test.maker")
            _ = try await b.get(client, "/roll")
            let first = try await b.upload(client, "/roll/upload", filename: "roll.csv", data: Data(Self.roll.utf8))
            let firstPage = try XCTUnwrap(first.headers[.location]).split(separator: "?")[0]
            let changes = try Self.count(h, "SELECT count(*) FROM roll_change")
            let audit = try Self.count(h, "SELECT count(*) FROM audit_log")
            let second = try await b.upload(client, "/roll/upload", filename: "lai-lan-nua.csv", data: Data(Self.roll.utf8))
            XCTAssertEqual(second.headers[.location], firstPage + "?ok=already")
            _ = try await Self.follow(b, client, second)
            XCTAssertTrue(b.lastBody.contains("Tệp này đã nhập trước đây"), b.lastBody)
            XCTAssertTrue(b.lastBody.contains("không có gì thay đổi"), b.lastBody)
            XCTAssertEqual(try Self.count(h, "SELECT count(*) FROM import_file"), 1)
            XCTAssertEqual(try Self.count(h, "SELECT count(*) FROM roll_change"), changes)
            XCTAssertEqual(try Self.count(h, "SELECT count(*) FROM audit_log"), audit)
            XCTAssertEqual(try Self.count(h, "SELECT count(*) FROM roll_import_result"), 1)
            // Only the first upload's copy is kept.
            let kept = try FileManager.default.contentsOfDirectory(atPath: h.env.workDirectory.appendingPathComponent("roll-imports").path)
            XCTAssertEqual(kept.count, 1)
        }
    }

    func testAFileLargerThanTheLimitIsRefusedWith413AndNothingIsApplied() async throws {
        let h = try WebHarness(uploadLimit: 1024)
        try await h.app.test(.router) { client in
            let b = Browser()
            _ = try await b.login(client, "test.maker")
            _ = try await b.get(client, "/roll")
            var big = Self.roll
            while big.utf8.count < 4096 { big += Self.roll.split(separator: "\n")[1] + "\n" }
            let r = try await b.upload(client, "/roll/upload", filename: "to.csv", data: Data(big.utf8))
            XCTAssertEqual(r.status, .contentTooLarge)
            XCTAssertTrue(b.lastBody.contains("Tệp quá lớn"), b.lastBody)
            XCTAssertTrue(b.lastBody.contains("Chưa có gì được nhập"), b.lastBody)
            XCTAssertEqual(try Self.count(h, "SELECT count(*) FROM beneficiary"), 0)
            XCTAssertEqual(try Self.count(h, "SELECT count(*) FROM import_file"), 0)
            // The page says how large a file may be.
            _ = try await b.get(client, "/roll")
            XCTAssertTrue(b.lastBody.contains("Tối đa 1 KB một lần tải"), b.lastBody)
        }
    }

    func testAFileThatIsNotARollIsRefusedInVietnamese() async throws {
        let h = try WebHarness()
        try await h.app.test(.router) { client in
            let b = Browser()
            _ = try await b.login(client, "test.maker")
            _ = try await b.get(client, "/roll")
            let r = try await b.upload(client, "/roll/upload", filename: "bang-luong.csv", data: Data("Tên,Lương\nAn,100\n".utf8))
            XCTAssertEqual(r.status, .badRequest)
            XCTAssertTrue(b.lastBody.contains("Dòng tiêu đề của tệp bang-luong.csv không đúng mẫu"), b.lastBody)
            let none = try await b.upload(client, "/roll/upload", filename: "rong.csv", data: Data())
            XCTAssertEqual(none.status, .badRequest)
            XCTAssertTrue(b.lastBody.contains("Chưa chọn tệp danh sách, hoặc tệp rỗng"), b.lastBody)
            XCTAssertEqual(try Self.count(h, "SELECT count(*) FROM roll_import_result"), 0)
            let kept = try FileManager.default.contentsOfDirectory(atPath: h.env.workDirectory.appendingPathComponent("roll-imports").path)
            XCTAssertEqual(kept, [], "nothing kept of a refused file")
        }
    }

    func testAnImportShowsTheFlagsSharedIDsAndSeveralCategories() async throws {
        let h = try WebHarness()
        try await h.app.test(.router) { client in
            let b = Browser()
            _ = try await b.login(client, "test.maker")
            _ = try await b.get(client, "/roll")
            let rules = try Data(contentsOf: WebHarness.formats.deletingLastPathComponent().appendingPathComponent("fixtures/rules/rules-roll.csv"))
            let r = try await b.upload(client, "/roll/upload", filename: "rules-roll.csv", data: rules)
            _ = try await Self.follow(b, client, r)
            let html = b.lastBody
            XCTAssertTrue(html.contains("Đã áp dụng cả tệp"), html)
            // R05 and R17 share a personal ID: listed masked, with both codes.
            XCTAssertTrue(html.contains("Cùng một số định danh ở nhiều mã đối tượng"), html)
            XCTAssertTrue(html.contains("<a href=\"/person/R05\">R05</a> <a href=\"/person/R17\">R17</a>"), html)
            XCTAssertFalse(html.contains("046050000105"), "personal IDs are masked")
            XCTAssertTrue(html.contains("046******105"), html)
            XCTAssertTrue(html.contains("Nghị định 20/2021/NĐ-CP Điều 6 khoản 2"), html)
            XCTAssertTrue(html.contains("Người khuyết tật nặng"), html)

            // The next export moves R01's money to a new account: listed by code, both numbers masked.
            let next = String(decoding: rules, as: UTF8.self).replacingOccurrences(of: "4001205000101", with: "4001205007777")
            let r2 = try await b.upload(client, "/roll/upload", filename: "rules-roll-2.csv", data: Data(next.utf8))
            _ = try await Self.follow(b, client, r2)
            XCTAssertTrue(b.lastBody.contains("Tài khoản thay đổi"), b.lastBody)
            XCTAssertTrue(b.lastBody.contains("<td><a href=\"/person/R01\">R01</a></td><td>Agribank *********0101</td><td>Agribank *********7777</td>"), b.lastBody)
            XCTAssertFalse(b.lastBody.contains("4001205007777"), "account numbers are masked")
            XCTAssertTrue(b.lastBody.contains("<th scope=\"row\">Người có thay đổi</th><td class=\"num\">1</td>"), b.lastBody)
        }
    }
}

extension RollPagesTests {
    /// A grant no month can pay is imported with a warning, shown on the result page in Vietnamese.
    func testAGrantNoMonthCanPayIsImportedWithAWarningOnThePage() async throws {
        let h = try WebHarness()
        // An orphan's allowance (TRE_MO_COI, under 16) for a man born in 1986, from 02/2020: aged 33 to 40 throughout.
        let roll = [Self.header,
                    "W01,Trần Văn Côi,01/06/1986,Nam,046086000001,Phường Hương Trà,Tổ dân phố 1,,0912345678,TRE_MO_COI,,5/QĐ-UBND,01/02/2020,02/2020,,,active,bank,970405,4001205999001,TRAN VAN COI,,,,"]
            .joined(separator: "\n") + "\n"
        try await h.app.test(.router) { client in
            let b = Browser()
            _ = try await b.login(client, "test.maker")
            _ = try await b.get(client, "/roll")
            let r = try await b.upload(client, "/roll/upload", filename: "mo-coi.csv", data: Data(roll.utf8))
            _ = try await Self.follow(b, client, r)
            let html = b.lastBody
            XCTAssertTrue(html.contains("Cảnh báo: quyết định không thể chi trả hoặc có thể chi sai (1)"), html)
            XCTAssertTrue(html.contains(">W01</a>"), "the line's person linked")
            XCTAssertEqual(try Self.count(h, "SELECT count(*) FROM beneficiary WHERE code = 'W01'"), 1, "a warning is not a rejection: the line is imported")
        }
    }
}
