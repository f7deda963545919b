import ChiTraCore
import Foundation
import Testing

@Suite("Identifiers, names, dates")
struct IdentifierTests {
    @Test("A 12-digit ID checks digit 4 against sex and century and digits 5–6 against the birth year")
    func personalID() {
        #expect(PersonalID.check("046050000105", sex: .male, birthYear: 1950) == .success(.citizenID))
        #expect(PersonalID.check("046150000105", sex: .male, birthYear: 1950) == .failure(.centurySexDigit(found: "1", expected: "0")))
        #expect(PersonalID.check("046349000105", sex: .female, birthYear: 2049) == .success(.citizenID))
        #expect(PersonalID.check("046049000105", sex: .male, birthYear: 1950) == .failure(.birthYearDigits(found: "49", expected: "50")))
        #expect(PersonalID.check("123456789", sex: .male, birthYear: 1950) == .success(.legacyCMND))
        #expect(PersonalID.check("0460500001", sex: .male, birthYear: 1950) == .failure(.wrongLength(10)))
        #expect(PersonalID.check("04605000010A", sex: .male, birthYear: 1950) == .failure(.notDigits))
    }

    @Test("Masking keeps the province and the last three digits; accounts keep the last four")
    func masking() {
        #expect(PersonalID.masked("046050000105") == "046******105")
        #expect(maskAccount("4001205000101") == "*********0101")
    }

    @Test("Names arrive NFD or NFC and are stored NFC; the bank form drops diacritics and maps Đ to D")
    func names() {
        let nfd = "Đặng Thị Hoà".decomposedStringWithCanonicalMapping
        #expect(nfd.unicodeScalars.count != "Đặng Thị Hoà".unicodeScalars.count)
        let stored = VietnameseText.normalizedName("  " + nfd + "  ")
        #expect(Array(stored.unicodeScalars) == Array("Đặng Thị Hoà".precomposedStringWithCanonicalMapping.unicodeScalars))
        #expect(VietnameseText.bankForm(nfd) == "DANG THI HOA")
        #expect(VietnameseText.bankForm("Nguyễn  Thị\tHoa") == "NGUYEN THI HOA")
    }

    @Test("Months and dates parse in both forms and reject impossible ones")
    func dates() {
        #expect(YearMonth("12/2026") == YearMonth("2026-12"))
        #expect(YearMonth("13/2026") == nil)
        #expect(CivilDate("29/02/2024") != nil)
        #expect(CivilDate("29/02/2025") == nil)
        #expect(CivilDate("31/04/2025") == nil)
        #expect(YearMonth("2026-12")!.next == YearMonth("2027-01"))
    }

    @Test("Money prints with Vietnamese grouping and sums refuse to overflow")
    func money() throws {
        #expect(Money.vietnamese(1_850_400_000) == "1.850.400.000")
        #expect(Money.english(750_000) == "750,000")
        #expect(throws: MoneyError.self) { try Money.sum([Int64.max, 1]) }
    }

    @Test("A tariff with a malformed coefficient is refused naming the category")
    func tariffErrors() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tariff-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var text = try String(contentsOf: packageRoot.appendingPathComponent("formats/tariff.json"), encoding: .utf8)
        text = text.replacingOccurrences(of: #""ageUntil": 3, "coefficient": "1.5""#, with: #""ageUntil": 3, "coefficient": "1,5""#)
        let url = dir.appendingPathComponent("tariff.json")
        try text.write(to: url, atomically: true, encoding: .utf8)
        do { _ = try Tariff.load(from: url); Issue.record("expected an error") } catch {
            #expect("\(error)".contains("TRE_DUOI_3_VUNG_DBKK"))
            #expect("\(error)".contains("1,5"))
            #expect("\(error)".contains("diện TRE_DUOI_3_VUNG_DBKK: hệ số") && "\(error)".contains("không phải một số như 1.5"), "\(error)")
        }
    }

    @Test("A province's higher standard level is a data change: a new entry takes effect from its month")
    func provinceLevel() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tariff-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var text = try String(contentsOf: packageRoot.appendingPathComponent("formats/tariff.json"), encoding: .utf8)
        text = text.replacingOccurrences(of: #"{"from": "2024-07", "amount": 500000, "basis": "Nghị định 76/2024/NĐ-CP"}"#,
                                         with: #"{"from": "2024-07", "amount": 500000, "basis": "Nghị định 76/2024/NĐ-CP"}, {"from": "2026-01", "amount": 600000, "basis": "Nghị quyết HĐND tỉnh"}"#)
        let url = dir.appendingPathComponent("tariff.json")
        try text.write(to: url, atomically: true, encoding: .utf8)
        let t = try Tariff.load(from: url)
        let e = EntitlementEngine(tariff: t).entitlement(person: person(born: "01/01/1980"), grants: [grant("NKT_NANG")], period: ym("2026-01"))
        #expect(e.total == 900_000)   // 1.5 × 600,000
        // Funeral support follows the province's level too: 20 × 600,000.
        #expect(t.funeralSupport(deathDate: day("15/10/2026"))?.amount == 12_000_000)
    }

    @Test("A province's own funeral amount (funeral.levels) is paid when higher than 20 × the standard level, from its month")
    func provinceFuneralLevel() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tariff-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var text = try String(contentsOf: packageRoot.appendingPathComponent("formats/tariff.json"), encoding: .utf8)
        text = text.replacingOccurrences(of: #""funeral": {"multiple": "20", "basis": "Nghị định 20/2021/NĐ-CP, Điều 11"}"#,
                                         with: #""funeral": {"multiple": "20", "basis": "Nghị định 20/2021/NĐ-CP, Điều 11", "levels": [{"from": "2026-01", "amount": 12500000, "basis": "Nghị quyết HĐND tỉnh"}]}"#)
        let url = dir.appendingPathComponent("tariff.json")
        try text.write(to: url, atomically: true, encoding: .utf8)
        let t = try Tariff.load(from: url)
        #expect(t.funeralSupport(deathDate: day("31/12/2025"))?.amount == 10_000_000)
        let f = t.funeralSupport(deathDate: day("15/10/2026"))
        #expect(f?.amount == 12_500_000)
        #expect(f?.provinceLevel?.basis == "Nghị quyết HĐND tỉnh")
    }
}
