import ChiTraCore
import ChiTraSigning
import ChiTraStore
import Foundation
import GRDB   // only to open transactions and name them (`Database`)

/// What an import did, for people (`description`) and machines (`Codable`).
public struct RollImportSummary: Sendable, Codable {
    public var file: String
    public var sha256: String
    /// The same bytes were imported before: nothing was changed.
    public var alreadyImported: Bool = false
    public var previousImportAt: String?
    public var fileID: Int64?
    public var lines = 0
    public var applied = 0
    public var unchanged = 0
    public var rejected = 0
    public var newPeople = 0
    public var changedPeople = 0
    public var fieldChanges = 0
    public var legacyIDs = 0
    /// Lines holding nothing but separators and spaces (`,,,,,,`, as Excel writes the empty rows of
    /// a range): skipped, not counted in `lines`, not rejected.
    public var blankLines = 0
    /// `--strict` with rejected lines: nothing was applied.
    public var strictRefused = false
    /// Nothing of the file was applied; the command exits 2. Either no line was applied or found
    /// unchanged (every line rejected, or no data lines: the import is rolled back like a `--strict`
    /// refusal, so the file is not recorded and can be imported again once fixed; the rejects file
    /// is written), or `strictRefused`, or the file was refused whole (`refusal`).
    public var nothingApplied = false
    /// Why the whole file was refused before anything applied (`RollFileRefused`), e.g. month-first dates.
    public var refusal: String?
    public var rejectsFile: String?
    public var problems: [String] = []
    /// The same problems as `problems`, one entry each, for a table (the web's import result page).
    public var rejections: [Rejection] = []
    public var duplicateIDs: [DuplicatePerson] = []
    public var multipleCategories: [MultipleCategories] = []
    /// People already in the store whose account number or bank changed with this file, by code,
    /// account numbers masked; at most `RollImporter.accountChangeLimit` of them (`accountChangeCount` is all).
    public var accountChanges: [AccountChange] = []
    public var accountChangeCount = 0
    /// Valid lines whose grant the rules will never pay as written (or not as the roll seems to
    /// mean), per line: at most `RollImporter.warningLimit` of them (`warningCount` is all).
    public var warnings: [RollWarning] = []
    public var warningCount = 0
    /// What the file was: `csv` or `xlsx` (`RollInput.Format`).
    public var inputFormat = "csv"
    /// The sheet read from an `.xlsx`.
    public var sheet: String?
    /// The CSV's separator: `,`, `;` or `tab`.
    public var separator: String?
    /// The CSV's bytes: `utf8`, `utf16le`, `utf16be` or `single_byte` (`RollInput.Encoding`).
    public var encoding: String?
    /// Lines whose personal ID lost its leading zeros (Excel) and was restored, provably (`PersonalID.restoringLeadingZeros`).
    public var restoredIDs = 0
    /// Columns whose text was legacy Vietnamese (TCVN3, VNI, Windows-1258) and was converted to
    /// Unicode, one sentence per encoding naming its columns (`LegacyTextDetector`, `legacy_text.columns.converted`).
    public var textConversions: [Message] = []

    public struct AccountChange: Sendable, Codable, Equatable {
        public var code: String
        public var bankBINBefore: String?
        public var bankBINAfter: String?
        /// `maskAccount`: all but the last four digits as `*`.
        public var accountMaskedBefore: String?
        public var accountMaskedAfter: String?

        public init(code: String, bankBINBefore: String?, bankBINAfter: String?, accountMaskedBefore: String?, accountMaskedAfter: String?) {
            self.code = code; self.bankBINBefore = bankBINBefore; self.bankBINAfter = bankBINAfter
            self.accountMaskedBefore = accountMaskedBefore; self.accountMaskedAfter = accountMaskedAfter
        }
    }

    /// One reason a line was rejected: its line number, the code written on it, the column named
    /// (`RollColumn` raw value; nil for the whole line), the value as messages show it (IDs and
    /// account numbers masked) and the reason (English today, as in `problems`).
    public struct Rejection: Sendable, Codable, Equatable {
        public var line: Int
        public var code: String
        public var column: String?
        public var value: String
        public var message: String

        public init(line: Int, code: String, column: String?, value: String, message: String) {
            self.line = line; self.code = code; self.column = column; self.value = value; self.message = message
        }
    }

