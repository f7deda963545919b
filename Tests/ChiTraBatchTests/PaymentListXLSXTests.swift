import ChiTraBatch
import ChiTraCore
import ChiTraSheets
import ChiTraTestSupport
import Foundation
import Testing

/// The post office's payment list as Excel (`chitra report payment-list … --xlsx`), on the
/// Thôn Mới batch of `PaymentListTests`: P01 Lê Thị Một 750,000; P02 Trần Văn Hai 500,000,
/// received by his daughter Trần Thị Ba; 1,250,000 đồng for 2 people and 2 payments.
@Suite("Payment list as Excel")
struct PaymentListXLSXTests {
    @Test("One sheet per village: text codes, amounts as numbers, an empty signature column, a SUM totals row, the total in words")
    func thonMoi() throws {
        let (db, id) = try PaymentListTests.approvedBatch()
        let list = try PaymentList.load(db, batchID: id, village: "Thôn Mới", payer: Fixture.payer)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("chitra-pl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("ds-thon-moi.xlsx")
        try list.writeXLSX(to: url)
        let mode = (try FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? NSNumber)?.intValue
        #expect(mode == 0o600)

        let x = try XLSXPackage(url: url)
        #expect(x.sheets.map(\.name) == ["Thôn Mới"])
        let s = x.sheets[0]
        // Four title lines, a blank line, the header on row 6, P01 and P02 on rows 7–8, totals on 9.
        #expect(s["A1"]?.value == "DANH SÁCH CHI TRẢ CHẾ ĐỘ TRỢ GIÚP XÃ HỘI")
        #expect(s["A2"]?.value?.hasPrefix("Tháng 12 năm 2026") == true)
        #expect(s["A6"]?.value == "STT" && s["L6"]?.value == "Số tiền (đồng)" && s["M6"]?.value == "Ký nhận")
        #expect(s["B7"]?.value == "P01" && s["B7"]?.isText == true && s["C7"]?.value == "Lê Thị Một")
        #expect(s["D7"]?.value == "1990" && s["D7"]?.isText == false)
        #expect(s["L7"]?.value == "750000" && s["L7"]?.numberFormat == "#,##0" && s["L7"]?.isText == false)
        #expect(s["F8"]?.value == "Trần Thị Ba" && s["G8"]?.value == "Con" && s["L8"]?.value == "500000")
        #expect(s["M7"]?.value == nil && s["M8"]?.value == nil)
        #expect(s["L9"]?.formula == "SUM(L7:L8)" && s["L9"]?.value == "1250000")
        #expect(s["K9"]?.formula == "SUM(K7:K8)" && s["K9"]?.value == "2")
        #expect(s["C9"]?.value == "Tổng cộng: 2 người" && s["B9"]?.value == nil)
        #expect(s["A11"]?.value == "Tổng số tiền: 1.250.000 đồng (2 người, 2 khoản).")
        #expect(s["A12"]?.value == "Bằng chữ: Một triệu hai trăm năm mươi nghìn đồng")
        #expect(s.pane["ySplit"] == "6" && s.pageSetup["paperSize"] == "9" && s.pageSetup["orientation"] == "landscape")
        #expect(s.printTitles == "'Thôn Mới'!$6:$6")

        guard LibreOffice.soffice != nil else { print(LibreOffice.missing); return }
        let rows = try #require(try LibreOffice.sheets(of: url)["Thôn Mới"])
        #expect(rows[6] == ["1", "P01", "Lê Thị Một", "1990", "", "", "", "Tiền mặt tại bưu điện", "", "Trợ cấp hằng tháng 12/2026", "1", "750000", ""])
        #expect(rows[7] == ["2", "P02", "Trần Văn Hai", "1940", "", "Trần Thị Ba", "Con", "Tiền mặt tại bưu điện", "", "Trợ cấp hằng tháng 12/2026", "1", "500000", ""])
        #expect(rows[8] == ["", "", "Tổng cộng: 2 người", "", "", "", "", "", "", "", "2", "1250000", ""])
        #expect(rows[11].first == "Bằng chữ: Một triệu hai trăm năm mươi nghìn đồng")
        let shown = try #require(try LibreOffice.sheets(of: url, asShown: true)["Thôn Mới"])
        #expect(shown[8][11] == "1,250,000")
        try LibreOffice.keepPicture(of: url, name: "payment-list")
    }
}
