import ChiTraBatch
import ChiTraCore
import Foundation
import Testing

@Suite("Descriptor-driven CSV writer")
struct DescriptorCSVWriterTests {
    @Test("Agribank gets bank-csv: exact bytes for two lines, no BOM, CRLF, no totals row")
    func bankCSVBytes() throws {
        let formats = try Sample.formats()
        #expect(formats.formatName(for: Sample.agribank) == "bank-csv")
        let doc = Sample.document(Sample.agribank, [
            Sample.bankLine(1, bin: "970405", amount: 750_000, name: "NGUYEN THI HOA"),
            Sample.bankLine(2, bin: "970405", amount: 1_000_000, name: "TRAN VAN DUC", account: "9876543210123",
                            remittance: "TCXH 12/2026 Truy lĩnh BTXH-000002"),
        ])
        let file = try formats.writer(for: doc.institution).write(doc)
        let expected =
            "reference,account_no,bin,account_name,amount,currency,remittance\r\n" +
            "CT202612-000001,0123456789,970405,NGUYEN THI HOA,750000,VND,TCXH 12/2026 BTXH-000001\r\n" +
            "CT202612-000002,9876543210123,970405,TRAN VAN DUC,1000000,VND,TCXH 12/2026 Truy linh BTXH-000002\r\n"
        #expect(Sample.text(file) == expected)
        #expect(file.data.first == UInt8(ascii: "r"))
        #expect(file.totals == PayoutTotals(count: 2, controlSum: 1_750_000))
        #expect(file.fileExtension == "csv")
    }

    /// Three post-office lines in two villages, one paid to a proxy.
    static func postDocument() -> PayoutDocument {
        func line(_ n: Int, name: String, village: String, amount: Int64, payee: String? = nil, relation: String? = nil,
                  channel: PayoutLine.Channel = .postCash, account: String? = nil) -> PayoutLine {
            PayoutLine(reference: "CT202612-P\(n)", beneficiaryCode: "BTXH-00\(n)", beneficiaryName: name,
                       payeeName: payee ?? name, payeeNameASCII: "", proxyRelation: relation,
                       personalIDMasked: "046******0\(n)2", channel: channel, accountNo: account, amount: amount,
                       kind: .allowance, forMonth: Sample.december, commune: "Hương Trà", village: village,
                       address: "Kiệt \(n), đường Lý Bôn", phone: "09050000\(n)0", remittance: "TCXH 12/2026 BTXH-00\(n)")
        }
        return Sample.document(Sample.postOffice, [
            line(1, name: "Hà Thị Em", village: "Thôn Đông", amount: 1_000_000, payee: "Nguyễn Thị Lan", relation: "Con"),
            line(2, name: "Đỗ Văn An", village: "Thôn Đông", amount: 750_000),
            line(3, name: "Trần Văn Bình", village: "Thôn An", amount: 500_000, channel: .postAccount, account: "88001234"),
        ])
    }

    @Test("vnpost-list: BOM, exact Vietnamese headers, village-then-name order, proxy columns, totals row")
    func postList() throws {
        let formats = try Sample.formats()
        #expect(formats.formatName(for: Sample.postOffice) == "vnpost-list")
        let file = try formats.writer(for: Sample.postOffice).write(Self.postDocument())
        #expect(Array(file.data.prefix(3)) == [0xEF, 0xBB, 0xBF])
        let text = String(decoding: file.data.dropFirst(3), as: UTF8.self)
        let rows = text.components(separatedBy: "\r\n")
        #expect(rows.count == 6 && rows[5] == "")                 // header, 3 lines, totals, final CRLF
        #expect(rows[0] == "STT,Mã đối tượng,Họ và tên,Thôn/tổ dân phố,Địa chỉ,Số điện thoại,Người nhận thay,Quan hệ,Hình thức,Số tài khoản,Nội dung,Tháng,Số tiền (đồng),Mã tham chiếu,Ký nhận")
        // Thôn An before Thôn Đông; in Thôn Đông, Đỗ before Hà (Vietnamese order: d < đ < e < h).
        #expect(rows[1] == "1,BTXH-003,Trần Văn Bình,Thôn An,\"Kiệt 3, đường Lý Bôn\",0905000030,,,Tài khoản bưu điện,88001234,TCXH 12/2026 BTXH-003,12/2026,500000,CT202612-P3,")
        #expect(rows[2] == "2,BTXH-002,Đỗ Văn An,Thôn Đông,\"Kiệt 2, đường Lý Bôn\",0905000020,,,Tiền mặt tại bưu điện,,TCXH 12/2026 BTXH-002,12/2026,750000,CT202612-P2,")
        #expect(rows[3] == "3,BTXH-001,Hà Thị Em,Thôn Đông,\"Kiệt 1, đường Lý Bôn\",0905000010,Nguyễn Thị Lan,Con,Tiền mặt tại bưu điện,,TCXH 12/2026 BTXH-001,12/2026,1000000,CT202612-P1,")
        // 500,000 + 750,000 + 1,000,000 = 2,250,000
        #expect(rows[4] == "Tổng cộng,3,,,,,,,,,,,2250000,,")
        #expect(file.totals == PayoutTotals(count: 3, controlSum: 2_250_000))
        // No personal ID, masked or not, is printed by the default list.
        #expect(!text.contains("046"))
    }