    public struct DuplicatePerson: Sendable, Codable {
        public var personalIDMasked: String
        public var codes: [String]
    }
    public struct MultipleCategories: Sendable, Codable {
        public var personalIDMasked: String
        public var codes: [String]
        public var categories: [String]
    }
}

extension RollImportSummary {
    /// An empty summary of one file.
    public init(file: String, sha256: String) { self.file = file; self.sha256 = sha256 }

    /// Decodes a summary written by any version: a key it did not have yet (`warnings`,
    /// `warningCount` before issue 15 — the web keeps each import's summary as JSON) takes its
    /// default, so an older result still shows.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(file: try c.decode(String.self, forKey: .file), sha256: try c.decode(String.self, forKey: .sha256))
        func v<T: Decodable>(_ key: CodingKeys, _ fallback: T) throws -> T { try c.decodeIfPresent(T.self, forKey: key) ?? fallback }
        alreadyImported = try v(.alreadyImported, false)
        previousImportAt = try c.decodeIfPresent(String.self, forKey: .previousImportAt)
        fileID = try c.decodeIfPresent(Int64.self, forKey: .fileID)
        lines = try v(.lines, 0); applied = try v(.applied, 0); unchanged = try v(.unchanged, 0); rejected = try v(.rejected, 0)
        newPeople = try v(.newPeople, 0); changedPeople = try v(.changedPeople, 0); fieldChanges = try v(.fieldChanges, 0)
        legacyIDs = try v(.legacyIDs, 0); blankLines = try v(.blankLines, 0)
        strictRefused = try v(.strictRefused, false); nothingApplied = try v(.nothingApplied, false)
        refusal = try c.decodeIfPresent(String.self, forKey: .refusal)
        rejectsFile = try c.decodeIfPresent(String.self, forKey: .rejectsFile)
        problems = try v(.problems, []); rejections = try v(.rejections, [])
        duplicateIDs = try v(.duplicateIDs, []); multipleCategories = try v(.multipleCategories, [])
        accountChanges = try v(.accountChanges, []); accountChangeCount = try v(.accountChangeCount, 0)
        warnings = try v(.warnings, []); warningCount = try v(.warningCount, 0)
        inputFormat = try v(.inputFormat, "csv"); sheet = try c.decodeIfPresent(String.self, forKey: .sheet)
        separator = try c.decodeIfPresent(String.self, forKey: .separator); encoding = try c.decodeIfPresent(String.self, forKey: .encoding)
        restoredIDs = try v(.restoredIDs, 0)
        textConversions = try v(.textConversions, [])
    }
}

/// Thrown when `--strict` refuses a file with rejected lines (after writing the rejects file).
public struct StrictImportRefused: Error, CustomStringConvertible {
    public let summary: RollImportSummary
    public var description: String {
        Message("roll.strict.refused", ["file": .text(summary.file), "rejected": .int(summary.rejected), "lines": .int(summary.lines),
                                        "rejects": .text(summary.rejectsFile ?? "FILE.rejects.csv")]).text()
    }
}

/// Thrown when a roll file is refused whole before anything applies: it holds a date that only
/// reads month-first (`7/26/2025`), so none of its dates can be trusted (`7/6/2025` there is
/// 6 July, not 7 June). Nothing is imported and no rejects file is written.
public struct RollFileRefused: Error, CustomStringConvertible {
    public let summary: RollImportSummary
    /// The first line that made the file refused.
    public let problem: RollProblem
    public var description: String { summary.refusal ?? problem.description }
}

/// Imports a roll export into the store: one transaction, history of every change, rejects beside the input.
public struct RollImporter {
    public let db: AppDatabase
    public let validator: RollValidator
    public var strict = false
    /// The maker importing (an authenticated account acting as `maker`).
    public let actor: Actor
    /// How many problem sentences to keep in the summary (all go to the rejects file).
    public var problemLimit = 200
    /// How many account changes to list in the summary (all are counted, and kept in the history).
    public var accountChangeLimit = 10_000
    /// How many warnings to list in the summary (all are counted).
    public var warningLimit = 10_000
    /// The sheet of an `.xlsx` roll to read (the first when nil).
    public var sheet: String?
    /// Called with the opened input before any line is read (e.g. to set `cellTransforms` for a
    /// single-byte file from `textColumnSamples`).
    public var configureInput: ((RollInput) throws -> Void)?
    /// Decides, per column, whether the text is Unicode or legacy Vietnamese (TCVN3, VNI,
    /// Windows-1258) and converts it; loaded from the formats folder. Without it a file holding
    /// non-ASCII text in single bytes is refused (its names could not be read right).
    public var legacyText: LegacyTextDetector? = RollImporter.defaultLegacyText
    /// Told the lines read of about how many (the CLI's progress line); nil: nobody watches.
    public var progress: ProgressReport?

