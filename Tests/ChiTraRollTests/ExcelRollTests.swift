import ChiTraCore
import ChiTraRoll
import ChiTraStore
import ChiTraTestSupport
import Foundation
import GRDB
import Testing

/// The person and grant rows a roll leaves in the store (what must not depend on the file's shape).
func storeContent(_ db: AppDatabase) throws -> [String] {
    try db.writer.read { db in
        let people = try Row.fetchAll(db, sql: """
            SELECT code, full_name, birth_date, sex, personal_id, commune, village, address, phone, channel, bank_bin,
                   account_no, account_name, proxy_name, proxy_id, proxy_relation, authorisation_until, needs_proxy, status
            FROM beneficiary ORDER BY code
            """).map { "\($0)" }
        let grants = try Row.fetchAll(db, sql: """
            SELECT code, category, children, decision_no, decision_date, start_month, end_month, status, cared_for_birth_dates
            FROM grant_record ORDER BY code, category
            """).map { "\($0)" }
        return people + grants
    }
}

@Suite("Excel-shaped rolls")
struct ExcelRollTests {
    /// The clean CSV's store content (40 people, 45 grants).
    static func cleanContent() throws -> [String] {
        let db = try AppDatabase.temporary()
        let s = try importer(db).importFile(try copyFixture("fixtures/excel/roll-40.csv"))
        #expect(s.lines == 45 && s.rejected == 0)
        return try storeContent(db)
    }

    @Test("The .xlsx LibreOffice wrote from the CSV, the ';' CSV and Excel's UTF-16 text import to the same store as the CSV")
    func sameStoreContent() throws {
        let clean = try Self.cleanContent()
        #expect(clean.count == 40 + 45)
        for (file, format, separator, encoding) in [("roll-40.xlsx", "xlsx", nil, nil),
                                                    ("roll-40-semicolon.csv", "csv", ";", "utf8"),
                                                    ("roll-40-utf16.txt", "csv", "tab", "utf16le")] as [(String, String, String?, String?)] {
            let db = try AppDatabase.temporary()
            let s = try importer(db).importFile(try copyFixture("fixtures/excel/" + file))
            #expect(s.lines == 45, "\(file)")
            #expect(s.rejected == 0, "\(file): \(s.problems)")
            #expect(s.inputFormat == format && s.separator == separator && s.encoding == encoding, "\(file)")
            #expect(try storeContent(db) == clean, "\(file)")
        }
    }

    @Test("IDs stored as numbers (leading zeros lost) are restored, counted and written in each person's history")
    func idsAsNumbers() throws {
        let clean = try Self.cleanContent()
        let db = try AppDatabase.temporary()
        let s = try importer(db).importFile(try copyFixture("fixtures/excel/roll-40-ids-as-numbers.xlsx"))
        #expect(s.rejected == 0, "\(s.problems)")
        // Every ID of the fixture starts with province 046: all 45 lines had 11 digits.
        #expect(s.restoredIDs == 45)
        #expect(try storeContent(db) == clean)
        // One history row per person created (40), from 11 digits to 12, masked.
        #expect(try count(db, "SELECT count(*) FROM roll_change WHERE field = 'personal_id_leading_zeros_restored'") == 40)
        let first = try db.writer.read { try Row.fetchOne($0, sql: "SELECT old_value, new_value FROM roll_change WHERE field = 'personal_id_leading_zeros_restored' AND code = 'DT0000001'") }
        #expect(first?["old_value"] == "461*****478")
        #expect(first?["new_value"] == "046******478")
    }

    @Test("An account in scientific notation rejects its line, in Vietnamese by default and in English with --lang en")
    func scientificAccount() throws {
        let db = try AppDatabase.temporary()
        let url = try copyFixture("fixtures/excel/roll-40-scientific.csv")
        let s = try importer(db).importFile(url)
        #expect(s.rejected == 1 && s.applied == 44)
        #expect(s.rejections.first?.line == 2)
        #expect(s.rejections.first?.column == "account_no")
        #expect(s.problems.first?.contains("dạng số mũ") == true)
        // The rejects file's reason column, in Vietnamese.
        let rejects = try String(contentsOf: RollImporter.rejectsURL(for: url), encoding: .utf8)
        #expect(rejects.contains("Số tài khoản: là số tài khoản ở dạng số mũ"))
        #expect(rejects.contains("định dạng cột là Text (Văn bản)"))
    }

