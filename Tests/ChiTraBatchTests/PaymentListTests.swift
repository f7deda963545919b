import ChiTraBatch
import ChiTraCore
import ChiTraStore
import ChiTraTestSupport
import Foundation
import Testing

/// Tools the PDF checks need; they skip, saying so, without them.
enum PaperTools {
    static func find(_ name: String) -> String? {
        ["/usr/bin/\(name)", "/usr/local/bin/\(name)", "/bin/\(name)"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }
    static let pdftoppm = find("pdftoppm")
    static let pdfinfo = find("pdfinfo")
    static let pdftotext = find("pdftotext")
    static let canRender = PDFPrinter.chromium() != nil && pdftoppm != nil && pdfinfo != nil && pdftotext != nil

    /// Renders every page of `pdf` to PNG at 50 dpi (`pdftoppm -png -r 50`) and returns the pages;
    /// copies the PDF and its pages to `CHITRA_KEEP_PAPER` when set (to look at them).
    static func pages(_ pdf: URL, name: String) throws -> [URL] {
        let dir = pdf.deletingLastPathComponent().appendingPathComponent("\(name)-png")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let r = try run(pdftoppm!, ["-png", "-r", "50", pdf.path, dir.appendingPathComponent("page").path])
        #expect(r.status == 0, "\(r.output)")
        let pngs = try FileManager.default.contentsOfDirectory(at: dir, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "png" }.sorted { $0.lastPathComponent < $1.lastPathComponent }
        if let keep = ProcessInfo.processInfo.environment["CHITRA_KEEP_PAPER"] {
            let to = URL(fileURLWithPath: keep).appendingPathComponent(name)
            try? FileManager.default.removeItem(at: to)
            try FileManager.default.createDirectory(at: to, withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: pdf, to: to.appendingPathComponent("\(name).pdf"))
            for p in pngs { try FileManager.default.copyItem(at: p, to: to.appendingPathComponent(p.lastPathComponent)) }
        }
        return pngs
    }

    /// The page size in points and the page count (`pdfinfo`).
    static func info(_ pdf: URL) throws -> (pages: Int, size: String) {
        let out = try run(pdfinfo!, [pdf.path]).output
        func field(_ name: String) -> String {
            out.split(separator: "\n").first { $0.hasPrefix(name + ":") }.map { $0.dropFirst(name.count + 1).trimmingCharacters(in: .whitespaces) } ?? ""
        }
        return (Int(field("Pages")) ?? 0, field("Page size"))
    }

    /// The PDF's text with runs of white space made single spaces.
    static func text(_ pdf: URL) throws -> String {
        let out = try run(pdftotext!, ["-enc", "UTF-8", pdf.path, "-"]).output
        return out.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\u{0C}" }).joined(separator: " ")
    }

    /// A PNG's width and height in pixels, from its IHDR chunk.
    static func pngSize(_ url: URL) throws -> (Int, Int) {
        let d = try Data(contentsOf: url)
        func be32(_ at: Int) -> Int { d[at..<(at + 4)].reduce(0) { $0 << 8 | Int($1) } }
        return (be32(16), be32(20))
    }
}

/// The post office's payment list of a village.
///
/// Two people are added to the rules roll in "Thôn Mới", paid in cash at the post office from
/// December 2026 (formats/tariff.json, standard level and social pension 500,000):
/// P01 Lê Thị Một, severe disability, aged 36: 1.5 × 500,000 = 750,000;
/// P02 Trần Văn Hai, social pension, aged 86: 500,000, collected by his daughter (a proxy).
/// The village's total: 750,000 + 500,000 = 1,250,000 đồng.
@Suite("Payment list (danh sách chi trả)")
struct PaymentListTests {
    static let newVillage = rollHeader + """

        P01,Lê Thị Một,01/01/1990,F,046190009901,Phường Hương Trà,Thôn Mới,NKT_NANG,,9/QĐ-UBND,20/11/2026,12/2026,,,active,post_cash,,,,,,,
        P02,Trần Văn Hai,05/05/1940,M,046040009902,Phường Hương Trà,Thôn Mới,HUU_TRI_XA_HOI,,10/QĐ-UBND,20/11/2026,12/2026,,,active,post_cash,,,,Trần Thị Ba,046185009903,Con,31/12/2027

        """

    /// The rules roll and Thôn Mới, December built and approved.
    static func approvedBatch() throws -> (AppDatabase, Int64) {
        let db = try Fixture.rulesStore()
        try Fixture.importText(db, newVillage)
        let id = try Fixture.builder(db).build(period: YearMonth("2026-12")!, by: try db.actor(.maker)).id
        try BatchLifecycle(db: db).approve(batchID: id, by: try db.actor(.checker))
        return (db, id)
    }

