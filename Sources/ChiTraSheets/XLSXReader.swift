import ChiTraCore
import Foundation
import ZIPFoundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// Limits that keep a hostile `.xlsx` (a zip bomb, a sheet of a billion cells) from filling
/// memory or disk before it is refused.
public struct XLSXLimits: Sendable, Equatable {
    /// Most entries in the archive (a workbook holds a few dozen).
    public var maxEntries: Int
    /// Largest uncompressed size of one entry, counted while extracting (headers can lie).
    public var maxEntryBytes: UInt64
    /// Largest expansion of one entry over its compressed size (spreadsheet XML: 5–30×; a bomb: 1000× and more).
    public var maxRatio: UInt64
    /// Below this many extracted bytes the ratio is not checked (tiny parts compress oddly).
    public var ratioFloorBytes: UInt64

    public init(maxEntries: Int = 1_000, maxEntryBytes: UInt64 = 4 << 30, maxRatio: UInt64 = 200, ratioFloorBytes: UInt64 = 1 << 20) {
        self.maxEntries = maxEntries; self.maxEntryBytes = maxEntryBytes
        self.maxRatio = maxRatio; self.ratioFloorBytes = ratioFloorBytes
    }
}

/// One row of a sheet: its Excel row number and its cells' texts from column A (missing cells
/// empty), with the columns whose cell was a number (`numericColumns`, 0-based) and those whose
/// cell was a real date, a serial with a date format, given as `DD/MM/YYYY` (`dateColumns`).
public struct XLSXRow: Sendable, Equatable {
    public let number: Int
    public let cells: [String]
    public let numericColumns: [Int]
    public let dateColumns: [Int]
    public init(number: Int, cells: [String], numericColumns: [Int], dateColumns: [Int] = []) {
        self.number = number; self.cells = cells; self.numericColumns = numericColumns; self.dateColumns = dateColumns
    }
}

/// Reads the rows of one sheet of an `.xlsx` workbook (SpreadsheetML), streaming.
///
/// workbook.xml → the sheet by name (or the first) → its relationship → the sheet's XML, read
/// through `SafeXMLReader` (no DOCTYPE or ENTITY, limits on depth and text). Each part is first
/// extracted to a temporary file with its size counted while it is inflated (`XLSXLimits`); the
/// sheet is then parsed from that file element by element, so memory holds the shared strings
/// and one row, not the sheet.
///
/// Cells: shared strings (`t="s"`), inline strings, formula text (`t="str"`), booleans
/// (`TRUE`/`FALSE`), errors (`#N/A` as written), numbers as Excel shows them in the General
/// format (`79012345678`, `1.5`), and numbers in a date format (built-in ids 14–22, or a custom
/// format with d/m/y) as `DD/MM/YYYY` — `MM/YYYY` when the format has no day — from the 1900
/// date system (with Excel's 29 February 1900) or the 1904 one. Rows with no value are skipped.
public final class XLSXReader {
    public let file: String
    /// The sheet read (its name in the workbook).
    public let sheetName: String
    /// Every sheet of the workbook, in order.
    public let sheetNames: [String]
    public let date1904: Bool

    private let limits: XLSXLimits
    private let workDir: URL
    private let sheetURL: URL
    private let sharedStrings: [String]
    /// Style index → how a number in that style is shown.
    private let styleKinds: [NumberKind]

    enum NumberKind: Sendable { case general, date, monthYear }

