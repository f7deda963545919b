import ChiTraCore
import ChiTraRoll
import ChiTraStore
import ChiTraWeb
import Foundation
import GRDB
import Hummingbird
import HummingbirdTesting
import XCTest
import ZIPFoundation

/// The officer's worklist in the browser, over the hand-made gaps roll (`fixtures/gaps/`): the
/// village cards with a `tel:` link, recording a visit, setting an account or a proxy (and the
/// refusals, in Vietnamese, with nothing changed), the printable page and the coverage chart.
final class GapsPagesTests: XCTestCase {
    static let hoursTra = "Phường Hương Trà"
    static let village1 = "Tổ dân phố 1"

    /// The harness with `gaps-roll.csv` imported (as of 23/11/2026, the fixture's day).
    static func harness() throws -> WebHarness {
        let h = try WebHarness()
        let dir = h.dir.appendingPathComponent("roll")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appendingPathComponent("gaps-roll.csv")
        try FileManager.default.copyItem(at: ChitraRunRoot.url.appendingPathComponent("fixtures/gaps/gaps-roll.csv"), to: url)
        let formats = WebHarness.formats
        let validator = RollValidator(tariff: try Tariff.load(from: formats.appendingPathComponent("tariff.json")),
                                      banks: try BankDirectory.load(from: formats.appendingPathComponent("banks.json")),
                                      today: CivilDate(year: 2026, month: 11, day: 23)!)
        let s = try RollImporter(db: h.db, validator: validator, actor: try h.db.actor(.maker)).importFile(url)
        XCTAssertEqual(s.rejected, 0, "\(s.problems)")
        return h
    }

    /// A query value, every non-ASCII or reserved character percent-encoded.
    static func q(_ s: String) -> String {
        let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")
        return s.addingPercentEncoding(withAllowedCharacters: allowed)!
    }

    static func villagePath(_ commune: String = hoursTra, _ village: String = village1, reason: String? = nil, page: String = "village") -> String {
        "/gaps/\(page)?commune=\(q(commune))&village=\(q(village))" + (reason.map { "&reason=\($0)" } ?? "")
    }

    static func count(_ h: WebHarness, _ sql: String, _ args: StatementArguments = []) throws -> Int {
        try h.db.writer.read { try Int.fetchOne($0, sql: sql, arguments: args) ?? 0 }
    }

    // MARK: - The officer's flow, end to end

