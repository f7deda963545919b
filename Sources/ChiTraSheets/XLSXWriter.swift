import ChiTraCore
import ChiTraSigning
import Foundation
import ZIPFoundation

/// Writes `.xlsx` workbooks (Office Open XML SpreadsheetML) for the clerks who want Excel: the roll's
/// rejected lines, the reconciliation, the gaps worklist, the post office's payment list.
///
/// **Why a small writer of our own.** It is a few hundred lines of XML put in a zip with
/// ZIPFoundation, which ChiTra already depends on (it also *reads* `.xlsx` rolls). The alternative,
/// Debian's `libxlsxwriter-dev` behind a system-library target, would be one more C library to
/// install on every machine that builds ChiTra, for files this simple.
///
/// What every workbook it writes guarantees (`formats/xlsx-outputs.md`):
/// - **Text stays text.** A `.text` cell is a shared string in a cell formatted as Text (`@`), so
///   Excel never drops the leading zero of a personal ID or writes an account number as
///   `1,23E+15`. A text starting with `=`, `+`, `-` or `@` is still text, never a formula (a name
///   in a roll cannot inject one), and gets Excel's quote prefix so that editing the cell keeps it text.
/// - **Numbers are numbers.** Money is whole đồng with a thousands separator (`#,##0`), counts are
///   integers, dates are real dates shown `dd/mm/yyyy`.
/// - **A table a person can print.** Bold header row (Vietnamese), frozen below the header, column
///   widths fitted to the content, A4 (`paperSize` 9) fitted to the page width, landscape when the
///   table is wide, the header row repeated on every printed page, the sheet's title and page
///   numbers in the page header and footer.
/// - **Totals that show without recalculation.** A totals row holds `SUM` formulas *with their
///   cached values*, so a viewer that does not recalculate still shows them; the writer adds the
///   cells it wrote and refuses to write a total that differs, to the đồng, from the one the
///   caller expects.
/// - **Same input, same bytes.** Fixed zip timestamps and entry order, no creation date.
/// - Every string is XML-escaped, characters XML 1.0 forbids are dropped, and Excel's `_xHHHH_`
///   escapes are themselves escaped, so a cell shows exactly the text it was given.
/// - Written through `AtomicFileWriter` (temporary file, fsync, rename), mode 0600 by default:
///   these files hold personal data.
public enum XLSXWriter {
    /// Excel's last row and the longest text a cell holds.
    public static let maxRows = 1_048_576
    public static let maxCellText = 32_767
    /// Whole đồng beyond this lose digits in a spreadsheet (15 significant digits).
    public static let maxExactNumber: Int64 = 999_999_999_999_999