    static let defaultLegacyText: LegacyTextDetector? = try? LegacyTextDetector.load(formats: FormatsDirectory.locate())

    public init(db: AppDatabase, validator: RollValidator, actor: Actor) {
        self.db = db; self.validator = validator; self.actor = actor
    }

    public static func rejectsURL(for input: URL) -> URL {
        input.deletingLastPathComponent().appendingPathComponent(input.lastPathComponent + ".rejects.csv")
    }

    public func importFile(_ url: URL) throws -> RollImportSummary {
        try actor.require(.maker)
        try RollFilePreflight.check(url)
        let name = url.lastPathComponent
        var summary = RollImportSummary(file: name, sha256: try FileDigest.sha256Hex(of: url))
        let sha256 = summary.sha256
        if let prev = try db.writer.read({ db in try RollImportFiles.previous(db, sha256: sha256) }) {
            summary.alreadyImported = true
            summary.fileID = prev.id
            summary.previousImportAt = prev.importedAt
            return summary
        }

        let reader = try RollInput(url: url, sheet: sheet)
        let (undecided, converted) = try decideTextColumns(reader, file: name)
        try configureInput?(reader)
        summary.inputFormat = reader.format.rawValue
        summary.sheet = reader.sheet
        summary.separator = reader.separator.map { $0 == 0x09 ? "tab" : String(UnicodeScalar($0)) }
        summary.encoding = reader.format == .csv ? reader.encoding.rawValue : nil
        guard let headerRecord = try reader.next() else {
            throw RollHeader.Problem(description: Message("roll.file.empty", ["file": .text(name)]).text())
        }
        if let (column, samples) = undecided {
            // A column whose text cannot be read as Unicode nor as one legacy encoding: nothing is
            // imported (names and places would be stored garbled); said with the column's header.
            let header = column < headerRecord.fields.count && !headerRecord.fields[column].isEmpty ? headerRecord.fields[column] : "\(column + 1)"
            let decision = legacyText!.decide(samples: samples, source: reader.source, column: header)
            throw MessageError(decision.refusal ?? Message("legacy_text.column.undecided", ["column": .text(header), "example": .text(decision.example ?? "")]))
        }
        // The converted columns, named by their header cells (an old file's header is in its encoding
        // too), one sentence per encoding: an old file is usually in one, every text column of it.
        for encoding in ColumnEncoding.allCases {
            let names = converted.filter { $0.1 == encoding }.map { column, _ in
                column < headerRecord.fields.count && !headerRecord.fields[column].isEmpty ? headerRecord.fields[column] : "\(column + 1)"
            }
            if names.isEmpty { continue }
            summary.textConversions.append(Message("legacy_text.columns.converted", [
                "n": .int(names.count), "columns": .text(names.map { "«\($0)»" }.joined(separator: ", ")), "encoding": .text(encoding.displayName)]))
        }
        var counter = ProgressCounter(progress, total: progress == nil ? nil : reader.lineEstimate().map { max(0, $0 - 1) })
        let header = try RollHeader(cells: headerRecord.fields, file: name)
        let rejectsURL = Self.rejectsURL(for: url)
        let rejects = try AtomicFileWriter(destination: rejectsURL, mode: 0o600)
        var rejectsCommitted = false
        defer { if !rejectsCommitted { rejects.abandon() } }
        try rejects.write(Data(([0xEF, 0xBB, 0xBF] as [UInt8]) + Array((CSVText.row(header.cells + ["Lý do từ chối"]) + "\r\n").utf8)))

        let now = Timestamp.now()
        let actor = self.actor
        do {
            try db.writer.write { db in
                let fileID = try RollImportFiles.begin(db, sha256: summary.sha256, name: name, at: now, actor: actor)
                summary.fileID = fileID
                // Per code seen in the file: its first line, the categories of its lines (an index into
                // `categories`) and whether this import created the person. A national roll has millions
                // of codes, so they are kept in a temporary table (`RollSeenCodes`: SQLite's temp store,
                // paged to disk) rather than in memory. The person values of the first line are not kept:
                // once that line is applied the store holds exactly them, and later lines of the code are
                // compared with the store.
                let store = try RollImportStatements(db)
                let seen = try RollSeenCodes(db, statements: store)
                // A first load (nobody in the store yet): a code not seen earlier in this file has no
                // person and no grant in the store, so `apply` need not look them up.
                let storeWasEmpty = try RollQueries.rollIsEmpty(db)
                var categories: [String] = []
                var categoryIndex: [String: UInt16] = [:]
                func categoryNumber(_ c: String) throws -> UInt16 {
                    if let i = categoryIndex[c] { return i }
                    guard categories.count < Int(UInt16.max) else { throw StoreError("the roll has more than 65,535 different categories; it is not a roll export") }
                    categories.append(c)
                    categoryIndex[c] = UInt16(categories.count - 1)
                    return UInt16(categories.count - 1)
                }
                var changedPeople = Set<String>()

                func reject(_ fields: [String], _ problems: [RollProblem]) throws {
                    summary.rejected += 1
                    let code = SafeText.echo(header.value(.code, in: fields), limit: 40)
                    for p in problems where summary.problems.count < problemLimit {
                        summary.problems.append(p.description)
                        summary.rejections.append(.init(line: p.line, code: code, column: p.column?.rawValue,
                                                        value: p.value.isEmpty ? "" : p.shownValue, message: p.message))
                    }
                    var cells = fields
                    if cells.count < header.cells.count { cells += Array(repeating: "", count: header.cells.count - cells.count) }
                    cells = Array(cells.prefix(header.cells.count))
                    try rejects.write(Data((CSVText.row(cells + [problems.map(\.reason).joined(separator: "; ")]) + "\r\n").utf8))
                }

                // A workbook made from a CSV by a program that read DD/MM/YYYY month-first (US
                // settings) holds, in one date column, real dates (those whose day was 12 or less,
                // day and month swapped) beside text dates it could not read (day over 12): every
                // real date of it is suspect, so the file is refused whole, as a month-first CSV is.
                let dayColumns = reader.format == .xlsx
                    ? [RollColumn.birthDate, .decisionDate, .deathDate, .authorisationUntil, .caredForBirthDate].compactMap { c in header.index[c].map { (c, $0) } }
                    : []
                var realDateLine: [RollColumn: Int] = [:]
                var textDayOver12: [RollColumn: (line: Int, value: String)] = [:]
                // The lines are read and validated on the second core, ahead of this loop (which
                // alone touches the store), and taken here in file order.
                let lines = RollLinePipeline(reader: reader, validator: validator, header: header, file: name)
                defer { lines.stop() }
                while let item = try lines.next() {
                    let rec = item.record
                    counter.advance()
                    for (c, i) in dayColumns where i < rec.fields.count && rec.fields[i].contains("/") {
                        if rec.dateFields.contains(i) {
                            if realDateLine[c] == nil { realDateLine[c] = rec.line }
                        } else if textDayOver12[c] == nil, let day = Int(rec.fields[i].prefix { $0 != "/" }.trimmingCharacters(in: .whitespaces)), day > 12 {
                            textDayOver12[c] = (rec.line, rec.fields[i])
                        }
                        if let real = realDateLine[c], let text = textDayOver12[c] {
                            throw MonthFirstRollback(problem: RollProblem(file: name, line: text.line, column: c, value: text.value,
                                reason: Message("roll.xlsx.swapped_dates", ["real": .int(real)]), monthFirstDate: true))
                        }
                    }
                    if item.blank { summary.blankLines += 1; continue }
                    summary.lines += 1
                    let row: RollRow
                    switch item.validation! {
                    case .invalid(let problems):
                        if let p = problems.first(where: \.monthFirstDate) { throw MonthFirstRollback(problem: p) }
                        try reject(rec.fields, problems); continue
                    case .valid(let r): row = r
                    }
                    // Lines of one code must agree on the person; a code+category appears once.
                    let personFields = row.personFields
                    let category = try categoryNumber(row.category)
                    let firstLine: Int
                    let createdByFirstLine: Bool
                    if let first = try seen.lookup(code: row.code, category: category) {
                        // The first line of this code was applied: the store holds its person values.
                        guard let stored = try store.comparePerson(code: row.code, with: personFields) else {
                            throw StoreError("\(name), line \(rec.line): code \(row.code) was imported from line \(first.line) but is not in the store; nothing was imported")
                        }
                        let differing = stored.differences.map(\.field)
                        if !differing.isEmpty {
                            try reject(rec.fields, [RollProblem(file: name, line: rec.line, column: .code, value: row.code,
                                reason: Message("roll.line.person_differs", ["first": .int(first.line), "fields": .text(differing.joined(separator: ", "))]))])
                            continue
                        }
                        if first.hasCategory {
                            try reject(rec.fields, [RollProblem(file: name, line: rec.line, column: .category, value: row.category,
                                reason: Message("roll.line.duplicate_category", ["code": .text(row.code)]))])
                            continue
                        }
                        try seen.add(code: row.code, category: category, firstLine: first.line, created: first.created)
                        firstLine = first.line
                        createdByFirstLine = first.created
                    } else {
                        firstLine = rec.line
                        createdByFirstLine = false   // set below from what `apply` did
                    }
                    if row.idLegacy { summary.legacyIDs += 1 }
                    if row.personalIDRestoredFrom != nil { summary.restoredIDs += 1 }
                    for w in item.warnings {
                        summary.warningCount += 1
                        if summary.warnings.count < warningLimit { summary.warnings.append(w) }
                    }
                    let isFirstLineOfCode = firstLine == rec.line
                    let changes = try apply(row, personFields: personFields, store: store, fileID: fileID, at: now, actor: actor, isFirstLineOfCode: isFirstLineOfCode,
                                              knownAbsent: storeWasEmpty && isFirstLineOfCode)
                    if changes.isNew { summary.newPeople += 1 }
                    if let a = changes.account {
                        summary.accountChangeCount += 1
                        if summary.accountChanges.count < accountChangeLimit { summary.accountChanges.append(a) }
                    }
                    if isFirstLineOfCode {
                        try seen.add(code: row.code, category: category, firstLine: rec.line, created: changes.isNew)
                    }
                    let created = isFirstLineOfCode ? changes.isNew : createdByFirstLine
                    if changes.count > 0 {
                        summary.applied += 1
                        summary.fieldChanges += changes.count
                        if !created { changedPeople.insert(row.code) }
                    } else {
                        summary.unchanged += 1
                    }
                }
                summary.changedPeople = changedPeople.count
                counter.finish()
                try seen.drop()
                try Beneficiaries.deriveStatusAfterImport(db, fileID: fileID, at: now, actor: actor)
                // The payment fields this file wrote are sealed with the audit key (PaymentMAC).
                try PaymentMAC.sealImported(db, fileID: fileID)
                if strict && summary.rejected > 0 {
                    summary.strictRefused = true
                    summary.nothingApplied = true
                    throw StrictRollback()
                }
                if summary.applied == 0 && summary.unchanged == 0 {
                    summary.nothingApplied = true
                    throw StrictRollback()
                }
                try RollImportFiles.finish(db, fileID: fileID, lines: summary.lines, applied: summary.applied, unchanged: summary.unchanged, rejected: summary.rejected)
                try AuditLog.append(db, actor: actor, action: "roll.import", entity: "import_file", entityID: String(fileID),
                                    detail: "\(name) sha256=\(summary.sha256) lines=\(summary.lines) applied=\(summary.applied) unchanged=\(summary.unchanged) rejected=\(summary.rejected)")
            }
        } catch is StrictRollback {
            summary.fileID = nil
        } catch let e as MonthFirstRollback {
            rejects.abandon(); rejectsCommitted = true
            try? FileManager.default.removeItem(at: rejectsURL)   // an old rejects file would mislead
            var refused = RollImportSummary(file: name, sha256: summary.sha256)
            refused.nothingApplied = true
            refused.refusal = Message("roll.refusal.month_first", ["problem": .text(e.problem.description)]).text()
            throw RollFileRefused(summary: refused, problem: e.problem)
        }
        if summary.rejected > 0 {
            try rejects.commit()
            rejectsCommitted = true
            summary.rejectsFile = rejectsURL.path
        } else {
            rejects.abandon(); rejectsCommitted = true
            try? FileManager.default.removeItem(at: rejectsURL)   // an old rejects file would mislead
        }
        if summary.strictRefused { throw StrictImportRefused(summary: summary) }
        if !summary.nothingApplied { try addDuplicateReport(&summary) }
        return summary
    }

