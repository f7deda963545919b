import ChiTraCore
import Foundation

/// The package root, found from this file's path.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

let tariff: Tariff = try! Tariff.load(from: packageRoot.appendingPathComponent("formats/tariff.json"))
let engine = EntitlementEngine(tariff: tariff)

func ym(_ s: String) -> YearMonth { YearMonth(s)! }
func day(_ s: String) -> CivilDate { CivilDate(s)! }

func person(_ code: String = "X", born: String, yearOnly: Bool = false, died: String? = nil, status: PersonFacts.Status = .active) -> PersonFacts {
    PersonFacts(code: code, birthDate: day(born), birthYearOnly: yearOnly, deathDate: died.map(day), status: status)
}
func grant(_ cat: String, count: Int? = nil, decided: String = "01/01/2022", start: String = "2022-02", end: String? = nil) -> GrantFacts {
    GrantFacts(beneficiaryCode: "X", category: cat, count: count, decisionNo: "1/QĐ-UBND", decisionDate: day(decided),
               startMonth: ym(start), endMonth: end.map(ym))
}
func owed(_ p: PersonFacts, _ g: [GrantFacts], _ period: String) -> Entitlement {
    engine.entitlement(person: p, grants: g, period: ym(period))
}