    /// One roll line with the given cells changed (English keys as the header).
    static func validate(_ changes: [String: String], numeric: [String] = []) throws -> RollValidation {
        let cols = ["code", "full_name", "birth_date", "sex", "personal_id", "commune", "village", "category", "decision_no",
                    "decision_date", "start_month", "status", "channel", "bank_bin", "account_no", "account_name", "proxy_name", "proxy_id", "proxy_relation"]
        var values: [String: String] = ["code": "X1", "full_name": "Trần Thị Dung", "birth_date": "29/03/1959", "sex": "Nữ",
                                        "personal_id": "046159233478", "commune": "Phường Hương Trà", "village": "Tổ 3",
                                        "category": "NKT_NANG", "decision_no": "1/QĐ-UBND", "decision_date": "01/12/2023",
                                        "start_month": "12/2023", "status": "Đang hưởng", "channel": "Tài khoản ngân hàng",
                                        "bank_bin": "970405", "account_no": "4091239534124", "account_name": "TRAN THI DUNG",
                                        "proxy_name": "", "proxy_id": "", "proxy_relation": ""]
        for (k, v) in changes { values[k] = v }
        let header = try RollHeader(cells: cols, file: "roll.csv")
        return try validator().validate(fields: cols.map { values[$0]! }, line: 7, header: header, file: "roll.csv",
                                        numericFields: numeric.map { cols.firstIndex(of: $0)! })
    }

    static func problems(_ v: RollValidation) -> [RollProblem] {
        if case .invalid(let p) = v { return p }
        return []
    }

    @Test("An 11-digit ID is restored only when the zero makes it agree with province, sex/century and birth year")
    func restoreOnlyWhenProvable() throws {
        // 46159233478 → 046159233478: province 046, digit 4 '1' (woman born 1900s), digits 5–6 '59' = 1959.
        guard case .valid(let row) = try Self.validate(["personal_id": "46159233478"]) else { Issue.record("rejected"); return }
        #expect(row.personalID == "046159233478")
        #expect(row.personalIDRestoredFrom == "46159233478")
        // The same digits for a man: digit 4 must be 0, so the zero cannot be proved.
        let man = Self.problems(try Self.validate(["personal_id": "46159233478", "sex": "Nam"]))
        #expect(man.map(\.column) == [.personalID])
        #expect(man.first?.message(in: .vi) == "chỉ có 11 chữ số: Excel đã bỏ các số 0 đầu, và thêm lại số 0 không cho một số định danh khớp với mã tỉnh, giới tính và năm sinh, nên không thể khôi phục chắc chắn. Hãy định dạng cột là Text (Văn bản) trong Excel, nhập lại số định danh đủ 12 chữ số rồi xuất lại")
        #expect(man.first?.message(in: .en).hasPrefix("has only 11 digits: Excel dropped its leading zeros") == true)
        // Province 003 does not exist (Circular 07/2016: 002 Hà Giang, 004 Cao Bằng).
        let province = Self.problems(try Self.validate(["personal_id": "3159233478"]))
        #expect(province.first?.message(in: .en).hasPrefix("has only 10 digits") == true)
        // 10 digits to 004 (Cao Bằng) works.
        guard case .valid(let r2) = try Self.validate(["personal_id": "4159233478"]) else { Issue.record("rejected"); return }
        #expect(r2.personalID == "004159233478")
        // A proxy's ID: no birth date to prove it by.
        let proxy = Self.problems(try Self.validate(["proxy_name": "Trần Văn Nam", "proxy_id": "79090012345", "proxy_relation": "Người giám hộ"]))
        #expect(proxy.map(\.column) == [.proxyID])
        #expect(proxy.first?.message(in: .vi).contains("không có ngày sinh của người nhận thay") == true)
    }