    /// The workbook's bytes (a zip), the same for the same workbook.
    public static func data(_ workbook: XLSXWorkbook) throws -> Data {
        let parts = try render(workbook)
        let archive = try Archive(data: Data(), accessMode: .create)
        // 1980-01-01 00:00 UTC: the earliest zip date; ZIPFoundation converts with gmtime, so the
        // stored date does not depend on the machine's time zone.
        let fixedDate = Date(timeIntervalSince1970: 315_532_800)
        for (path, bytes) in parts {
            try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(bytes.count), modificationDate: fixedDate,
                                 permissions: 0o644, compressionMethod: .deflate) { position, size in
                bytes.subdata(in: Int(position)..<Int(position) + size)
            }
        }
        guard let data = archive.data else { throw MessageError("sheets.write_failed", ["file": "(xlsx)"]) }
        return data
    }

    /// Writes the workbook to `url` whole or not at all (temporary file, fsync, rename).
    public static func write(_ workbook: XLSXWorkbook, to url: URL, mode: mode_t = 0o600) throws {
        guard url.pathExtension.lowercased() == "xlsx" else {
            throw MessageError("sheets.extension", ["file": .text(url.lastPathComponent)])
        }
        let bytes = try data(workbook)
        try AtomicFile.write(bytes, to: url, mode: mode)
    }

    // MARK: - Parts

    /// The package's parts in the order they are zipped.
    static func render(_ workbook: XLSXWorkbook) throws -> [(String, Data)] {
        guard !workbook.sheets.isEmpty else { throw MessageError("sheets.no_sheet") }
        var names = Set<String>()
        for s in workbook.sheets {
            guard XLSXWorkbook.isValidSheetName(s.name), names.insert(s.name.lowercased()).inserted else {
                throw MessageError("sheets.sheet_name", ["name": .text(SafeText.echo(s.name, limit: 60))])
            }
        }
        var strings = SharedStrings()
        var sheetParts: [Data] = []
        for s in workbook.sheets { sheetParts.append(Data(try sheetXML(s, strings: &strings).utf8)) }
        var parts: [(String, Data)] = [
            ("[Content_Types].xml", Data(contentTypes(sheetCount: workbook.sheets.count).utf8)),
            ("_rels/.rels", Data(rootRels.utf8)),
            ("docProps/app.xml", Data(appXML(workbook).utf8)),
            ("docProps/core.xml", Data(coreXML(workbook).utf8)),
            ("xl/workbook.xml", Data(workbookXML(workbook).utf8)),
            ("xl/_rels/workbook.xml.rels", Data(workbookRels(sheetCount: workbook.sheets.count).utf8)),
            ("xl/styles.xml", Data(stylesXML.utf8)),
            ("xl/sharedStrings.xml", Data(strings.xml().utf8)),
        ]
        for (i, d) in sheetParts.enumerated() { parts.append(("xl/worksheets/sheet\(i + 1).xml", d)) }
        return parts
    }

    static let header = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    static let main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    static let relNS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

    static func contentTypes(sheetCount: Int) -> String {
        var s = header + "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
        s += "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
        s += "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
        s += "<Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>"
        for i in 1...sheetCount {
            s += "<Override PartName=\"/xl/worksheets/sheet\(i).xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>"
        }
        s += "<Override PartName=\"/xl/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml\"/>"
        s += "<Override PartName=\"/xl/sharedStrings.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml\"/>"
        s += "<Override PartName=\"/docProps/core.xml\" ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/>"
        s += "<Override PartName=\"/docProps/app.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.extended-properties+xml\"/>"
        return s + "</Types>"
    }

    static let rootRels = header + """
        <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
        <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>\
        <Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>\
        <Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/>\
        </Relationships>
        """

    static func appXML(_ w: XLSXWorkbook) -> String {
        header + "<Properties xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties\"><Application>ChiTra</Application></Properties>"
    }

    /// Title and author only: no creation or modification date, so the bytes do not change with the clock.
    static func coreXML(_ w: XLSXWorkbook) -> String {
        header + "<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" "
            + "xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><dc:title>\(XMLText.escape(w.title))</dc:title><dc:creator>ChiTra</dc:creator></cp:coreProperties>"
    }

    static func workbookXML(_ w: XLSXWorkbook) -> String {
        var s = header + "<workbook xmlns=\"\(main)\" xmlns:r=\"\(relNS)\"><bookViews><workbookView activeTab=\"0\"/></bookViews><sheets>"
        for (i, sheet) in w.sheets.enumerated() {
            s += "<sheet name=\"\(XMLText.escape(sheet.name))\" sheetId=\"\(i + 1)\" r:id=\"rId\(i + 1)\"/>"
        }
        s += "</sheets><definedNames>"
        // The header row printed at the top of every page.
        for (i, sheet) in w.sheets.enumerated() {
            let row = sheet.headerRow
            let quoted = "'" + sheet.name.replacingOccurrences(of: "'", with: "''") + "'"
            s += "<definedName name=\"_xlnm.Print_Titles\" localSheetId=\"\(i)\">\(XMLText.escape(quoted))!$\(row):$\(row)</definedName>"
        }
        // Excel recalculates on opening; a viewer that does not shows the cached values.
        return s + "</definedNames><calcPr calcId=\"191029\" fullCalcOnLoad=\"1\"/></workbook>"
    }

    static func workbookRels(sheetCount: Int) -> String {
        var s = header + "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
        for i in 1...sheetCount {
            s += "<Relationship Id=\"rId\(i)\" Type=\"\(relNS)/worksheet\" Target=\"worksheets/sheet\(i).xml\"/>"
        }
        s += "<Relationship Id=\"rId\(sheetCount + 1)\" Type=\"\(relNS)/styles\" Target=\"styles.xml\"/>"
        s += "<Relationship Id=\"rId\(sheetCount + 2)\" Type=\"\(relNS)/sharedStrings\" Target=\"sharedStrings.xml\"/>"
        return s + "</Relationships>"
    }

    /// The cell formats, by index (`Style`).
    enum Style: Int {
        case plain = 0, text, textWrap, integer, money, date, header, totalText, totalMoney, totalInteger, title, note,
             textQuoted, textWrapQuoted, noteBold
    }

    static let stylesXML: String = {
        let font = "<name val=\"Times New Roman\"/><family val=\"1\"/><charset val=\"163\"/>"
        let top = "<alignment vertical=\"top\"/>"
        let wrap = "<alignment vertical=\"top\" wrapText=\"1\"/>"
        // numFmt, font, fill, border, alignment, extra attributes — in `Style` order.
        let xfs: [(Int, Int, Int, Int, String, String)] = [
            (0, 0, 0, 0, "", ""),
            (49, 0, 0, 1, top, ""),
            (49, 0, 0, 1, wrap, ""),
            (1, 0, 0, 1, top, ""),
            (164, 0, 0, 1, top, ""),
            (165, 0, 0, 1, "<alignment horizontal=\"center\" vertical=\"top\"/>", ""),
            (49, 1, 2, 1, "<alignment horizontal=\"center\" vertical=\"center\" wrapText=\"1\"/>", ""),
            (49, 1, 0, 1, top, ""),
            (164, 1, 0, 1, top, ""),
            (1, 1, 0, 1, top, ""),
            (49, 2, 0, 0, "", ""),
            (49, 0, 0, 0, "", ""),
            (49, 0, 0, 1, top, " quotePrefix=\"1\""),
            (49, 0, 0, 1, wrap, " quotePrefix=\"1\""),
            (49, 1, 0, 0, "", ""),
        ]
        var s = header + "<styleSheet xmlns=\"\(main)\">"
        s += "<numFmts count=\"2\"><numFmt numFmtId=\"164\" formatCode=\"#,##0\"/><numFmt numFmtId=\"165\" formatCode=\"dd/mm/yyyy\"/></numFmts>"
        s += "<fonts count=\"3\"><font><sz val=\"11\"/>\(font)</font><font><b/><sz val=\"11\"/>\(font)</font><font><b/><sz val=\"13\"/>\(font)</font></fonts>"
        s += "<fills count=\"3\"><fill><patternFill patternType=\"none\"/></fill><fill><patternFill patternType=\"gray125\"/></fill>"
        s += "<fill><patternFill patternType=\"solid\"><fgColor rgb=\"FFE7E6E6\"/><bgColor indexed=\"64\"/></patternFill></fill></fills>"
        let side = { (n: String) in "<\(n) style=\"thin\"><color auto=\"1\"/></\(n)>" }
        s += "<borders count=\"2\"><border><left/><right/><top/><bottom/><diagonal/></border>"
        s += "<border>\(side("left"))\(side("right"))\(side("top"))\(side("bottom"))<diagonal/></border></borders>"
        s += "<cellStyleXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\"/></cellStyleXfs>"
        s += "<cellXfs count=\"\(xfs.count)\">"
        for (n, f, fill, b, align, extra) in xfs {
            var a = "<xf numFmtId=\"\(n)\" fontId=\"\(f)\" fillId=\"\(fill)\" borderId=\"\(b)\" xfId=\"0\"\(extra)"
            if n != 0 { a += " applyNumberFormat=\"1\"" }
            if f != 0 { a += " applyFont=\"1\"" }
            if fill != 0 { a += " applyFill=\"1\"" }
            if b != 0 { a += " applyBorder=\"1\"" }
            a += align.isEmpty ? "/>" : " applyAlignment=\"1\">\(align)</xf>"
            s += a
        }
        s += "</cellXfs><cellStyles count=\"1\"><cellStyle name=\"Normal\" xfId=\"0\" builtinId=\"0\"/></cellStyles></styleSheet>"
        return s
    }()

    // MARK: - A sheet

    static func sheetXML(_ sheet: XLSXSheet, strings: inout SharedStrings) throws -> String {
        let columnCount = sheet.columns.count
        precondition(columnCount > 0, "a sheet has at least one column")
        let headerRow = sheet.headerRow
        let firstData = headerRow + 1
        let lastData = headerRow + sheet.rows.count
        let totalsRow = sheet.totals == nil ? nil : lastData + 1
        let lastRow = (totalsRow ?? lastData) + (sheet.notes.isEmpty ? 0 : 1 + sheet.notes.count)
        guard lastRow <= maxRows else {
            throw MessageError("sheets.too_many_rows", ["sheet": .text(sheet.name), "rows": .int(sheet.rows.count)])
        }
        for (i, row) in sheet.rows.enumerated() where row.count > columnCount {
            throw MessageError("sheets.row_too_wide", ["sheet": .text(sheet.name), "row": .int(headerRow + 1 + i)])
        }
        let widths = sheet.fittedWidths()
        let lastColumn = CellReference.columnName(columnCount)
        var s = header + "<worksheet xmlns=\"\(main)\" xmlns:r=\"\(relNS)\">"
        s += "<sheetPr><pageSetUpPr fitToPage=\"1\"/></sheetPr>"
        s += "<dimension ref=\"A1:\(lastColumn)\(lastRow)\"/>"
        let below = "A\(firstData)"
        s += "<sheetViews><sheetView workbookViewId=\"0\"><pane ySplit=\"\(headerRow)\" topLeftCell=\"\(below)\" activePane=\"bottomLeft\" state=\"frozen\"/>"
        s += "<selection pane=\"bottomLeft\" activeCell=\"\(below)\" sqref=\"\(below)\"/></sheetView></sheetViews>"
        s += "<sheetFormatPr defaultRowHeight=\"15\"/><cols>"
        for (i, w) in widths.enumerated() {
            s += "<col min=\"\(i + 1)\" max=\"\(i + 1)\" width=\"\(format(w))\" customWidth=\"1\"/>"
        }
        s += "</cols><sheetData>"

        func cell(_ ref: String, _ style: Style, text: String) {
            let index = strings.index(XMLText.cellText(text))
            s += "<c r=\"\(ref)\" s=\"\(style.rawValue)\" t=\"s\"><v>\(index)</v></c>"
        }
        func number(_ ref: String, _ style: Style, _ value: Int64) throws {
            guard value.magnitude <= maxExactNumber.magnitude else {
                throw MessageError("sheets.number_too_large", ["sheet": .text(sheet.name), "cell": .text(ref)])
            }
            s += "<c r=\"\(ref)\" s=\"\(style.rawValue)\"><v>\(value)</v></c>"
        }
        // Title lines, a blank line, then the table.
        for (i, line) in sheet.title.enumerated() {
            s += "<row r=\"\(i + 1)\"\(i == 0 ? " ht=\"18\" customHeight=\"1\"" : "")>"
            cell("A\(i + 1)", i == 0 ? .title : .noteBold, text: line)
            s += "</row>"
        }
        s += "<row r=\"\(headerRow)\" ht=\"\(format(15 * Double(sheet.headerLines(widths))))\" customHeight=\"1\">"
        for (c, col) in sheet.columns.enumerated() {
            cell(CellReference.columnName(c + 1) + String(headerRow), .header, text: col.header)
        }
        s += "</row>"
        var sums = [Int64](repeating: 0, count: columnCount)
        for (i, row) in sheet.rows.enumerated() {
            let r = firstData + i
            let lines = sheet.lines(of: row, widths: widths)
            s += "<row r=\"\(r)\"\(lines > 1 ? " ht=\"\(format(15 * Double(lines)))\"" : "")>"
            for (c, value) in row.enumerated() {
                let ref = CellReference.columnName(c + 1) + String(r)
                let wrap = sheet.columns[c].wrap
                switch value {
                case .empty:
                    s += "<c r=\"\(ref)\" s=\"\(wrap ? Style.textWrap.rawValue : Style.text.rawValue)\"/>"
                case .text(let t):
                    let quoted = XMLText.looksLikeFormula(t)
                    cell(ref, wrap ? (quoted ? .textWrapQuoted : .textWrap) : (quoted ? .textQuoted : .text), text: t)
                case .integer(let n):
                    try number(ref, .integer, n)
                    sums[c] = try add(sums[c], n)
                case .money(let m):
                    try number(ref, .money, m)
                    sums[c] = try add(sums[c], m)
                case .date(let d):
                    s += "<c r=\"\(ref)\" s=\"\(Style.date.rawValue)\"><v>\(excelSerial(d))</v></c>"
                }
            }
            // Cells missing at the end of a short row still get the table's border.
            if row.count < columnCount {
                for c in row.count..<columnCount {
                    s += "<c r=\"\(CellReference.columnName(c + 1))\(r)\" s=\"\(Style.text.rawValue)\"/>"
                }
            }
            s += "</row>"
        }
        if let totals = sheet.totals, let tr = totalsRow {
            s += "<row r=\"\(tr)\">"
            for c in 0..<columnCount {
                let ref = CellReference.columnName(c + 1) + String(tr)
                if let expected = totals.sums[c] {
                    // The total is what the cells above add up to, and what the caller says it is.
                    guard sums[c] == expected else {
                        throw MessageError("sheets.total_mismatch", ["sheet": .text(sheet.name), "column": .text(sheet.columns[c].header),
                                                                    "written": .money(sums[c]), "expected": .money(expected)])
                    }
                    let style: Style = totals.integerColumns.contains(c) ? .totalInteger : .totalMoney
                    guard expected.magnitude <= maxExactNumber.magnitude else {
                        throw MessageError("sheets.number_too_large", ["sheet": .text(sheet.name), "cell": .text(ref)])
                    }
                    if sheet.rows.isEmpty {
                        s += "<c r=\"\(ref)\" s=\"\(style.rawValue)\"><v>0</v></c>"
                    } else {
                        let col = CellReference.columnName(c + 1)
                        s += "<c r=\"\(ref)\" s=\"\(style.rawValue)\"><f>SUM(\(col)\(firstData):\(col)\(lastData))</f><v>\(expected)</v></c>"
                    }
                } else if c == totals.labelColumn {
                    cell(ref, .totalText, text: totals.label)
                } else if let t = totals.texts[c] {
                    cell(ref, .totalText, text: t)
                } else {
                    s += "<c r=\"\(ref)\" s=\"\(Style.totalText.rawValue)\"/>"
                }
            }
            s += "</row>"
        }
        let notesStart = (totalsRow ?? lastData) + 2
        for (i, line) in sheet.notes.enumerated() {
            s += "<row r=\"\(notesStart + i)\">"
            cell("A\(notesStart + i)", .note, text: line)
            s += "</row>"
        }
        s += "</sheetData>"
        s += "<printOptions horizontalCentered=\"1\"/>"
        s += "<pageMargins left=\"0.4\" right=\"0.4\" top=\"0.6\" bottom=\"0.6\" header=\"0.3\" footer=\"0.3\"/>"
        let landscape = sheet.landscape ?? (widths.reduce(0, +) > 100)
        s += "<pageSetup paperSize=\"9\" orientation=\"\(landscape ? "landscape" : "portrait")\" fitToWidth=\"1\" fitToHeight=\"0\"/>"
        // The sheet's title at the top of every page, page numbers at the bottom (`&` is a code there: `&&`).
        let printTitle = XMLText.cellText(sheet.printTitle ?? sheet.title.first ?? sheet.name).replacingOccurrences(of: "&", with: "&&")
        s += "<headerFooter><oddHeader>\(XMLText.escape("&C" + printTitle))</oddHeader>"
        s += "<oddFooter>\(XMLText.escape("&CTrang &P/&N"))</oddFooter></headerFooter>"
        return s + "</worksheet>"
    }

    static func add(_ a: Int64, _ b: Int64) throws -> Int64 {
        let (r, o) = a.addingReportingOverflow(b)
        if o { throw MoneyError.overflow }
        return r
    }

    /// Days since 30 December 1899: the day number a spreadsheet shows as a date (1 March 1900 on,
    /// past Excel's phantom 29 February 1900; ChiTra's dates are all later).
    public static func excelSerial(_ d: CivilDate) -> Int {
        CivilDays.day(d.year, d.month, d.day) - CivilDays.day(1899, 12, 30)
    }

    /// `12.5`, `8` — a width or height without trailing zeros, the same on every machine.
    static func format(_ v: Double) -> String {
        let tenths = Int((v * 10).rounded())
        return tenths % 10 == 0 ? String(tenths / 10) : "\(tenths / 10).\(tenths % 10)"
    }
}

