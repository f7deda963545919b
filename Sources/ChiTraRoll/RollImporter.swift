import ChiTraCore
import ChiTraSigning
import ChiTraStore
import Foundation
import GRDB

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
        if let prev = try db.writer.read({ db in
            try Row.fetchOne(db, sql: "SELECT id, imported_at FROM import_file WHERE kind = 'roll' AND sha256 = ?", arguments: [summary.sha256])
        }) {
            summary.alreadyImported = true
            summary.fileID = prev["id"]
            summary.previousImportAt = prev["imported_at"]
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
                try db.execute(sql: """
                    INSERT INTO import_file(sha256, kind, name, imported_at, imported_by, imported_by_user, rows_total, rows_applied, rows_unchanged, rows_rejected)
                    VALUES (?, 'roll', ?, ?, ?, ?, 0, 0, 0, 0)
                    """, arguments: [summary.sha256, name, now, actor.username, actor.userID])
                let fileID = db.lastInsertedRowID
                summary.fileID = fileID
                // Per code seen in the file: its first line, the categories of its lines (an index into
                // `categories`) and whether this import created the person. A national roll has millions
                // of codes, so they are kept in a temporary table (`RollSeenCodes`: SQLite's temp store,
                // paged to disk) rather than in memory. The person values of the first line are not kept:
                // once that line is applied the store holds exactly them, and later lines of the code are
                // compared with the store.
                let sql = try RollImportStatements(db, insertPersonSQL: Self.insertPersonSQL)
                let seen = try RollSeenCodes(db, sql: sql)
                // A first load (nobody in the store yet): a code not seen earlier in this file has no
                // person and no grant in the store, so `apply` need not look them up.
                let storeWasEmpty = try !Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM beneficiary) OR EXISTS (SELECT 1 FROM grant_record)")!
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
                while let rec = try reader.next() {
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
                    if Self.isBlank(rec.fields) { summary.blankLines += 1; continue }
                    summary.lines += 1
                    let row: RollRow
                    switch validator.validate(fields: rec.fields, line: rec.line, header: header, file: name, numericFields: rec.numericFields) {
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
                        sql.reset(sql.selectPerson)
                        try sql.bind(sql.selectPerson, 1, row.code)
                        guard try sql.step(sql.selectPerson) else {
                            throw StoreError("\(name), line \(rec.line): code \(row.code) was imported from line \(first.line) but is not in the store; nothing was imported")
                        }
                        var differing: [String] = []
                        for (i, (field, value)) in personFields.enumerated() where !sql.columnEquals(sql.selectPerson, Int32(i), value) {
                            differing.append(field)
                        }
                        sql.reset(sql.selectPerson)
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
                    for w in validator.warnings(for: row) {
                        summary.warningCount += 1
                        if summary.warnings.count < warningLimit { summary.warnings.append(w) }
                    }
                    let isFirstLineOfCode = firstLine == rec.line
                    let changes = try apply(row, personFields: personFields, sql: sql, db: db, fileID: fileID, at: now, actor: actor, isFirstLineOfCode: isFirstLineOfCode,
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
                try Self.deriveStatus(db, fileID: fileID, at: now, actor: actor)
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
                try db.execute(sql: "UPDATE import_file SET rows_total = ?, rows_applied = ?, rows_unchanged = ?, rows_rejected = ? WHERE id = ?",
                               arguments: [summary.lines, summary.applied, summary.unchanged, summary.rejected, fileID])
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

    /// A person's status follows their grants: active if any grant is active, else suspended if
    /// any is, else stopped. A death reported by a return keeps the person suspended whatever the
    /// roll says, until an officer closes that flag.
    static func deriveStatus(_ db: Database, fileID: Int64, at now: String, actor: Actor) throws {
        let derived = """
            CASE WHEN EXISTS (SELECT 1 FROM grant_record g WHERE g.code = b.code AND g.status = 'active')
                 THEN CASE WHEN EXISTS (SELECT 1 FROM beneficiary_flag f WHERE f.beneficiary_code = b.code
                                        AND f.kind = 'deceased_reported' AND f.closed_at IS NULL) THEN 'suspended' ELSE 'active' END
                 WHEN EXISTS (SELECT 1 FROM grant_record g WHERE g.code = b.code AND g.status = 'suspended') THEN 'suspended'
                 ELSE 'stopped' END
            """
        let touched = "b.code IN (SELECT code FROM grant_record WHERE last_file_id = ?)"
        // History first (old → new), then the change, for people whose derived status differs.
        try db.execute(sql: """
            INSERT INTO roll_change(code, category, field, old_value, new_value, file_id, source, changed_at, changed_by, changed_by_user)
            SELECT code, NULL, 'status', status, new_status, ?, 'import', ?, ?, ? FROM (
                SELECT b.code, b.status, \(derived) AS new_status, b.first_file_id FROM beneficiary b WHERE \(touched))
            WHERE new_status <> status AND first_file_id <> ?
            """, arguments: [fileID, now, actor.username, actor.userID, fileID, fileID])
        try db.execute(sql: "UPDATE beneficiary AS b SET status = \(derived) WHERE \(touched) AND status <> \(derived)", arguments: [fileID])
    }

    /// A stored value as the text the roll would carry (integers as digits).
    static func text(_ row: Row, _ field: String) -> String? {
        let dbv: DatabaseValue = row[field]
        switch dbv.storage {
        case .null: return nil
        case .int64(let i): return String(i)
        case .double(let d): return String(d)
        case .string(let s): return s
        case .blob: return nil
        }
    }

    struct Changes { var isNew = false; var count = 0; var account: RollImportSummary.AccountChange? }

    /// Inserts or updates one person and one grant, writing a history row per changed field.
    /// The INSERT of a new person: the columns of `RollRow.personFields`, in that order.
    private static let insertPersonSQL: String = {
        let cols = RollRow.personColumns
        return "INSERT INTO beneficiary(code, \(cols.joined(separator: ", ")), status, first_file_id, last_file_id, updated_at) VALUES (?, \(cols.map { _ in "?" }.joined(separator: ", ")), ?, ?, ?, ?)"
    }()

    private func apply(_ row: RollRow, personFields: [(String, String?)], sql: RollImportStatements, db: Database, fileID: Int64, at now: String, actor: Actor, isFirstLineOfCode: Bool, knownAbsent: Bool) throws -> Changes {
        var changes = Changes()
        /// One history row (the statement is bound in the column order of its INSERT).
        func history(_ category: String?, _ field: String, _ old: String?, _ new: String?) throws {
            let h = sql.insertHistory
            try sql.bind(h, 1, row.code); try sql.bind(h, 2, category); try sql.bind(h, 3, field)
            try sql.bind(h, 4, old); try sql.bind(h, 5, new); try sql.bind(h, 6, fileID)
            try sql.bind(h, 7, now); try sql.bind(h, 8, actor.username); try sql.bind(h, 9, actor.userID)
            try sql.execute(h)
        }
        // `knownAbsent`: neither the person nor the grant can be in the store (see the caller).
        let person = sql.selectPerson
        let exists: Bool
        if knownAbsent {
            exists = false
        } else {
            sql.reset(person)
            try sql.bind(person, 1, row.code)
            exists = try sql.step(person)
        }
        if exists {
            // Read what differs before writing anything (the SELECT's row is read in place).
            var changed: [(field: String, old: String?, new: String?)] = []
            for (i, (field, value)) in personFields.enumerated() where !sql.columnEquals(person, Int32(i), value) {
                changed.append((field, sql.text(person, Int32(i)), value))
            }
            let flag = changed.isEmpty ? nil : sql.text(person, RollImportStatements.accountFlagColumn)
            sql.reset(person)
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
            for (field, old, value) in changed {
                // Personal IDs and account numbers are kept masked in the history text.
                let masked = ["personal_id", "proxy_id"].contains(field) ? { (s: String?) in s.map(PersonalID.masked) }
                    : field == "account_no" ? { (s: String?) in s.map(maskAccount) } : { (s: String?) in s }
                try history(nil, field, masked(old), masked(value))
            }
            if !changed.isEmpty {
                var sets = changed.map { "\($0.field) = ?" }.joined(separator: ", ")
                // A new account (or bank) clears a rejection flag: the gap is closed by the new data.
                if changed.contains(where: { $0.field == "account_no" || $0.field == "bank_bin" || $0.field == "channel" }),
                   let flag {
                    sets += ", account_flag = NULL, account_flag_at = NULL, account_flag_ref = NULL"
                    try history(nil, "account_flag", flag, nil)
                }
                var args = StatementArguments(changed.map { $0.new })
                args += [fileID, now, row.code]
                try db.execute(sql: "UPDATE beneficiary SET \(sets), last_file_id = ?, updated_at = ? WHERE code = ?", arguments: args)
                changes.count += changed.count
            }
        } else {
            assert(personFields.map(\.0) == RollRow.personColumns)
            // code, the person columns, status, first_file_id, last_file_id, updated_at
            let ins = sql.insertPerson
            try sql.bind(ins, 1, row.code)
            var i: Int32 = 2
            for (_, value) in personFields { try sql.bind(ins, i, value); i += 1 }
            try sql.bind(ins, i, row.status.rawValue)
            try sql.bind(ins, i + 1, fileID)
            try sql.bind(ins, i + 2, fileID)
            try sql.bind(ins, i + 3, now)
            try sql.execute(ins)
            try history(nil, "created", nil, row.category)
            if let written = row.personalIDRestoredFrom {
                // The file wrote the ID without its leading zeros (Excel); said in the person's history.
                try history(nil, "personal_id_leading_zeros_restored", PersonalID.masked(written), PersonalID.masked(row.personalID))
            }
            changes.isNew = true
            changes.count += 1
        }
        // The grant.
        let grantFields = row.grantFields
        assert(grantFields.map(\.0) == RollImportStatements.grantColumns)
        let grant = sql.selectGrant
        let grantExists: Bool
        if knownAbsent {
            grantExists = false
        } else {
            sql.reset(grant)
            try sql.bind(grant, 1, row.code)
            try sql.bind(grant, 2, row.category)
            grantExists = try sql.step(grant)
        }
        if grantExists {
            var changed: [(field: String, old: String?, new: String?)] = []
            for (i, (field, value)) in grantFields.enumerated() where !sql.columnEquals(grant, Int32(i), value) {
                changed.append((field, sql.text(grant, Int32(i)), value))
            }
            sql.reset(grant)
            for (field, old, value) in changed {
                try history(row.category, field, old, value)
            }
            if !changed.isEmpty {
                let sets = changed.map { "\($0.field) = ?" }.joined(separator: ", ")
                var args = StatementArguments(changed.map { $0.new })
                args += [fileID, row.code, row.category]
                try db.execute(sql: "UPDATE grant_record SET \(sets), last_file_id = ? WHERE code = ? AND category = ?", arguments: args)
                changes.count += changed.count
            }
        } else {
            let ins = sql.insertGrant
            try sql.bind(ins, 1, row.code); try sql.bind(ins, 2, row.category); try sql.bind(ins, 3, row.children.map(Int64.init))
            try sql.bind(ins, 4, row.decisionNo); try sql.bind(ins, 5, row.decisionDate.description)
            try sql.bind(ins, 6, row.startMonth.description); try sql.bind(ins, 7, row.endMonth?.description)
            try sql.bind(ins, 8, row.status.rawValue); try sql.bind(ins, 9, fileID)
            try sql.bind(ins, 10, CaredForBirthDates.stored(row.caredForBirthDates))
            try sql.execute(ins)
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
            let dup = try Row.fetchAll(db, sql: """
                SELECT personal_id, group_concat(code, ' ') AS codes FROM beneficiary
                WHERE status <> 'stopped' GROUP BY personal_id HAVING count(*) > 1 ORDER BY personal_id
                """)
            summary.duplicateIDs = dup.map { r in
                .init(personalIDMasked: PersonalID.masked(r["personal_id"]), codes: (r["codes"] as String).split(separator: " ").map(String.init).sorted())
            }
            let current = YearMonth(year: validator.today.year, month: validator.today.month)!.description
            // Only people with more than one current grant can have two monthly categories: the
            // others are left in the store (a national roll has millions of them).
            let rows = try Row.fetchCursor(db, sql: """
                SELECT b.personal_id, g.code, g.category FROM grant_record g JOIN beneficiary b ON b.code = g.code
                WHERE b.status <> 'stopped' AND (g.end_month IS NULL OR g.end_month >= ?)
                  AND b.personal_id IN (
                    SELECT b2.personal_id FROM grant_record g2 JOIN beneficiary b2 ON b2.code = g2.code
                    WHERE b2.status <> 'stopped' AND (g2.end_month IS NULL OR g2.end_month >= ?)
                    GROUP BY b2.personal_id HAVING count(*) > 1)
                ORDER BY b.personal_id, g.code, g.category
                """, arguments: [current, current])
            var byPerson: [String: (codes: Set<String>, cats: [String])] = [:]
            var order: [String] = []
            while let r = try rows.next() {
                let cat: String = r["category"]
                // Only the categories that compete in the highest-only rule: not care support
                // (additive), not a single parent's amount (kept on top of the highest, Art. 6.2),
                // not a funeral-only line.
                guard let c = tariff.category(cat), c.scheme == .allowance || c.scheme == .pension, !c.stacksWithHighest else { continue }
                let pid: String = r["personal_id"]
                if byPerson[pid] == nil { order.append(pid); byPerson[pid] = ([], []) }
                byPerson[pid]!.codes.insert(r["code"])
                byPerson[pid]!.cats.append(cat)
            }
            summary.multipleCategories = order.compactMap { pid in
                let e = byPerson[pid]!
                return e.cats.count > 1 ? .init(personalIDMasked: PersonalID.masked(pid), codes: e.codes.sorted(), categories: e.cats) : nil
            }
        }
    }
}