    /// Opens `url` and readies the sheet named `sheet` (the first sheet when nil).
    /// Throws `MessageError` (`xlsx.read.*`) naming the file and what to do.
    public init(url: URL, sheet: String? = nil, limits: XLSXLimits = XLSXLimits()) throws {
        let name = url.lastPathComponent
        file = name
        self.limits = limits
        let archive: Archive
        do { archive = try Archive(url: url, accessMode: .read) } catch {
            throw MessageError("xlsx.read.not_zip", ["file": .text(name)])
        }
        var entries: [String: Entry] = [:]
        var count = 0
        for entry in archive {
            count += 1
            if count > limits.maxEntries {
                throw MessageError("xlsx.read.too_many_entries", ["file": .text(name), "limit": .int(limits.maxEntries)])
            }
            entries[entry.path] = entry
        }
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("chitra-xlsx-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        var ok = false
        defer { if !ok { try? FileManager.default.removeItem(at: work) } }

        func extract(_ path: String, required: Bool) throws -> URL? {
            guard let entry = entries[path] else {
                if required { throw MessageError("xlsx.read.missing_part", ["file": .text(name), "part": .text(path)]) }
                return nil
            }
            let dest = work.appendingPathComponent(String(entries.count) + "-" + path.replacingOccurrences(of: "/", with: "_"))
            try Self.extract(entry, archive: archive, to: dest, file: name, limits: limits)
            return dest
        }
        func parse(_ part: String, _ url: URL, _ handler: XMLEventHandler) throws {
            let xmlLimits = XMLLimits(maxFileBytes: limits.maxEntryBytes, maxTextBytes: 256 << 10, maxDepth: 64)
            do {
                try SafeXMLReader.prescan(url, limits: xmlLimits)
                try SafeXMLReader.parse(url, limits: xmlLimits, handler: handler, trimText: false)
            } catch {
                throw Self.message(error, part: part, file: name)
            }
        }

        // The workbook part (normally xl/workbook.xml), from the package relationships.
        var workbookPath = "xl/workbook.xml"
        if let rels = try extract("_rels/.rels", required: false) {
            let h = RelationshipsHandler()
            try parse("_rels/.rels", rels, h)
            if let t = h.targets.first(where: { $0.type.hasSuffix("/officeDocument") })?.target {
                workbookPath = t.hasPrefix("/") ? String(t.dropFirst()) : t
            }
        }
        let wb = WorkbookHandler()
        try parse(workbookPath, try extract(workbookPath, required: true)!, wb)
        let names = wb.sheets.map(\.name)
        guard !wb.sheets.isEmpty else { throw MessageError("xlsx.read.no_sheet", ["file": .text(name)]) }
        let chosen: (name: String, rid: String)
        if let sheet {
            guard let s = wb.sheets.first(where: { $0.name == sheet })
                    ?? wb.sheets.first(where: { VietnameseText.key($0.name) == VietnameseText.key(sheet) }) else {
                throw MessageError("xlsx.read.sheet_not_found", ["file": .text(name), "sheet": .text(SafeText.echo(sheet, limit: 60)),
                                                                 "sheets": .text(wb.sheets.map { "\"\(SafeText.echo($0.name, limit: 60))\"" }.joined(separator: ", "))])
            }
            chosen = s
        } else {
            chosen = wb.sheets[0]
        }

        // The workbook's relationships: the sheet's part, shared strings, styles.
        let dir = workbookPath.contains("/") ? String(workbookPath[..<workbookPath.lastIndex(of: "/")!]) : ""
        let relsPath = (dir.isEmpty ? "" : dir + "/") + "_rels/" + (workbookPath.split(separator: "/").last.map(String.init) ?? "workbook.xml") + ".rels"
        let rels = RelationshipsHandler()
        try parse(relsPath, try extract(relsPath, required: true)!, rels)
        func resolve(_ target: String) -> String {
            if target.hasPrefix("/") { return String(target.dropFirst()) }
            var parts = dir.isEmpty ? [] : dir.split(separator: "/").map(String.init)
            for p in target.split(separator: "/") {
                if p == ".." { if !parts.isEmpty { parts.removeLast() } } else if p != "." { parts.append(String(p)) }
            }
            return parts.joined(separator: "/")
        }
        guard let sheetTarget = rels.targets.first(where: { $0.id == chosen.rid })?.target else {
            throw MessageError("xlsx.read.missing_part", ["file": .text(name), "part": .text("\(relsPath) (\(chosen.rid))")])
        }
        let sheetPath = resolve(sheetTarget)

        var strings: [String] = []
        var kinds: [NumberKind] = []
        if let ssTarget = rels.targets.first(where: { $0.type.hasSuffix("/sharedStrings") })?.target,
           let ss = try extract(resolve(ssTarget), required: true) {
            let h = SharedStringsHandler()
            try parse(resolve(ssTarget), ss, h)
            strings = h.strings
            try? FileManager.default.removeItem(at: ss)
        }
        if let stTarget = rels.targets.first(where: { $0.type.hasSuffix("/styles") })?.target,
           let st = try extract(resolve(stTarget), required: true) {
            let h = StylesHandler()
            try parse(resolve(stTarget), st, h)
            kinds = h.xfFormats.map { Self.kind(ofFormat: $0, custom: h.formats) }
        }
        let sheetFile = try extract(sheetPath, required: true)!
        workDir = work; sheetURL = sheetFile; sheetPart = sheetPath
        sharedStrings = strings; styleKinds = kinds
        sheetNames = names; date1904 = wb.date1904; sheetName = chosen.name
        ok = true
    }

    private let sheetPart: String

    deinit { try? FileManager.default.removeItem(at: workDir) }

    /// Hands each row with a value to `body`, in the sheet's order.
    public func forEachRow(_ body: (XLSXRow) throws -> Void) throws {
        try withoutActuallyEscaping(body) { body in try forEachRow(escaping: body) }
    }

    private func forEachRow(escaping body: @escaping (XLSXRow) throws -> Void) throws {
        let h = SheetHandler(reader: self, body: body)
        let xmlLimits = XMLLimits(maxFileBytes: limits.maxEntryBytes, maxTextBytes: 256 << 10, maxDepth: 64)
        do {
            try SafeXMLReader.prescan(sheetURL, limits: xmlLimits)
            try SafeXMLReader.parse(sheetURL, limits: xmlLimits, handler: h, trimText: false)
        } catch let e as SafeXMLFailure {
            if let inner = h.failure { throw inner }
            throw Self.message(e, part: sheetPart, file: file)
        }
        if let inner = h.failure { throw inner }
    }

    /// All rows (tests and small sheets).
    public func rows() throws -> [XLSXRow] {
        var out: [XLSXRow] = []
        try forEachRow { out.append($0) }
        return out
    }

    // MARK: - Extraction with limits

    struct Stop: Error { let message: MessageError }

    static func extract(_ entry: Entry, archive: Archive, to dest: URL, file: String, limits: XLSXLimits) throws {
        guard FileManager.default.createFile(atPath: dest.path, contents: nil, attributes: [.posixPermissions: 0o600]),
              let out = FileHandle(forWritingAtPath: dest.path) else {
            throw MessageError("xlsx.read.unreadable", ["file": .text(file)])
        }
        defer { try? out.close() }
        var written: UInt64 = 0
        let compressed = max(entry.compressedSize, 1)
        // The declared size is only a first check: the bytes are counted as they come.
        if entry.uncompressedSize > limits.maxEntryBytes {
            throw MessageError("xlsx.read.entry_too_large", ["file": .text(file), "part": .text(entry.path), "limit": .int(Int(limits.maxEntryBytes >> 20))])
        }
        do {
            _ = try archive.extract(entry, bufferSize: 64 << 10, skipCRC32: false) { data in
                written += UInt64(data.count)
                if written > limits.maxEntryBytes {
                    throw Stop(message: MessageError("xlsx.read.entry_too_large", ["file": .text(file), "part": .text(entry.path), "limit": .int(Int(limits.maxEntryBytes >> 20))]))
                }
                if written > limits.ratioFloorBytes && written / compressed > limits.maxRatio {
                    throw Stop(message: MessageError("xlsx.read.zip_bomb", ["file": .text(file), "part": .text(entry.path),
                                                                             "ratio": .int(Int(limits.maxRatio))]))
                }
                out.write(data)
            }
        } catch let s as Stop {
            try? out.close(); try? FileManager.default.removeItem(at: dest)
            throw s.message
        } catch {
            try? out.close(); try? FileManager.default.removeItem(at: dest)
            throw MessageError("xlsx.read.damaged", ["file": .text(file), "part": .text(entry.path)])
        }
    }

    static func message(_ error: Error, part: String, file: String) -> Error {
        if error is MessageError { return error }
        guard let f = error as? SafeXMLFailure else { return error }
        switch f.kind {
        case .doctype, .declaresDTD, .declaresEntity:
            return MessageError("xlsx.read.doctype", ["file": .text(file), "part": .text(part)])
        case .notWellFormed(let line, _), .truncated(let line), .tooDeep(_, let line), .textTooLong(_, let line):
            return MessageError("xlsx.read.bad_xml", ["file": .text(file), "part": .text(part), "line": .int(line)])
        default:
            return MessageError("xlsx.read.bad_xml", ["file": .text(file), "part": .text(part), "line": .int(0)])
        }
    }

    // MARK: - Numbers, dates

    /// A number format: a date (built-in 14–22, or custom with d or y outside quotes and brackets;
    /// `m` alone with h or s is minutes), a month and year (no day), or anything else.
    static func kind(ofFormat id: Int, custom: [Int: String]) -> NumberKind {
        if let code = custom[id] { return kind(ofCode: code) }
        switch id {
        case 17: return .monthYear
        case 14...22: return .date
        default: return .general
        }
    }

    static func kind(ofCode code: String) -> NumberKind {
        var letters = ""
        var inQuote = false, inBracket = false, escaped = false
        // Only the first section (positive numbers) matters.
        for ch in code {
            if escaped { escaped = false; continue }
            if inQuote { if ch == "\"" { inQuote = false }; continue }
            if inBracket { if ch == "]" { inBracket = false }; continue }
            switch ch {
            case "\"": inQuote = true
            case "[": inBracket = true
            case "\\", "_", "*": escaped = true
            case ";": break
            default: letters.append(Character(ch.lowercased()))
            }
            if ch == ";" { break }
        }
        let hasDay = letters.contains("d"), hasYear = letters.contains("y")
        if hasDay { return .date }
        if hasYear { return .monthYear }
        return .general
    }

    /// An Excel date serial as (year, month, day). 1900 system: serial 1 is 1 January 1900 and
    /// Excel counts a 29 February 1900 that never was (serial 60, given as such so that it fails
    /// as a date); from serial 61 the days are counted from 30 December 1899. 1904 system: serial
    /// 0 is 1 January 1904. The time of day (the fraction) is dropped.
    public static func date(serial: Double, date1904: Bool) -> (year: Int, month: Int, day: Int)? {
        guard serial.isFinite, serial >= 0, serial < 2_958_466 else { return nil }
        let n = Int(serial.rounded(.down))
        if date1904 { return CivilDays.civil(CivilDays.day(1904, 1, 1) + n) }
        if n == 0 { return nil }
        if n == 60 { return (1900, 2, 29) }
        if n < 60 { return CivilDays.civil(CivilDays.day(1899, 12, 31) + n) }
        return CivilDays.civil(CivilDays.day(1899, 12, 30) + n)
    }

    /// A number's text as Excel's General format shows a whole number (`7.9012345678E10` →
    /// `79012345678`), or as written.
    static func numberText(_ v: String) -> String {
        let s = v.trimmedCell
        if s.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) || (s.hasPrefix("-") && s.utf8.dropFirst().allSatisfy({ $0 >= 0x30 && $0 <= 0x39 })) {
            return s
        }
        if let d = Decimal(string: s, locale: Locale(identifier: "en_US_POSIX")) {
            var r = Decimal(), x = d
            NSDecimalRound(&r, &x, 0, .plain)
            if r == d {
                let digits = NSDecimalNumber(decimal: d).stringValue
                // More than 15 significant digits are beyond a double's precision: keep Excel's form.
                if digits.filter(\.isNumber).count <= 15 || !s.lowercased().contains("e") { return digits }
            } else if !s.lowercased().contains("e") {
                return NSDecimalNumber(decimal: d).stringValue
            }
        }
        return s
    }