/// The strings of a workbook, each stored once (`xl/sharedStrings.xml`).
struct SharedStrings {
    private var index: [String: Int] = [:]
    private var ordered: [String] = []
    private(set) var uses = 0

    mutating func index(_ s: String) -> Int {
        uses += 1
        if let i = index[s] { return i }
        index[s] = ordered.count
        ordered.append(s)
        return ordered.count - 1
    }

    func xml() -> String {
        var s = XLSXWriter.header + "<sst xmlns=\"\(XLSXWriter.main)\" count=\"\(uses)\" uniqueCount=\"\(ordered.count)\">"
        for t in ordered { s += "<si><t xml:space=\"preserve\">\(XMLText.escape(t))</t></si>" }
        return s + "</sst>"
    }
}

/// Text as SpreadsheetML holds it.
enum XMLText {
    /// `&`, `<`, `>`, `"` and `'` as entities.
    static func escape(_ s: String) -> String {
        guard s.utf8.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27 }) else { return s }
        var out = ""
        out.reserveCapacity(s.utf8.count + 16)
        for ch in s.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.unicodeScalars.append(ch)
            }
        }
        return out
    }

    /// The text a cell holds: NFC, without the characters XML 1.0 forbids (controls other than tab,
    /// LF and CR; U+FFFE, U+FFFF), with a literal `_xHHHH_` escaped as `_x005F_xHHHH_` (Excel reads
    /// `_xHHHH_` as the character HHHH), cut at Excel's 32,767 characters.
    static func cellText(_ raw: String) -> String {
        var s = raw.precomposedStringWithCanonicalMapping
        if s.unicodeScalars.contains(where: { !allowed($0) }) {
            var kept = String.UnicodeScalarView()
            kept.append(contentsOf: s.unicodeScalars.filter(allowed))
            s = String(kept)
        }
        if s.contains("_x") { s = escapeExcelEscapes(s) }
        if s.count > XLSXWriter.maxCellText { s = String(s.prefix(XLSXWriter.maxCellText - 1)) + "…" }
        return s
    }

    static func allowed(_ u: Unicode.Scalar) -> Bool {
        switch u.value {
        case 0x09, 0x0A, 0x0D: return true
        case 0..<0x20: return false
        case 0xFFFE, 0xFFFF: return false
        default: return true
        }
    }

    /// `_x0041_` → `_x005F_x0041_`.
    static func escapeExcelEscapes(_ s: String) -> String {
        let scalars = Array(s.unicodeScalars)
        var out = String.UnicodeScalarView()
        var i = 0
        while i < scalars.count {
            if scalars[i] == "_", i + 6 < scalars.count, scalars[i + 1] == "x" || scalars[i + 1] == "X",
               scalars[(i + 2)...(i + 5)].allSatisfy({ $0.properties.isASCIIHexDigit }), scalars[i + 6] == "_" {
                out.append(contentsOf: "_x005F_".unicodeScalars)
            } else {
                out.append(scalars[i])
            }
            i += 1
        }
        return String(out)
    }

    /// A text Excel would take for a formula if someone typed it: `=`, `+`, `-`, `@` first.
    static func looksLikeFormula(_ s: String) -> Bool {
        guard let f = s.unicodeScalars.first else { return false }
        return f == "=" || f == "+" || f == "-" || f == "@"
    }
}
