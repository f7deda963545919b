import ChiTraBatch
import ChiTraCore
import ChiTraRoll
import ChiTraSigning
import ChiTraStore
import ChiTraWeb
import Foundation
import Hummingbird
import HummingbirdTesting
import XCTest
import ZIPFoundation

/// The batch pages as the maker and the checker use them: build, review, approve, export,
/// download; and the checker's review of a second month, worked out by hand from
/// formats/tariff.json (standard level 500,000 đ; social pension 500,000 đ; funeral 20 × level).
final class BatchPagesTests: XCTestCase {
    /// The month the pages build in (a regular batch is for this month or the next), and the next.
    static var first: YearMonth { CivilDate.today().yearMonth }
    static var second: YearMonth { first.next }
    static var today: CivilDate { CivilDate.today() }

    static let header = "code,full_name,birth_date,sex,personal_id,commune,village,category,children,decision_no,decision_date,start_month,end_month,death_date,status,channel,bank_bin,account_no,account_name,proxy_name,proxy_id,proxy_relation,authorisation_until"

    /// A 12-digit personal ID consistent with the birth year and sex (Circular 07/2016 Art. 7).
    static func pid(year: Int, female: Bool, serial: Int) -> String {
        let century = (year >= 2000 ? 2 : 0) + (female ? 1 : 0)
        return "046\(century)\(String(format: "%02d", year % 100))\(String(format: "%06d", serial))"
    }

    /// The roll of month one, and the roll of month two: W01 turns 80 in month two (1.5 → 2.0),
    /// W02 (social pension, with a proxy) dies during month one, W03 stops after month one,
    /// W04 is decided during month one from the month before (arrears), W05 changes account.
    static func roll(secondMonth: Bool) -> String {
        let n = second, m = first
        let eighty = n.year - 80
        let w01 = "W01,Trần Văn Tám Mươi,15/\(String(format: "%02d", n.month))/\(eighty),M,\(Self.pid(year: eighty, female: false, serial: 201)),Phường Hương Trà,Tổ dân phố 1,NCT_NGHEO_KHONG_NGUOI_PHUNG_DUONG,,201/QĐ-UBND,10/03/2022,04/2022,,,active,bank,970405,4001205000201,TRAN VAN TAM MUOI,,,,"
        let death = secondMonth ? today.description.split(separator: "-").reversed().joined(separator: "/") : ""
        let w02 = "W02,Lê Thị Hưu,01/01/1940,F,\(Self.pid(year: 1940, female: true, serial: 202)),Phường Hương Trà,Tổ dân phố 2,HUU_TRI_XA_HOI,,202/QĐ-UBND,10/07/2025,07/2025,,\(death),active,post_cash,,,,Lê Văn Con,\(Self.pid(year: 1970, female: false, serial: 302)),Con,31/12/2030"
        let w03 = secondMonth
            ? "W03,Phạm Văn Thôi,20/05/1985,M,\(Self.pid(year: 1985, female: false, serial: 203)),Phường Hương Trà,Tổ dân phố 3,NKT_NANG,,203/QĐ-UBND,12/12/2021,01/2022,\(m.vietnamese),,stopped,bank,970405,4001205000203,PHAM VAN THOI,,,,"
            : "W03,Phạm Văn Thôi,20/05/1985,M,\(Self.pid(year: 1985, female: false, serial: 203)),Phường Hương Trà,Tổ dân phố 3,NKT_NANG,,203/QĐ-UBND,12/12/2021,01/2022,,,active,bank,970405,4001205000203,PHAM VAN THOI,,,,"
        let w04 = "W04,Đỗ Thị Mới,03/03/1996,F,\(Self.pid(year: 1996, female: true, serial: 204)),Phường Hương Trà,Tổ dân phố 4,NKT_DAC_BIET_NANG,,204/QĐ-UBND,\(today.vietnamese),\(m.previous.vietnamese),,,active,bank,970405,4001205000204,DO THI MOI,,,,"
        let w05 = "W05,Ngô Văn Đổi,01/01/1980,M,\(Self.pid(year: 1980, female: false, serial: 205)),Phường Hương Trà,Tổ dân phố 5,NKT_NANG,,205/QĐ-UBND,12/12/2021,01/2022,,,active,bank,970405,\(secondMonth ? "4001205009999" : "4001205000205"),NGO VAN DOI,,,,"
        return ([Self.header, w01, w02, w03] + (secondMonth ? [w04] : []) + [w05]).joined(separator: "\n") + "\n"
    }

