import ChiTraBatch
import ChiTraCore
import ChiTraReturns
import ChiTraSheets
import ChiTraTestSupport
import Foundation
import Testing

/// The reconciliation as Excel (`chitra batch reconcile … --xlsx`), on the returns of
/// `PaymentFeeTests`: Agribank pays R01 1,000,000 and R04 1,250,000 and rejects R06 1,000,000
/// (AC04, account closed); VietinBank pays R03 750,000; the post office pays R16 500,000.
/// Paid 4 payments, 1,000,000 + 1,250,000 + 750,000 + 500,000 = 3,500,000 đồng; not paid 1,
/// 1,000,000; fees 2,250 + 750 + 0 (BIDV) + 7,500 = 10,500 đồng.
@Suite("Reconciliation as Excel")
struct ReconciliationXLSXTests {
    @Test("Per organisation sent = paid + not paid + pending + awaiting with fees and totals; the failed line; the fees")
    func workbook() throws {
        let s = try ReturnsSetup()
        try PaymentFeeTests.returns(s)
        let rec = try Reconciliation.build(s.db, batchID: s.batchID, queue: ExceptionQueue(db: s.db), taxonomy: PaymentFeeTests.reasons,
                                           fees: PaymentFeeTests.schedule())
        let url = s.dir.appendingPathComponent("doi-chieu.xlsx")
        try rec.writeXLSX(to: url)
        let x = try XLSXPackage(url: url)
        #expect(x.sheets.map(\.name).prefix(3) == ["Đối chiếu", "Khoản chưa chi", "Chi phí chi trả"])

        // Đối chiếu: three title lines, the header on row 5, one row per group from row 6, totals under them.
        let sum = try #require(x.sheet("Đối chiếu"))
        #expect(sum["A3"]?.value?.hasPrefix("Khớp:") == true)
        #expect(sum["F5"]?.value == "Đã chi (đồng)")
        let groupRows = (6..<(6 + rec.groups.count)).map(String.init)
        let agribank = try #require(groupRows.first { sum["B" + $0]?.value == "Agribank (970405)" })
        #expect(sum["E" + agribank]?.value == "2" && sum["F" + agribank]?.value == "2250000")
        #expect(sum["G" + agribank]?.value == "1" && sum["H" + agribank]?.value == "1000000")
        #expect(sum["M" + agribank]?.value == "2250" && sum["F" + agribank]?.numberFormat == "#,##0")
        let totals = String(6 + rec.groups.count)
        #expect(sum["A" + totals]?.value == "Tổng cộng")
        #expect(sum["E" + totals]?.value == "4" && sum["F" + totals]?.value == "3500000")
        #expect(sum["F" + totals]?.formula == "SUM(F6:F\(5 + rec.groups.count))")
        #expect(sum["G" + totals]?.value == "1" && sum["H" + totals]?.value == "1000000")
        #expect(sum["M" + totals]?.value == "10500")

        let failed = try #require(x.sheet("Khoản chưa chi"))
        // Two title lines, header on row 4, the failed line on row 5, totals on row 6.
        #expect(failed["C5"]?.value == "R06" && failed["G5"]?.value == "1000000" && failed["B5"]?.isText == true)
        #expect(failed["G6"]?.value == "1000000" && failed["G6"]?.formula == "SUM(G5:G5)")

        let fees = try #require(x.sheet("Chi phí chi trả"))
        #expect((5...8).map { fees["A\($0)"]?.value } == ["Agribank (970405)", "VietinBank (970415)", "BIDV (970418)", "Bưu điện phường Hương Trà"])
        #expect((5...8).map { fees["F\($0)"]?.value } == ["2250", "750", "0", "7500"])
        #expect(fees["E8"]?.value == "1,5%")
        #expect(fees["F9"]?.value == "10500" && fees["D9"]?.value == "3500000")

        guard LibreOffice.soffice != nil else { print(LibreOffice.missing); return }
        let sheets = try LibreOffice.sheets(of: url)
        let rows = try #require(sheets["Đối chiếu"])
        // The groups' paid amounts as LibreOffice reads them add up, by hand, to the total row.
        let paid = rows[5..<(5 + rec.groups.count)].map { Int64($0[5]) ?? -1 }
        #expect(paid.reduce(0, +) == 3_500_000)
        #expect(rows[5 + rec.groups.count][5] == "3500000" && rows[5 + rec.groups.count][12] == "10500")
        let failedRows = try #require(sheets["Khoản chưa chi"])
        #expect(failedRows[4][2] == "R06" && failedRows[4][6] == "1000000")
        #expect(sheets["Chi phí chi trả"]?[8][5] == "10500")
        try LibreOffice.keepPicture(of: url, name: "reconciliation")
    }
}
