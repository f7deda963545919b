import ChiTraCore
import ChiTraReturns
import Foundation
import Testing

/// The hand-written files of fixtures/returns (see its README for what each line exercises).
@Suite("CSV return files")
struct CSVReturnTests {
    @Test("bank-csv-return: detected by its header; paid, each rejection reason, pending; bad lines named")
    func bankReturn() throws {
        let doc = try ReturnFileReader.read(url: Paths.fixtures.appendingPathComponent("bank-csv-return.csv"), formats: try Paths.returnFormats())
        #expect(doc.format == "bank-csv-return")
        #expect(doc.records.map(\.line) == [2, 3, 4, 5, 6, 7, 8, 9, 10, 13])
        let paid = doc.records[0]
        #expect(paid == ReturnRecord(line: 2, reference: "CT202612-000001", amount: 750_000, currency: "VND", accountNo: "0123456789",
                                     outcome: .paid, date: CivilDate(year: 2026, month: 12, day: 5)))
        #expect(doc.records[1...7].map(\.reasonCode) == ["AC01", "AC04", "AC06", "BE01", "MD07", "AM05", "MS03"])
        #expect(doc.records[1...7].allSatisfy { $0.outcome == .rejected })
        #expect(doc.records[4].reasonText == "Name does not match, account holder NGUYEN VAN A")
        #expect(doc.records[8].outcome == .pending && doc.records[8].date == nil)
        #expect(doc.records[9].amount == 500_000)
        #expect(doc.malformed.map(\.line) == [11, 12, 14, 15])
        #expect(doc.malformed.map(\.column) == ["amount", "reference", "status", "currency"])
        #expect(doc.malformed[0].message.contains("có dấu phân cách hàng nghìn (ví dụ 750.000 hoặc 750,000); hãy ghi chữ số liền như 750000"))
        #expect(doc.findings.isEmpty)
    }

    @Test("vnpost-return: BOM and Vietnamese headers; proxy, every post-office reason, totals that do not add up")
    func postReturn() throws {
        let doc = try ReturnFileReader.read(url: Paths.fixtures.appendingPathComponent("vnpost-return.csv"), formats: try Paths.returnFormats())
        #expect(doc.format == "vnpost-return")
        #expect(doc.records.count == 8)
        #expect(doc.records[0].receiver == .beneficiary && doc.records[0].outcome == .paid)
        #expect(doc.records[0].date == CivilDate(year: 2026, month: 12, day: 5))
        #expect(doc.records[0].beneficiaryCode == "BTXH-000101")
        #expect(doc.records[1].receiver == .proxy && doc.records[1].amount == 1_000_000)
        #expect(doc.records[2...].map(\.reasonCode) == ["VANG_MAT", "DA_MAT", "CHUYEN_DI", "TU_CHOI", "KHONG_NHAN", "KHONG_NHAN"])
        #expect(doc.records[2].reasonText == "Vắng mặt")
        #expect(doc.records[2...].allSatisfy { $0.outcome == .rejected && $0.date == nil })
        #expect(doc.malformed.map(\.line) == [10, 11])
        #expect(doc.malformed.map(\.column) == ["Số tiền (đồng)", "Mã tham chiếu"])
        #expect(doc.findings.count == 1)
        #expect(doc.findings.first?.line == 12)
        #expect(doc.findings.first?.message.contains("ghi tổng 7000000 đồng") == true)
        #expect(doc.findings.first?.message.contains("các dòng cộng lại được 5.500.000 đồng") == true)
    }

    @Test("A totals row that adds up gives no finding; a missing one is reported")
    func totalsRow() throws {
        let dir = try TempDir()
        let header = "STT,Mã tham chiếu,Mã đối tượng,Họ và tên,Số tiền (đồng),Kết quả,Người nhận,Lý do,Ngày chi trả\r\n"
        let line = "1,CT1,BTXH-1,A,500000,Đã chi,Đối tượng,,05/12/2026\r\n"
        let good = try dir.write("good.csv", "\u{FEFF}" + header + line + "Tổng cộng,1,,,500000,,,,\r\n")
        #expect(try ReturnFileReader.read(url: good, formats: try Paths.returnFormats()).findings.isEmpty)
        let missing = try dir.write("missing.csv", "\u{FEFF}" + header + line)
        let doc = try ReturnFileReader.read(url: missing, formats: try Paths.returnFormats())
        #expect(doc.records.count == 1)
        #expect(doc.findings.count == 1)
        #expect(doc.findings.first?.message.contains("Tệp không có dòng \"Tổng cộng\"") == true)
    }

    @Test("NFD headers and reordered columns are still recognised")
    func nfdHeaders() throws {
        let dir = try TempDir()
        let text = "Kết quả,STT,Mã tham chiếu,Mã đối tượng,Họ và tên,Số tiền (đồng),Người nhận,Lý do,Ngày chi trả\n".decomposedStringWithCanonicalMapping
            + "Đã chi,1,CT1,BTXH-1,A,500000,Người nhận thay,,05/12/2026\n".decomposedStringWithCanonicalMapping
            + "Tổng cộng,,1,,,500000,,,\n"
        let url = try dir.write("nfd.csv", text)
        let doc = try ReturnFileReader.read(url: url, formats: try Paths.returnFormats())
        #expect(doc.format == "vnpost-return")
        #expect(doc.records.first?.receiver == .proxy)
    }

    @Test("--format forces a format; an unknown name is refused with the known ones")
    func formatHint() throws {
        let url = Paths.fixtures.appendingPathComponent("bank-csv-return.csv")
        #expect(try ReturnFileReader.read(url: url, formatHint: "bank-csv-return", formats: try Paths.returnFormats()).records.count == 10)
        #expect {
            _ = try ReturnFileReader.read(url: url, formatHint: "mt940", formats: try Paths.returnFormats())
        } throws: { e in
            let error = e as? ReturnFileError
            return error?.code == .unsupportedFormat && error?.description.contains("không có mẫu tệp trả về này; các mẫu đã biết:") == true && error?.description.contains("vnpost-return") == true
        }
    }
}