    /// A cell's text, whether it was a number, and whether it was a real date (a serial with a date format).
    func cell(type: String, style: Int, value: String?, inline: String) -> (text: String, numeric: Bool, date: Bool) {
        if type.isEmpty || type == "n", let v = value?.trimmedCell, !v.isEmpty {
            let kind = style >= 0 && style < styleKinds.count ? styleKinds[style] : .general
            if kind != .general, let serial = Double(v), let d = Self.date(serial: serial, date1904: date1904) {
                let dd = d.day < 10 ? "0\(d.day)" : "\(d.day)", mm = d.month < 10 ? "0\(d.month)" : "\(d.month)"
                return (kind == .monthYear ? "\(mm)/\(d.year)" : "\(dd)/\(mm)/\(d.year)", false, kind != .monthYear)
            }
        }
        let (text, numeric) = plainCellText(type: type, style: style, value: value, inline: inline)
        return (text, numeric, false)
    }

    private func plainCellText(type: String, style: Int, value: String?, inline: String) -> (String, numeric: Bool) {
        switch type {
        case "s":
            guard let v = value, let i = Int(v.trimmedCell), i >= 0, i < sharedStrings.count else { return ("", false) }
            return (sharedStrings[i], false)
        case "inlineStr": return (inline, false)
        case "str", "e": return (value ?? "", false)
        case "b": return (value?.trimmedCell == "1" ? "TRUE" : "FALSE", false)
        case "d":
            // An ISO date cell: keep the date part.
            let v = (value ?? "").trimmedCell
            return (String(v.prefix(10)), false)
        default:
            guard let v = value?.trimmedCell, !v.isEmpty else { return (inline, false) }
            let kind = style >= 0 && style < styleKinds.count ? styleKinds[style] : .general
            if kind != .general, let serial = Double(v), let d = Self.date(serial: serial, date1904: date1904) {
                let dd = d.day < 10 ? "0\(d.day)" : "\(d.day)", mm = d.month < 10 ? "0\(d.month)" : "\(d.month)"
                return (kind == .monthYear ? "\(mm)/\(d.year)" : "\(dd)/\(mm)/\(d.year)", false)
            }
            return (Self.numberText(v), true)
        }
    }

