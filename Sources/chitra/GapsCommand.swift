import ArgumentParser
import ChiTraCore
import ChiTraGaps
import ChiTraStore
import Foundation

/// `chitra gaps`: the worklist of beneficiaries without a usable non-cash payment, coverage and follow-up.
struct GapsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "gaps",
        abstract: "Who still lacks a usable non-cash payment, village by village; coverage; follow-up.",
        discussion: "Scoring and reason codes: formats/gaps.md. Example: chitra gaps --village \"Tổ dân phố 4\" --html out/gaps",
        subcommands: [List.self, CoverageCommand.self, Record.self, History.self], defaultSubcommand: List.self)

    /// `--as-of`, shared by the list and coverage.
    struct AsOf: ParsableArguments {
        @Option(name: .customLong("as-of"), help: ArgumentHelp("The day the list is for (default: today in Vietnam, UTC+7).", valueName: "YYYY-MM-DD"))
        var asOf: String?

        func date() throws -> CivilDate {
            guard let asOf else { return .today() }
            guard let d = CivilDate(asOf) else { throw ValidationError(Message("cli.gaps.bad_as_of", ["value": .text(SafeText.echo(asOf))]).text()) }
            return d
        }
    }

    static func config(_ global: GlobalOptions) throws -> GapConfig {
        try GapConfig.load(from: global.formatsDir().appendingPathComponent("gaps.json"))
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list",
            abstract: "Print the worklist in Vietnamese (default), or write it as CSV / printable HTML.",
            discussion: "Example: chitra gaps --commune \"Phường Hương Trà\" --csv gaps.csv --html out/gaps")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var login: LoginOptions
        @OptionGroup var asOf: AsOf
        @Option(help: "Only this commune or ward.") var commune: String?
        @Option(help: "Only this village or residential group.") var village: String?
        @Option(help: ArgumentHelp("Write the list as CSV for Excel (UTF-8 with BOM).", valueName: "FILE")) var csv: String?
        @Option(help: ArgumentHelp("Write one printable A4 page per village and index.html into DIR.", valueName: "DIR")) var html: String?
        @Option(help: ArgumentHelp("Write the list as an Excel workbook, one sheet per village.", valueName: "FILE.xlsx")) var xlsx: String?
        @Option(name: .customLong("expiring-days"), help: "Flag authorisations ending within this many days (default from formats/gaps.json: 30).") var expiringDays: Int?
        @Option(name: .customLong("proxy-max"), help: "Flag a proxy receiving for more than this many unrelated households (default 3).") var proxyMax: Int?
        @Option(name: .customLong("cash-months"), help: "Flag people paid in cash in each of this many latest batches (default 3).") var cashMonths: Int?

        func validate() throws {
            if let expiringDays, expiringDays < 0 { throw ValidationError(Message("cli.gaps.bad_expiring_days").text()) }
            if let proxyMax, proxyMax < 1 { throw ValidationError(Message("cli.gaps.bad_proxy_max").text()) }
            if let cashMonths, cashMonths < 1 { throw ValidationError(Message("cli.gaps.bad_cash_months").text()) }
            if let xlsx { try XLSXOption.check(xlsx) }
        }

        func run() throws {
            let config = try GapsCommand.config(global)
            var options = GapOptions(asOf: try asOf.date(), config: config, commune: commune, village: village)
            if let expiringDays { options.expiringDays = expiringDays }
            if let proxyMax { options.proxyMax = proxyMax }
            if let cashMonths { options.cashMonths = cashMonths }
            let db = try global.openStore()
            _ = try login.reader(db)
            let list = try GapFinder(tariff: try global.tariff(), config: config).worklist(db, options: options)
            var wrote: [String] = []
            if let csv {
                try list.writeCSV(to: URL(fileURLWithPath: csv))
                wrote.append(Message("cli.gaps.wrote_csv", ["file": .text(csv)]).text())
            }
            if let xlsx {
                try list.writeXLSX(to: URL(fileURLWithPath: xlsx))
                wrote.append(Message("sheets.written", ["file": .text(xlsx)]).text())
            }
            if let html {
                let files = try list.writeHTML(to: URL(fileURLWithPath: html))
                wrote.append(Message("cli.gaps.wrote_html", ["pages": .int(files.count - 1), "index": .text(files[0].path)]).text())
            }
            if global.json { try printJSON(list); return }
            if wrote.isEmpty { list.vietnameseLines.forEach { print($0) } }
            else {
                print(Message("cli.gaps.summary", ["cases": .int(list.caseCount), "active": .int(list.activeCount), "date": .text(list.asOfDate.vietnamese)]).text())
                wrote.forEach { print($0) }
            }
        }
    }

    struct CoverageCommand: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "coverage",
            abstract: "Non-cash share overall, per commune and village, with the change since last month.",
            discussion: "Each run stores the month's figures (coverage_snapshot). Example: chitra gaps coverage --as-of 2026-11-23")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var login: LoginOptions
        @OptionGroup var asOf: AsOf

        func run() throws {
            let db = try global.openStore()
            _ = try login.reader(db)
            let report = try Coverage.run(db, asOf: try asOf.date())
            if global.json { try printJSON(report); return }
            report.vietnameseLines.forEach { print($0) }
        }
    }

    struct Record: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "record",
            abstract: "Record what was done about a case (kept after the case clears).",
            discussion: "Role: officer. Example: chitra gaps record G02 --status visit-planned --note \"hẹn thứ Năm\" --user ha.le")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var login: LoginOptions
        @Argument(help: "Beneficiary code.") var code: String
        @Option(help: "contacted, visit-planned, account-opened, authorisation-signed or unreachable.") var status: GapFollowUpStatus
        @Option(help: "What happened, in a few words.") var note: String = ""

        func run() throws {
            let db = try global.openStore()
            let e = try GapCaseLog.record(db, code: code, status: status, note: note, by: try login.actor(db, as: .officer))
            if global.json { try printJSON(e); return }
            print(Message("cli.gaps.recorded", ["code": .text(e.code), "status": .text(GapsCommand.statusText(e.status)),
                                                "note": .text(e.note.isEmpty ? "" : " — \(e.note)"), "by": .text(e.recordedBy), "at": .text("\(e.recordedAt)")]).text())
        }
    }

    struct History: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "history",
            abstract: "Show the follow-up history of a case and whether it is still on the list.",
            discussion: "Example: chitra gaps history G02")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var login: LoginOptions
        @OptionGroup var asOf: AsOf
        @Argument(help: "Beneficiary code.") var code: String

        func run() throws {
            let db = try global.openStore()
            _ = try login.reader(db)
            let config = try GapsCommand.config(global)
            let events = try GapCaseLog.history(db, code: code)
            let current = try GapFinder(tariff: try global.tariff(), config: config)
                .worklist(db, options: GapOptions(asOf: try asOf.date(), config: config)).case(code)
            if global.json {
                struct Out: Encodable { var code: String; var events: [GapEvent]; var openCase: GapCase? }
                try printJSON(Out(code: code, events: events, openCase: current)); return
            }
            print(Message("cli.gaps.history", ["code": .text(code)]).text())
            if events.isEmpty { print("  " + Message("cli.gaps.history_empty").text()) }
            for e in events {
                print("  \(e.recordedAt)  \(GapsCommand.statusText(e.status))  \(e.recordedBy)\(e.note.isEmpty ? "" : ": \(e.note)")")
            }
            if let c = current { print(Message("cli.gaps.still_open", ["flags": .text(c.flags.map(\.label).joined(separator: "; "))]).text()) }
            else { print(Message("cli.gaps.cleared").text()) }
        }
    }
}

extension GapsCommand {
    /// A follow-up status as the clerk reads it: in Vietnamese, or its option value in English.
    static func statusText(_ s: GapFollowUpStatus) -> String { Language.current == .vi ? s.vietnamese : s.rawValue }
}

extension GapFollowUpStatus: ExpressibleByArgument {}
