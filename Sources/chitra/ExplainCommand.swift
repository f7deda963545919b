import ArgumentParser
import ChiTraCore
import ChiTraStore
import Foundation
import GRDB

struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "explain",
        abstract: "Show what a beneficiary is owed for a month and how it was reached.",
        discussion: "Example: chitra explain BTXH-000123 --period 2026-12 --lang en")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var login: LoginOptions
    @Argument(help: "Beneficiary code.") var code: String
    @Option(help: ArgumentHelp("The list's month.", valueName: "YYYY-MM")) var period: String
    @Flag(help: "Also print the full personal ID and account number (recorded in the audit log).") var showPersonalData = false

    func run() throws {
        let lang = Language.current   // --lang (GlobalOptions), else CHITRA_LANG, else vi
        guard let p = YearMonth(period) else { throw ValidationError(Message("cli.option.period").text()) }
        let tariff = try global.tariff()
        let db = try global.openStore()
        let reader = try login.reader(db)
        guard let c = try db.writer.read({ try RollQueries.personCase($0, code: code) }) else {
            throw CLIError(Message("cli.explain.unknown_code", ["code": .text(code), "path": .text(global.dbPath)]))
        }
        let e = EntitlementEngine(tariff: tariff).entitlement(person: c.person, grants: c.grants, period: p)
        if showPersonalData {
            // Shown only on request, and who asked is kept in the (tamper-evident) audit log.
            let account = try db.writer.write { d -> String in
                try AuditLog.append(d, actor: reader, action: "personal-data.show", entity: "beneficiary", entityID: c.code,
                                    detail: "explain --show-personal-data os-user=\(osUser())")
                return try RollQueries.paymentDetails(d, code: c.code)
            }
            stderrPrint("Personal data of \(c.code) (this display is recorded in the audit log): personal ID \(c.personalID); payment \(account.isEmpty ? "none" : account)")
        }
        // Funeral support is not the person's entitlement but a claim of the burial's organiser: shown apart.
        let funeral = try FuneralClaims(db: db, banks: try global.banks(), tariff: tariff).list(code: c.code).filter { $0.status == .active }
        if global.json {
            var j = ExplainJSON(c, e, tariff: tariff)
            j.funeralClaims = funeral
            try printJSON(j)
            return
        }
        for line in ExplanationRenderer(tariff: tariff, language: lang).render(code: c.code, name: c.fullName, person: c.person, entitlement: e) {
            print(line)
        }
        for f in funeral {
            let who = [f.organiserName, f.relation].compactMap { $0 }.joined(separator: ", ")
            print(lang == .vi
                ? "Hỗ trợ mai táng phí (hồ sơ #\(f.id), quyết định \(f.decisionNo)): \(Money.vietnamese(f.amount)) đồng = \(f.amountBasis); chi cho người tổ chức mai táng \(who) — \(FuneralCommand.paymentText(f))"
                : "Funeral support (claim #\(f.id), decision \(f.decisionNo)): \(Money.english(f.amount)) VND; paid to the burial's organiser \(who)\(f.paymentBatchID.map { " — batch #\($0) (\(f.paymentState?.rawValue ?? ""))" } ?? " — next batch built")")
        }
    }
}

/// The facts of an explanation as data.
struct ExplainJSON: Encodable {
    struct Line: Encodable {
        var kind: String; var forMonth: String; var amount: Int64; var alreadyPaid: Int64
        var basis: [Grant]; var superseded: [Grant]
    }
    struct Grant: Encodable {
        var code: String; var category: String; var outcome: String; var age: Int
        var coefficient: String?; var count: Int; var level: Int64?; var levelBasis: String?; var amount: Int64; var legalBasis: String?
        var decisionNo: String
        /// A foster carer paid by the age of those cared for: each one's age in the month.
        var caredForAges: [Int]?
    }
    var code: String; var codes: [String]; var period: String; var status: String; var total: Int64
    var lines: [Line]; var grants: [Grant]
    /// Funeral support claims for this person (paid to the organiser, not part of `total`).
    var funeralClaims: [FuneralClaim] = []

    init(_ c: PersonCase, _ e: Entitlement, tariff: Tariff) {
        func g(_ gm: GrantMonth) -> Grant {
            Grant(code: gm.grant.beneficiaryCode, category: gm.grant.category, outcome: "\(gm.outcome)", age: gm.age,
                  coefficient: gm.coefficient?.description, count: gm.count, level: gm.level?.amount, levelBasis: gm.level?.basis,
                  amount: gm.amount, legalBasis: tariff.category(gm.grant.category)?.basis, decisionNo: gm.grant.decisionNo,
                  caredForAges: gm.caredFor.isEmpty ? nil : gm.caredFor.map(\.age))
        }
        code = c.code; codes = c.codes; period = e.period.description; status = e.status.rawValue; total = e.total
        lines = e.lines.map { Line(kind: $0.kind.rawValue, forMonth: $0.forMonth.description, amount: $0.amount, alreadyPaid: $0.alreadyPaid,
                                   basis: $0.basis.map(g), superseded: $0.superseded.map(g)) }
        grants = e.periodDetail.map(g)
    }
}
