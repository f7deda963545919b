import ChiTraBatch
import ChiTraCore
import ChiTraReturns
import ChiTraStore
import ChiTraTestSupport
import Foundation
import GRDB
import Testing

/// The periodic report on regular social assistance (form 10a of Decree 20/2021's appendix).
///
/// December 2026 on the rules roll (formats/tariff.json; standard level and social pension
/// 500,000), exported, with the returns of `PaymentFeeTests` (R01, R04, R03, R16 paid; R06
/// rejected; the rest not answered):
///
/// | category | people | paid people | payments | paid | unpaid |
/// |---|---|---|---|---|---|
/// | poor elderly (R01, 80: 2.0) | 1 | 1 | 1 | 1,000,000 | 0 |
/// | orphan (R02, 4: 1.5) | 1 | 0 | 1 | 0 | 750,000 |
/// | especially severe disability (R04 70: 2.5; R08 30: 2.0 for Dec and Aug–Nov arrears) | 2 | 1 | 6 | 1,250,000 | 5,000,000 |
/// | severe disability (R03 45: 1.5; R06 77: 2.0, rejected; R11 31: 1.5) | 3 | 1 | 3 | 750,000 | 1,750,000 |
/// | severe disability + single parent of 2 (R07: 1.5 + 2 × 1.0) | 1 | 0 | 1 | 0 | 1,750,000 |
/// | social pension (R05/R17 one person, cash) | 1 | 0 | 1 | 0 | 500,000 |
/// | social pension, poor household (R16, post account) | 1 | 1 | 1 | 500,000 | 0 |
/// | care: household of an especially severe disability (R10: 1.0) | 1 | 0 | 1 | 0 | 500,000 |
/// | care: disabled mother of 2 (R11: 2.0) | 1 | 0 | 1 | 0 | 1,000,000 |
///
/// Allowance 8 people, 12 payments, 3,000,000 paid, 9,250,000 unpaid; pension 2, 2, 500,000,
/// 500,000; care 2, 2, 0, 1,500,000. In all 11 people (R11 in two parts, counted once), 4 paid,
/// 16 payments, 3,500,000 paid (bank 3,000,000, post account 500,000, cash 0) + 11,250,000
/// unpaid = 14,750,000, the batch's total.
@Suite("Periodic report (Mẫu số 10a)")
struct PeriodicReportTests {
    static func report() throws -> (ReturnsSetup, PeriodicReport) {
        let s = try ReturnsSetup()
        try PaymentFeeTests.returns(s)
        return (s, try PeriodicReport.load(s.db, period: ReportPeriod("2026-H2")!, tariff: ReturnsSetup.tariff, payer: ReturnsSetup.payer))
    }

    static func figures(_ people: Int, _ paidPeople: Int, _ payments: Int, paid: Int64, bank: Int64 = 0, postAccount: Int64 = 0,
                        cash: Int64 = 0, unpaid: Int64) -> PeriodicReport.Figures {
        var f = PeriodicReport.Figures()
        f.people = people; f.paidPeople = paidPeople; f.payments = payments
        f.paid = paid; f.paidBank = bank; f.paidPostAccount = postAccount; f.paidCash = cash; f.unpaid = unpaid
        return f
    }