    @Test("Thôn Mới: one line per person, the proxy named, 1,250,000 đồng in all, in words")
    func village() throws {
        let (db, id) = try Self.approvedBatch()
        let list = try PaymentList.load(db, batchID: id, village: "Thôn Mới", payer: Fixture.payer)
        #expect(list.villages.count == 1)
        let v = list.villages[0]
        #expect(v.village == "Thôn Mới" && v.commune == "Phường Hương Trà")
        #expect(v.rows.map(\.name) == ["Lê Thị Một", "Trần Văn Hai"])   // Vietnamese alphabetical order
        #expect(v.rows.map(\.amount) == [750_000, 500_000])
        #expect(v.rows.map(\.birthYear) == ["1990", "1940"])
        #expect(v.rows[1].payee == "Trần Thị Ba" && v.rows[1].relation == "Con")
        #expect(v.rows[0].payee == nil)
        #expect(v.rows.map(\.content) == ["Trợ cấp hằng tháng 12/2026", "Trợ cấp hằng tháng 12/2026"])
        #expect(v.rows.map(\.channel) == ["Tiền mặt tại bưu điện", "Tiền mặt tại bưu điện"])
        #expect(v.total == 1_250_000)
        #expect(v.totalInWords == "Một triệu hai trăm năm mươi nghìn đồng")
        #expect(list.postOffice == "Bưu điện phường Hương Trà")
        let html = list.html()
        #expect(html.contains("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"))
        #expect(html.contains("Độc lập - Tự do - Hạnh phúc"))
        #expect(html.contains("<b>Bằng chữ:</b> <i>Một triệu hai trăm năm mươi nghìn đồng</i>"))
        #expect(html.contains("<td class=\"n\">1.250.000</td>"))
        #expect(html.contains("Tháng 12 năm 2026"))
        let csv = String(decoding: list.csv().dropFirst(3), as: UTF8.self)
        #expect(csv.contains("1,Thôn Mới,P01,Lê Thị Một,1990,,,,Tiền mặt tại bưu điện,,Trợ cấp hằng tháng 12/2026,1,750000,\r\n"))
        #expect(csv.contains("2,Thôn Mới,P02,Trần Văn Hai,1940,,Trần Thị Ba,Con,Tiền mặt tại bưu điện,,Trợ cấp hằng tháng 12/2026,1,500000,\r\n"))
        #expect(csv.contains("Tổng cộng,Thôn Mới,2,,,,,,,,,2,1250000,\r\n"))
        #expect(csv.contains("Bằng chữ,Thôn Mới,Một triệu hai trăm năm mươi nghìn đồng,"))
    }

    @Test("A village is found without diacritics; an unknown one is refused with the villages that have post-office payments")
    func villageMatching() throws {
        let (db, id) = try Self.approvedBatch()
        #expect(try PaymentList.load(db, batchID: id, village: "thon moi", payer: Fixture.payer).villages.map(\.village) == ["Thôn Mới"])
        #expect { try PaymentList.load(db, batchID: id, village: "Thôn Cũ", payer: Fixture.payer) } throws: {
            "\($0)".contains("Thôn Mới") && "\($0)".contains("\"Thôn Cũ\"")
        }
        let all = try PaymentList.load(db, batchID: id, village: nil, payer: Fixture.payer)
        #expect(all.villages.contains { $0.village == "Thôn Mới" })
        #expect(all.villages.count > 1)
    }

    @Test("A draft batch has no payment list yet")
    func draftRefused() throws {
        let db = try Fixture.rulesStore()
        let id = try Fixture.builder(db).build(period: YearMonth("2026-12")!, by: try db.actor(.maker)).id
        #expect { try PaymentList.load(db, batchID: id, village: nil, payer: Fixture.payer) } throws: { "\($0)".contains("đang ở trạng thái draft; danh sách chi trả giấy chỉ in từ danh sách đã duyệt") }
    }

    @Test("Every value is escaped in the HTML: a name cannot become markup")
    func escaping() throws {
        let header = PaperQueries.BatchHeader(id: 9, period: "2026-12", status: .approved, supplementary: false, lineCount: 1, controlSum: 500_000)
        let line = PaperQueries.PostLine(reference: "CT202612A0-X", groupKey: "VNPOST-X", code: "X<1>", fullName: "<script>alert('x')</script>",
                                         birthDate: "1950-01-01", commune: "Xã \"A\" & B", village: "Thôn <i>", address: "",
                                         channel: .postCash, accountNo: nil, payeeName: "N", payeeRelation: nil, kind: "allowance",
                                         slot: "allowance", forMonth: "2026-12", amount: 500_000)
        let html = try PaymentList.make(header: header, lines: [line], village: nil, payer: Fixture.payer).html()
        #expect(!html.contains("<script>"))
        #expect(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"))
        #expect(html.contains("Thôn &lt;i&gt;"))
        #expect(html.contains("Xã &quot;A&quot; &amp; B"))
    }