    /// Decides each column's text encoding from the whole file (`RollInput.textColumnSamples`) and
    /// sets the conversions of the legacy ones; the converted columns are said in the summary.
    /// Returns the first column that cannot be decided with its samples (the caller refuses the
    /// file once it can name the column by its header), and the columns converted.
    private func decideTextColumns(_ reader: RollInput, file: String) throws -> (undecided: (Int, [String])?, converted: [(Int, ColumnEncoding)]) {
        let samples = try reader.textColumnSamples(limit: LegacyTextDetector.sampleLimit)
        if samples.isEmpty { return (nil, []) }   // ASCII only: nothing to decide
        guard let detector = legacyText else {
            if reader.source == .singleByte { throw MessageError("roll.input.legacy_tables_missing", ["file": .text(file)]) }
            return (nil, [])
        }
        let columns = samples.keys.sorted()
        let source = reader.source
        let decisions = detector.decideColumns(columns.map { (name: "\($0 + 1)", cells: samples[$0]!) }, source: source)
        var undecided: (Int, [String])?
        var transforms: [Int: (String) -> String] = [:]
        var converted: [(Int, ColumnEncoding)] = []
        for (column, decision) in zip(columns, decisions) {
            guard let encoding = decision.encoding else {
                if undecided == nil { undecided = (column, samples[column]!) }
                continue
            }
            // Unicode text is kept exactly as it came (as before); legacy text, and every non-ASCII
            // cell of a single-byte file, goes through the table.
            if encoding != .unicode || source == .singleByte {
                transforms[column] = { detector.convert($0, from: encoding, source: source) }
            }
            if encoding != .unicode { converted.append((column, encoding)) }
        }
        reader.cellTransforms = transforms
        return (undecided, converted)
    }