    static func importRoll(_ h: WebHarness, secondMonth: Bool) throws {
        let url = h.dir.appendingPathComponent("roll-\(secondMonth ? 2 : 1).csv")
        try Data(roll(secondMonth: secondMonth).utf8).write(to: url)
        let formats = WebHarness.formats
        let validator = RollValidator(tariff: try Tariff.load(from: formats.appendingPathComponent("tariff.json")),
                                      banks: try BankDirectory.load(from: formats.appendingPathComponent("banks.json")))
        let s = try RollImporter(db: h.db, validator: validator, actor: try h.db.actor(.maker)).importFile(url)
        XCTAssertEqual(s.rejected, 0, "roll \(secondMonth ? 2 : 1) imports whole: \(s)")
    }

    /// The HTML of the section `id="anchor"` of a page.
    static func section(_ html: String, _ anchor: String) -> String {
        guard let start = html.range(of: "id=\"\(anchor)\"") else { return "" }
        let rest = html[start.upperBound...]
        return String(rest[..<(rest.range(of: "</section>")?.lowerBound ?? rest.endIndex)])
    }

    /// The text of a page without tags, whitespace collapsed.
    static func text(_ html: String) -> String {
        html.replacingOccurrences(of: "<[^>]+>", with: " ", options: .regularExpression)
            .replacingOccurrences(of: "&#39;", with: "'").replacingOccurrences(of: "&quot;", with: "\"")
            .split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    func testBuildApproveExportDownloadAndTheReviewOfTheNextMonth() async throws {
        let h = try WebHarness()
        let (first, second, today) = (Self.first, Self.second, Self.today)
        _ = try KeyStore(directory: h.dir.appendingPathComponent("keys")).create(id: "k-web-1")
        try Self.importRoll(h, secondMonth: false)
        _ = try h.db.actor(.maker, login: "test.both", roles: [.maker, .checker])
        try await h.app.test(.router) { client in
            let maker = Browser(), checker = Browser(), both = Browser(), clerk = Browser()
            _ = try await maker.login(client, "test.maker")
            _ = try await checker.login(client, "test.checker")
            _ = try await both.login(client, "test.both")
            _ = try await clerk.login(client, "test.clerk")

            // The list: empty, with the build form for a maker only.
            var r = try await maker.get(client, "/batches")
            XCTAssertEqual(r.status, .ok)
            XCTAssertTrue(maker.lastBody.contains("Chưa có bảng chi nào"))
            XCTAssertTrue(maker.lastBody.contains("action=\"/batches/build\""))
            _ = try await clerk.get(client, "/batches")
            XCTAssertFalse(clerk.lastBody.contains("action=\"/batches/build\""), "a clerk sees the list, not the build form")

            // A month that is not a month: refused, saying the expected form.
            for bad in ["13/2026", "2026-00", "tháng 12", "", "12/26"] {
                r = try await maker.post(client, "/batches/build", ["period": bad])
                XCTAssertEqual(r.status, .badRequest, bad)
                XCTAssertTrue(maker.lastBody.contains("12/2026") && maker.lastBody.contains("2026-12"), "\(bad): \(maker.lastBody)")
            }
            _ = try await maker.get(client, "/batches")
            r = try await maker.post(client, "/batches/build", ["period": first.next.next.vietnamese])
            XCTAssertEqual(r.status, .badRequest)
            XCTAssertTrue(maker.lastBody.contains("chỉ lập cho tháng này"), maker.lastBody)
            _ = try await maker.get(client, "/batches")
            r = try await maker.post(client, "/batches/build", ["period": first.vietnamese, "supplementary": "1"])
            XCTAssertTrue(maker.lastBody.contains("cần ghi lý do"), maker.lastBody)

            // Build month one, written MM/YYYY.
            _ = try await maker.get(client, "/batches")
            r = try await maker.post(client, "/batches/build", ["period": first.vietnamese])
            XCTAssertEqual(r.status, .seeOther)
            XCTAssertEqual(r.headers[.location], "/batches/1?ok=built")
            r = try await maker.get(client, "/batches/1?ok=built")
            XCTAssertEqual(r.status, .ok)
            var page = Self.text(maker.lastBody)
            XCTAssertTrue(page.contains("Đã lập bảng chi nháp số 1"), page)
            XCTAssertTrue(page.contains("Nháp"))
            // W01 1.5 × 500,000 + W02 pension 500,000 + W03 1.5 × 500,000 + W05 1.5 × 500,000.
            XCTAssertTrue(page.contains("4 khoản, 2.750.000 đ"), page)
            XCTAssertTrue(page.contains("Ngân hàng Agribank"), page)   // 970405: W01, W03, W05
            XCTAssertTrue(page.contains("2.250.000 đ"))
            XCTAssertTrue(page.contains("bảng chi đầu tiên"))
            XCTAssertFalse(maker.lastBody.contains("action=\"/batches/1/approve\""), "the maker has no approve form")

            // The checker must say the changes were looked at.
            _ = try await checker.get(client, "/batches/1")
            XCTAssertTrue(checker.lastBody.contains("Tôi đã xem các thay đổi"))
            r = try await checker.post(client, "/batches/1/approve", [:])
            XCTAssertEqual(r.status, .badRequest)
            XCTAssertTrue(checker.lastBody.contains("Tôi đã xem các thay đổi"), checker.lastBody)
            _ = try await checker.get(client, "/batches/1")
            XCTAssertTrue(Self.text(checker.lastBody).contains("Trạng thái Nháp"), "nothing approved")

            // A maker-only account cannot approve at all; an account with both roles cannot approve what it built.
            r = try await maker.post(client, "/batches/1/approve", ["reviewed": "1"])
            XCTAssertEqual(r.status, .forbidden)
            _ = try await both.get(client, "/batches")
            r = try await both.post(client, "/batches/build", ["period": first.description])   // YYYY-MM: rebuilds the draft
            XCTAssertEqual(r.headers[.location], "/batches/1?ok=rebuilt")
            _ = try await both.get(client, "/batches/1")
            XCTAssertTrue(both.lastBody.contains("không được tự duyệt"), "the page says it before the click")
            XCTAssertFalse(both.lastBody.contains("action=\"/batches/1/approve\""))
            r = try await both.post(client, "/batches/1/approve", ["reviewed": "1"])
            XCTAssertEqual(r.status, .forbidden)
            XCTAssertTrue(both.lastBody.contains("không được tự duyệt"), both.lastBody)

            // Accepting open exceptions needs a note.
            _ = try await checker.get(client, "/batches/1")
            r = try await checker.post(client, "/batches/1/approve", ["reviewed": "1", "accept_exceptions": "1", "note": "  "])
            XCTAssertEqual(r.status, .badRequest)
            XCTAssertTrue(checker.lastBody.contains("cần ghi chú"), checker.lastBody)

            // The checker approves.
            _ = try await checker.get(client, "/batches/1")
            r = try await checker.post(client, "/batches/1/approve", ["reviewed": "1"])
            XCTAssertEqual(r.headers[.location], "/batches/1?ok=approved")
            _ = try await checker.get(client, "/batches/1?ok=approved")
            page = Self.text(checker.lastBody)
            XCTAssertTrue(page.contains("Đã duyệt bảng chi số 1"), page)
            XCTAssertTrue(page.contains("Người duyệt test.checker"), page)
            XCTAssertTrue(page.contains("Niêm phong phê duyệt Khớp"), page)

            // Nothing to download before the export.
            r = try await maker.get(client, "/batches/1/download")
            XCTAssertEqual(r.status, .notFound)
            XCTAssertTrue(maker.lastBody.contains("chưa được xuất tệp"), maker.lastBody)

            // The maker exports; the page shows the verification.
            _ = try await maker.get(client, "/batches/1")
            r = try await maker.post(client, "/batches/1/export", [:])
            XCTAssertEqual(r.headers[.location], "/batches/1?ok=exported")
            _ = try await maker.get(client, "/batches/1?ok=exported")
            page = Self.text(maker.lastBody)
            XCTAssertTrue(page.contains("Đã xuất"), page)
            XCTAssertTrue(page.contains("Đã kiểm tra: bảng kê và 2 tệp khớp chữ ký"), page)   // Agribank; the post office (W02)
            XCTAssertTrue(page.contains("chữ ký hợp lệ (khoá k-web-1)"), page)
            let files = Self.text(Self.section(maker.lastBody, "tep"))
            XCTAssertTrue(files.contains("Ngân hàng Agribank") && files.contains("2.250.000 đ Hợp lệ"), files)
            XCTAssertTrue(files.contains("Tổng theo bảng kê 4 2.750.000 đ"), files)
            XCTAssertTrue(page.contains("Người lập test.both"), page)

            // The download: a zip of the signed files and the manifest.
            r = try await clerk.get(client, "/batches/1/download")
            XCTAssertEqual(r.status, .forbidden, "a clerk does not take the payout files")
            r = try await maker.get(client, "/batches/1/download")
            XCTAssertEqual(r.status, .ok)
            XCTAssertEqual(r.headers[.contentType], "application/zip")
            XCTAssertEqual(r.headers[.contentDisposition], "attachment; filename=\"chitra-batch-1-\(first.description).zip\"")
            let zipped = Data(r.body.readableBytesView)
            let unzipped = try Self.unzip(zipped, in: h.dir.appendingPathComponent("unzipped-1"))
            let keys = KeyStore(directory: h.dir.appendingPathComponent("keys"))
            let manifest = try Manifest.decode(Data(contentsOf: unzipped.appendingPathComponent("manifest.json")))
            XCTAssertEqual(manifest.batchId, 1)
            XCTAssertEqual(manifest.period, first.description)
            XCTAssertEqual(manifest.totals.lineCount, 4)
            XCTAssertEqual(manifest.totals.controlSum, 2_750_000)
            XCTAssertEqual(manifest.files.count, 2)
            let names = try FileManager.default.contentsOfDirectory(atPath: unzipped.path).sorted()
            XCTAssertEqual(names, (["manifest.json", "manifest.json.sig"] + manifest.files.flatMap { [$0.name, $0.name + ".sig"] }).sorted())
            XCTAssertEqual(Verifier.verifyManifest(at: unzipped.appendingPathComponent("manifest.json"), keys: keys).map(\.message), [])
            for f in manifest.files {
                XCTAssertEqual(try Verifier.verify(file: unzipped.appendingPathComponent(f.name), keys: keys), .valid(keyID: "k-web-1"), f.name)
            }
            // The temporary zip does not stay on the server.
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: h.env.workDirectory.appendingPathComponent("exports").path)
            XCTAssertEqual(leftovers, ["batch-1"])

            // Re-export writes the same bytes.
            let before = try Data(contentsOf: unzipped.appendingPathComponent(manifest.files[0].name))
            r = try await maker.post(client, "/batches/1/export", [:])
            XCTAssertEqual(r.headers[.location], "/batches/1?ok=reexported")
            let again = try Data(contentsOf: h.env.workDirectory.appendingPathComponent("exports/batch-1").appendingPathComponent(manifest.files[0].name))
            XCTAssertEqual(before, again)

            // A changed file is shown on the page and not downloaded.
            let tampered = h.env.workDirectory.appendingPathComponent("exports/batch-1").appendingPathComponent(manifest.files[0].name)
            try (again + Data(" ".utf8)).write(to: tampered)
            _ = try await checker.get(client, "/batches/1")
            XCTAssertTrue(Self.text(checker.lastBody).contains("KHÔNG ĐẠT"), checker.lastBody)
            XCTAssertTrue(Self.text(checker.lastBody).contains("tệp đã bị sửa sau khi ký"), Self.text(checker.lastBody))
            r = try await checker.get(client, "/batches/1/download")
            XCTAssertEqual(r.status, .conflict)
            try again.write(to: tampered)

            // Month two: the roll changes, the maker builds (written YYYY-MM), the checker reviews.
            try Self.importRoll(h, secondMonth: true)
            // W02 died today; her son organised the burial: funeral support is his claim, paid to his account
            // (Decree 20/2021 Art. 11: 20 × 500,000 = 10,000,000 đ).
            _ = try FuneralClaims(db: h.db, banks: try h.env.banks(), tariff: try h.env.tariff()).add(
                FuneralClaimInput(deceasedCode: "W02", organiserKind: .relative, organiserName: "Lê Văn Con", organiserID: "046078000301",
                                  relation: "Con", decisionNo: "45/QĐ-UBND", decisionDate: today, channel: .bank,
                                  bankBIN: "970405", accountNo: "3700205123456", accountName: "LE VAN CON"),
                by: try h.db.actor(.maker))
            _ = try await maker.get(client, "/batches")
            r = try await maker.post(client, "/batches/build", ["period": second.description])
            XCTAssertEqual(r.headers[.location], "/batches/2?ok=built")
            r = try await checker.get(client, "/batches/2")
            XCTAssertEqual(r.status, .ok)
            let html = checker.lastBody
            page = Self.text(html)
            XCTAssertTrue(page.contains("So với bảng chi số 1 tháng \(first.vietnamese)"), page)
            // Month two: W01 2.0 × 500,000 + W04 (2.0 × 500,000 + 2 months arrears) + W02 funeral 20 × 500,000 + W05 750,000.
            XCTAssertTrue(page.contains("2.750.000 đ → 14.750.000 đ (tăng 12.000.000 đ)"), page)

            let added = Self.text(Self.section(html, "moi"))
            XCTAssertTrue(added.contains("Người mới được chi (1)"), added)
            XCTAssertTrue(added.contains("Đỗ Thị Mới") && added.contains("3.000.000 đ"), added)
            XCTAssertTrue(added.contains("quyết định 204/QĐ-UBND ngày \(today.vietnamese), hưởng từ tháng \(first.previous.vietnamese)"), added)
            XCTAssertTrue(added.contains("Truy lĩnh 2 tháng: 2.000.000 đ"), added)

            let deceased = Self.text(Self.section(html, "mat"))
            XCTAssertTrue(deceased.contains("Người đã mất (1)"), deceased)
            XCTAssertTrue(deceased.contains("Lê Thị Hưu"), deceased)
            XCTAssertTrue(deceased.contains("Mất ngày \(today.vietnamese): thôi chi trợ cấp từ tháng \(second.vietnamese)"), deceased)
            XCTAssertTrue(deceased.contains("Chi hỗ trợ mai táng phí 10.000.000 đ cho Lê Văn Con"), deceased)

            let stopped = Self.text(Self.section(html, "thoi"))
            XCTAssertTrue(stopped.contains("Phạm Văn Thôi") && stopped.contains("750.000 đ"), stopped)
            XCTAssertTrue(stopped.contains("Đã thôi hưởng"), stopped)
            XCTAssertTrue(stopped.contains("đã thôi hưởng sau tháng \(first.vietnamese)"), stopped)

            let changed = Self.text(Self.section(html, "so-tien"))
            XCTAssertTrue(changed.contains("Số tiền thay đổi (1)"), changed)
            XCTAssertTrue(changed.contains("Trần Văn Tám Mươi") && changed.contains("750.000 đ 1.000.000 đ"), changed)
            XCTAssertTrue(changed.contains("Đủ 80 tuổi trong tháng \(second.vietnamese)"), changed)
            XCTAssertTrue(changed.contains("hệ số 1,5 → 2,0"), changed)

            let payment = Self.text(Self.section(html, "cach-nhan"))
            XCTAssertTrue(payment.contains("Ngô Văn Đổi"), payment)
            XCTAssertTrue(payment.contains("Agribank *********0205 → Agribank *********9999"), payment)
            XCTAssertFalse(html.contains("4001205009999"), "account numbers are masked")
            XCTAssertTrue(payment.contains("Số tài khoản"), payment)
            XCTAssertTrue(payment.contains("từ tệp danh sách"), payment)

            // One section alone, paged.
            r = try await checker.get(client, "/batches/2?muc=so-tien")
            page = Self.text(checker.lastBody)
            XCTAssertTrue(page.contains("Số tiền thay đổi (1)") && page.contains("Người 1–1 trong 1"), page)
            XCTAssertFalse(page.contains("Theo nơi chi trả"), "only the section")
            XCTAssertFalse(page.contains("Người mới được chi (1)"))

            // A draft has nothing to download; the maker cancels it with a reason.
            r = try await maker.get(client, "/batches/2/download")
            XCTAssertEqual(r.status, .notFound)
            _ = try await maker.get(client, "/batches/2")
            r = try await maker.post(client, "/batches/2/cancel", ["reason": " "])
            XCTAssertEqual(r.status, .badRequest)
            XCTAssertTrue(maker.lastBody.contains("Lý do huỷ"))
            _ = try await maker.get(client, "/batches/2")
            r = try await maker.post(client, "/batches/2/cancel", ["reason": "Lập lại sau khi nhập danh sách mới"])
            XCTAssertEqual(r.headers[.location], "/batches/2?ok=cancelled")
            _ = try await maker.get(client, "/batches")
            XCTAssertTrue(Self.text(maker.lastBody).contains("Đã huỷ"))
            // An exported batch cannot be cancelled.
            r = try await maker.post(client, "/batches/1/cancel", ["reason": "thử"])
            XCTAssertEqual(r.status, .conflict)
            XCTAssertTrue(maker.lastBody.contains("đã xuất tệp"), maker.lastBody)
        }
    }

