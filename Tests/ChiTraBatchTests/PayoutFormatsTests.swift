import ChiTraBatch
import Foundation
import Testing

@Suite("payout-formats.json loader")
struct PayoutFormatsTests {
    /// The shipped file with one substitution applied.
    private func variant(_ from: String, _ to: String) throws -> Data {
        let text = try String(contentsOf: Sample.formatsFile, encoding: .utf8)
        #expect(text.contains(from))
        return Data(text.replacingOccurrences(of: from, with: to).utf8)
    }

    private func error(_ data: Data) -> PayoutFormatsError? {
        do { _ = try PayoutFormats.parse(data); return nil } catch { return error }
    }

    @Test("The shipped file picks a format for every institution kind and the Agribank override")
    func shipped() throws {
        let formats = try Sample.formats()
        #expect(formats.formatName(for: Sample.vietcombank) == "pain.001.001.09")
        #expect(formats.formatName(for: Sample.agribank) == "bank-csv")
        #expect(formats.formatName(for: Sample.postOffice) == "vnpost-list")
        #expect(formats.writer(for: Sample.vietcombank) is Pain001Writer)
        #expect(formats.writer(named: "nope") == nil)
    }

    @Test("An unknown field name is reported with its key and the name")
    func unknownField() throws {
        let e = error(try variant("\"field\": \"accountNo\", \"required\": true, \"maxLength\": 19", "\"field\": \"acountNo\""))
        #expect(e?.key == "formats[1].columns[1].field")
        #expect(e?.description.contains("unknown field \"acountNo\"") == true)
    }

    @Test("An unknown format is reported with the institution and the name")
    func unknownFormat() throws {
        let e = error(try variant("\"format\": \"bank-csv\"", "\"format\": \"bank-cvs\""))
        #expect(e?.key == "institutions[0].format")
        #expect(e?.description.contains("unknown format \"bank-cvs\" for institution 970405") == true)
        let d = error(try variant("\"postOffice\": \"vnpost-list\"", "\"postOffice\": \"vnpost\""))
        #expect(d?.key == "defaults.postOffice")
        #expect(d?.description.contains("\"vnpost\"") == true)
    }

    @Test("A duplicate institution is refused")
    func duplicateInstitution() throws {
        let line = "{\"code\": \"970405\", \"name\": \"Agribank\", \"format\": \"bank-csv\", \"about\": \"Bulk transfer upload takes a CSV file.\"}"
        let e = error(try variant(line, line + ",\n    {\"code\": \"970405\", \"format\": \"pain.001.001.09\"}"))
        #expect(e?.key == "institutions[1].code")
        #expect(e?.description.contains("duplicate institution \"970405\"") == true)
    }

    @Test("A misspelt option key is refused, not ignored")
    func unknownKey() throws {
        let e = error(try variant("\"bom\": true", "\"BOM\": true"))
        #expect(e?.key == "formats[2].BOM")
    }

    @Test("pain.001 options: the shipped file says SSBE, NAPAS and a Vietnamese remittance; a bad code or an option on a CSV format is refused")
    func pain001Options() throws {
        let writer = try #require(try Sample.formats().writer(named: "pain.001.001.09") as? Pain001Writer)
        #expect(writer.categoryPurpose == "SSBE" && writer.clearingSystem == "NAPAS" && writer.remittance == .remittance)
        #expect(writer.creditorName == .payeeNameASCII)
        #expect(error(try variant("\"categoryPurpose\": \"SSBE\"", "\"categoryPurpose\": \"ssbe1\""))?.key == "formats[0].categoryPurpose")
        #expect(error(try variant("\"clearingSystem\": \"NAPAS\"", "\"clearingSystem\": \"NA PAS\""))?.key == "formats[0].clearingSystem")
        #expect(error(try variant("\"bom\": false,", "\"bom\": false, \"categoryPurpose\": \"SSBE\","))?.key == "formats[1].categoryPurpose")
        // Without the option, a pain.001 format keeps the diacritics of the remittance.
        let bare = try PayoutFormats.parse(try variant("\"remittance\": \"remittance\",", ""))
        #expect((bare.writer(named: "pain.001.001.09") as? Pain001Writer)?.remittance == .remittance)
    }

    @Test("A totals cell without a totals row is refused")
    func totalsWithoutRow() throws {
        let e = error(try variant("\"totalsRow\": {\"label\": \"Tổng cộng\"},", ""))
        #expect(e?.key == "formats[2].columns[0].total")
    }
}