    /// Rolls the import back: `--strict` with rejected lines, or nothing applied.
    private struct StrictRollback: Error {}
    /// Rolls the import back: a date that only reads month-first.
    private struct MonthFirstRollback: Error { let problem: RollProblem }

    /// A line with no content: every field empty or spaces (Excel's `,,,,,,` rows).
    @inline(__always)
    static func isBlank(_ fields: [String]) -> Bool {
        fields.allSatisfy { $0.isEmpty || FastText.trimmedWhitespaces($0).isEmpty }
    }

    struct Changes { var isNew = false; var count = 0; var account: RollImportSummary.AccountChange? }

    /// Inserts or updates one person and one grant, writing a history row per changed field.
    private func apply(_ row: RollRow, personFields: [(String, String?)], store: RollImportStatements, fileID: Int64, at now: String, actor: Actor, isFirstLineOfCode: Bool, knownAbsent: Bool) throws -> Changes {
        var changes = Changes()
        /// One history row.
        func history(_ category: String?, _ field: String, _ old: String?, _ new: String?) throws {
            try store.history(code: row.code, category: category, field: field, old: old, new: new, fileID: fileID, at: now, actor: actor)
        }
        // `knownAbsent`: neither the person nor the grant can be in the store (see the caller).
        let stored = knownAbsent ? nil : try store.comparePerson(code: row.code, with: personFields)
        let exists = stored != nil
        if let stored {
            // What differs is read before anything is written.
            let changed = stored.differences, flag = stored.accountFlag
            let newAccount = changed.first { $0.field == "account_no" }, newBIN = changed.first { $0.field == "bank_bin" }
            if newAccount != nil || newBIN != nil {
                // Where the money goes changed: listed in the summary, numbers masked.
                changes.account = .init(code: row.code, bankBINBefore: newBIN.map { $0.old } ?? row.bankBIN, bankBINAfter: row.bankBIN,
                                        accountMaskedBefore: (newAccount.map { $0.old } ?? row.accountNo).map(maskAccount),
                                        accountMaskedAfter: row.accountNo.map(maskAccount))
            }
            if let written = row.personalIDRestoredFrom, changed.contains(where: { $0.field == "personal_id" }) {
                try history(nil, "personal_id_leading_zeros_restored", PersonalID.masked(written), PersonalID.masked(row.personalID))
            }
            for c in changed {
                // Personal IDs and account numbers are kept masked in the history text.
                let masked = ["personal_id", "proxy_id"].contains(c.field) ? { (s: String?) in s.map(PersonalID.masked) }
                    : c.field == "account_no" ? { (s: String?) in s.map(maskAccount) } : { (s: String?) in s }
                try history(nil, c.field, masked(c.old), masked(c.new))
            }
            if !changed.isEmpty {
                // A new account (or bank) clears a rejection flag: the gap is closed by the new data.
                var clearFlag = false
                if changed.contains(where: { $0.field == "account_no" || $0.field == "bank_bin" || $0.field == "channel" }),
                   let flag {
                    clearFlag = true
                    try history(nil, "account_flag", flag, nil)
                }
                try store.updatePerson(code: row.code, changes: changed, clearAccountFlag: clearFlag, fileID: fileID, at: now)
                changes.count += changed.count
            }
        } else {
            try store.insertPerson(code: row.code, fields: personFields, status: row.status, fileID: fileID, at: now)
            try history(nil, "created", nil, row.category)
            if let written = row.personalIDRestoredFrom {
                // The file wrote the ID without its leading zeros (Excel); said in the person's history.
                try history(nil, "personal_id_leading_zeros_restored", PersonalID.masked(written), PersonalID.masked(row.personalID))
            }
            changes.isNew = true
            changes.count += 1
        }
        // The grant.
        if let changed = knownAbsent ? nil : try store.compareGrant(code: row.code, category: row.category, with: row.grantFields) {
            for c in changed {
                try history(row.category, c.field, c.old, c.new)
            }
            if !changed.isEmpty {
                try store.updateGrant(code: row.code, category: row.category, changes: changed, fileID: fileID)
                changes.count += changed.count
            }
        } else {
            try store.insertGrant(code: row.code, category: row.category, children: row.children, decisionNo: row.decisionNo,
                                decisionDate: row.decisionDate, startMonth: row.startMonth, endMonth: row.endMonth,
                                status: row.status, fileID: fileID, caredForBirthDates: row.caredForBirthDates)
            if exists || !isFirstLineOfCode {
                try history(row.category, "grant_added", nil, row.category)
                changes.count += 1
            }
        }
        return changes
    }