    func testAnOfficerCallsRecordsAVisitAndSetsAnAccountFromTheVillageList() async throws {
        let h = try Self.harness()
        try await h.app.test(.router) { client in
            let b = Browser()
            _ = try await b.login(client, WebHarness.login(.officer))

            // The ward: communes and villages with their open cases, linked.
            var r = try await b.get(client, "/gaps")
            XCTAssertEqual(r.status, .ok)
            XCTAssertTrue(b.lastBody.contains("Rà soát chi trả không dùng tiền mặt"))
            XCTAssertTrue(b.lastBody.contains(Self.hoursTra) && b.lastBody.contains("Xã Hương Toàn"))
            XCTAssertTrue(b.lastBody.contains("href=\"\(Self.villagePath().replacingOccurrences(of: "&", with: "&amp;"))\""), "a link to Tổ dân phố 1's list")
            XCTAssertTrue(b.lastBody.contains("Tỷ lệ chi trả không dùng tiền mặt:"), "the coverage summary")
            // One commune's villages.
            r = try await b.get(client, "/gaps?commune=\(Self.q("Xã Hương Toàn"))")
            XCTAssertEqual(r.status, .ok)
            XCTAssertTrue(b.lastBody.contains(">Thôn Bắc</a>") && !b.lastBody.contains(">Tổ dân phố 1</a>"))
            r = try await b.get(client, "/gaps?commune=\(Self.q("Xã Không Có"))")
            XCTAssertEqual(r.status, .notFound)

            // The village: G02 (paid in cash) as a card with a big tel: link and a link to the case.
            r = try await b.get(client, Self.villagePath())
            XCTAssertEqual(r.status, .ok)
            let page = b.lastBody
            XCTAssertTrue(page.contains("Trần Văn Hai"))
            XCTAssertTrue(page.contains("<a class=\"button primary call\" href=\"tel:0912000002\">Gọi 0912 000 002</a>"), "tel: link")
            XCTAssertTrue(page.contains("Chưa có tài khoản nhận không dùng tiền mặt"), "what is wrong, in Vietnamese")
            XCTAssertTrue(page.contains("href=\"/gaps/case/G02\""))
            XCTAssertFalse(page.contains("Nguyễn Văn Một"), "G01 has a bank account and a phone: not on the list")
            XCTAssertTrue(page.contains("Tạ Văn Tùng") && page.contains("Không có số điện thoại"), "G22 has no phone: no tel: link")
            XCTAssertFalse(page.contains("<table"), "cards, not a wide table, on the worklist")

            // Record a visit: the history shows it with the officer's account; the worklist is not recomputed for it.
            let markerBefore = try GapsQueries.markers(h.db).worklist
            r = try await b.get(client, "/gaps/case/G02")
            XCTAssertEqual(r.status, .ok)
            XCTAssertTrue(b.lastBody.contains("action=\"/gaps/case/G02/record\""))
            XCTAssertTrue(b.lastBody.contains("Chưa có ghi nhận nào."))
            r = try await b.post(client, "/gaps/case/G02/record", ["status": "visit-planned", "note": "hẹn thứ Năm mang CCCD"])
            XCTAssertEqual(r.status, .seeOther)
            XCTAssertEqual(r.headers[.location], "/gaps/case/G02?ok=recorded-visit-planned")
            r = try await b.get(client, r.headers[.location]!)
            XCTAssertTrue(b.lastBody.contains("Đã ghi nhận: Đã hẹn đến nhà."), "the notice")
            XCTAssertTrue(b.lastBody.contains("<strong>Đã hẹn đến nhà</strong>"), "the history entry")
            XCTAssertTrue(b.lastBody.contains("test.officer"), "who recorded it")
            XCTAssertTrue(b.lastBody.contains("hẹn thứ Năm mang CCCD"))
            XCTAssertEqual(try Self.count(h, "SELECT count(*) FROM gap_case_event WHERE code = 'G02' AND status = 'visit-planned' AND recorded_by = 'test.officer'"), 1)
            XCTAssertEqual(try GapsQueries.markers(h.db).worklist, markerBefore, "a follow-up does not invalidate the worklist")
            r = try await b.get(client, Self.villagePath())
            XCTAssertTrue(b.lastBody.contains("Đã hẹn đến nhà ngày"), "the card shows the latest follow-up at once")

            // Set an account: G02 leaves the no-account list, and the change is recorded as a manual one by the officer.
            r = try await b.get(client, Self.villagePath(reason: "no_account"))
            XCTAssertTrue(b.lastBody.contains("Trần Văn Hai"))
            r = try await b.get(client, "/gaps/case/G02")
            XCTAssertTrue(b.lastBody.contains("<option value=\"970405\">Agribank – Ngân hàng Nông nghiệp và Phát triển Nông thôn Việt Nam</option>"), "banks by their Vietnamese names")
            r = try await b.post(client, "/gaps/case/G02/account", ["channel": "bank", "bin": "970405", "account": "4001 2050 00002", "account_name": "Tran Van Hai"])
            XCTAssertEqual(r.status, .seeOther, b.lastBody)
            XCTAssertEqual(r.headers[.location], "/gaps/case/G02?ok=account")
            XCTAssertNotEqual(try GapsQueries.markers(h.db).worklist, markerBefore, "an account change moves the marker")
            r = try await b.get(client, r.headers[.location]!)
            XCTAssertTrue(b.lastBody.contains("Đã cập nhật tài khoản nhận tiền"))
            XCTAssertTrue(b.lastBody.contains("Không còn trong danh sách cần xử lý"), "G02 had only no_account: off the list")
            XCTAssertTrue(b.lastBody.contains("*********0002"), "the account shown masked")
            XCTAssertFalse(b.lastBody.contains("4001205000002"), "never in full")
            XCTAssertTrue(b.lastBody.contains("Đã hẹn đến nhà"), "the history stays after the case clears")
            r = try await b.get(client, Self.villagePath(reason: "no_account"))
            XCTAssertFalse(b.lastBody.contains("Trần Văn Hai"), "off the no-account list")
            let row = try await h.db.writer.read { try Row.fetchOne($0, sql: "SELECT channel, bank_bin, account_no, account_name FROM beneficiary WHERE code = 'G02'")! }
            XCTAssertEqual(row["channel"] as String, "bank")
            XCTAssertEqual(row["bank_bin"] as String, "970405")
            XCTAssertEqual(row["account_no"] as String, "4001205000002")
            XCTAssertEqual(row["account_name"] as String, "Tran Van Hai")
            XCTAssertEqual(try Self.count(h, "SELECT count(*) FROM roll_change WHERE code = 'G02' AND source = 'manual' AND changed_by = 'test.officer'"), 4)
            XCTAssertEqual(try Self.count(h, "SELECT count(*) FROM audit_log WHERE action = 'beneficiary.set-account' AND entity_id = 'G02'"), 1)
        }
    }

