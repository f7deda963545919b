import ArgumentParser
import ChiTraBatch
import ChiTraCore
import ChiTraReturns
import ChiTraSigning
import ChiTraStore
import Foundation

struct BatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "batch", abstract: "The monthly payout batch.",
        subcommands: [Build.self, Approve.self, Cancel.self, Export.self, Reconcile.self, Show.self, List.self])

    struct Build: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Build (or rebuild) the draft batch for a month.",
            discussion: """
            A regular batch is for the current month or the next one, never for a month before the last one whose \
            regular batch was exported; a supplementary batch (for a month whose batch is approved) needs --reason.
            What failed in month M is carried into the first regular batch after M (never into a supplementary one), \
            except payments held by an open return exception (chitra exceptions list).
            Role: maker. Example: chitra batch build --period 2026-12 --user an.nguyen
            Example: chitra batch build --period 2026-12 --supplementary --reason "decision 12/QĐ-UBND added 3 people" --user an.nguyen
            """)
        @OptionGroup var global: GlobalOptions
        @OptionGroup var login: LoginOptions
        @Option(help: ArgumentHelp("The month paid.", valueName: "YYYY-MM")) var period: String
        @Flag(help: "Add people who became payable after the month's batch was approved (needs --reason).") var supplementary = false
        @Option(help: "Why a supplementary batch is built (recorded in the audit log).") var reason: String?
        @Option(name: .customLong("as-of"), help: ArgumentHelp("The day the batch is built, for the period check (default: today in Vietnam, UTC+7); recorded in the audit log.", valueName: "YYYY-MM-DD"))
        var asOf: String?

        func run() throws {
            guard let p = YearMonth(period) else { throw ValidationError(Message("cli.option.period").text()) }
            let dir = try global.formatsDir()
            let db = try global.openStore()
            let actor = try login.actor(db, as: .maker)
            var builder = BatchBuilder(db: db, tariff: try global.tariff(), banks: try global.banks(),
                                       payer: try Payer.load(from: dir.appendingPathComponent("payer.json")))
            if let asOf {
                guard asOf.count == 10, let d = CivilDate(asOf) else { throw ValidationError(Message("cli.option.as_of_date").text()) }
                builder.today = d.yearMonth
            }
            let progress = TerminalProgress(label: Message("progress.label.build"), unit: Message("progress.unit.lines"), json: global.json)
            builder.progress = progress?.report
            let s: BuildSummary
            do { defer { progress?.finish() }; s = try builder.build(period: p, by: actor, supplementary: supplementary, reason: reason) }
            if global.json { try printJSON(s); return }
            let built: [String: MessageArg] = ["batch": .int(Int(s.id)), "period": .text(s.period.description), "lines": .int(s.lineCount), "sum": .money(s.controlSum)]
            let headline = s.rebuilt ? (s.supplementary ? Message("cli.batch.rebuilt_supplementary", built) : Message("cli.batch.rebuilt", built))
                                     : (s.supplementary ? Message("cli.batch.built_supplementary", built) : Message("cli.batch.built", built))
            print(headline.text())
            for k in EntitlementKind.allCases { if let v = s.byKind[k.rawValue] { print("  " + Message("cli.batch.kind_total", ["kind": .text(Language.current == .vi ? k.vietnamese : k.english), "sum": .money(v)]).text()) } }
            for g in s.groups { print("  " + Message("cli.batch.group_total", ["group": .text(g.key), "name": .text(g.name), "lines": .int(g.count), "sum": .money(g.sum)]).text()) }
            if s.alreadyLive > 0 {
                let places = s.alreadyLiveIn.map { p in
                    let args: [String: MessageArg] = ["n": .int(p.count), "batch": .text("\(p.batchID)"), "period": .text("\(p.period)"), "status": .text(p.status.rawValue)]
                    return (p.supplementary ? Message("cli.batch.already_live_place_supplementary", args) : Message("cli.batch.already_live_place", args)).text()
                }
                print(Message("cli.batch.already_live", ["n": .int(s.alreadyLive), "places": .text(places.joined(separator: ", "))]).text())
            }
            printOpenExceptions(s.openExceptions, held: s.heldCount > 0 ? (s.heldCount, s.heldSum) : nil)
            if s.sharedIDs > 0 { print(Message("cli.batch.shared_ids", ["n": .int(s.sharedIDs)]).text()) }
            if s.funeralClaimsWaiting > 0 {
                print(Message("cli.batch.funeral_waiting", ["n": .int(s.funeralClaimsWaiting)]).text())
            }
            if !s.excluded.isEmpty {
                print(Message("cli.batch.left_out", ["n": .int(s.excluded.count)]).text())
                for x in s.excluded.prefix(40) {
                    print("  " + Message("cli.batch.left_out_line", ["code": .text(x.code), "name": .text(x.name), "village": .text(x.village),
                                                                     "reason": .text(Language.current == .vi ? x.reasonVi : x.reason), "sum": .money(x.amountOwed)]).text())
                }
                if s.excluded.count > 40 { print("  " + Message("cli.batch.left_out_more", ["n": .int(s.excluded.count - 40), "batch": .int(Int(s.id))]).text()) }
            }
            print(Message("cli.batch.next_approve", ["user": .text(actor.username), "batch": .int(Int(s.id))]).text())
        }
    }

    struct Approve: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Approve a draft batch (a different person from the one who built it).",
            discussion: "Role: checker, not the batch's maker. Example: chitra batch approve 1 --user binh.tran")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var login: LoginOptions
        @Argument(help: "Batch id.") var id: Int64
        @Flag(help: "Approve even though open return exceptions hold money (needs --note; recorded in the audit log).")
        var acceptOpenExceptions = false
        @Option(help: "With --accept-open-exceptions: what was checked, with whom.") var note: String?

        func validate() throws {
            if note != nil && !acceptOpenExceptions { throw ValidationError(Message("cli.option.note_needs_accept").text()) }
        }

        func run() throws {
            let db = try global.openStore()
            let actor = try login.actor(db, as: .checker)
            let s = try BatchLifecycle(db: db).approve(batchID: id, by: actor, acceptingOpenExceptions: acceptOpenExceptions ? note ?? "" : nil)
            if global.json { try printJSON(s); return }
            print(Message("cli.batch.approved", ["batch": .text("\(id)"), "user": .text(actor.username), "account": .text("\(actor.userID)")]).text())
            if s.acceptedNote != nil { print(Message("cli.batch.approved_with_exceptions", ["n": .int(s.heldCount), "sum": .money(s.heldSum)]).text()) }
            printOpenExceptions(s.openExceptions, held: nil)
            print(Message("cli.batch.next_export", ["batch": .text("\(id)")]).text())
        }
    }

    struct Cancel: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Cancel a batch before export.",
            discussion: "Role: maker. Example: chitra batch cancel 1 --reason \"wrong period\" --user an.nguyen")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var login: LoginOptions
        @Argument(help: "Batch id.") var id: Int64
        @Option(help: "Why (recorded in the audit log).") var reason: String

        func run() throws {
            let db = try global.openStore()
            try BatchLifecycle(db: db).cancel(batchID: id, by: try login.actor(db, as: .maker), reason: reason)
            if global.json { try printJSON(["id": "\(id)", "status": "cancelled"]) } else { print(Message("cli.batch.cancelled", ["batch": .text("\(id)")]).text()) }
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write an approved batch's payout files, signed, with a signed manifest.",
            discussion: """
            One file per payee institution in the format formats/payout-formats.json gives it, each with FILE.sig
            (HMAC-SHA256 with the active key), and manifest.json + manifest.json.sig. Exporting again writes the same bytes.
            Role: maker. Example: chitra batch export 1 --out out/2026-12 --keys /secure/chitra-keys --user an.nguyen
            """)
        @OptionGroup var global: GlobalOptions
        @OptionGroup var keys: KeysCommand.StoreOptions
        @OptionGroup var login: LoginOptions
        @Argument(help: "Batch id.") var id: Int64
        @Option(help: ArgumentHelp("Output folder (one batch per folder).", valueName: "DIR")) var out: String

        func run() throws {
            let dir = try global.formatsDir()
            let db = try global.openStore(keys: keys.directory)
            let actor = try login.actor(db, as: .maker)
            var exporter = BatchExporter(db: db, payer: try Payer.load(from: dir.appendingPathComponent("payer.json")),
                                         banks: try global.banks(), formats: try PayoutFormats.load(from: dir.appendingPathComponent("payout-formats.json")),
                                         keys: keys.keyStore)
            let progress = TerminalProgress(label: Message("progress.label.export"), unit: Message("progress.unit.lines"), json: global.json)
            exporter.progress = progress?.report
            let (s, stale): (ExportSummary, Int)
            do { defer { progress?.finish() }; (s, stale) = try exporter.exportClearingInterrupted(batchID: id, to: URL(fileURLWithPath: out), by: actor) }
            if stale > 0 && !global.json { print(Message("cli.batch.stale_removed", ["n": .int(stale), "folder": .text(out)]).text()) }
            if global.json { try printJSON(s); return }
            let exported: [String: MessageArg] = ["batch": .text("\(s.batchID)"), "period": .text("\(s.period)"), "folder": .text(s.directory), "key": .text(s.keyID)]
            print((s.reexport ? Message("cli.batch.reexported", exported) : Message("cli.batch.exported", exported)).text())
            for f in s.files {
                print("  " + Message("cli.batch.export_file", ["file": .text(f.name), "format": .text(f.format), "institution": .text(f.institution),
                                                               "lines": .int(f.lineCount), "sum": .money(f.controlSum), "signature": .text(f.signature)]).text())
            }
            print("  " + Message("cli.batch.export_manifest", ["file": .text(s.manifest), "lines": .int(s.lineCount), "sum": .money(s.controlSum)]).text())
            print((s.treasuryAccount.map { Message("cli.batch.funding_treasury", ["account": .text($0)]) } ?? Message("cli.batch.funding")).text())
            for f in s.funding {
                print("  " + (f.account.map { Message("cli.batch.funding_line_account", ["institution": .text(f.institution), "account": .text($0), "sum": .money(f.amount)]) }
                             ?? Message("cli.batch.funding_line", ["institution": .text(f.institution), "sum": .money(f.amount)])).text())
            }
            print(Message("cli.batch.check_before_sending", ["path": .text("\(s.directory)/\(s.manifest)")]).text())
        }
    }

    struct Reconcile: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Sent, paid, not paid and pending per group, checked to the đồng; failures, exceptions, what carries over, the payment fee each organisation is owed.",
            discussion: "Role: clerk. Example: chitra batch reconcile 1 --csv out/doi-chieu-2026-12.csv --user cuc.le")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var login: LoginOptions
        @Argument(help: "Batch id.") var id: Int64
        @Option(help: ArgumentHelp("Also write a CSV for the accountant.", valueName: "FILE")) var csv: String?
        @Option(help: ArgumentHelp("Also write the reconciliation as an Excel workbook (per organisation, failed lines, fees, totals).", valueName: "FILE.xlsx"))
        var xlsx: String?

        func validate() throws {
            if let xlsx { try XLSXOption.check(xlsx) }
        }

        func run() throws {
            let db = try global.openStore()
            _ = try login.actor(db, as: .clerk)
            let taxonomy = try ReasonTaxonomy.load(from: try global.formatsDir().appendingPathComponent("return-reasons.json"))
            let csvURL = csv.map { URL(fileURLWithPath: $0) }
            // The payment fee each organisation is owed on what it paid (payer.json feePercent).
            let fees = Reconciliation.FeeSchedule(payer: try Payer.load(from: try global.formatsDir().appendingPathComponent("payer.json")),
                                                  banks: try global.banks())
            let r: Reconciliation
            // A national batch takes half a minute to reconcile: a progress line on a terminal,
            // erased before the report is printed.
            let progress = TerminalProgress(label: Message("progress.label.reconcile"), unit: Message("progress.unit.lines"), json: global.json)
            defer { progress?.finish() }
            if let xlsx {
                // The workbook lists every failed line: the reconciliation is built whole, then printed.
                r = try Reconciliation.build(db, batchID: id, queue: ExceptionQueue(db: db), taxonomy: taxonomy, accountantCSV: csvURL, fees: fees, progress: progress?.report)
                progress?.finish()
                try r.writeXLSX(to: URL(fileURLWithPath: xlsx))
                if global.json { try printJSON(r) } else {
                    r.vietnameseLines().forEach { print($0) }
                    print(Message("sheets.written", ["file": .text(xlsx)]).text())
                }
            } else if global.json {
                r = try Reconciliation.build(db, batchID: id, queue: ExceptionQueue(db: db), taxonomy: taxonomy, accountantCSV: csvURL, fees: fees)
                try printJSON(r)
            } else {
                // Printed as it is made; the failed lines are not held in memory.
                r = try Reconciliation.writeReport(db, batchID: id, taxonomy: taxonomy, accountantCSV: csvURL, fees: fees, progress: progress?.report) {
                    progress?.finish(); print($0)
                }
            }
            if !r.balanced { throw ExitCode(3) }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Status, counts and sums per group and kind, who built and approved, who was left out.",
            discussion: "Any account (it names people). Example: chitra batch show 1 --user binh.tran")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var login: LoginOptions
        @Argument(help: "Batch id.") var id: Int64

        func run() throws {
            let db = try global.openStore()
            _ = try login.reader(db)
            let r = try BatchReport.load(db, batchID: id)
            if global.json { try printJSON(r); return }
            r.vietnameseLines(banks: try global.banks()).forEach { print($0) }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List batches, newest first.")
        @OptionGroup var global: GlobalOptions
        func run() throws {
            let all = try BatchListing.all(try global.openStore())
            if global.json { try printJSON(all); return }
            if all.isEmpty { print(Message("cli.batch.none").text()) }
            for b in all {
                let args: [String: MessageArg] = ["batch": .text("\(b.id)"), "period": .text("\(b.period)"), "status": .text(b.status.rawValue), "lines": .int(b.lineCount),
                                                 "sum": .money(b.controlSum), "maker": .text(b.builtBy), "checker": .text(b.approvedBy ?? "")]
                let line = b.supplementary
                    ? (b.approvedBy == nil ? Message("cli.batch.list_supplementary", args) : Message("cli.batch.list_supplementary_approved", args))
                    : (b.approvedBy == nil ? Message("cli.batch.list", args) : Message("cli.batch.list_approved", args))
                print(line.text())
            }
        }
    }
}