    /// The same personal ID under two codes; one person in two monthly categories.
    private func addDuplicateReport(_ summary: inout RollImportSummary) throws {
        let tariff = validator.tariff
        try db.writer.read { db in
            summary.duplicateIDs = try RollDuplicates.sharedPersonalIDs(db).map { d in
                .init(personalIDMasked: PersonalID.masked(d.personalID), codes: d.codes)
            }
            let current = YearMonth(year: validator.today.year, month: validator.today.month)!.description
            var byPerson: [String: (codes: Set<String>, cats: [String])] = [:]
            var order: [String] = []
            try RollDuplicates.forEachCurrentGrantOfPeopleWithSeveral(db, month: current) { pid, code, cat in
                // Only the categories that compete in the highest-only rule: not care support
                // (additive), not a single parent's amount (kept on top of the highest, Art. 6.2),
                // not a funeral-only line.
                guard let c = tariff.category(cat), c.scheme == .allowance || c.scheme == .pension, !c.stacksWithHighest else { return }
                if byPerson[pid] == nil { order.append(pid); byPerson[pid] = ([], []) }
                byPerson[pid]!.codes.insert(code)
                byPerson[pid]!.cats.append(cat)
            }
            summary.multipleCategories = order.compactMap { pid in
                let e = byPerson[pid]!
                return e.cats.count > 1 ? .init(personalIDMasked: PersonalID.masked(pid), codes: e.codes.sorted(), categories: e.cats) : nil
            }
        }
    }
}
