import ArgumentParser
import ChiTraCore
import ChiTraReturns
import ChiTraSigning
import ChiTraStore
import Foundation

struct ReturnsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "returns", abstract: "Bank and post-office return files.",
                                                    subcommands: [Import.self])

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Import return files and match them to the payments sent.",
            discussion: """
            Formats are told apart by the file itself (pain.002, camt.054, bank CSV return, Vietnam Post return);
            --format forces one. A FILE.sig beside the file is verified, and a bad signature refuses the whole file.
            Importing the same file again changes nothing. Several files are imported one after the other in one
            transaction, each file as if the command were run once per file; the first file refused stops
            the command (the files before it stay imported).
            Example: chitra returns import returns/CT202612-B000001-970418.pain002.xml --keys chitra-keys
                     chitra returns import returns/*.xml returns/*.csv --keys chitra-keys --user cuc.le
            Role: clerk.
            """)
        @OptionGroup var global: GlobalOptions
        @OptionGroup var keys: KeysCommand.StoreOptions
        @OptionGroup var login: LoginOptions
        @Argument(help: "The return file(s).") var files: [String]
        @Option(help: "Force a format (pain.002.001.03, pain.002.001.10, camt.054.001.02, camt.054.001.08, bank-csv-return, vnpost-return).") var format: String?
        @Flag(help: "Refuse a file without a detached signature.") var requireSignature = false

        func validate() throws {
            guard !files.isEmpty else { throw ValidationError(Message("cli.option.return_files").text()) }
        }

        func run() throws {
            let dir = try global.formatsDir()
            let db = try global.openStore(keys: keys.directory)
            let actor = try login.actor(db, as: .clerk)
            var importer = ReturnImporter(db: db, taxonomy: try ReasonTaxonomy.load(from: dir.appendingPathComponent("return-reasons.json")),
                                          formatsDir: dir, keys: keys.keyStore, actor: actor)
            importer.requireSignature = requireSignature
            let list = files
            // Over many files (a bank's month can be hundreds), a progress line in files.
            let progress = list.count > 1 ? TerminalProgress(label: Message("progress.label.returns_import"), unit: Message("progress.unit.files"), json: global.json) : nil
            var counter = ProgressCounter(progress?.report, total: list.count, stride: 1)
            // One transaction for the whole list; what it did is printed once it is committed.
            let results: [Result<ReturnImportSummary, any Error>]
            do {
                defer { progress?.finish() }
                results = try importer.importFiles(list.map { URL(fileURLWithPath: $0) }, formatHint: format, fileDone: { _ in counter.advance() })
            }
            var summaries: [ReturnImportSummary] = []
            for r in results {
                // The first file refused stops the command; the files before it stay imported.
                let s = try r.get()
                if global.json { summaries.append(s) } else { report(s) }
            }
            if global.json { if list.count == 1 { try printJSON(summaries[0]) } else { try printJSON(summaries) } }
        }

        /// What one file did, as a clerk reads it (`ReturnImportSummary.reportLines`).
        func report(_ s: ReturnImportSummary) {
            for line in s.reportLines() { print(line) }
        }
    }
}

struct ExceptionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "exceptions", abstract: "Return lines that need a person's judgement.",
                                                    subcommands: [List.self, Resolve.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List exceptions (open ones by default).",
                                                        discussion: "Example: chitra exceptions list --batch 1")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var login: LoginOptions
        @Flag(help: "Include resolved exceptions.") var all = false
        @Option(help: "Only this batch's exceptions.") var batch: Int64?

        func run() throws {
            let db = try global.openStore()
            _ = try login.reader(db)
            let items = try ExceptionQueue(db: db).list(openOnly: !all, batchID: batch)
            if global.json { try printJSON(items); return }
            if items.isEmpty { print((all ? Message("cli.exceptions.none") : Message("cli.exceptions.none_open")).text()) }
            for e in items {
                let lines = e.lines > 1 ? " " + Message("cli.exceptions.lines", ["n": .int(e.lines)]).text() : ""
                let batch = e.batchID.map { " " + Message("cli.exceptions.batch", ["batch": .text("\($0)")]).text() } ?? ""
                let resolved = e.status == .resolved
                    ? " — " + Message("cli.exceptions.resolved_by", ["resolution": .text(e.resolution?.rawValue ?? ""), "by": .text(e.resolvedBy ?? ""), "note": .text(e.note ?? "")]).text() : ""
                print("#\(e.id) [\(e.kind.rawValue)] \(e.file) \(e.location.text())\(lines)\(batch): \(e.detail)\(resolved)")
            }
        }
    }

    struct Resolve: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Resolve an exception with a note.",
            discussion: """
            --resolution dismiss changes no money; --resolution apply applies the return's outcome to the payment
            (for amount/account differences and conflicting outcomes, after checking with the bank).
            Role: clerk. Example: chitra exceptions resolve 3 --resolution dismiss --note "bank confirmed a test line" --user cuc.le
            """)
        @OptionGroup var global: GlobalOptions
        @OptionGroup var login: LoginOptions
        @Argument(help: "Exception id.") var id: Int64
        @Option(help: "dismiss or apply.") var resolution: String
        @Option(help: "What was checked, with whom.") var note: String

        func run() throws {
            guard let r = ExceptionQueue.Resolution(rawValue: resolution) else { throw ValidationError(Message("cli.option.resolution").text()) }
            let db = try global.openStore()
            try ExceptionQueue(db: db).resolve(id: id, resolution: r, note: note, by: try login.actor(db, as: .clerk))
            print(Message("cli.exceptions.resolved", ["id": .text("\(id)"), "resolution": .text(r.rawValue)]).text())
        }
    }
}