    @Test("Periods: a month, a quarter, a half-year, a year, a range; nonsense refused")
    func periods() {
        #expect(ReportPeriod("2026-12").map { [$0.from.description, $0.to.description, $0.vietnamese] } == ["2026-12", "2026-12", "tháng 12 năm 2026"])
        #expect(ReportPeriod("2026-H2").map { [$0.from.description, $0.to.description, $0.vietnamese] } == ["2026-07", "2026-12", "6 tháng cuối năm 2026"])
        #expect(ReportPeriod("2026-h1")?.to.description == "2026-06")
        #expect(ReportPeriod("2026-Q4").map { [$0.from.description, $0.vietnamese] } == ["2026-10", "quý IV năm 2026"])
        #expect(ReportPeriod("2026").map { [$0.from.description, $0.to.description] } == ["2026-01", "2026-12"])
        #expect(ReportPeriod("2026-07..2026-12")?.vietnamese == "từ tháng 07/2026 đến tháng 12/2026")
        for bad in ["2026-13", "2026-Q5", "2026-H3", "26", "2026-12..2026-07", "2026-12..", ""] { #expect(ReportPeriod(bad) == nil, "\(bad)") }
    }

    @Test("By scheme and category: the hand-worked figures of December 2026")
    func byCategory() throws {
        let (_, r) = try Self.report()
        #expect(r.parts.map(\.scheme) == [.allowance, .pension, .care])
        #expect(r.batchCount == 1)
        let allowance = r.parts[0]
        #expect(allowance.rows.map(\.category) == ["TRE_MO_COI", "NCT_NGHEO_KHONG_NGUOI_PHUNG_DUONG", "NKT_DAC_BIET_NANG", "NKT_NANG",
                                                   allowance.rows.last!.category])
        #expect(Set(allowance.rows.last!.category.split(separator: "+")) == ["NKT_NANG", "DON_THAN_NUOI_CON"])
        #expect(allowance.rows.map(\.figures) == [
            Self.figures(1, 0, 1, paid: 0, unpaid: 750_000),
            Self.figures(1, 1, 1, paid: 1_000_000, bank: 1_000_000, unpaid: 0),
            Self.figures(2, 1, 6, paid: 1_250_000, bank: 1_250_000, unpaid: 5_000_000),
            Self.figures(3, 1, 3, paid: 750_000, bank: 750_000, unpaid: 1_750_000),
            Self.figures(1, 0, 1, paid: 0, unpaid: 1_750_000),
        ])
        #expect(allowance.rows[0].label == "Trẻ em mồ côi, bị bỏ rơi")
        #expect(allowance.subtotal == Self.figures(8, 3, 12, paid: 3_000_000, bank: 3_000_000, unpaid: 9_250_000))
        #expect(r.parts[1].rows.map(\.category) == ["HUU_TRI_XA_HOI", "HUU_TRI_XA_HOI_HO_NGHEO"])
        #expect(r.parts[1].rows.map(\.figures) == [Self.figures(1, 0, 1, paid: 0, unpaid: 500_000),
                                                  Self.figures(1, 1, 1, paid: 500_000, postAccount: 500_000, unpaid: 0)])
        #expect(r.parts[1].subtotal == Self.figures(2, 1, 2, paid: 500_000, postAccount: 500_000, unpaid: 500_000))
        #expect(r.parts[2].rows.map(\.category) == ["CS_HO_CHAM_SOC_NKT_DBN", "CS_PHU_NU_KHUYET_TAT_NUOI_CON"])
        #expect(r.parts[2].subtotal == Self.figures(2, 0, 2, paid: 0, unpaid: 1_500_000))
        #expect(r.total == Self.figures(11, 4, 16, paid: 3_500_000, bank: 3_000_000, postAccount: 500_000, unpaid: 11_250_000))
    }

    @Test("By channel: bank 9 people, post account 1, cash 1; each adds up to the total")
    func byChannel() throws {
        let (_, r) = try Self.report()
        #expect(r.channels.map(\.channel) == [.bank, .postAccount, .postCash])
        #expect(r.channels.map(\.figures) == [
            Self.figures(9, 3, 14, paid: 3_000_000, bank: 3_000_000, unpaid: 10_750_000),
            Self.figures(1, 1, 1, paid: 500_000, postAccount: 500_000, unpaid: 0),
            Self.figures(1, 0, 1, paid: 0, unpaid: 500_000),
        ])
    }

    @Test("A period without exported batches reports nothing; drafts and approved batches are not counted")
    func onlyExported() throws {
        let (s, _) = try Self.report()
        _ = try s.build("2027-01")   // a draft for January
        let r = try PeriodicReport.load(s.db, period: ReportPeriod("2027-01")!, tariff: ReturnsSetup.tariff, payer: ReturnsSetup.payer)
        #expect(r.parts.isEmpty && r.total == PeriodicReport.Figures() && r.batchCount == 0)
    }

    @Test("CSV and HTML carry the figures, the form and the total in words")
    func paper() throws {
        let (_, r) = try Self.report()
        let csv = String(decoding: r.csv().dropFirst(3), as: UTF8.self)
        #expect(csv.contains("\r\n3,Người khuyết tật đặc biệt nặng,NKT_DAC_BIET_NANG,2,1,6,1250000,1250000,0,0,5000000\r\n"))
        #expect(csv.contains("\r\n,Tổng cộng,,11,4,16,3500000,3000000,500000,0,11250000\r\n"))
        #expect(csv.contains("\r\n3,Tiền mặt tại bưu điện,post_cash,1,0,1,0,0,0,0,500000\r\n"))
        #expect(csv.contains("Bằng chữ,Ba triệu năm trăm nghìn đồng"))
        let html = r.html()
        #expect(html.contains("Mẫu số 10a"))
        #expect(html.contains("6 tháng cuối năm 2026"))
        #expect(html.contains("<td class=\"n\">3.500.000</td>"))
        #expect(html.contains("Ba triệu năm trăm nghìn đồng"))
        #expect(html.contains("size: A4 landscape"))
    }

    @Test("The report's PDF is A4 landscape and renders (pdftoppm -png -r 50)",
          .enabled(if: PDFPrinter.chromium() != nil && FileManager.default.isExecutableFile(atPath: "/usr/bin/pdftoppm")
                       && FileManager.default.isExecutableFile(atPath: "/usr/bin/pdfinfo"),
                   "needs chromium and poppler-utils (pdftoppm, pdfinfo)"),
          .timeLimit(.minutes(3)))
    func pdf() throws {
        let (s, r) = try Self.report()
        let pdf = s.dir.appendingPathComponent("bao-cao.pdf")
        try PDFPrinter.print(html: r.html(), to: pdf)
        let info = try runTool("/usr/bin/pdfinfo", [pdf.path])
        // Two pages: the table by category (its header repeated), then the one by channel with the signatures.
        #expect(info.contains("Pages:           2"))
        #expect(info.contains("841.92 x 594.96 pts (A4)"), "\(info)")
        let png = s.dir.appendingPathComponent("page")
        _ = try runTool("/usr/bin/pdftoppm", ["-png", "-r", "50", pdf.path, png.path])
        let pages = try FileManager.default.contentsOfDirectory(atPath: s.dir.path).filter { $0.hasPrefix("page") && $0.hasSuffix(".png") }
        #expect(pages.count == 2)
        if let keep = ProcessInfo.processInfo.environment["CHITRA_KEEP_PAPER"] {
            try? FileManager.default.removeItem(atPath: keep + "/periodic-report.pdf")
            try FileManager.default.copyItem(at: pdf, to: URL(fileURLWithPath: keep + "/periodic-report.pdf"))
        }
    }
}

/// Runs a tool and returns what it printed.
func runTool(_ tool: String, _ args: [String]) throws -> String {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: tool)
    p.arguments = args
    let pipe = Pipe()
    p.standardOutput = pipe
    p.standardError = pipe
    try p.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return String(decoding: data, as: UTF8.self)
}