    @Test("The main errors in both languages: wrong ID length, bad date, unknown bank, scientific and number-cell accounts")
    func mainErrorsBothLanguages() throws {
        let id = Self.problems(try Self.validate(["personal_id": "0461592334"]))   // 10 digits starting 0: not Excel's doing
        #expect(id.first?.text(in: .vi) == "roll.csv, dòng 7, cột \"Số định danh\" (personal_id) (giá trị \"046****334\"): chỉ có 10 chữ số: Excel đã bỏ các số 0 đầu, và thêm lại số 0 không cho một số định danh khớp với mã tỉnh, giới tính và năm sinh, nên không thể khôi phục chắc chắn. Hãy định dạng cột là Text (Văn bản) trong Excel, nhập lại số định danh đủ 12 chữ số rồi xuất lại")
        let short = Self.problems(try Self.validate(["personal_id": "04615923"]))
        #expect(short.first?.message(in: .vi) == "có 8 chữ số; số định danh cá nhân có 12 chữ số (hoặc 9 với CMND cũ) — hãy kiểm tra lại trên thẻ căn cước")
        #expect(short.first?.message(in: .en) == "has 8 digits; a personal ID has 12 (or 9 for an old CMND) — check it against the ID card")
        let date = Self.problems(try Self.validate(["decision_date": "31/02/2024"]))
        #expect(date.first?.text(in: .en) == "roll.csv, line 7, column \"Ngày quyết định\" (decision_date) (value \"31/02/2024\"): is not a real date in the form DD/MM/YYYY")
        #expect(date.first?.reason(in: .vi) == "Ngày quyết định: không phải ngày có thật theo dạng DD/MM/YYYY (ngày/tháng/năm); hãy sửa lại ngày")
        let bank = Self.problems(try Self.validate(["bank_bin": "970999"]))
        #expect(bank.first?.message(in: .vi) == "không phải mã ngân hàng (BIN) đã biết; xem danh sách ngân hàng trong formats/banks.json")
        #expect(bank.first?.message(in: .en) == "is not a known bank BIN; see formats/banks.json")
        for written in ["1,23E+15", "1.23457E+15", "4.09124e+12"] {
            let sci = Self.problems(try Self.validate(["account_no": written]))
            #expect(sci.map(\.column) == [.accountNo], "\(written)")
            #expect(sci.first?.message(in: .en).hasPrefix("is an account number in scientific notation") == true)
            #expect(sci.first?.message(in: .vi).hasPrefix("là số tài khoản ở dạng số mũ") == true)
        }
        // An account held in a number cell of the .xlsx: leading zeros may be gone.
        let cell = Self.problems(try Self.validate(["account_no": "71000123456"], numeric: ["account_no"]))
        #expect(cell.first?.message(in: .en).hasPrefix("is stored as a number cell in Excel, so it may have lost its leading zeros") == true)
        // The same digits in a text cell are fine; a birth year or amount in a number cell too.
        if case .invalid(let p) = try Self.validate(["account_no": "71000123456"], numeric: ["birth_date"]) { Issue.record("\(p)") }
    }

    @Test("A zip bomb and a sheet with a DOCTYPE are refused whole, with what to do, and nothing is imported")
    func hostileWorkbooks() throws {
        for (file, key) in [("roll-zip-bomb.xlsx", "xlsx.read.zip_bomb"), ("roll-doctype.xlsx", "xlsx.read.doctype")] {
            let db = try AppDatabase.temporary()
            let url = try copyFixture("fixtures/excel/" + file)
            do {
                _ = try importer(db).importFile(url)
                Issue.record("\(file) was imported")
            } catch let e as MessageError {
                #expect(e.message.key == key)
                #expect(e.message.args["part"] == .text("xl/worksheets/sheet1.xml"))
            }
            #expect(try count(db, "SELECT count(*) FROM beneficiary") == 0)
            #expect(try count(db, "SELECT count(*) FROM import_file") == 0)
        }
        let bomb = MessageError("xlsx.read.zip_bomb", ["file": "r.xlsx", "part": "xl/worksheets/sheet1.xml", "ratio": 200])
        #expect(bomb.text(in: .vi) == "r.xlsx: phần xl/worksheets/sheet1.xml giải nén ra lớn hơn 200 lần kích thước nén — đây là dấu hiệu của tệp nén độc hại (zip bomb); tệp bị từ chối, không đọc tiếp và không ghi gì. Hãy xin lại tệp danh sách gốc")
        #expect(bomb.text(in: .en).hasPrefix("r.xlsx: the part xl/worksheets/sheet1.xml expands to more than 200 times its compressed size — the sign of a zip bomb"))
    }

