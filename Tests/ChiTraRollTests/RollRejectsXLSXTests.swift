import ChiTraCore
import ChiTraRoll
import ChiTraSheets
import ChiTraStore
import ChiTraTestSupport
import Foundation
import Testing

/// The roll's rejected lines as Excel (`chitra roll import FILE --xlsx REJECTS.xlsx`): the rejects
/// CSV's columns and reasons, every cell as the line had it, as text.
///
/// `fixtures/rules/broken-roll.csv` (17 rejected lines, one applied) plus one more line, X01, whose
/// name is a formula, whose personal ID starts with 00 and whose 19-digit account starts with 00;
/// its ID says female (4th digit 1) while the line says male, so it is rejected.
@Suite("Roll rejects as Excel")
struct RollRejectsXLSXTests {
    static let extra = "X01,\"=HYPERLINK(\"\"http://x.example\"\",\"\"Bấm\"\")\",15/03/1950,Nam,001150123450,Phường Hương Trà,Tổ dân phố 1,,0912345678,HUU_TRI_XA_HOI,,1/QĐ-UBND,01/08/2025,08/2025,,,active,bank,970405,0012345678901234567,NGUYEN VAN X,,,,\n"

    @Test("18 rejected lines: IDs, phones and accounts as text with every digit, the formula-looking name as text, the reasons")
    func rejects() throws {
        let db = try AppDatabase.temporary()
        let url = try copyFixture("fixtures/rules/broken-roll.csv")
        let handle = try FileHandle(forWritingTo: url)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(Self.extra.utf8))
        try handle.close()
        let s = try importer(db).importFile(url)
        #expect(s.rejected == 18)
        let out = url.deletingLastPathComponent().appendingPathComponent("tu-choi.xlsx")
        try RollRejectsXLSX.write(rejectsCSV: URL(fileURLWithPath: try #require(s.rejectsFile)), importedFile: s.file, to: out)
        let mode = (try FileManager.default.attributesOfItem(atPath: out.path)[.posixPermissions] as? NSNumber)?.intValue
        #expect(mode == 0o600)

        let x = try XLSXPackage(url: out)
        let sheet = try #require(x.sheet("Dòng bị từ chối"))
        // Two title lines, a blank line, the header on row 4 (the roll's 25 columns and the reason), lines from row 5.
        #expect(sheet["A4"]?.value == "code" && sheet["E4"]?.value == "personal_id" && sheet["Z4"]?.value == "Lý do từ chối")
        #expect(sheet["A5"]?.value == "B01" && sheet["E5"]?.value == "046150123456" && sheet["E5"]?.isText == true)
        #expect(sheet["I5"]?.value == "0912345678" && sheet["I5"]?.isText == true)
        #expect(sheet["T5"]?.value == "4001205999001" && sheet["T5"]?.isText == true)
        let last = "22"   // row 5 + 17
        #expect(sheet["A" + last]?.value == "X01")
        #expect(sheet["B" + last]?.value == "=HYPERLINK(\"http://x.example\",\"Bấm\")" && sheet["B" + last]?.formula == nil)
        #expect(sheet["E" + last]?.value == "001150123450" && sheet["T" + last]?.value == "0012345678901234567")
        #expect(sheet["Z" + last]?.value?.isEmpty == false)
        #expect(sheet["A23"] == nil)
        #expect(x.sheets.flatMap { $0.cells.values.compactMap(\.formula) }.isEmpty)

        guard LibreOffice.soffice != nil else { print(LibreOffice.missing); return }
        let rows = try #require(try LibreOffice.sheets(of: out)["Dòng bị từ chối"])
        #expect(rows.count == 22)
        #expect(rows[4][0] == "B01" && rows[4][4] == "046150123456" && rows[4][19] == "4001205999001")
        #expect(rows[21][1] == "=HYPERLINK(\"http://x.example\",\"Bấm\")")
        #expect(rows[21][4] == "001150123450" && rows[21][8] == "0912345678" && rows[21][19] == "0012345678901234567")
        // The reasons as the rejects CSV has them.
        let csv = LibreOffice.parseCSV(try String(contentsOf: URL(fileURLWithPath: s.rejectsFile!), encoding: .utf8).replacingOccurrences(of: "\u{FEFF}", with: ""))
        #expect(rows[4..<22].map { $0[25] } == csv[1..<19].map { $0[25] })
        try LibreOffice.keepPicture(of: out, name: "rejects")
    }
}
