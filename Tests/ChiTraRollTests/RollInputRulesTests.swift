import ChiTraCore
import ChiTraRoll
import ChiTraStore
import Foundation
import GRDB
import Testing

/// One valid roll line (English keys, every column), to change one field at a time.
enum RollLine {
    static let header = RollColumn.allCases.map(\.rawValue)
    static let base: [RollColumn: String] = [
        .code: "T01", .fullName: "Nguyễn Văn Mẫu", .birthDate: "15/03/1950", .sex: "Nam", .personalID: "046050654321",
        .commune: "Phường Hương Trà", .village: "Tổ dân phố 1", .address: "Số 9 đường Lý Bôn", .phone: "0912345678",
        .category: "HUU_TRI_XA_HOI", .decisionNo: "1/QĐ-UBND", .decisionDate: "01/08/2025", .startMonth: "08/2025",
        .status: "active", .channel: "bank", .bankBIN: "970405", .accountNo: "4001205999001", .accountName: "NGUYEN VAN MAU",
    ]
    static func fields(_ changes: [RollColumn: String] = [:]) -> [String] {
        RollColumn.allCases.map { changes[$0] ?? base[$0] ?? "" }
    }
    static func csv(_ changes: [RollColumn: String] = [:]) -> String { CSVText.row(fields(changes)) }
    static func file(_ lines: [String]) -> String {
        ([CSVText.row(header)] + lines).joined(separator: "\n") + "\n"
    }
    static func validate(_ changes: [RollColumn: String]) throws -> RollValidation {
        try validator().validate(fields: fields(changes), line: 2, header: RollHeader(cells: header, file: "t.csv"), file: "t.csv")
    }
    static func problems(_ changes: [RollColumn: String]) throws -> [RollProblem] {
        if case .invalid(let p) = try validate(changes) { return p }
        return []
    }
}

