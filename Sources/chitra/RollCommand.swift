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
            abstract: "Import a roll export (CSV or .xlsx, formats/roll-csv.md).",
            discussion: """
            Valid lines apply in one transaction; rejected lines go to FILE.rejects.csv beside the input.
            Importing the same file again changes nothing. Blank lines (only commas) are skipped.
            The file may be a UTF-8 CSV, a CSV with ';' separators, Excel's "Unicode text" (UTF-16,
            tab-separated), a single-byte CSV, or an Excel .xlsx workbook (first sheet, or --sheet).
            Exit status: 0 when the file was applied (or found unchanged, or imported before);
            2 when nothing was applied: --strict with a rejected line, every line rejected (or no
            data lines), or the file refused whole (a month-first date such as 7/26/2025).
            Role: maker. Example: chitra roll import fixtures/ward-2000.csv --user an.nguyen
            """)
        @OptionGroup var global: GlobalOptions
        @OptionGroup var login: LoginOptions
        @Argument(help: "The roll file: CSV or Excel .xlsx.") var file: String
        @Option(help: "The sheet of an .xlsx roll to read (default: the first).") var sheet: String?
        @Flag(help: "Apply nothing if any line is rejected.") var strict = false
        @Option(help: ArgumentHelp("Also write the rejected lines, with their reasons, as an Excel workbook.", valueName: "REJECTS.xlsx"))
        var xlsx: String?

        func validate() throws {
            if let xlsx { try XLSXOption.check(xlsx, notTheInput: file) }
        }

        /// The rejected lines as Excel, from the rejects CSV the import wrote.
        func writeRejectsXLSX(_ s: RollImportSummary) throws {
            guard let xlsx else { return }
            guard let csv = s.rejectsFile else {
                if !global.json && !s.alreadyImported { print(Message("sheets.no_rejects", ["file": .text(xlsx)]).text()) }
                return
            }
            try RollRejectsXLSX.write(rejectsCSV: URL(fileURLWithPath: csv), importedFile: s.file, to: URL(fileURLWithPath: xlsx))
            if !global.json { print(Message("sheets.written", ["file": .text(xlsx)]).text()) }
        }

        func run() throws {
            try RollFilePreflight.check(URL(fileURLWithPath: file))
            let db = try global.openStore()
            let actor = try login.actor(db, as: .maker)
            var importer = RollImporter(db: db, validator: RollValidator(tariff: try global.tariff(), banks: try global.banks()), actor: actor)
            importer.strict = strict
            importer.sheet = sheet
            importer.legacyText = try LegacyTextDetector.load(formats: global.formatsDir())
            let progress = TerminalProgress(label: Message("progress.label.roll_import"), unit: Message("progress.unit.lines"), json: global.json)
            importer.progress = progress?.report
            let summary: RollImportSummary
            do { defer { progress?.finish() }; summary = try importer.importFile(URL(fileURLWithPath: file)) }
            catch let e as StrictImportRefused {
                if global.json { try printJSON(e.summary) } else { printSummary(e.summary) }
                try writeRejectsXLSX(e.summary)
                throw ExitCode(2)
            }
            catch let e as RollFileRefused {
                if global.json { try printJSON(e.summary) } else { stderrPrint("Error: \(e.description)") }
                throw ExitCode(2)
            }
            if global.json { try printJSON(summary) } else { printSummary(summary) }
            try writeRejectsXLSX(summary)
            if summary.nothingApplied { throw ExitCode(2) }
        }

        /// "970418 *******9999", "(no account)".
        static func destination(_ bin: String?, _ masked: String?) -> String {
            let parts = [bin, masked].compactMap { $0 }
            return parts.isEmpty ? Message("roll.summary.no_account").text() : parts.joined(separator: " ")
        }

        /// What the file was read as, in the clerk's language.
        static func inputLine(_ s: RollImportSummary) -> String {
            if s.inputFormat == "xlsx" { return Message("roll.summary.input_xlsx", ["sheet": .text(s.sheet ?? "")]).text() }
            if s.encoding == "single_byte" { return Message("roll.summary.input_single_byte", ["separator": .text(Self.separatorName(s.separator))]).text() }
            let encoding = ["utf16le": "UTF-16 LE", "utf16be": "UTF-16 BE"][s.encoding ?? ""] ?? "UTF-8"
            return Message("roll.summary.input_csv", ["encoding": .text(encoding), "separator": .text(Self.separatorName(s.separator))]).text()
        }

        static func separatorName(_ s: String?) -> String {
            s == "tab" ? "tab" : "\"\(s ?? ",")\""
        }

        func printSummary(_ s: RollImportSummary) {
            if s.alreadyImported {
                print(Message("roll.summary.already_imported", ["file": .text(s.file), "at": .text(s.previousImportAt ?? "?"), "id": .int(Int(s.fileID ?? 0))]).text())
                return
            }
            let blank = s.blankLines > 0 ? Message("roll.summary.blank", ["n": .int(s.blankLines)]).text() : ""
            if s.strictRefused {
                print(Message("roll.summary.strict", ["file": .text(s.file), "lines": .int(s.lines), "rejected": .int(s.rejected), "blank": .text(blank)]).text())
            } else if s.nothingApplied {
                print(s.lines == 0 ? Message("roll.summary.no_lines", ["file": .text(s.file), "blank": .text(blank)]).text()
                                   : Message("roll.summary.all_rejected", ["file": .text(s.file), "lines": .int(s.lines), "rejected": .int(s.rejected), "blank": .text(blank)]).text())
            } else {
                print(Message("roll.summary.applied", ["file": .text(s.file), "lines": .int(s.lines), "applied": .int(s.applied), "new": .int(s.newPeople),
                                                       "changed": .int(s.changedPeople), "fields": .int(s.fieldChanges), "unchanged": .int(s.unchanged),
                                                       "rejected": .int(s.rejected), "blank": .text(blank)]).text())
            }
            print(Self.inputLine(s))
            if s.restoredIDs > 0 { print(Message("roll.summary.restored_ids", ["n": .int(s.restoredIDs)]).text()) }
            for m in s.textConversions { print(m.text()) }
            if let r = s.rejectsFile { print(Message("roll.summary.rejects_file", ["path": .text(r)]).text()) }
            for p in s.problems.prefix(30) { print("  " + p) }
            if s.problems.count > 30 { print("  " + Message("roll.summary.more_problems", ["n": .int(s.problems.count - 30)]).text()) }
            if !s.strictRefused && s.accountChangeCount > 0 {
                print(Message("roll.summary.accounts_changed", ["n": .int(s.accountChangeCount)]).text())
                for a in s.accountChanges.prefix(200) {
                    print("  \(a.code): \(Self.destination(a.bankBINBefore, a.accountMaskedBefore)) → \(Self.destination(a.bankBINAfter, a.accountMaskedAfter))")
                }
                if s.accountChangeCount > 200 { print("  " + Message("roll.summary.more_json", ["n": .int(s.accountChangeCount - 200), "listed": .int(s.accountChanges.count)]).text()) }
            }
            if s.legacyIDs > 0 { print(Message("roll.summary.legacy_ids", ["n": .int(s.legacyIDs)]).text()) }
            if !s.strictRefused && !s.nothingApplied && s.warningCount > 0 {
                print(Message("roll.summary.warnings", ["n": .int(s.warningCount)]).text())
                for w in s.warnings.prefix(30) {
                    print("  " + Message("roll.summary.warning_line", ["file": .text(s.file), "line": .int(w.line), "code": .text(w.code), "category": .text(w.category),
                                                                       "text": .text(Language.current == .vi ? w.vietnamese : w.message)]).text())
                }
                if s.warningCount > 30 { print("  " + Message("roll.summary.more_json", ["n": .int(s.warningCount - 30), "listed": .int(s.warnings.count)]).text()) }
            }
            if !s.duplicateIDs.isEmpty {
                print(Message("roll.summary.duplicate_ids", ["n": .int(s.duplicateIDs.count)]).text())
                for d in s.duplicateIDs.prefix(20) { print("  \(d.personalIDMasked): \(d.codes.joined(separator: ", "))") }
            }
            if !s.multipleCategories.isEmpty {
                print(Message("roll.summary.multiple_categories", ["n": .int(s.multipleCategories.count)]).text())
                for d in s.multipleCategories.prefix(20) { print("  \(d.personalIDMasked) [\(d.codes.joined(separator: ", "))]: \(d.categories.joined(separator: " + "))") }
            }
        }
    }
}
