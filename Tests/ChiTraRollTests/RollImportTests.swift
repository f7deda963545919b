import ChiTraCore
import ChiTraRoll
import ChiTraStore
import ChiTraTestSupport
import Foundation
import GRDB
import Testing

let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let formats = packageRoot.appendingPathComponent("formats")
let fixedToday = CivilDate(year: 2026, month: 11, day: 23)!

func validator() throws -> RollValidator {
    RollValidator(tariff: try Tariff.load(from: formats.appendingPathComponent("tariff.json")),
                  banks: try BankDirectory.load(from: formats.appendingPathComponent("banks.json")), today: fixedToday)
}

/// Copies a fixture into a fresh folder (rejects files are written beside the input).
func copyFixture(_ name: String) throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("roll-\(UUID())")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let dst = dir.appendingPathComponent(URL(fileURLWithPath: name).lastPathComponent)
    try FileManager.default.copyItem(at: packageRoot.appendingPathComponent(name), to: dst)
    return dst
}

func writeTemp(_ text: String, name: String = "roll.csv") throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("roll-\(UUID())")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let url = dir.appendingPathComponent(name)
    try Data(text.utf8).write(to: url)
    return url
}

func importer(_ db: AppDatabase, strict: Bool = false, by login: String = "ke.toan.a") throws -> RollImporter {
    var i = RollImporter(db: db, validator: try validator(), actor: try db.actor(.maker, login: login))
    i.strict = strict
    return i
}

func count(_ db: AppDatabase, _ sql: String, _ args: StatementArguments = []) throws -> Int {
    try db.writer.read { try Int.fetchOne($0, sql: sql, arguments: args) ?? 0 }
}

@Suite("Roll import")
struct RollImportTests {
    @Test("The hand-made roll imports whole: 20 lines, 17 people, the shared ID reported")
    func importsRulesRoll() throws {
        let db = try AppDatabase.temporary()
        let s = try importer(db).importFile(try copyFixture("fixtures/rules/rules-roll.csv"))
        #expect(s.lines == 20)
        #expect(s.rejected == 0)
        #expect(s.newPeople == 17)
        #expect(s.changedPeople == 0)
        #expect(try count(db, "SELECT count(*) FROM beneficiary") == 17)
        #expect(try count(db, "SELECT count(*) FROM grant_record") == 20)
        #expect(s.duplicateIDs.map(\.codes) == [["R05", "R17"]])
        // R07 (single parent and severely disabled) keeps both (Art. 6.2): not in the highest-only notice (issue 15).
        #expect(Set(s.multipleCategories.flatMap(\.codes)) == ["R05", "R17", "R06"])
        #expect(s.warnings.isEmpty, "\(s.warnings)")
        #expect(s.rejectsFile == nil)
    }

    @Test("Importing the same file twice changes nothing and says so")
    func sameFileTwice() throws {
        let db = try AppDatabase.temporary()
        let url = try copyFixture("fixtures/rules/rules-roll.csv")
        _ = try importer(db).importFile(url)
        let changesBefore = try count(db, "SELECT count(*) FROM roll_change")
        let again = try importer(db).importFile(url)
        #expect(again.alreadyImported)
        #expect(again.applied == 0)
        #expect(try count(db, "SELECT count(*) FROM roll_change") == changesBefore)
        #expect(try count(db, "SELECT count(*) FROM import_file") == 1)
    }

    @Test("Every kind of broken line is rejected with its column; the valid line applies; the rejects file holds the reasons")
    func brokenRows() throws {
        let db = try AppDatabase.temporary()
        let url = try copyFixture("fixtures/rules/broken-roll.csv")
        let s = try importer(db).importFile(url)
        #expect(s.lines == 18)
        #expect(s.rejected == 17)
        #expect(s.applied == 1)
        #expect(try count(db, "SELECT count(*) FROM beneficiary") == 1)
        // Each expected (line, column) pair appears in the problems.
        let expected = try String(contentsOf: packageRoot.appendingPathComponent("fixtures/rules/broken-roll.expected.csv"), encoding: .utf8)
            .split(separator: "\n").dropFirst().map { $0.split(separator: ",", maxSplits: 3).map(String.init) }
        #expect(expected.count == 17)
        for e in expected {
            let line = e[0], column = e[2]
            #expect(s.problems.contains { $0.contains("dòng \(line),") && $0.contains("(\(column))") }, "line \(line) should be rejected on \(column)")
        }
        // The rejects file: header + one line per rejected line, with the reason column, mode 0600.
        let rejects = try String(contentsOf: URL(fileURLWithPath: s.rejectsFile!), encoding: .utf8)
        let lines = rejects.split(separator: "\r\n")
        #expect(lines.count == 18)
        #expect(lines[0].hasSuffix("Lý do từ chối"))
        #expect(lines[1].hasPrefix("B01,"))
        let mode = try FileManager.default.attributesOfItem(atPath: s.rejectsFile!)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        // Personal IDs are masked in the messages.
        #expect(!s.problems.joined().contains("046150123456"))
    }

