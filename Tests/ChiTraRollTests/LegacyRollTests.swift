import ChiTraCore
import ChiTraRoll
import ChiTraStore
import Foundation
import GRDB
import Testing

/// Issue 14: rolls typed with old Vietnamese fonts import as the same people as a Unicode roll.
/// The fixtures (`fixtures/legacy/`, made by `make-legacy-fixtures.py` from glibc's charmaps, VNI's
/// chart and iconv, not from ChiTra's converter) hold the people of `roll-clean.csv`, their text
/// columns in TCVN3 (.VnTime text saved as UTF-8 look-alike characters), VNI (the same) and
/// Windows-1258 (bytes, as Excel's "CSV" writes on a Vietnamese Windows).
@Suite("Legacy-encoded rolls")
struct LegacyRollTests {
    @Test("TCVN3, VNI and Windows-1258 rolls import to exactly the store the Unicode roll makes, and say which columns were converted",
          arguments: [("roll-tcvn3.csv", "TCVN3"), ("roll-vni.csv", "VNI"), ("roll-cp1258.csv", "1258")])
    func sameStoreAsTheUnicodeRoll(file: String, encodingWord: String) throws {
        let clean = try AppDatabase.temporary()
        let c = try importer(clean).importFile(try copyFixture("fixtures/legacy/roll-clean.csv"))
        #expect(c.rejected == 0 && c.textConversions.isEmpty)
        let db = try AppDatabase.temporary()
        let s = try importer(db).importFile(try copyFixture("fixtures/legacy/" + file))
        #expect(s.rejected == 0, "\(file): \(s.problems)")
        #expect(s.lines == c.lines)
        #expect(try storeContent(db) == storeContent(clean), "\(file)")
        // The names are right letter for letter (the roll's first person).
        let name = try db.writer.read { try String.fetchOne($0, sql: "SELECT full_name FROM beneficiary WHERE code = 'R01'") }
        #expect(name == "Nguyễn Thị Lành")
        // The summary names the converted columns by their (converted) headers, in Vietnamese.
        let said = s.textConversions.map { $0.text(in: .vi) }
        #expect(said.contains { $0.contains("«Họ và tên»") && $0.contains(encodingWord) && $0.contains("đã được chuyển sang Unicode") }, "\(said)")
        #expect(s.textConversions.first?.text(in: .en).contains("converted to Unicode") == true)
    }

    @Test("A name column half TCVN3 and half Unicode cannot be decided: the file is refused whole, naming the column, and nothing is imported")
    func undecidableColumnRefusesTheFile() throws {
        let clean = try String(contentsOf: try copyFixture("fixtures/legacy/roll-clean.csv"), encoding: .utf8).split(separator: "\n").map { String($0.dropLast($0.hasSuffix("\r") ? 1 : 0)) }
        let tcvn3 = try String(contentsOf: try copyFixture("fixtures/legacy/roll-tcvn3.csv"), encoding: .utf8).split(separator: "\n").map { String($0.dropLast($0.hasSuffix("\r") ? 1 : 0)) }
        try #require(clean.count == tcvn3.count && clean.count > 10)
        // Lines 2…: every other person's name as .VnTime text, the rest Unicode.
        var mixed = clean
        for i in Swift.stride(from: 1, to: clean.count, by: 2) {
            var cells = clean[i].components(separatedBy: ",")
            cells[1] = tcvn3[i].components(separatedBy: ",")[1]
            mixed[i] = cells.joined(separator: ",")
        }
        let url = try writeTemp(mixed.joined(separator: "\r\n") + "\r\n", name: "mixed.csv")
        let db = try AppDatabase.temporary()
        do {
            _ = try importer(db).importFile(url)
            Issue.record("a column mixing two encodings was imported")
        } catch let e as MessageError {
            let vi = e.text(in: .vi), en = e.text(in: .en)
            #expect(vi.contains("Họ và tên") && vi.contains("UTF-8"), "\(vi)")
            #expect(en.contains("Họ và tên"), "\(en)")
        }
        let people = try db.writer.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM beneficiary") }
        #expect(people == 0)
        let files = try db.writer.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM import_file") }
        #expect(files == 0)
    }
}