    // MARK: - Refusals: Vietnamese, nothing changed

    func testABadAccountNumberIsRefusedInVietnameseAndNothingChanges() async throws {
        let h = try Self.harness()
        try await h.app.test(.router) { client in
            let b = Browser()
            _ = try await b.login(client, WebHarness.login(.officer))
            _ = try await b.get(client, "/gaps/case/G02")
            let audits = try Self.count(h, "SELECT count(*) FROM audit_log")
            for (fields, sentence) in [
                (["channel": "bank", "bin": "970405", "account": "4001-2050-ABC", "account_name": "TRAN VAN HAI"], "Số tài khoản không hợp lệ: chỉ gồm chữ số, tối đa 19 chữ số"),
                (["channel": "bank", "bin": "970405", "account": "12345678901234567890", "account_name": "TRAN VAN HAI"], "Số tài khoản không hợp lệ"),
                (["channel": "bank", "bin": "", "account": "4001205000002", "account_name": "TRAN VAN HAI"], "Chọn ngân hàng của tài khoản."),
                (["channel": "bank", "bin": "999999", "account": "4001205000002", "account_name": "TRAN VAN HAI"], "không có trong danh sách ngân hàng"),
                (["channel": "bank", "bin": "970405", "account": "4001205000002", "account_name": ""], "Nhập tên chủ tài khoản"),
                (["channel": "bank", "bin": "970405", "account": "4001205000002", "account_name": "TRAN\u{202E}VAN HAI"], "ký tự ẩn"),
            ] {
                let r = try await b.post(client, "/gaps/case/G02/account", fields)
                XCTAssertEqual(r.status, .badRequest, "\(fields)")
                XCTAssertTrue(b.lastBody.contains(sentence), "\(fields): \(sentence)")
                XCTAssertTrue(b.lastBody.contains("class=\"warn\" role=\"alert\""), "shown beside the form")
                XCTAssertTrue(b.lastBody.contains("<details class=\"card gap-form\" id=\"tai-khoan\" open>"), "the account form stays open")
            }
            XCTAssertTrue(b.lastBody.contains("value=\"4001205000002\""), "what was typed is kept")
            let row = try await h.db.writer.read { try Row.fetchOne($0, sql: "SELECT channel, account_no FROM beneficiary WHERE code = 'G02'")! }
            XCTAssertEqual(row["channel"] as String, "post_cash")
            XCTAssertNil(row["account_no"] as String?)
            XCTAssertEqual(try Self.count(h, "SELECT count(*) FROM roll_change WHERE source = 'manual'"), 0)
            XCTAssertEqual(try Self.count(h, "SELECT count(*) FROM audit_log"), audits, "nothing audited: nothing happened")
            _ = try await b.get(client, Self.villagePath(reason: "no_account"))
            XCTAssertTrue(b.lastBody.contains("Trần Văn Hai"), "still on the no-account list")

            // A follow-up without a result is refused too.
            let r = try await b.post(client, "/gaps/case/G02/record", ["note": "gọi không được"])
            XCTAssertEqual(r.status, .badRequest)
            XCTAssertTrue(b.lastBody.contains("Chọn kết quả của lần liên hệ"))
            XCTAssertTrue(b.lastBody.contains("gọi không được"), "the note typed is kept")
            XCTAssertEqual(try Self.count(h, "SELECT count(*) FROM gap_case_event"), 0)
        }
    }