    @Test("--strict applies nothing when a line is rejected")
    func strict() throws {
        let db = try AppDatabase.temporary()
        #expect(throws: StrictImportRefused.self) { try importer(db, strict: true).importFile(try copyFixture("fixtures/rules/broken-roll.csv")) }
        #expect(try count(db, "SELECT count(*) FROM beneficiary") == 0)
        #expect(try count(db, "SELECT count(*) FROM import_file") == 0)
    }

    @Test("A later export with a new account updates the roll and keeps who changed what, when, from which file")
    func laterExportKeepsHistory() throws {
        let db = try AppDatabase.temporary()
        let first = try copyFixture("fixtures/rules/rules-roll.csv")
        _ = try importer(db).importFile(first)
        var text = try String(contentsOf: first, encoding: .utf8)
        text = text.replacingOccurrences(of: "970415,101000103,LE VAN HUNG", with: "970418,21010009999,LE VAN HUNG")
        let second = try writeTemp(text, name: "roll-2026-12.csv")
        let s = try importer(db, by: "ke.toan.b").importFile(second)
        #expect(s.changedPeople == 1)
        #expect(s.fieldChanges == 2)
        #expect(s.unchanged == 19)
        let rows = try db.writer.read { try Row.fetchAll($0, sql: "SELECT field, old_value, new_value, changed_by, f.name FROM roll_change c JOIN import_file f ON f.id = c.file_id WHERE code = 'R03' AND field <> 'created' ORDER BY field") }
        #expect(rows.map { $0["field"] as String } == ["account_no", "bank_bin"])
        #expect(rows[0]["old_value"] as String == "*****0103")
        #expect(rows[0]["new_value"] as String == "*******9999")
        #expect(rows[1]["new_value"] as String == "970418")
        #expect(rows[0]["changed_by"] as String == "ke.toan.b")
        #expect(rows[0]["name"] as String == "roll-2026-12.csv")
        #expect(try db.writer.read { try String.fetchOne($0, sql: "SELECT account_no FROM beneficiary WHERE code='R03'") } == "21010009999")
    }

    @Test("A death in a later export updates the person; the history is append-only")
    func deathUpdates() throws {
        let db = try AppDatabase.temporary()
        let first = try copyFixture("fixtures/rules/rules-roll.csv")
        _ = try importer(db).importFile(first)
        var text = try String(contentsOf: first, encoding: .utf8)
        text = text.replacingOccurrences(of: "R03,Lê Văn Hùng,20/05/1981,Nam,046081000103,Phường Hương Trà,Tổ dân phố 3,Số 9 đường Lý Bôn,0912345678,NKT_NANG,,103/QĐ-UBND,12/12/2021,01/2022,,",
                                         with: "R03,Lê Văn Hùng,20/05/1981,Nam,046081000103,Phường Hương Trà,Tổ dân phố 3,Số 9 đường Lý Bôn,0912345678,NKT_NANG,,103/QĐ-UBND,12/12/2021,01/2022,,02/11/2026")
        _ = try importer(db).importFile(try writeTemp(text))
        #expect(try db.writer.read { try String.fetchOne($0, sql: "SELECT death_date FROM beneficiary WHERE code='R03'") } == "2026-11-02")
        #expect(throws: (any Error).self) { try db.writer.write { try $0.execute(sql: "DELETE FROM roll_change") } }
        #expect(throws: (any Error).self) { try db.writer.write { try $0.execute(sql: "UPDATE audit_log SET actor = 'x'") } }
    }