/// rules-roll.csv with every `DD/MM/YYYY` date written month-first without zeros, as a US export
/// writes them (`15/12/1946` → `12/15/1946`, `02/02/1956` → `2/2/1956`).
func usDatedRulesRoll() throws -> String {
    let original = try String(contentsOf: packageRoot.appendingPathComponent("fixtures/rules/rules-roll.csv"), encoding: .utf8)
    return original.replacing(#/(\d{2})/(\d{2})/(\d{4})/#) { m in "\(Int(m.output.2)!)/\(Int(m.output.1)!)/\(m.output.3)" }
}

/// What the store holds about people and grants, to compare before and after a refused import.
func storeSnapshot(_ db: AppDatabase) throws -> [String] {
    try db.writer.read { db in
        try String.fetchAll(db, sql: """
            SELECT code || '|' || full_name || '|' || birth_date || '|' || coalesce(account_no, '') || '|' || status || '|' || coalesce(death_date, '') FROM beneficiary
            UNION ALL SELECT code || '|' || category || '|' || decision_date || '|' || start_month || '|' || status FROM grant_record
            UNION ALL SELECT 'changes ' || count(*) FROM roll_change
            UNION ALL SELECT 'files ' || count(*) FROM import_file
            ORDER BY 1
            """)
    }
}

@Suite("Roll dates: one order per file")
struct RollDateOrderTests {
    @Test("Month-first only: 7/26/2025 and 12/13/2025 read as US dates; 7/6/2025, 31/02/2025, 2/30/2025 and ISO do not")
    func monthFirstOnly() {
        #expect(CivilDate.monthFirstOnly("7/26/2025") == CivilDate(year: 2025, month: 7, day: 26))
        #expect(CivilDate.monthFirstOnly("12/13/2025") == CivilDate(year: 2025, month: 12, day: 13))
        #expect(CivilDate.monthFirstOnly(" 07/26/2025 ") == CivilDate(year: 2025, month: 7, day: 26))
        #expect(CivilDate.monthFirstOnly("7/6/2025") == nil)      // a real D/M date: 7 June
        #expect(CivilDate.monthFirstOnly("26/07/2025") == nil)
        #expect(CivilDate.monthFirstOnly("31/02/2025") == nil)    // no date either way
        #expect(CivilDate.monthFirstOnly("2/30/2025") == nil)
        #expect(CivilDate.monthFirstOnly("13/13/2025") == nil)
        #expect(CivilDate.monthFirstOnly("2025-07-26") == nil)
        #expect(CivilDate.monthFirstOnly("7/26/25") == nil)
    }

    @Test("A month-first date in any date column is flagged for refusing the file, naming the column", arguments: [
        RollColumn.birthDate, .decisionDate, .deathDate, .authorisationUntil,
    ])
    func everyDateColumn(column: RollColumn) throws {
        var changes: [RollColumn: String] = [column: "10/26/2025"]
        if column == .authorisationUntil {
            changes[.proxyName] = "Nguyễn Văn Con"; changes[.proxyID] = "046080123456"; changes[.proxyRelation] = "Con"
        }
        let p = try #require(try RollLine.problems(changes).first { $0.monthFirstDate })
        #expect(p.column == column)
        #expect(p.description.contains("ngày tháng trong tệp được xuất theo kiểu tháng/ngày; hãy xuất lại với dạng DD/MM/YYYY"))
        #expect(p.description.contains("(\(column.rawValue))"))
    }

    @Test("A roll exported month-first (M/D/YYYY) is refused whole: no person added, no rejects file, file, line and field named")
    func usDatedRollRefusedWhole() throws {
        let db = try AppDatabase.temporary()
        let url = try writeTemp(try usDatedRulesRoll(), name: "roll-us.csv")
        let error = try #require(throws: RollFileRefused.self) { try importer(db).importFile(url) }
        // R01 (line 2) was born 15/12/1946, written 12/15/1946: the first date that reads only month-first.
        #expect(error.problem.line == 2)
        #expect(error.problem.column == .birthDate)
        #expect(error.description.hasPrefix("roll-us.csv, dòng 2, cột \"Ngày sinh\" (birth_date) (giá trị \"12/15/1946\"): "))
        #expect(error.description.contains("ngày tháng trong tệp được xuất theo kiểu tháng/ngày; hãy xuất lại với dạng DD/MM/YYYY"))
        #expect(error.description.contains("cả tệp bị từ chối và không có gì được nhập"))
        #expect(error.summary.refusal == error.description)
        #expect(error.summary.applied == 0 && error.summary.fileID == nil && error.summary.nothingApplied)
        #expect(try count(db, "SELECT count(*) FROM beneficiary") == 0)
        #expect(try count(db, "SELECT count(*) FROM grant_record") == 0)
        #expect(try count(db, "SELECT count(*) FROM import_file") == 0)
        #expect(!FileManager.default.fileExists(atPath: RollImporter.rejectsURL(for: url).path))
    }

    @Test("A month-first roll after a good import leaves the store exactly as it was (no swapped dates applied)")
    func usDatedRollLeavesStoreUnchanged() throws {
        let db = try AppDatabase.temporary()
        _ = try importer(db).importFile(try copyFixture("fixtures/rules/rules-roll.csv"))
        let before = try storeSnapshot(db)
        #expect(before.contains("R04|Phạm Thị Hoa|1956-02-02|4001205000104|active|"))
        #expect(throws: RollFileRefused.self) { try importer(db).importFile(try writeTemp(try usDatedRulesRoll())) }
        #expect(try storeSnapshot(db) == before)
    }

    @Test("The file is refused even when its only month-first date is on its last line; earlier lines are not applied")
    func refusedWholeNotLineByLine() throws {
        let db = try AppDatabase.temporary()
        // Lines 2–4: every date has day and month ≤ 12 (either order would parse); line 5: 7/26/2025.
        let lines = [
            RollLine.csv([.code: "U01", .birthDate: "5/3/1950", .decisionDate: "7/8/2025"]),
            RollLine.csv([.code: "U02", .personalID: "046050654322", .birthDate: "05/03/1950", .decisionDate: "12/08/2025"]),
            RollLine.csv([.code: "U03", .personalID: "046050654323", .birthDate: "1950", .decisionDate: "1/12/2025", .startMonth: "12/2025"]),
            RollLine.csv([.code: "U04", .personalID: "046050654324", .decisionDate: "7/26/2025"]),
        ]
        let url = try writeTemp(RollLine.file(lines), name: "late.csv")
        // An old rejects file from an earlier import of this name would mislead: it goes.
        try Data("old".utf8).write(to: RollImporter.rejectsURL(for: url))
        let error = try #require(throws: RollFileRefused.self) { try importer(db).importFile(url) }
        #expect(error.problem.line == 5 && error.problem.column == .decisionDate)
        #expect(error.description.contains("late.csv, dòng 5, cột \"Ngày quyết định\" (decision_date) (giá trị \"7/26/2025\")"))
        #expect(try count(db, "SELECT count(*) FROM beneficiary") == 0)
        #expect(try count(db, "SELECT count(*) FROM roll_change") == 0)
        #expect(!FileManager.default.fileExists(atPath: RollImporter.rejectsURL(for: url).path))
    }

    @Test("A day-first roll whose dates all have day and month ≤ 12 imports, read as DD/MM/YYYY (with or without zeros, or ISO)")
    func dayFirstWithLowDaysImports() throws {
        let db = try AppDatabase.temporary()
        let lines = [
            RollLine.csv([.code: "V01", .birthDate: "5/3/1950", .decisionDate: "7/8/2025"]),
            RollLine.csv([.code: "V02", .personalID: "046050654322", .birthDate: "05/03/1950", .decisionDate: "12/08/2025"]),
            RollLine.csv([.code: "V03", .personalID: "046050654323", .birthDate: "1950-03-05", .decisionDate: "2025-08-12"]),
        ]
        let s = try importer(db).importFile(try writeTemp(RollLine.file(lines)))
        #expect(s.applied == 3 && s.rejected == 0)
        let rows = try db.writer.read { try Row.fetchAll($0, sql: "SELECT b.code, b.birth_date, g.decision_date FROM beneficiary b JOIN grant_record g ON g.code = b.code ORDER BY b.code") }
        #expect(rows.map { "\($0["code"] as String) \($0["birth_date"] as String) \($0["decision_date"] as String)" }
                == ["V01 1950-03-05 2025-08-07", "V02 1950-03-05 2025-08-12", "V03 1950-03-05 2025-08-12"])
    }
}

