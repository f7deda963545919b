import ChiTraCore
import ChiTraSheets
import ChiTraTestSupport
import Foundation
import Testing

/// The `.xlsx` writer, checked the way a clerk's spreadsheet sees a file: opened by LibreOffice
/// headless, and its XML read back for the types and the print setup.
///
/// The sample: three people of "Tổ dân phố 4" with personal IDs starting with zeros, a 19-digit
/// account, amounts 1,250,000 + 750,000 + 2,500,000 = 4,500,000 đồng (worked by hand), and a
/// decision date of 31/12/2026 — day 46,387 counted from 30/12/1899 (1/1/2024 is 45,292; + 366
/// for 2024 + 365 for 2025 = 46,023 for 1/1/2026; + 364 = 46,387).
@Suite("XLSX writer")
struct XLSXWriterTests {
    static let columns = [XLSXColumn("STT", width: 5), XLSXColumn("Số định danh"), XLSXColumn("Họ và tên"), XLSXColumn("Số tài khoản"),
                          XLSXColumn("Số tiền (đồng)"), XLSXColumn("Ngày quyết định"), XLSXColumn("Ghi chú", wrap: true)]

    static func sample(expectedTotal: Int64 = 4_500_000) -> XLSXWorkbook {
        let rows: [[XLSXCell]] = [
            [.integer(1), .text("001190012345"), .text("Nguyễn Thị Hoa"), .text("0123456789012345678"), .money(1_250_000),
             .date(CivilDate(year: 2026, month: 12, day: 31)!), .text("=HYPERLINK(\"http://x.example\",\"bấm\")")],
            [.integer(2), .text("046040009902"), .text("Trần Văn Hai"), .text("9704050000001"), .money(750_000),
             .date(CivilDate(year: 2025, month: 7, day: 1)!), .text("-5 tháng; +1 @ghi chú & <b>đậm</b> \"x\"")],
            [.integer(3), .text("079301000123"), .text("Lò Thị Xuân"), .empty, .money(2_500_000),
             .empty, .text("chuông\u{07}cửa _x0041_ hết")],
        ]
        let sheet = XLSXSheet(name: "Tổ dân phố 4", title: ["DANH SÁCH THỬ", "Tháng 12 năm 2026"], columns: columns, rows: rows,
                              totals: XLSXTotals(label: "Tổng cộng", labelColumn: 2, sums: [4: expectedTotal], texts: [1: "3 người"]),
                              notes: ["Bằng chữ: Bốn triệu năm trăm nghìn đồng"])
        let second = XLSXSheet(name: "Ghi chú", columns: [XLSXColumn("Nội dung")], rows: [[.text("trang thứ hai")]])
        return XLSXWorkbook(title: "Thử", sheets: [sheet, second])
    }