    // MARK: - Handlers

    final class RelationshipsHandler: XMLEventHandler {
        var targets: [(id: String, type: String, target: String)] = []
        func didStart(path: [String], attributes: [String: String], line: Int) {
            if path.last == "Relationship" {
                targets.append((attributes["Id"] ?? "", attributes["Type"] ?? "", attributes["Target"] ?? ""))
            }
        }
        func didEnd(path: [String], text: String, line: Int) {}
    }

    final class WorkbookHandler: XMLEventHandler {
        var sheets: [(name: String, rid: String)] = []
        var date1904 = false
        func didStart(path: [String], attributes: [String: String], line: Int) {
            switch path.last {
            case "sheet":
                let rid = attributes["r:id"] ?? attributes.first(where: { $0.key.hasSuffix(":id") || $0.key == "id" })?.value ?? ""
                sheets.append((attributes["name"] ?? "", rid))
            case "workbookPr":
                let v = attributes["date1904"]?.lowercased()
                date1904 = v == "1" || v == "true"
            default: break
            }
        }
        func didEnd(path: [String], text: String, line: Int) {}
    }

    final class SharedStringsHandler: XMLEventHandler {
        var strings: [String] = []
        var current = ""
        var inPhonetic = 0
        func didStart(path: [String], attributes: [String: String], line: Int) {
            if path.last == "si" { current = "" }
            if path.last == "rPh" { inPhonetic += 1 }
        }
        func didEnd(path: [String], text: String, line: Int) {
            switch path.last {
            case "t" where inPhonetic == 0: current += text
            case "rPh": inPhonetic -= 1
            case "si": strings.append(current)
            default: break
            }
        }
    }