    @Test("English keys, NFD names and a BOM-less file import; names are stored NFC with a bank form")
    func englishKeysAndNFD() throws {
        let db = try AppDatabase.temporary()
        let name = "Đặng Thị Hoà".decomposedStringWithCanonicalMapping
        let csv = """
        code,full_name,birth_date,sex,personal_id,commune,village,category,decision_no,decision_date,start_month,status,channel,bank_bin,account_no,account_name
        E01,\(name),1944,F,046144000201,Phường Hương Trà,Tổ dân phố 1,HUU_TRI_XA_HOI,5/QĐ-UBND,01/08/2025,08/2025,active,bank,970405,4001205000201,DANG THI HOA

        """
        let s = try importer(db).importFile(try writeTemp(csv))
        #expect(s.applied == 1)
        let row = try db.writer.read { try Row.fetchOne($0, sql: "SELECT full_name, name_bank, birth_year_only FROM beneficiary WHERE code='E01'") }!
        #expect(Array((row["full_name"] as String).unicodeScalars) == Array("Đặng Thị Hoà".precomposedStringWithCanonicalMapping.unicodeScalars))
        #expect(row["name_bank"] as String == "DANG THI HOA")
        #expect(row["birth_year_only"] as Int == 1)
    }

    @Test("An unknown header is refused before anything applies, naming the column")
    func unknownHeader() throws {
        let db = try AppDatabase.temporary()
        let url = try writeTemp("code,full_nme,birth_date\nX,Y,1950\n")
        #expect { try importer(db).importFile(url) } throws: { "\($0)".contains("full_nme") && "\($0)".contains("cột 2") }
        #expect(try count(db, "SELECT count(*) FROM beneficiary") == 0)
    }

    @Test("Two lines of one code that disagree on the person: the second is rejected")
    func inconsistentLines() throws {
        let db = try AppDatabase.temporary()
        let csv = """
        code,full_name,birth_date,sex,personal_id,commune,village,category,decision_no,decision_date,start_month,status,channel
        K01,Lê Thị A,1944,F,046144000301,Xã A,Thôn 1,HUU_TRI_XA_HOI,5/QĐ-UBND,01/08/2025,08/2025,active,post_cash
        K01,Lê Thị A,1944,F,046144000301,Xã A,Thôn 2,NKT_NANG,6/QĐ-UBND,01/08/2025,08/2025,active,post_cash

        """
        let s = try importer(db).importFile(try writeTemp(csv))
        #expect(s.rejected == 1)
        #expect(s.problems.first?.contains("village") == true)
    }

    @Test("An old 9-digit CMND is accepted and flagged")
    func legacyID() throws {
        let db = try AppDatabase.temporary()
        let csv = """
        code,full_name,birth_date,sex,personal_id,commune,village,category,decision_no,decision_date,start_month,status,channel
        L01,Lê Văn B,1940,M,191234567,Xã A,Thôn 1,HUU_TRI_XA_HOI,5/QĐ-UBND,01/08/2025,08/2025,active,post_cash

        """
        let s = try importer(db).importFile(try writeTemp(csv))
        #expect(s.applied == 1)
        #expect(s.legacyIDs == 1)
        #expect(try count(db, "SELECT count(*) FROM beneficiary WHERE id_legacy = 1") == 1)
    }

    @Test("The store file is created 0600")
    func storeMode() throws {
        let db = try AppDatabase.temporary()
        let mode = try FileManager.default.attributesOfItem(atPath: db.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }
}

@Suite("Roll import: lines of one code")
struct RollImportSameCodeTests {
    @Test("A later line of a code must agree on the person and bring a new category; both refusals name the first line")
    func laterLinesOfACode() throws {
        let original = try String(contentsOf: packageRoot.appendingPathComponent("fixtures/rules/rules-roll.csv"), encoding: .utf8)
        let lines = original.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        let r01 = lines[1]
        #expect(r01.hasPrefix("R01,Nguyễn Thị Lành,"))
        // Line 22: R01 again with its category (a duplicate); line 23: R01 with another name and another category.
        let renamed = r01.replacingOccurrences(of: "Nguyễn Thị Lành", with: "Nguyễn Thị Lan")
            .replacingOccurrences(of: "NCT_NGHEO_KHONG_NGUOI_PHUNG_DUONG", with: "NKT_NANG")
        let url = try writeTemp(original + (original.hasSuffix("\n") ? "" : "\n") + r01 + "\n" + renamed + "\n")
        let db = try AppDatabase.temporary()
        let s = try importer(db).importFile(url)
        #expect(s.lines == 22)
        #expect(s.rejected == 2)
        #expect(s.problems.contains { $0.contains("dòng 22") && $0.contains("mã R01 đã có diện đối tượng này ở dòng trước trong tệp") })
        #expect(s.problems.contains { $0.contains("dòng 23") && $0.contains("cùng mã đối tượng ở dòng 2 nhưng khác full_name, name_bank; các dòng của một người phải giống nhau") })
        #expect(try count(db, "SELECT count(*) FROM grant_record WHERE code = 'R01'") == 1)
        #expect(s.newPeople == 17)
    }
}