    static func tempDir() throws -> URL {
        let u = FileManager.default.temporaryDirectory.appendingPathComponent("chitra-xlsx-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: u, withIntermediateDirectories: true)
        return u
    }

    @Test("The XML says text for IDs and accounts, numbers with #,##0 for money, dd/mm/yyyy for dates, a SUM with its cached total")
    func cellTypes() throws {
        let dir = try Self.tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("thu.xlsx")
        try XLSXWriter.write(Self.sample(), to: url)
        let x = try XLSXPackage(url: url)
        #expect(x.sheets.map(\.name) == ["Tổ dân phố 4", "Ghi chú"])
        let s = try #require(x.sheet("Tổ dân phố 4"))
        // Two title lines, a blank line, the header on row 4, data on rows 5–7, totals on row 8.
        #expect(s["A4"]?.value == "STT" && s["A4"]?.bold == true)
        #expect(s["E4"]?.value == "Số tiền (đồng)")
        let id = try #require(s["B5"])
        #expect(id.isText && id.value == "001190012345" && id.numberFormat == "@")
        let account = try #require(s["D5"])
        #expect(account.isText && account.value == "0123456789012345678")
        let money = try #require(s["E5"])
        #expect(!money.isText && money.value == "1250000" && money.numberFormat == "#,##0")
        let date = try #require(s["F5"])
        #expect(!date.isText && date.value == "46387" && date.numberFormat == "dd/mm/yyyy")
        #expect(s["F6"]?.value == "45839")   // 1/7/2025: 46,023 − 184 days (July to December 2025)
        #expect(s["A5"]?.value == "1" && s["A5"]?.isText == false)
        // A text that looks like a formula is text, never a formula, and keeps Excel's quote prefix.
        let injected = try #require(s["G5"])
        #expect(injected.isText && injected.formula == nil && injected.quotePrefix)
        #expect(injected.value == "=HYPERLINK(\"http://x.example\",\"bấm\")")
        #expect(s["G6"]?.value == "-5 tháng; +1 @ghi chú & <b>đậm</b> \"x\"")
        // The bell character is dropped (XML 1.0 forbids it); Excel's escape syntax is escaped.
        #expect(s["G7"]?.value == "chuôngcửa _x005F_x0041_ hết")
        let total = try #require(s["E8"])
        #expect(total.formula == "SUM(E5:E7)" && total.value == "4500000" && total.bold)
        #expect(s["C8"]?.value == "Tổng cộng" && s["B8"]?.value == "3 người")
        #expect(s["A10"]?.value == "Bằng chữ: Bốn triệu năm trăm nghìn đồng")
        // No cell of the workbook holds a formula but the total.
        #expect(x.sheets.flatMap { $0.cells.values.compactMap(\.formula) } == ["SUM(E5:E7)"])
    }

    @Test("Frozen below the header, A4 fitted to the width, header row repeated on every page, title in the page header")
    func printSetup() throws {
        let dir = try Self.tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("thu.xlsx")
        try XLSXWriter.write(Self.sample(), to: url)
        let s = try #require(try XLSXPackage(url: url).sheet("Tổ dân phố 4"))
        #expect(s.pane["ySplit"] == "4" && s.pane["state"] == "frozen" && s.pane["topLeftCell"] == "A5")
        #expect(s.pageSetup["paperSize"] == "9")
        #expect(s.pageSetup["fitToWidth"] == "1" && s.pageSetup["fitToHeight"] == "0")
        #expect(s.pageSetUpPr["fitToPage"] == "1")
        #expect(s.printTitles == "'Tổ dân phố 4'!$4:$4")
        #expect(s.oddHeader == "&CDANH SÁCH THỬ")
        #expect(s.columnWidths.count == 7)
        #expect(s.columnWidths[0] == 5)
        // "Số tài khoản" holds 19 digits: the column is at least 19 characters wide.
        #expect(s.columnWidths[3] >= 19)
        let second = try #require(try XLSXPackage(url: url).sheet("Ghi chú"))
        #expect(second.pane["ySplit"] == "1" && second.printTitles == "'Ghi chú'!$1:$1")
    }

    @Test("LibreOffice opens it with the same values: leading zeros, whole account numbers, the total to the đồng")
    func libreOfficeReadsTheSameValues() throws {
        guard LibreOffice.soffice != nil else { print(LibreOffice.missing); return }
        let dir = try Self.tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("thu.xlsx")
        try XLSXWriter.write(Self.sample(), to: url)
        let raw = try LibreOffice.sheets(of: url)
        let rows = try #require(raw["Tổ dân phố 4"])
        #expect(rows[0].first == "DANH SÁCH THỬ")
        #expect(rows[3] == ["STT", "Số định danh", "Họ và tên", "Số tài khoản", "Số tiền (đồng)", "Ngày quyết định", "Ghi chú"])
        #expect(Array(rows[4].prefix(5)) == ["1", "001190012345", "Nguyễn Thị Hoa", "0123456789012345678", "1250000"])
        #expect(rows[4][6] == "=HYPERLINK(\"http://x.example\",\"bấm\")")
        #expect(Array(rows[5].prefix(5)) == ["2", "046040009902", "Trần Văn Hai", "9704050000001", "750000"])
        #expect(rows[5][6] == "-5 tháng; +1 @ghi chú & <b>đậm</b> \"x\"")
        #expect(Array(rows[6].prefix(5)) == ["3", "079301000123", "Lò Thị Xuân", "", "2500000"])
        #expect(rows[6][6] == "chuôngcửa _x0041_ hết")
        #expect(Array(rows[7].prefix(5)) == ["", "3 người", "Tổng cộng", "", "4500000"])
        #expect(raw["Ghi chú"]?[1].first == "trang thứ hai")
        // As a person sees them: thousands separators and day/month/year.
        let shown = try #require(try LibreOffice.sheets(of: url, asShown: true)["Tổ dân phố 4"])
        #expect(shown[4][4] == "1,250,000" && shown[7][4] == "4,500,000")
        #expect(shown[4][5] == "31/12/2026" && shown[5][5] == "01/07/2025")
    }

    @Test("A total that is not the sum of its column is refused and nothing is written")
    func wrongTotalRefused() throws {
        let dir = try Self.tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("sai.xlsx")
        #expect { try XLSXWriter.write(Self.sample(expectedTotal: 4_500_001), to: url) } throws: { e in
            (e as? MessageError)?.message.key == "sheets.total_mismatch"
                && (e as? MessageError)?.text(in: .vi).contains("4.500.000 đồng") == true
                && (e as? MessageError)?.text(in: .vi).contains("4.500.001 đồng") == true
        }
        #expect(!FileManager.default.fileExists(atPath: url.path))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    }

    @Test("Same workbook, same bytes; the file is 0600; a name not ending in .xlsx is refused")
    func deterministicAndPrivate() throws {
        let dir = try Self.tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let a = dir.appendingPathComponent("a.xlsx"), b = dir.appendingPathComponent("b.xlsx")
        try XLSXWriter.write(Self.sample(), to: a)
        Thread.sleep(forTimeInterval: 1.1)
        try XLSXWriter.write(Self.sample(), to: b)
        #expect(try Data(contentsOf: a) == Data(contentsOf: b))
        let mode = (try FileManager.default.attributesOfItem(atPath: a.path)[.posixPermissions] as? NSNumber)?.intValue
        #expect(mode == 0o600)
        #expect { try XLSXWriter.write(Self.sample(), to: dir.appendingPathComponent("a.xls")) } throws: {
            ($0 as? MessageError)?.message.key == "sheets.extension"
        }
    }

    @Test("Sheet names Excel accepts: at most 31 characters, no [ ] : * ? / \\, distinct")
    func sheetNames() {
        var taken = Set<String>()
        let a = XLSXWorkbook.sheetName("Thôn 1/2 [Bắc]: *?", taken: &taken)
        #expect(a == "Thôn 1-2 -Bắc-- --")
        let long = "Tổ dân phố số 12 khu vực Hương Trà mở rộng"
        let b = XLSXWorkbook.sheetName(long, taken: &taken)
        let c = XLSXWorkbook.sheetName(long, taken: &taken)
        #expect(b.count == 31 && b == String(long.prefix(31)))
        #expect(c.count == 31 && c.hasSuffix(" (2)"))
        #expect([a, b, c].allSatisfy(XLSXWorkbook.isValidSheetName))
        #expect(!XLSXWorkbook.isValidSheetName("a/b") && !XLSXWorkbook.isValidSheetName(String(repeating: "x", count: 32)))
    }
}