    @Test("A workbook whose dates were read month-first (day and month swapped where the day was up to 12) is refused whole, nothing imported")
    func swappedDatesRefuseTheWorkbook() throws {
        let db = try AppDatabase.temporary()
        do {
            _ = try importer(db).importFile(try copyFixture("fixtures/excel/roll-40-us-dates.xlsx"))
            Issue.record("a workbook with swapped dates was imported")
        } catch let e as RollFileRefused {
            #expect(e.problem.monthFirstDate)
            let said = e.description
            #expect(said.contains("đảo ngày và tháng") && said.contains("cả tệp bị từ chối"), "\(said)")
        }
        let people = try db.writer.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM beneficiary") }
        #expect(people == 0)
    }

    @Test("A single-byte CSV is read losslessly as Latin-1 and marked so; a column transform applies to every line")
    func singleByte() throws {
        // "Nguyễn" in VNI-Windows bytes is not UTF-8: N g u y e 0xE3 0xF5 n.
        var bytes = Array("code,full_name\r\nA1,Nguy".utf8) + [0x65, 0xE3, 0xF5] + Array("n\r\nA2,L\u{E2}m".utf8)
        bytes = bytes.flatMap { $0 == 0xC3 ? [] as [UInt8] : [$0] }   // keep one byte per character
        let url = try writeTemp("", name: "vni.csv")
        try Data(bytes).write(to: url)
        let input = try RollInput(url: url)
        #expect(input.source == .singleByte && input.encoding == .singleByte)
        #expect(try input.textColumnSamples(limit: 10) == [1: ["Nguye\u{E3}\u{F5}n", "L\u{A2}m"]])
        input.cellTransforms = [1: { $0.uppercased() }]
        #expect(try input.next()?.fields == ["code", "FULL_NAME"])
        #expect(try input.next()?.fields == ["A1", "NGUYE\u{C3}\u{D5}N"])
    }

    @Test("chitra roll import: the rejects file and the summary in Vietnamese by default, English with --lang en; --sheet picks the sheet",
          .enabled(if: chitraBinary != nil, "needs the chitra executable"))
    func commandLanguages() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("roll-excel-cli-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try ChitraRun.setUpStore(in: dir)
        for name in ["roll-40-scientific.csv", "roll-40.xlsx"] {
            try FileManager.default.copyItem(at: packageRoot.appendingPathComponent("fixtures/excel/" + name), to: dir.appendingPathComponent(name))
        }
        let en = try ChitraRun.run(["roll", "import", "roll-40-scientific.csv", "--lang", "en"], in: dir, as: "an.nguyen")
        #expect(en.status == 0, "\(en.text)")
        // Line 2 (DT0000001, one line only) is rejected: 39 of the 40 people are new.
        #expect(en.text.contains("roll-40-scientific.csv: 45 lines — 44 applied (39 new people, 0 changed"), "\(en.text)")
        #expect(en.text.contains("Read as CSV: encoding UTF-8, fields separated by \",\""))
        let rejectsEN = try String(contentsOf: dir.appendingPathComponent("roll-40-scientific.csv.rejects.csv"), encoding: .utf8)
        #expect(rejectsEN.contains("Số tài khoản: is an account number in scientific notation (like 1.23E+15): Excel rounded it and the digits are gone"))
        // The same file again in Vietnamese: already imported, said so.
        let vi = try ChitraRun.run(["roll", "import", "roll-40-scientific.csv"], in: dir, as: "an.nguyen")
        #expect(vi.text.contains("roll-40-scientific.csv đã được nhập lúc"), "\(vi.text)")
        // The workbook has one sheet, named after the CSV LibreOffice converted.
        let wrong = try ChitraRun.run(["roll", "import", "roll-40.xlsx", "--sheet", "Danh sách"], in: dir, as: "an.nguyen")
        #expect(wrong.status == 1)
        #expect(wrong.text.contains("roll-40.xlsx: không có trang tính \"Danh sách\"; các trang tính trong tệp: \"roll-40\""), "\(wrong.text)")
        let right = try ChitraRun.run(["roll", "import", "roll-40.xlsx", "--sheet", "roll-40"], in: dir, as: "an.nguyen")
        #expect(right.status == 0, "\(right.text)")
        #expect(right.text.contains("Đã đọc tệp Excel .xlsx, trang tính \"roll-40\""))
    }
}