    final class StylesHandler: XMLEventHandler {
        var formats: [Int: String] = [:]
        var xfFormats: [Int] = []
        func didStart(path: [String], attributes: [String: String], line: Int) {
            if path.ends(with: ["numFmts", "numFmt"]), let id = attributes["numFmtId"].flatMap({ Int($0) }) {
                formats[id] = attributes["formatCode"] ?? ""
            } else if path.ends(with: ["cellXfs", "xf"]) {
                xfFormats.append(attributes["numFmtId"].flatMap { Int($0) } ?? 0)
            }
        }
        func didEnd(path: [String], text: String, line: Int) {}
    }

    final class SheetHandler: XMLEventHandler {
        let reader: XLSXReader
        let body: (XLSXRow) throws -> Void
        var failure: Error?
        var shouldStop: Bool { failure != nil }
        var rowNumber = 0
        var cells: [String] = []
        var numeric: [Int] = []
        var dates: [Int] = []
        var nextColumn = 1
        var cellColumn = 0
        var cellType = "n"
        var cellStyle = 0
        var cellValue: String?
        var inline = ""
        var inPhonetic = 0

        init(reader: XLSXReader, body: @escaping (XLSXRow) throws -> Void) { self.reader = reader; self.body = body }

        func didStart(path: [String], attributes: [String: String], line: Int) {
            guard failure == nil else { return }
            switch path.last {
            case "row" where path.count >= 2 && path[path.count - 2] == "sheetData":
                if let r = attributes["r"] {
                    guard let n = Int(r), n > rowNumber, n <= CellReference.maxRow else {
                        failure = MessageError("xlsx.read.bad_row", ["file": .text(reader.file), "part": .text(reader.sheetPart), "row": .text(SafeText.echo(r, limit: 20))])
                        return
                    }
                    rowNumber = n
                } else {
                    rowNumber += 1
                }
                cells.removeAll(keepingCapacity: true); numeric.removeAll(); dates.removeAll(); nextColumn = 1
            case "c":
                if let r = attributes["r"] {
                    guard let ref = CellReference(r), ref.row == rowNumber else {
                        failure = MessageError("xlsx.read.bad_cell", ["file": .text(reader.file), "row": .int(rowNumber), "cell": .text(SafeText.echo(r, limit: 20))])
                        return
                    }
                    cellColumn = ref.column
                } else {
                    cellColumn = nextColumn
                }
                cellType = attributes["t"] ?? "n"
                cellStyle = attributes["s"].flatMap { Int($0) } ?? 0
                cellValue = nil; inline = ""
            case "rPh": inPhonetic += 1
            default: break
            }
        }

        func didEnd(path: [String], text: String, line: Int) {
            guard failure == nil else { return }
            switch path.last {
            case "v" where path.count >= 2 && path[path.count - 2] == "c": cellValue = text
            case "t" where inPhonetic == 0 && path.contains("is"): inline += text
            case "rPh": inPhonetic -= 1
            case "c":
                let (value, isNumber, isDate) = reader.cell(type: cellType, style: cellStyle, value: cellValue, inline: inline)
                nextColumn = cellColumn + 1
                guard !value.isEmpty else { return }
                if cells.count < cellColumn { cells += Array(repeating: "", count: cellColumn - cells.count) }
                cells[cellColumn - 1] = value
                if isNumber { numeric.append(cellColumn - 1) }
                if isDate { dates.append(cellColumn - 1) }
            case "row" where path.count >= 2 && path[path.count - 2] == "sheetData":
                if cells.contains(where: { !$0.trimmedCell.isEmpty }) {
                    do { try body(XLSXRow(number: rowNumber, cells: cells, numericColumns: numeric, dateColumns: dates)) } catch { failure = error }
                }
            default: break
            }
        }
    }
}