    func testSupplementaryBatchListsWhoItAddsAndWhy() async throws {
        let h = try WebHarness()
        let (first, today) = (Self.first, Self.today)
        try Self.importRoll(h, secondMonth: false)
        try await h.app.test(.router) { client in
            let maker = Browser(), checker = Browser()
            _ = try await maker.login(client, "test.maker")
            _ = try await checker.login(client, "test.checker")
            _ = try await maker.get(client, "/batches")
            var r = try await maker.post(client, "/batches/build", ["period": first.description, "supplementary": "1", "reason": "QĐ bổ sung"])
            XCTAssertEqual(r.status, .badRequest, "no approved regular batch to supplement yet")
            XCTAssertTrue(maker.lastBody.contains("Chưa có bảng chi thường kỳ đã duyệt"), maker.lastBody)
            _ = try await maker.get(client, "/batches")
            r = try await maker.post(client, "/batches/build", ["period": first.description])
            _ = try await checker.get(client, "/batches/1")
            r = try await checker.post(client, "/batches/1/approve", ["reviewed": "1"])
            XCTAssertEqual(r.headers[.location], "/batches/1?ok=approved")
            // W06 is decided after the month's batch was approved, from the month before: 1.5 × 500,000 for the month and the one before.
            let prev = first.previous
            let w06 = "W06,Hồ Thị Bổ Sung,01/02/1990,F,\(Self.pid(year: 1990, female: true, serial: 206)),Phường Hương Trà,Tổ dân phố 6,NKT_NANG,,206/QĐ-UBND,15/\(String(format: "%02d/%04d", prev.month, prev.year)),\(prev.vietnamese),,,active,bank,970405,4001205000206,HO THI BO SUNG,,,,"
            let url = h.dir.appendingPathComponent("roll-sup.csv")
            try Data((Self.roll(secondMonth: false) + w06 + "\n").utf8).write(to: url)
            let formats = WebHarness.formats
            _ = try RollImporter(db: h.db, validator: RollValidator(tariff: try Tariff.load(from: formats.appendingPathComponent("tariff.json")),
                                                                    banks: try BankDirectory.load(from: formats.appendingPathComponent("banks.json")), today: today),
                                 actor: try h.db.actor(.maker)).importFile(url)
            _ = try await maker.get(client, "/batches")
            r = try await maker.post(client, "/batches/build", ["period": first.vietnamese, "supplementary": "1", "reason": "QĐ 206/QĐ-UBND bổ sung 1 người"])
            XCTAssertEqual(r.headers[.location], "/batches/2?ok=built")
            _ = try await checker.get(client, "/batches/2")
            let page = Self.text(checker.lastBody)
            XCTAssertTrue(page.contains("tháng \(first.vietnamese) (bổ sung)"), page)
            XCTAssertTrue(page.contains("So với bảng chi thường kỳ số 1 của cùng tháng \(first.vietnamese)"), page)
            XCTAssertTrue(page.contains("2 khoản, 1.500.000 đ"), page)
            let added = Self.text(Self.section(checker.lastBody, "moi"))
            XCTAssertTrue(added.contains("Người mới được chi (1)") && added.contains("Hồ Thị Bổ Sung") && added.contains("1.500.000 đ"), added)
            XCTAssertTrue(added.contains("Truy lĩnh 1 tháng: 750.000 đ"), added)
            XCTAssertTrue(Self.text(Self.section(checker.lastBody, "thoi")).contains("Không có."), "a supplementary batch stops nobody")
        }
    }

    func testUnknownBatchIsAVietnamese404() async throws {
        let h = try WebHarness()
        try await h.app.test(.router) { client in
            let b = Browser()
            _ = try await b.login(client, "test.checker")
            var r = try await b.get(client, "/batches/99")
            XCTAssertEqual(r.status, .notFound)
            XCTAssertTrue(b.lastBody.contains("Không tìm thấy bảng chi số 99"), b.lastBody)
            r = try await b.get(client, "/batches/abc")
            XCTAssertEqual(r.status, .notFound)
        }
    }

    static func unzip(_ data: Data, in dir: URL) throws -> URL {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let archive = try Archive(data: data, accessMode: .read)
        for entry in archive {
            XCTAssertFalse(entry.path.contains("/"), "flat: \(entry.path)")
            _ = try archive.extract(entry, to: dir.appendingPathComponent(entry.path))
        }
        return dir
    }
}
