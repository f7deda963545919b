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
            discussion: "Example: chitra batch build --period 2026-12 --by \"Nguyễn Văn An\"")
        @OptionGroup var global: GlobalOptions
        @Option(help: ArgumentHelp("The month paid.", valueName: "YYYY-MM")) var period: String
        @Option(help: "Who builds (default: the OS user).") var by: String?
        @Flag(help: "Add people who became payable after the month's batch was approved.") var supplementary = false

        func run() throws {
            guard let p = YearMonth(period) else { throw ValidationError("--period must be YYYY-MM, e.g. 2026-12") }
            let dir = try global.formatsDir()
            let builder = BatchBuilder(db: try global.openStore(), tariff: try global.tariff(), banks: try global.banks(),
                                       payer: try Payer.load(from: dir.appendingPathComponent("payer.json")))
            let s = try builder.build(period: p, by: by ?? defaultActor(), supplementary: supplementary)
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
            print("Next: a second person approves it: chitra batch approve \(s.id) --by NAME")
        }
    }

    struct Approve: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Approve a draft batch (a different person from the one who built it).",
            discussion: "Example: chitra batch approve 1 --by \"Trần Thị Bình\"")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Batch id.") var id: Int64
        @Option(help: "Who approves (default: the OS user).") var by: String?

        func run() throws {
            let actor = by ?? defaultActor()
            try BatchLifecycle(db: try global.openStore()).approve(batchID: id, by: actor)
            if global.json { try printJSON(["id": "\(id)", "status": "approved", "approvedBy": actor]) }
            else { print("Batch #\(id) approved by \(actor); it is frozen. Next: chitra batch export \(id) --out DIR") }
        }
    }

    struct Cancel: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Cancel a batch before export.",
            discussion: "Example: chitra batch cancel 1 --reason \"wrong period\"")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Batch id.") var id: Int64
        @Option(help: "Why (recorded in the audit log).") var reason: String
        @Option(help: "Who cancels (default: the OS user).") var by: String?

        func run() throws {
            try BatchLifecycle(db: try global.openStore()).cancel(batchID: id, by: by ?? defaultActor(), reason: reason)
            if global.json { try printJSON(["id": "\(id)", "status": "cancelled"]) } else { print("Batch #\(id) cancelled.") }
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write an approved batch's payout files, signed, with a signed manifest.",
            discussion: """
            One file per payee institution in the format formats/payout-formats.json gives it, each with FILE.sig
            (HMAC-SHA256 with the active key), and manifest.json + manifest.json.sig. Exporting again writes the same bytes.
            Example: chitra batch export 1 --out out/2026-12 --keys /secure/chitra-keys
            """)
        @OptionGroup var global: GlobalOptions
        @OptionGroup var keys: KeysCommand.StoreOptions
        @Argument(help: "Batch id.") var id: Int64
        @Option(help: ArgumentHelp("Output folder (one batch per folder).", valueName: "DIR")) var out: String
        @Option(help: "Who exports (default: the OS user).") var by: String?

        func run() throws {
            let dir = try global.formatsDir()
            let exporter = BatchExporter(db: try global.openStore(keys: keys.directory), payer: try Payer.load(from: dir.appendingPathComponent("payer.json")),
                                         banks: try global.banks(), formats: try PayoutFormats.load(from: dir.appendingPathComponent("payout-formats.json")),
                                         keys: keys.keyStore)
            // The folder is checked before anything in it is touched (the exporter checks it again).
            try OutputFolder.checkIfPresent(URL(fileURLWithPath: out))
            let stale = removeInterruptedTemporaries(in: URL(fileURLWithPath: out))
            if stale > 0 && !global.json { print("Removed \(stale) temporary file(s) left in \(out) by an interrupted export.") }
            let s = try exporter.export(batchID: id, to: URL(fileURLWithPath: out), by: by ?? defaultActor())
            if global.json { try printJSON(s); return }
            print("\(s.reexport ? "Re-exported (same bytes)" : "Exported") batch #\(s.batchID) for \(s.period) to \(s.directory), signed with key \(s.keyID):")
            for f in s.files { print("  \(f.name) [\(f.format)] \(f.institution): \(f.lineCount) lines, \(Money.english(f.controlSum)) VND; signature \(f.signature)") }
            print("  \(s.manifest) (+ .sig): \(s.lineCount) lines, \(Money.english(s.controlSum)) VND in all")
            print("Check before sending: chitra verify \(s.directory)/\(s.manifest)")
        }
    }

    struct Reconcile: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Sent, paid, not paid and pending per group, checked to the đồng; failures, exceptions, what carries over.",
            discussion: "Example: chitra batch reconcile 1 --csv out/doi-chieu-2026-12.csv")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Batch id.") var id: Int64
        @Option(help: ArgumentHelp("Also write a CSV for the accountant.", valueName: "FILE")) var csv: String?

        func run() throws {
            let db = try global.openStore()
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
            discussion: "Example: chitra batch show 1")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Batch id.") var id: Int64

        func run() throws {
            let r = try BatchReport.load(try global.openStore(), batchID: id)
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
    for name in names where Verifier.isInterruptedTemporary(name) {
        if (try? FileManager.default.removeItem(at: directory.appendingPathComponent(name))) != nil { removed += 1 }
    }
    return removed
}
