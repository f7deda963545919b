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
            guard let p = YearMonth(period) else { throw ValidationError("--period must be YYYY-MM, e.g. 2026-12") }
            let dir = try global.formatsDir()
            let db = try global.openStore()
            let actor = try login.actor(db, as: .maker)
            var builder = BatchBuilder(db: db, tariff: try global.tariff(), banks: try global.banks(),
                                       payer: try Payer.load(from: dir.appendingPathComponent("payer.json")))
            if let asOf {
                guard asOf.count == 10, let d = CivilDate(asOf) else { throw ValidationError("--as-of must be a real date YYYY-MM-DD, e.g. 2026-12-20") }
                builder.today = d.yearMonth
            }
            let progress = TerminalProgress(label: Message("progress.label.build"), unit: Message("progress.unit.lines"), json: global.json)
            builder.progress = progress?.report
            let s: BuildSummary
            do { defer { progress?.finish() }; s = try builder.build(period: p, by: actor, supplementary: supplementary, reason: reason) }
            if global.json { try printJSON(s); return }
            print("\(s.rebuilt ? "Rebuilt" : "Built") draft batch #\(s.id) for \(s.period)\(s.supplementary ? " (supplementary)" : ""): \(s.lineCount) lines, \(Money.english(s.controlSum)) VND.")
            for k in EntitlementKind.allCases { if let v = s.byKind[k.rawValue] { print("  \(k.english): \(Money.english(v)) VND") } }
            for g in s.groups { print("  \(g.key) (\(g.name)): \(g.count) lines, \(Money.english(g.sum)) VND") }
            if s.alreadyLive > 0 {
                let places = s.alreadyLiveIn.map { "\($0.count) in batch #\($0.batchID) (\($0.period)\($0.supplementary ? " supplementary" : ""), \($0.status))" }
                print("\(s.alreadyLive) amounts were already in another live batch and were not added again: \(places.joined(separator: ", ")).")
            }
            printOpenExceptions(s.openExceptions, held: s.heldCount > 0 ? (s.heldCount, s.heldSum) : nil)
            if s.sharedIDs > 0 { print("\(s.sharedIDs) personal IDs appear under more than one code; each is paid once, under its first code.") }
            if s.funeralClaimsWaiting > 0 {
                print("\(s.funeralClaimsWaiting) funeral support claim\(s.funeralClaimsWaiting == 1 ? " is" : "s are") not paid: the organiser's account was rejected (chitra funeral set-account ID …), or the roll no longer records the death the claim was made on — see chitra funeral list")
            }
            if !s.excluded.isEmpty {
                print("Left out (\(s.excluded.count)), owed but without a usable channel — see the gaps worklist:")
                for x in s.excluded.prefix(40) { print("  \(x.code) \(x.name) (\(x.village)): \(x.reason), owed \(Money.english(x.amountOwed)) VND") }
                if s.excluded.count > 40 { print("  … \(s.excluded.count - 40) more: chitra batch show \(s.id)") }
            }
            print("Next: a checker other than \(actor.username) approves it: chitra batch approve \(s.id) --user CHECKER")
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
            if note != nil && !acceptOpenExceptions { throw ValidationError("--note goes with --accept-open-exceptions") }
        }

        func run() throws {
            let db = try global.openStore()
            let actor = try login.actor(db, as: .checker)
            let s = try BatchLifecycle(db: db).approve(batchID: id, by: actor, acceptingOpenExceptions: acceptOpenExceptions ? note ?? "" : nil)
            if global.json { try printJSON(s); return }
            print("Batch #\(id) approved by \(actor.username) (account #\(actor.userID), checker); it is frozen.")
            if s.acceptedNote != nil { print("Approved with open exceptions holding \(s.heldCount) payments of \(Money.english(s.heldSum)) VND (accepted with a note, in the audit log).") }
            printOpenExceptions(s.openExceptions, held: nil)
            print("Next: chitra batch export \(id) --out DIR")
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
            if global.json { try printJSON(["id": "\(id)", "status": "cancelled"]) } else { print("Batch #\(id) cancelled.") }
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
            if stale > 0 && !global.json { print("Removed \(stale) temporary file(s) left in \(out) by an interrupted export.") }
            if global.json { try printJSON(s); return }
            print("\(s.reexport ? "Re-exported (same bytes)" : "Exported") batch #\(s.batchID) for \(s.period) to \(s.directory), signed with key \(s.keyID):")
            for f in s.files { print("  \(f.name) [\(f.format)] \(f.institution): \(f.lineCount) lines, \(Money.english(f.controlSum)) VND; signature \(f.signature)") }
            print("  \(s.manifest) (+ .sig): \(s.lineCount) lines, \(Money.english(s.controlSum)) VND in all")
            print("Money to move \(s.treasuryAccount.map { "from the State Treasury account \($0) " } ?? "")before the files are sent:")
            for f in s.funding { print("  \(f.institution)\(f.account.map { ", account \($0)" } ?? ""): \(Money.english(f.amount)) VND") }
            print("Check before sending: chitra verify \(s.directory)/\(s.manifest)")
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
            if let xlsx {
                // The workbook lists every failed line: the reconciliation is built whole, then printed.
                r = try Reconciliation.build(db, batchID: id, queue: ExceptionQueue(db: db), taxonomy: taxonomy, accountantCSV: csvURL, fees: fees)
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
                r = try Reconciliation.writeReport(db, batchID: id, taxonomy: taxonomy, accountantCSV: csvURL, fees: fees) { print($0) }
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
            if all.isEmpty { print("No batches yet: chitra batch build --period YYYY-MM") }
            for b in all {
                print("#\(b.id) \(b.period)\(b.supplementary ? " (supplementary)" : "") \(b.status): \(b.lineCount) lines, \(Money.english(b.controlSum)) VND; built by \(b.builtBy)\(b.approvedBy.map { ", approved by \($0)" } ?? "")")
            }
        }
    }
}

/// The open return exceptions a build or an approval shows: those holding money one by one (at
/// most 40), the others counted by kind.
func printOpenExceptions(_ open: [OpenException], held: (count: Int, sum: Int64)?) {
    if let held {
        print("Held back, not carried over until their return exceptions are resolved: \(held.count) payments, \(Money.english(held.sum)) VND.")
    }
    guard !open.isEmpty else { return }
    let holding = open.filter(\.holdsMoney)
    if !holding.isEmpty {
        let t = OpenExceptions.heldTotals(open)
        print("Open return exceptions holding money (\(holding.count); \(t.count) payments, \(Money.english(t.sum)) VND) — resolve them: chitra exceptions list")
        for e in holding.prefix(40) { print("  " + OpenExceptions.sentence(e)) }
        if holding.count > 40 { print("  … \(holding.count - 40) more: chitra exceptions list") }
    }
    let others = open.filter { !$0.holdsMoney }
    if !others.isEmpty {
        let byKind = Dictionary(grouping: others, by: \.kind).map { "\($0.value.count) \($0.key)" }.sorted()
        print("Other open return exceptions (\(others.count), holding no money): \(byKind.joined(separator: ", ")).")
    }
}
