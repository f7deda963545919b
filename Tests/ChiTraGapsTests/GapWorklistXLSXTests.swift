import ChiTraCore
import ChiTraGaps
import ChiTraSheets
import ChiTraTestSupport
import Foundation
import Testing

/// The officer's worklist as Excel (`chitra gaps --xlsx`): one sheet per village, the phone and the
/// (masked) personal ID as text, age and score as numbers, the last follow-up's date as a date.
///
/// Hand-made list of 23/11/2026: Tổ dân phố 4 has Bà Lò Thị Xuân (no account, payment at risk,
/// phone 0912 345 678 with its leading zero, ID 001******105, a visit planned on 20/11/2026 —
/// day 46,346 from 30/12/1899: 1/1/2026 is 46,023, + 304 days to 1/11, + 19) and Ông Hà Văn Tư
/// (no phone); Thôn Mới has one case.
@Suite("Gaps worklist as Excel")
struct GapWorklistXLSXTests {
    static let json = """
    {"asOf":"2026-11-23","expiringDays":30,"proxyMax":3,"cashMonths":3,"latestBatch":"#1 2026-12","activeCount":40,
     "villages":[
      {"commune":"Phường Hương Trà","village":"Tổ dân phố 4","activeCount":25,"cases":[
        {"code":"G01","name":"Lò Thị Xuân","age":82,"commune":"Phường Hương Trà","village":"Tổ dân phố 4","address":"12 Lý Thái Tổ",
         "phone":"0912345678","categories":["NCT_NGHEO_80"],"categoryNames":["Người cao tuổi nghèo từ 80 tuổi"],"personalIDMasked":"001******105",
         "flags":[{"reason":"no_account","label":"Chưa có tài khoản","detail":"nhận tiền mặt","paymentAtRisk":true}],
         "missing":"Chưa có tài khoản ngân hàng","bring":"CCCD; mẫu mở tài khoản","paymentAtRisk":true,"score":95,
         "lastEvent":{"id":7,"code":"G01","status":"visit-planned","note":"hẹn thứ Năm","recordedBy":"ha.le","recordedAt":"2026-11-20T09:15:00+07:00"}},
        {"code":"G02","name":"Hà Văn Tư","age":76,"commune":"Phường Hương Trà","village":"Tổ dân phố 4","address":"",
         "categories":["HUU_TRI_XA_HOI"],"categoryNames":["Trợ cấp hưu trí xã hội"],"personalIDMasked":"046******221",
         "flags":[{"reason":"proxy_missing","label":"Thiếu người nhận thay","detail":"không tự đi nhận được","paymentAtRisk":false}],
         "missing":"Chưa có người nhận thay","bring":"Giấy ủy quyền","paymentAtRisk":false,"score":40}]},
      {"commune":"Phường Hương Trà","village":"Thôn Mới","activeCount":15,"cases":[
        {"code":"G03","name":"Trần Văn Hai","age":86,"commune":"Phường Hương Trà","village":"Thôn Mới","address":"Thôn Mới",
         "phone":"0234567890","categories":["HUU_TRI_XA_HOI"],"categoryNames":["Trợ cấp hưu trí xã hội"],"personalIDMasked":"046******902",
         "flags":[{"reason":"no_account","label":"Chưa có tài khoản","detail":"nhận tiền mặt","paymentAtRisk":false}],
         "missing":"Chưa có tài khoản ngân hàng","bring":"CCCD","paymentAtRisk":false,"score":50}]}]}
    """

    @Test("Two villages, two sheets; phone and ID as text with their zeros; the follow-up date a real date")
    func twoVillages() throws {
        let list = try JSONDecoder().decode(GapWorklist.self, from: Data(Self.json.utf8))
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("chitra-gaps-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("gaps.xlsx")
        try list.writeXLSX(to: url)
        let x = try XLSXPackage(url: url)
        #expect(x.sheets.map(\.name) == ["Tổ dân phố 4", "Thôn Mới"])
        let s = x.sheets[0]
        // Three title lines, a blank line, the header on row 5.
        #expect(s["A5"]?.value == "STT" && s["F5"]?.value == "Số điện thoại" && s["H5"]?.value == "Số định danh")
        #expect(s["B6"]?.value == "G01" && s["C6"]?.value == "Lò Thị Xuân")
        #expect(s["D6"]?.value == "82" && s["D6"]?.isText == false)
        #expect(s["F6"]?.value == "0912345678" && s["F6"]?.isText == true && s["F6"]?.numberFormat == "@")
        #expect(s["H6"]?.value == "001******105" && s["H6"]?.isText == true)
        #expect(s["M6"]?.value == "Có" && s["N6"]?.value == "95")
        #expect(s["O6"]?.value == "Đã hẹn đến nhà (ha.le): hẹn thứ Năm")
        #expect(s["P6"]?.value == "46346" && s["P6"]?.numberFormat == "dd/mm/yyyy")
        #expect(s["E7"]?.value == "không có" && s["F7"]?.value == "không có" && s["P7"]?.value == nil)
        #expect(s.pane["ySplit"] == "5" && s.pageSetup["orientation"] == "landscape" && s.pageSetup["paperSize"] == "9")

        guard LibreOffice.soffice != nil else { print(LibreOffice.missing); return }
        let sheets = try LibreOffice.sheets(of: url, asShown: true)
        let to4 = try #require(sheets["Tổ dân phố 4"])
        #expect(Array(to4[5].prefix(8)) == ["1", "G01", "Lò Thị Xuân", "82", "12 Lý Thái Tổ", "0912345678", "Người cao tuổi nghèo từ 80 tuổi", "001******105"])
        #expect(to4[5][15] == "20/11/2026")
        #expect(to4[6][1] == "G02")
        let thonMoi = try #require(sheets["Thôn Mới"])
        #expect(thonMoi[5][1] == "G03" && thonMoi[5][5] == "0234567890")
        try LibreOffice.keepPicture(of: url, name: "gaps")
    }
}