    func testAProxyNeedsADayFirstEndDateAndAnotherPersonsID() async throws {
        let h = try Self.harness()
        try await h.app.test(.router) { client in
            let b = Browser()
            _ = try await b.login(client, WebHarness.login(.officer))
            _ = try await b.get(client, "/gaps/case/G05")
            XCTAssertTrue(b.lastBody.contains("Cần người nhận thay nhưng chưa có"))
            XCTAssertTrue(b.lastBody.contains("<details class=\"card gap-form\" id=\"nguoi-nhan-thay\" open>"), "the proxy form opens for a proxy case")
            let ok = ["name": "Hoàng Thị Mai", "relation": "Con", "id": "046185000205", "until": "30/11/2027"]
            for (change, sentence) in [
                (["until": "11/30/2027"], "viết theo kiểu tháng trước ngày (kiểu Mỹ)"),
                (["until": "31/02/2027"], "không phải ngày hợp lệ"),
                (["until": "01/01/2020"], "đã qua"),
                (["until": ""], "Nhập ngày hết hạn của giấy ủy quyền"),
                (["id": "04618500020"], "12 chữ số"),
                (["id": "046048000005"], "trùng với số định danh của chính đối tượng"),
                (["name": ""], "Nhập họ tên người nhận thay"),
            ] {
                let r = try await b.post(client, "/gaps/case/G05/proxy", ok.merging(change) { $1 })
                XCTAssertEqual(r.status, .badRequest, "\(change)")
                XCTAssertTrue(b.lastBody.contains(sentence), "\(change): \(sentence)")
            }
            XCTAssertEqual(try Self.count(h, "SELECT count(*) FROM roll_change WHERE source = 'manual'"), 0)

            // Typed day-first (or as a date field sends it): accepted, and G05 leaves the list.
            var r = try await b.post(client, "/gaps/case/G05/proxy", ok.merging(["until": "2027-11-30"]) { $1 })
            XCTAssertEqual(r.status, .seeOther, b.lastBody)
            r = try await b.get(client, r.headers[.location]!)
            XCTAssertTrue(b.lastBody.contains("Đã cập nhật người nhận thay"))
            XCTAssertTrue(b.lastBody.contains("Hoàng Thị Mai (Con), ủy quyền đến 30/11/2027"))
            XCTAssertTrue(b.lastBody.contains("046******205"), "the proxy's ID masked")
            XCTAssertTrue(b.lastBody.contains("Không còn trong danh sách cần xử lý"))
            let until = try await h.db.writer.read { try String.fetchOne($0, sql: "SELECT authorisation_until FROM beneficiary WHERE code = 'G05'") }
            XCTAssertEqual(until, "2027-11-30")
            // A guardian needs no end date.
            r = try await b.post(client, "/gaps/case/G05/proxy", ["name": "Hoàng Thị Mai", "relation": "Người giám hộ", "id": "046185000205", "until": ""])
            XCTAssertEqual(r.status, .seeOther, b.lastBody)
        }
    }

    // MARK: - Who may do what

    func testAMakerSeesTheWorklistButCannotRecordOrChangeAnything() async throws {
        let h = try Self.harness()
        try await h.app.test(.router) { client in
            let b = Browser()
            _ = try await b.login(client, WebHarness.login(.maker))
            var r = try await b.get(client, Self.villagePath())
            XCTAssertEqual(r.status, .ok)
            r = try await b.get(client, "/gaps/case/G02")
            XCTAssertEqual(r.status, .ok)
            XCTAssertFalse(b.lastBody.contains("/gaps/case/G02/record"), "no forms for a maker")
            XCTAssertTrue(b.lastBody.contains("Chỉ tài khoản có vai trò cán bộ chính sách"))
            for path in ["/gaps/case/G02/record", "/gaps/case/G02/account", "/gaps/case/G02/proxy"] {
                r = try await b.post(client, path, ["status": "contacted", "channel": "bank", "bin": "970405", "account": "4001205000002",
                                                    "account_name": "TRAN VAN HAI"])
                XCTAssertEqual(r.status, .forbidden, path)
            }
            XCTAssertEqual(try Self.count(h, "SELECT count(*) FROM gap_case_event"), 0)
            XCTAssertEqual(try Self.count(h, "SELECT count(*) FROM roll_change WHERE source = 'manual'"), 0)

            // A clerk has no gaps pages at all.
            let c = Browser()
            _ = try await c.login(client, WebHarness.login(.clerk))
            r = try await c.get(client, Self.villagePath())
            XCTAssertEqual(r.status, .forbidden)
        }
    }

