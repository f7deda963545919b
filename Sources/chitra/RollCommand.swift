import ArgumentParser
import ChiTraCore
import ChiTraRoll
import ChiTraStore
import Foundation

struct RollCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "roll", abstract: "The beneficiary roll.",
                                                    subcommands: [Import.self])

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "import",
            abstract: "Import a roll export (CSV, formats/roll-csv.md).",
            discussion: """
            Valid lines apply in one transaction; rejected lines go to FILE.rejects.csv beside the input.
            Importing the same file again changes nothing.
            Role: maker. Example: chitra roll import fixtures/ward-2000.csv --user an.nguyen
            """)
        @OptionGroup var global: GlobalOptions
        @OptionGroup var login: LoginOptions
        @Argument(help: "The roll CSV file.") var file: String
        @Flag(help: "Apply nothing if any line is rejected.") var strict = false

        func run() throws {
            try RollFilePreflight.check(URL(fileURLWithPath: file))
            let db = try global.openStore()
            let actor = try login.actor(db, as: .maker)
            var importer = RollImporter(db: db, validator: RollValidator(tariff: try global.tariff(), banks: try global.banks()), actor: actor)
            importer.strict = strict
            let summary: RollImportSummary
            do { summary = try importer.importFile(URL(fileURLWithPath: file)) }
            catch let e as StrictImportRefused {
                if global.json { try printJSON(e.summary) } else { printSummary(e.summary) }
                throw ExitCode(2)
            }
            if global.json { try printJSON(summary); return }
            printSummary(summary)
        }

        func printSummary(_ s: RollImportSummary) {
            if s.alreadyImported {
                print("\(s.file) was already imported on \(s.previousImportAt ?? "?") (import #\(s.fileID ?? 0), same SHA-256); nothing changed.")
                return
            }
            if s.strictRefused {
                print("\(s.file): \(s.lines) lines, \(s.rejected) rejected — --strict: nothing applied.")
            } else {
                print("\(s.file): \(s.lines) lines — \(s.applied) applied (\(s.newPeople) new people, \(s.changedPeople) changed, \(s.fieldChanges) field changes recorded), \(s.unchanged) unchanged, \(s.rejected) rejected.")
            }
            if let r = s.rejectsFile { print("Rejected lines with reasons: \(r)") }
            for p in s.problems.prefix(30) { print("  " + p) }
            if s.problems.count > 30 { print("  … \(s.problems.count - 30) more in the rejects file") }
            if s.legacyIDs > 0 { print("Flagged: \(s.legacyIDs) lines carry an old 9-digit CMND; ask for the 12-digit personal ID.") }
            if !s.duplicateIDs.isEmpty {
                print("Same personal ID under more than one code (\(s.duplicateIDs.count)) — only one can be paid; check against the population database:")
                for d in s.duplicateIDs.prefix(20) { print("  \(d.personalIDMasked): \(d.codes.joined(separator: ", "))") }
            }
            if !s.multipleCategories.isEmpty {
                print("People in more than one monthly category (\(s.multipleCategories.count)) — only the highest amount is paid (Decree 20/2021 Art. 6.2):")
                for d in s.multipleCategories.prefix(20) { print("  \(d.personalIDMasked) [\(d.codes.joined(separator: ", "))]: \(d.categories.joined(separator: " + "))") }
            }
        }
    }
}
