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
            discussion: "Role: maker. Example: chitra batch build --period 2026-12 --user an.nguyen")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var login: LoginOptions
        @Option(help: ArgumentHelp("The month paid.", valueName: "YYYY-MM")) var period: String
        @Flag(help: "Add people who became payable after the month's batch was approved.") var supplementary = false

        func run() throws {
            guard let p = YearMonth(period) else { throw ValidationError("--period must be YYYY-MM, e.g. 2026-12") }
            let dir = try global.formatsDir()
            let db = try global.openStore()
            let actor = try login.actor(db, as: .maker)
            let builder = BatchBuilder(db: db, tariff: try global.tariff(), banks: try global.banks(),
                                       payer: try Payer.load(from: dir.appendingPathComponent("payer.json")))
            let s = try builder.build(period: p, by: actor, supplementary: supplementary)
            if global.json { try printJSON(s); return }
            print("\(s.rebuilt ? "Rebuilt" : "Built") draft batch #\(s.id) for \(s.period)\(s.supplementary ? " (supplementary)" : ""): \(s.lineCount) lines, \(Money.english(s.controlSum)) VND.")
            for k in EntitlementKind.allCases { if let v = s.byKind[k.rawValue] { print("  \(k.english): \(Money.english(v)) VND") } }
            for g in s.groups { print("  \(g.key) (\(g.name)): \(g.count) lines, \(Money.english(g.sum)) VND") }
            if s.alreadyLive > 0 { print("\(s.alreadyLive) amounts were already in another live batch and were not added again.") }
            if s.sharedIDs > 0 { print("\(s.sharedIDs) personal IDs appear under more than one code; each is paid once, under its first code.") }
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

        func run() throws {
            let db = try global.openStore()
            let actor = try login.actor(db, as: .checker)
            try BatchLifecycle(db: db).approve(batchID: id, by: actor)
            if global.json { try printJSON(["id": "\(id)", "status": "approved", "approvedBy": actor.username, "approvedByUser": "\(actor.userID)"]) }
            else { print("Batch #\(id) approved by \(actor.username) (account #\(actor.userID), checker); it is frozen. Next: chitra batch export \(id) --out DIR") }
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
            let exporter = BatchExporter(db: db, payer: try Payer.load(from: dir.appendingPathComponent("payer.json")),
                                         banks: try global.banks(), formats: try PayoutFormats.load(from: dir.appendingPathComponent("payout-formats.json")),
                                         keys: keys.keyStore)
            let stale = removeInterruptedTemporaries(in: URL(fileURLWithPath: out))
            if stale > 0 && !global.json { print("Removed \(stale) temporary file(s) left in \(out) by an interrupted export.") }
            let s = try exporter.export(batchID: id, to: URL(fileURLWithPath: out), by: actor)
            if global.json { try printJSON(s); return }
            print("\(s.reexport ? "Re-exported (same bytes)" : "Exported") batch #\(s.batchID) for \(s.period) to \(s.directory), signed with key \(s.keyID):")
            for f in s.files { print("  \(f.name) [\(f.format)] \(f.institution): \(f.lineCount) lines, \(Money.english(f.controlSum)) VND; signature \(f.signature)") }
            print("  \(s.manifest) (+ .sig): \(s.lineCount) lines, \(Money.english(s.controlSum)) VND in all")
            print("Check before sending: chitra verify \(s.directory)/\(s.manifest)")
        }
    }

    struct Reconcile: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Sent, paid, not paid and pending per group, checked to the đồng; failures, exceptions, what carries over.",
            discussion: "Role: clerk. Example: chitra batch reconcile 1 --csv out/doi-chieu-2026-12.csv --user cuc.le")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var login: LoginOptions
        @Argument(help: "Batch id.") var id: Int64
        @Option(help: ArgumentHelp("Also write a CSV for the accountant.", valueName: "FILE")) var csv: String?

        func run() throws {
            let db = try global.openStore()
            _ = try login.actor(db, as: .clerk)
            let taxonomy = try ReasonTaxonomy.load(from: try global.formatsDir().appendingPathComponent("return-reasons.json"))
            let csvURL = csv.map { URL(fileURLWithPath: $0) }
            let r: Reconciliation
            if global.json {
                r = try Reconciliation.build(db, batchID: id, queue: ExceptionQueue(db: db), taxonomy: taxonomy, accountantCSV: csvURL)
                try printJSON(r)
            } else {
                // Printed as it is made; the failed lines are not held in memory.
                r = try Reconciliation.writeReport(db, batchID: id, taxonomy: taxonomy, accountantCSV: csvURL) { print($0) }
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

/// Deletes the hidden `.NAME.tmp-XXXXXX` files an export killed mid-way leaves (AtomicFileWriter's
/// temporaries: never listed in a manifest, never renamed into place). Returns how many.
func removeInterruptedTemporaries(in directory: URL) -> Int {
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return 0 }
    var removed = 0
    for name in names where name.hasPrefix(".") && name.range(of: #"\.tmp-[A-Za-z0-9]{6}$"#, options: .regularExpression) != nil {
        if (try? FileManager.default.removeItem(at: directory.appendingPathComponent(name))) != nil { removed += 1 }
    }
    return removed
}