/// The open return exceptions a build or an approval shows: those holding money one by one (at
/// most 40), the others counted by kind.
func printOpenExceptions(_ open: [OpenException], held: (count: Int, sum: Int64)?) {
    if let held {
        print(Message("cli.batch.held_back", ["n": .int(held.count), "sum": .money(held.sum)]).text())
    }
    guard !open.isEmpty else { return }
    let holding = open.filter(\.holdsMoney)
    if !holding.isEmpty {
        let t = OpenExceptions.heldTotals(open)
        print(Message("cli.batch.open_exceptions_holding", ["exceptions": .int(holding.count), "payments": .int(t.count), "sum": .money(t.sum)]).text())
        for e in holding.prefix(40) { print("  " + OpenExceptions.sentence(e)) }
        if holding.count > 40 { print("  " + Message("cli.batch.open_exceptions_more", ["n": .int(holding.count - 40)]).text()) }
    }
    let others = open.filter { !$0.holdsMoney }
    if !others.isEmpty {
        let byKind = Dictionary(grouping: others, by: \.kind).map { "\($0.value.count) \($0.key.rawValue)" }.sorted()
        print(Message("cli.batch.open_exceptions_other", ["n": .int(others.count), "kinds": .text(byKind.joined(separator: ", "))]).text())
    }
}