    // MARK: - Printable page, coverage, escaping, unknowns

    func testThePrintablePageHasAColumnForNotesAndSignatures() async throws {
        let h = try Self.harness()
        try await h.app.test(.router) { client in
            let b = Browser()
            _ = try await b.login(client, WebHarness.login(.checker))
            var r = try await b.get(client, Self.villagePath(page: "print"))
            XCTAssertEqual(r.status, .ok)
            XCTAssertTrue(b.lastBody.contains("Danh sách đối tượng cần hỗ trợ chi trả không dùng tiền mặt"))
            XCTAssertTrue(b.lastBody.contains("<b>Thôn/tổ dân phố:</b> Tổ dân phố 1"))
            XCTAssertTrue(b.lastBody.contains("<th>Ghi chú / Chữ ký</th>"))
            XCTAssertTrue(b.lastBody.contains("Trần Văn Hai") && b.lastBody.contains("046******002"))
            XCTAssertFalse(b.lastBody.contains("046040000002"), "personal IDs masked on paper too")
            XCTAssertTrue(b.lastBody.contains("Người lập danh sách") && b.lastBody.contains("Cán bộ đi xác minh"))
            // The same village as an Excel workbook: a sheet named after it, the IDs masked as on paper.
            XCTAssertTrue(b.lastBody.contains("Tải bản Excel (.xlsx)"))
            r = try await b.get(client, Self.villagePath(page: "xlsx"))
            XCTAssertEqual(r.status, .ok)
            XCTAssertEqual(r.headers[.contentType], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            let archive = try Archive(data: Data(buffer: r.body), accessMode: .read)
            var xml = ""
            for entry in archive where entry.path.hasPrefix("xl/") {
                var out = Data()
                _ = try archive.extract(entry) { out.append($0) }
                xml += String(decoding: out, as: UTF8.self)
            }
            XCTAssertTrue(xml.contains("name=\"Tổ dân phố 1\""), "the sheet is named after the village")
            XCTAssertTrue(xml.contains("Trần Văn Hai") && xml.contains("046******002"))
            XCTAssertFalse(xml.contains("046040000002"), "personal IDs masked in the workbook too")
            XCTAssertFalse(xml.contains("Thôn Đông"), "only the village asked for")

            // The whole commune: one section per village with cases, a page break between them.
            r = try await b.get(client, "/gaps/print?commune=\(Self.q(Self.hoursTra))")
            XCTAssertEqual(r.status, .ok)
            XCTAssertTrue(b.lastBody.contains("<b>Thôn/tổ dân phố:</b> Tổ dân phố 2") && b.lastBody.contains("<b>Thôn/tổ dân phố:</b> Thôn Đông"))
            XCTAssertTrue(b.lastBody.contains("print-village page-break"))
            XCTAssertFalse(b.lastBody.contains("Thôn Bắc"), "another commune's village")
            // Unknown places: a Vietnamese 404, not a crash.
            r = try await b.get(client, Self.villagePath(Self.hoursTra, "Thôn Không Có"))
            XCTAssertEqual(r.status, .notFound)
            XCTAssertTrue(b.lastBody.contains("Không tìm thấy thôn/tổ dân phố"))
            r = try await b.get(client, "/gaps/village")
            XCTAssertEqual(r.status, .badRequest)
            r = try await b.get(client, "/gaps/case/G99")
            XCTAssertEqual(r.status, .notFound)
            XCTAssertTrue(b.lastBody.contains("Không tìm thấy đối tượng mã G99"))
        }
    }

    func testANameWithMarkupStaysText() async throws {
        let h = try Self.harness()
        try await h.app.test(.router) { client in
            let b = Browser()
            _ = try await b.login(client, WebHarness.login(.officer))
            for path in [Self.villagePath("Xã Hương Toàn", "Thôn Bắc"), Self.villagePath("Xã Hương Toàn", "Thôn Bắc", page: "print"), "/gaps/case/G28"] {
                let r = try await b.get(client, path)
                XCTAssertEqual(r.status, .ok, path)
                XCTAssertFalse(b.lastBody.contains("<script>"), path)
                XCTAssertTrue(b.lastBody.contains("Hà &lt;script&gt;alert("), path)
            }
        }
    }

    func testTheCoveragePageDrawsTheMonthsAsAnSVGWithTheFigures() async throws {
        let h = try Self.harness()
        // Two earlier months on file, as `chitra gaps coverage` run in those months would have left them.
        let month = CivilDate.today().yearMonth
        let m1 = month.adding(months: -2), m2 = month.adding(months: -1)
        try await h.db.writer.write { db in
            for (m, n) in [(m1, 19), (m2, 20)] {
                try db.execute(sql: "INSERT INTO coverage_snapshot(month, commune, village, noncash, total, taken_at) VALUES (?, '', '', ?, 26, '2026-01-01T00:00:00Z')",
                               arguments: [m.description, n])
                try db.execute(sql: "INSERT INTO coverage_snapshot(month, commune, village, noncash, total, taken_at) VALUES (?, 'Phường Hương Trà', '', ?, 25, '2026-01-01T00:00:00Z')",
                               arguments: [m.description, n])
            }
        }
        try await h.app.test(.router) { client in
            let b = Browser()
            _ = try await b.login(client, WebHarness.login(.admin))
            let r = try await b.get(client, "/gaps/coverage")
            XCTAssertEqual(r.status, .ok)
            let page = b.lastBody
            XCTAssertTrue(page.contains("<svg class=\"chart coverage\""), "an inline SVG chart")
            XCTAssertTrue(page.contains("<title id=\"cov-title\">Tỷ lệ chi trả không dùng tiền mặt theo tháng, \(m1.vietnamese)–\(month.vietnamese)</title>"))
            for m in [m1, m2, month] { XCTAssertTrue(page.contains(">\(m.vietnamese)</text>"), "month label \(m.vietnamese)") }
            XCTAssertTrue(page.contains(">100%</text>") && page.contains(">0%</text>"), "a percentage axis")
            XCTAssertFalse(page.contains("<script"), "no script")
            XCTAssertFalse(page.contains("style="), "no inline style (CSP)")
            // The figures by hand: 28 people, 26 active (G20 died, G27 is suspended), of whom 5 are paid in
            // cash at the post office (G02, G21, G24, G25, G28): 21/26 = 80,77%; last month 20/26 = 76,92%.
            XCTAssertTrue(page.contains("Toàn bộ: 21/26 = 80,77%"), "overall")
            XCTAssertTrue(page.contains("+3,85 điểm % so với tháng \(m2.vietnamese) (76,92%)"), "the change since last month")
            XCTAssertTrue(page.contains("<strong>Xã Hương Toàn</strong>") && page.contains(">Thôn Bắc</a>"), "per commune and village")
            // Two communes: a line each, with a legend.
            XCTAssertTrue(page.contains("<polyline points=") && page.contains("stroke=\"#a33a00\""))
            XCTAssertTrue(page.contains("<ul class=\"legend\">") && page.contains("Phường Hương Trà</li>"))
        }
        // A page stores nothing (it never waits for another command's write lock): this month is
        // computed live; `chitra gaps coverage` stores the month's snapshot.
        XCTAssertEqual(try Self.count(h, "SELECT count(*) FROM coverage_snapshot WHERE month = ? AND commune = '' AND village = ''", [month.description]), 0)
    }
}

/// The package root (for the fixtures), as the harness finds the formats folder.
enum ChitraRunRoot {
    static var url: URL { WebHarness.formats.deletingLastPathComponent() }
}
