import ChiTraCore
import ChiTraGaps
import ChiTraStore
import Foundation
import Testing

@Suite("Worklist outputs")
struct GapOutputTests {
    static func list() throws -> GapWorklist {
        try GapsFixture.finder.worklist(try GapsFixture.store(), options: GapsFixture.options())
    }

    @Test("CSV: BOM, CRLF, Vietnamese headers, formula cell neutralised, IDs masked")
    func csv() throws {
        let list = try Self.list()
        let url = try GapsFixture.tempDir().appendingPathComponent("gaps.csv")
        try list.writeCSV(to: url)
        let data = try Data(contentsOf: url)
        #expect(Array(data.prefix(3)) == [0xEF, 0xBB, 0xBF])
        let text = String(decoding: data.dropFirst(3), as: UTF8.self)
        #expect(text.hasPrefix("STT,Xã/phường,Thôn/tổ dân phố,Mã đối tượng,Họ và tên,Tuổi,Địa chỉ,Số điện thoại,"))
        #expect(text.components(separatedBy: "\r\n").count == list.caseCount + 2)      // header + cases + final empty
        #expect(!text.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
        #expect(text.contains(",'=cmd|' /C calc'!A0,"))
        #expect(!text.contains(",=cmd"))
        #expect(text.contains("046******028"))
        #expect(!text.contains("046150000028"))
        let attrs = try FileManager.default.attributesOfItem(atPath: url.path)
        #expect((attrs[.posixPermissions] as? Int) == 0o600)
    }

    @Test("HTML: one A4 page per village plus index; data escaped; diacritics kept; IDs masked")
    func html() throws {
        let list = try Self.list()
        let dir = try GapsFixture.tempDir().appendingPathComponent("html")
        let files = try list.writeHTML(to: dir)
        #expect(files.map(\.lastPathComponent) == ["index.html", "phuong-huong-tra--thon-dong.html", "phuong-huong-tra--to-dan-pho-1.html",
                                                  "phuong-huong-tra--to-dan-pho-2.html", "xa-huong-toan--thon-bac.html"])
        let bac = try String(contentsOf: dir.appendingPathComponent("xa-huong-toan--thon-bac.html"), encoding: .utf8)
        #expect(bac.contains("Hà &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"))
        #expect(!bac.contains("<script"))
        #expect(bac.contains(#"<meta charset="utf-8">"#))
        #expect(bac.contains("@page { size: A4"))
        #expect(bac.contains("Xã Hương Toàn"))
        #expect(bac.contains("Thôn Bắc"))
        #expect(bac.contains("Ghi chú / Chữ ký"))
        #expect(bac.contains("Ngày lập:</b> 23/11/2026"))
        #expect(bac.contains("046******028"))
        #expect(!bac.contains("046150000028"))
        #expect(!bac.contains("http://") && !bac.contains("https://") && !bac.contains("<link"))   // self-contained
        let dong = try String(contentsOf: dir.appendingPathComponent("phuong-huong-tra--thon-dong.html"), encoding: .utf8)
        #expect(dong.contains("6 (sắp lỡ kỳ chi trả: 2) trên 6 đối tượng đang hưởng"))
        let index = try String(contentsOf: files[0], encoding: .utf8)
        #expect(index.contains(#"<a href="xa-huong-toan--thon-bac.html">Thôn Bắc</a>"#))
        for f in files {
            let attrs = try FileManager.default.attributesOfItem(atPath: f.path)
            #expect((attrs[.posixPermissions] as? Int) == 0o600)
        }
    }

    @Test("Console text in Vietnamese, in priority order")
    func text() throws {
        let lines = try GapsFixture.finder.worklist(try GapsFixture.store(), options: GapsFixture.options { $0.village = "Thôn Đông" }).vietnameseLines
        #expect(lines[0] == "DANH SÁCH ĐỐI TƯỢNG CHƯA CHI TRẢ KHÔNG DÙNG TIỀN MẶT — ngày 23/11/2026")
        #expect(lines.contains("Phường Hương Trà — Thôn Đông: 6 trường hợp (2 sắp lỡ kỳ chi trả), 6 đối tượng đang hưởng"))
        #expect(lines.contains("1. G07 Đặng Văn Bảy, 80 tuổi [SẮP LỠ KỲ CHI TRẢ]"))
        #expect(lines.contains { $0.contains("điện thoại: không có") })
    }
}