@Suite("Roll field limits: length, control and text-direction characters")
struct RollFieldLimitTests {
    /// "Nguyễn " and then `ễ` up to `n` characters; given in NFD (each ễ three scalars), stored NFC.
    static func longName(_ n: Int) -> String {
        ("Nguyễn " + String(repeating: "ễ", count: n - 7)).decomposedStringWithCanonicalMapping
    }

    @Test("A name of 100 characters is accepted (counted in NFC, as stored); 101 is rejected naming the field")
    func nameLength() throws {
        #expect(Self.longName(100).unicodeScalars.count > 100)
        let db = try AppDatabase.temporary()
        let url = try writeTemp(RollLine.file([
            RollLine.csv([.code: "N100", .fullName: Self.longName(100), .accountName: "NGUYEN E"]),
            RollLine.csv([.code: "N101", .personalID: "046050654322", .fullName: Self.longName(101)]),
        ]))
        let s = try importer(db).importFile(url)
        #expect(s.applied == 1 && s.rejected == 1)
        let stored = try db.writer.read { try String.fetchOne($0, sql: "SELECT full_name FROM beneficiary WHERE code = 'N100'") }
        #expect(stored?.unicodeScalars.count == 100)
        #expect(s.problems.count == 1)
        #expect(s.problems[0].contains("dòng 3, cột \"Họ và tên\" (full_name)"))
        #expect(s.problems[0].hasSuffix("dài 101 ký tự; tối đa 100 ký tự"))
        let rejects = try String(contentsOf: URL(fileURLWithPath: try #require(s.rejectsFile)), encoding: .utf8)
        #expect(rejects.contains("Họ và tên: dài 101 ký tự; tối đa 100 ký tự"))
    }

    @Test("An address of 300 characters is accepted, 301 rejected; other fields over 100 are rejected too")
    func addressAndOtherLengths() throws {
        let address = "Số 9 đường Lý Bôn, "
        #expect(try RollLine.problems([.address: address + String(repeating: "x", count: 300 - address.count)]).isEmpty)
        let p = try RollLine.problems([.address: address + String(repeating: "x", count: 301 - address.count)])
        #expect(p.map(\.column) == [.address])
        #expect(p.first?.reason(in: .en) == "Địa chỉ: is 301 characters long; at most 300 are allowed")
        // The value is quoted shortened in the console message.
        #expect(p.first?.description.contains("(301 characters)") == true)
        for column in [RollColumn.accountName, .proxyName, .commune, .village, .decisionNo] {
            let long = String(repeating: "A", count: 101)
            #expect(try RollLine.problems([column: long]).contains { $0.column == column && $0.message(in: .en) == "is 101 characters long; at most 100 are allowed" }, "\(column)")
        }
    }

    @Test("A text-direction character in a name is rejected, naming the field and the code point, and not echoed", arguments: [
        0x202E, 0x202D, 0x202A, 0x202B, 0x202C, 0x2066, 0x2067, 0x2068, 0x2069, 0x200E, 0x200F, 0x061C,
    ] as [UInt32])
    func directionCharacters(scalar: UInt32) throws {
        let c = String(Character(Unicode.Scalar(scalar)!))
        let p = try RollLine.problems([.fullName: "Nguyễn Văn \(c)naM"])
        #expect(p.count == 1)
        #expect(p.first?.column == .fullName)
        #expect(p.first?.message.contains("ký tự ẩn đổi chiều chữ (U+\(String(format: "%04X", scalar)))") == true)
        #expect(p.first?.description.unicodeScalars.contains { $0.value == scalar } == false)
    }

    @Test("Control characters are rejected in any field (tab and line break inside a name, ESC, NUL, DEL, C1)", arguments: [
        (RollColumn.fullName, "Nguyễn\tVăn Mẫu", "U+0009"), (.fullName, "Nguyễn Văn\nMẫu", "U+000A"),
        (.address, "Số 9\u{1B}[2J đường Lý Bôn", "U+001B"), (.decisionNo, "1/QĐ\u{0}-UBND", "U+0000"),
        (.village, "Tổ dân phố\u{7F} 1", "U+007F"), (.commune, "Phường\u{85}Hương Trà", "U+0085"),
        (.accountName, "NGUYEN\rVAN MAU", "U+000D"),
    ])
    func controlCharacters(column: RollColumn, value: String, codePoint: String) throws {
        let p = try RollLine.problems([column: value])
        let hit = try #require(p.first { $0.column == column && $0.message.contains("ký tự điều khiển (\(codePoint)") })
        // Quoted through SafeText: no control character but a tab reaches the console.
        #expect(!hit.description.unicodeScalars.contains { $0.properties.generalCategory == .control && $0 != "\t" })
    }

    @Test("Through the importer: a bidi override in a name and a tab in an address reject their lines; the rest applies")
    func importRejectsHostileLines() throws {
        let db = try AppDatabase.temporary()
        let s = try importer(db).importFile(try writeTemp(RollLine.file([
            RollLine.csv([.code: "H01", .fullName: "Nguyễn Văn \u{202E}naM"]),
            RollLine.csv([.code: "H02", .personalID: "046050654322", .address: "Số 9\tđường Lý Bôn"]),
            RollLine.csv([.code: "H03", .personalID: "046050654323"]),
        ])))
        #expect(s.applied == 1 && s.rejected == 2)
        #expect(try count(db, "SELECT count(*) FROM beneficiary") == 1)
        #expect(s.problems[0].contains("dòng 2, cột \"Họ và tên\" (full_name)") && s.problems[0].contains("U+202E"))
        #expect(s.problems[1].contains("dòng 3, cột \"Địa chỉ\" (address)") && s.problems[1].contains("U+0009"))
    }
}

@Suite("Roll import: blank lines, nothing applied, changed accounts")
struct RollImportOutcomeTests {
    @Test("A roll followed by 100,000 lines of commas imports its real lines; the blank ones are counted, not rejected")
    func blankLinesSkipped() throws {
        let db = try AppDatabase.temporary()
        var text = try String(contentsOf: packageRoot.appendingPathComponent("fixtures/rules/rules-roll.csv"), encoding: .utf8)
        if !text.hasSuffix("\n") { text += "\n" }
        // The header has 25 columns: Excel writes 24 commas per empty row of the range (CRLF).
        text += String(repeating: String(repeating: ",", count: 24) + "\r\n", count: 99_998)
        text += " , ,\t,\r\n" + "\r\n"   // spaces and a tab only; an empty line
        let url = try writeTemp(text)
        let s = try importer(db).importFile(url)
        #expect(s.lines == 20)
        #expect(s.blankLines == 100_000)
        #expect(s.applied == 20 && s.rejected == 0)
        #expect(s.rejectsFile == nil)
        #expect(!FileManager.default.fileExists(atPath: RollImporter.rejectsURL(for: url).path))
        #expect(try count(db, "SELECT count(*) FROM beneficiary") == 17)
        #expect(try count(db, "SELECT rows_total FROM import_file") == 20)
    }

    @Test("Every line rejected: nothing applied, the import is rolled back (not recorded), the rejects file is written; again the same")
    func everyLineRejected() throws {
        let db = try AppDatabase.temporary()
        let broken = try String(contentsOf: packageRoot.appendingPathComponent("fixtures/rules/broken-roll.csv"), encoding: .utf8)
        // broken-roll.csv without its valid G01 lines: B01–B16, each broken.
        let lines = broken.components(separatedBy: "\r\n").filter { !$0.hasPrefix("G01,") && !$0.isEmpty }
        let url = try writeTemp(lines.joined(separator: "\r\n") + "\r\n", name: "all-broken.csv")
        for _ in 0..<2 {
            let s = try importer(db).importFile(url)
            #expect(!s.alreadyImported)
            #expect(s.nothingApplied)
            #expect(s.lines == 16 && s.rejected == 16 && s.applied == 0)
            #expect(s.fileID == nil)
            #expect(s.rejectsFile != nil)
            #expect(try count(db, "SELECT count(*) FROM import_file") == 0)
            #expect(try count(db, "SELECT count(*) FROM beneficiary") == 0)
        }
        let rejects = try String(contentsOf: RollImporter.rejectsURL(for: url), encoding: .utf8)
        #expect(rejects.split(separator: "\r\n").count == 17)
    }

    @Test("A file with only a header (or only blank lines) applies nothing")
    func noDataLines() throws {
        let db = try AppDatabase.temporary()
        let s = try importer(db).importFile(try writeTemp(RollLine.file([",,,", ""])))
        #expect(s.nothingApplied && s.lines == 0 && s.blankLines == 2 && s.rejected == 0)
        #expect(try count(db, "SELECT count(*) FROM import_file") == 0)
    }

    @Test("Not 'nothing applied': the same file twice, a file whose lines are all unchanged, some lines applied")
    func somethingApplied() throws {
        let db = try AppDatabase.temporary()
        let url = try copyFixture("fixtures/rules/rules-roll.csv")
        let first = try importer(db).importFile(url)
        #expect(!first.nothingApplied)
        let again = try importer(db).importFile(url)
        #expect(again.alreadyImported && !again.nothingApplied)
        // Other bytes (LF instead of CRLF, no BOM), same content: every line unchanged.
        let text = try String(contentsOf: url, encoding: .utf8).replacingOccurrences(of: "\r\n", with: "\n")
        let unchanged = try importer(db).importFile(try writeTemp(text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text))
        #expect(!unchanged.alreadyImported)
        #expect(unchanged.unchanged == 20 && unchanged.applied == 0)
        #expect(!unchanged.nothingApplied)
        #expect(try count(db, "SELECT count(*) FROM import_file") == 2)
    }

    @Test("Changed accounts are listed by code, masked, in the summary and its JSON; new people and unchanged accounts are not")
    func changedAccountsListed() throws {
        let db = try AppDatabase.temporary()
        let first = try copyFixture("fixtures/rules/rules-roll.csv")
        let s1 = try importer(db).importFile(first)
        #expect(s1.accountChanges.isEmpty && s1.accountChangeCount == 0)
        var text = try String(contentsOf: first, encoding: .utf8)
        // R03: another bank and account; R04: another account at the same bank; R05: post-office cash → a bank account.
        text = text.replacingOccurrences(of: "970415,101000103,LE VAN HUNG", with: "970418,21010009999,LE VAN HUNG")
        text = text.replacingOccurrences(of: "970405,4001205000104,PHAM THI HOA", with: "970405,4001205777704,PHAM THI HOA")
        let r05 = try #require(text.split(separator: "\n").first { $0.hasPrefix("R05,") })
        #expect(r05.contains("Tiền mặt tại bưu điện,,,,"))
        text = text.replacingOccurrences(of: r05, with: r05.replacingOccurrences(of: "Tiền mặt tại bưu điện,,,,", with: "Tài khoản ngân hàng,970436,0011004123456,HOANG VAN SAU,"))
        let s = try importer(db).importFile(try writeTemp(text, name: "roll-2026-12.csv"))
        #expect(s.rejected == 0, "\(s.problems)")
        #expect(s.accountChangeCount == 3)
        #expect(s.accountChanges == [
            .init(code: "R03", bankBINBefore: "970415", bankBINAfter: "970418", accountMaskedBefore: "*****0103", accountMaskedAfter: "*******9999"),
            .init(code: "R04", bankBINBefore: "970405", bankBINAfter: "970405", accountMaskedBefore: "*********0104", accountMaskedAfter: "*********7704"),
            .init(code: "R05", bankBINBefore: nil, bankBINAfter: "970436", accountMaskedBefore: nil, accountMaskedAfter: "*********3456"),
        ])
        let json = String(decoding: try JSONEncoder().encode(s), as: UTF8.self)
        #expect(json.contains("\"accountChanges\""))
        #expect(json.contains("*******9999"))
        for full in ["21010009999", "101000103", "4001205777704", "4001205000104", "0011004123456"] { #expect(!json.contains(full)) }
    }
}