    @Test("A personal-ID column prints the masked value and refuses an unmasked one")
    func masking() throws {
        let descriptor = CSVFormatDescriptor(bom: true, columns: [
            .init(header: "Mã tham chiếu", field: .reference),
            .init(header: "Số định danh", field: .personalIDMasked),
        ])
        let writer = DescriptorCSVWriter(formatName: "id-list", descriptor: descriptor)
        var doc = Self.postDocument()
        let text = Sample.text(try writer.write(doc))
        #expect(text.contains("CT202612-P1,046******012\r\n"))
        doc.lines[1].personalIDMasked = "046190000022"
        #expect(throws: PayoutWriteError.invalidField(field: "personalIDMasked", at: .line(number: 2, reference: "CT202612-P2"),
                                                      problem: .notMasked)) {
            try writer.write(doc)
        }
    }

    @Test("Formula-like cells are neutralised in CSV output")
    func neutralisesFormulas() throws {
        let formats = try Sample.formats()
        let doc = Sample.document(Sample.agribank, [
            Sample.bankLine(1, bin: "970405", amount: 750_000, name: "+84912345678", remittance: "=HYPERLINK(\"http://x.example\",\"Xem\")"),
            Sample.bankLine(2, bin: "970405", amount: 500_000, name: "-1"),
            Sample.bankLine(3, bin: "970405", amount: 250_000, name: "@SUM(A1:A9)"),
        ])
        let rows = Sample.text(try formats.writer(for: doc.institution).write(doc)).components(separatedBy: "\r\n")
        #expect(rows[1] == "CT202612-000001,0123456789,970405,'+84912345678,750000,VND,\"'=HYPERLINK(\"\"http://x.example\"\",\"\"Xem\"\")\"")
        #expect(rows[2].contains(",'-1,"))
        #expect(rows[3].contains(",'@SUM(A1:A9),"))
    }

    @Test("A required column left empty and a control character are refused")
    func refusesBadCells() throws {
        let formats = try Sample.formats()
        var doc = Sample.document(Sample.agribank, [Sample.bankLine(1, bin: "970405", amount: 750_000)])
        doc.lines[0].accountNo = nil
        #expect(throws: PayoutWriteError.invalidField(field: "accountNo", at: .line(number: 1, reference: "CT202612-000001"), problem: .missing)) {
            try formats.writer(for: doc.institution).write(doc)
        }
        doc = Sample.document(Sample.postOffice, Self.postDocument().lines)
        doc.lines[0].address = "Kiệt 1\nđường Lý Bôn"
        #expect(throws: PayoutWriteError.self) { try formats.writer(for: doc.institution).write(doc) }
    }
}

@Suite("CSV cell escaping")
struct CSVCellTests {
    @Test("Cells starting with = + - @ tab or CR get a leading quote", arguments: [
        ("=1+2", "'=1+2"), ("+84912345678", "'+84912345678"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"), ("Nguyễn", "Nguyễn"), ("", ""), ("1-2", "1-2"),
    ])
    func neutralise(input: String, expected: String) {
        #expect(CSVCell.neutralised(input) == expected)
    }

    @Test("RFC 4180 quoting: delimiter, quotes and line breaks")
    func quoting() {
        #expect(CSVCell.escape("Hoa, Lan") == "\"Hoa, Lan\"")
        #expect(CSVCell.escape("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(CSVCell.escape("a\nb") == "\"a\nb\"")
        #expect(CSVCell.escape("\rx") == "\"'\rx\"")
        #expect(CSVCell.escape("a;b", delimiter: ";") == "\"a;b\"")
        #expect(CSVCell.escape("a;b") == "a;b")
    }
}