    @Test("The village's PDF is A4 and renders (pdftoppm), with the quốc hiệu, the signature blocks and 'Bằng chữ: Một triệu hai trăm năm mươi nghìn đồng'",
          .enabled(if: PaperTools.canRender, "needs chromium, pdftoppm, pdfinfo and pdftotext (apt-get install -y chromium poppler-utils)"),
          .timeLimit(.minutes(3)))
    func villagePDF() throws {
        let (db, id) = try Self.approvedBatch()
        let list = try PaymentList.load(db, batchID: id, village: "Thôn Mới", payer: Fixture.payer)
        let pdf = try Fixture.tempDir().appendingPathComponent("thon-moi.pdf")
        try PDFPrinter.print(html: list.html(), to: pdf)
        #expect(try FileManager.default.attributesOfItem(atPath: pdf.path)[.posixPermissions] as? Int == 0o600)
        let info = try PaperTools.info(pdf)
        #expect(info.pages == 1)
        #expect(info.size.hasSuffix("(A4)") && info.size.hasPrefix("59"), "A4 portrait is 595 x 842 pt, got \(info.size)")
        let pages = try PaperTools.pages(pdf, name: "payment-list-thon-moi")
        #expect(pages.count == 1)
        for page in pages {
            let (w, h) = try PaperTools.pngSize(page)
            #expect(abs(w - 413) <= 1 && abs(h - 585) <= 1, "A4 at 50 dpi is 413 × 585 px, got \(w) × \(h)")
        }
        let text = try PaperTools.text(pdf)
        #expect(text.contains("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"))
        #expect(text.contains("Độc lập - Tự do - Hạnh phúc"))
        #expect(text.contains("Bằng chữ: Một triệu hai trăm năm mươi nghìn đồng"))
        #expect(text.contains("ĐẠI DIỆN BƯU ĐIỆN"))
        #expect(text.contains("Trần Thị Ba"))
    }

    @Test("A village list of 1,336 people over many pages totals 1,001,750,000 đồng, in words too (1,335 × 750,000 + 500,000)",
          .enabled(if: PaperTools.canRender, "needs chromium, pdftoppm, pdfinfo and pdftotext (apt-get install -y chromium poppler-utils)"),
          .timeLimit(.minutes(5)))
    func largeVillagePDF() throws {
        let lines = (1...1_336).map { n in
            PaperQueries.PostLine(reference: String(format: "CT202612A0-%06d", n), groupKey: "VNPOST-PHUONG-HUONG-TRA",
                                  code: String(format: "DT%07d", n), fullName: "Nguyễn Văn \(n)", birthDate: "1950-01-01",
                                  commune: "Phường Hương Trà", village: "Tổ dân phố 4", address: "Kiệt \(n)", channel: .postCash,
                                  accountNo: nil, payeeName: "Nguyễn Văn \(n)", payeeRelation: nil, kind: "allowance", slot: "allowance",
                                  forMonth: "2026-12", amount: n == 1_336 ? 500_000 : 750_000)
        }
        let header = PaperQueries.BatchHeader(id: 3, period: "2026-12", status: .exported, supplementary: false, lineCount: 1_336, controlSum: 1_001_750_000)
        let list = try PaymentList.make(header: header, lines: lines, village: "Tổ dân phố 4", payer: Fixture.payer)
        #expect(list.villages[0].total == 1_001_750_000)
        #expect(list.villages[0].totalInWords == "Một tỷ không trăm linh một triệu bảy trăm năm mươi nghìn đồng")
        let pdf = try Fixture.tempDir().appendingPathComponent("to-4.pdf")
        try PDFPrinter.print(html: list.html(), to: pdf)
        let info = try PaperTools.info(pdf)
        #expect(info.pages > 20)
        let pages = try PaperTools.pages(pdf, name: "payment-list-large")
        #expect(pages.count == info.pages)
        let text = try PaperTools.text(pdf)
        #expect(text.contains("Bằng chữ: Một tỷ không trăm linh một triệu bảy trăm năm mươi nghìn đồng"))
        #expect(text.contains("1.001.750.000"))
        #expect(text.contains("Trang \(info.pages)/\(info.pages)"))
        // The table header is printed again on every page that holds rows (the signatures may end on a page of their own).
        #expect(text.components(separatedBy: "Nội dung chi trả").count - 1 >= info.pages - 1)
    }
}
