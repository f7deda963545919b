import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import ZIPFoundation

/// LibreOffice headless, to open the `.xlsx` files ChiTra writes the way a person's spreadsheet does.
///
/// Each run gets its own user profile (`-env:UserInstallation`), so tests running in parallel do
/// not collide, and a time limit. When `soffice` is missing the tests that need it say so and skip
/// (`ops/setup` installs `libreoffice-calc-nogui`; CI has it).
public enum LibreOffice {
    /// `soffice`, or nil when LibreOffice is not installed.
    public static let soffice: URL? = {
        ["/usr/bin/soffice", "/usr/local/bin/soffice", "/usr/lib/libreoffice/program/soffice"]
            .map(URL.init(fileURLWithPath:)).first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }()

    /// Why a test skipped, printed once per test.
    public static let missing = "soffice (LibreOffice) is not installed: the check that opens the .xlsx in LibreOffice is skipped (ops/setup installs libreoffice-calc-nogui)"

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Runs `soffice --headless --convert-to FILTER --outdir DIR FILE` with a profile of its own.
    public static func convert(_ file: URL, to filter: String, outDir: URL, timeout: TimeInterval = 180) throws {
        guard let soffice else { throw Failure(description: missing) }
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("lo-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: profile) }
        try FileManager.default.createDirectory(at: outDir, withIntermediateDirectories: true)
        let p = Process()
        p.executableURL = soffice
        p.arguments = ["-env:UserInstallation=file://\(profile.path)", "--headless", "--norestore", "--nolockcheck",
                       "--convert-to", filter, "--outdir", outDir.path, file.path]
        let log = outDir.appendingPathComponent(".soffice-\(UUID().uuidString).log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let h = try FileHandle(forWritingTo: log)
        p.standardOutput = h
        p.standardError = h
        var env = ProcessInfo.processInfo.environment
        env["HOME"] = profile.path
        p.environment = env
        try p.run()
        let deadline = Date().addingTimeInterval(timeout)
        while p.isRunning && Date() < deadline { usleep(50_000) }
        if p.isRunning {
            p.terminate()
            p.waitUntilExit()
            throw Failure(description: "soffice did not finish converting \(file.lastPathComponent) within \(Int(timeout)) s")
        }
        try? h.close()
        guard p.terminationStatus == 0 else {
            throw Failure(description: "soffice exited \(p.terminationStatus): \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
        }
    }

    /// Every sheet of `xlsx` as LibreOffice reads it, exported to CSV (UTF-8) with the raw values
    /// (`asShown: false`: 1250000, not 1,250,000) or as a person sees them (`asShown: true`):
    /// sheet name → rows of cells.
    public static func sheets(of xlsx: URL, asShown: Bool = false) throws -> [String: [[String]]] {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("lo-out-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: out) }
        // Filter options: comma, double quote, UTF-8, from line 1, …, as shown, formulas not
        // exported as formulas, …, sheet -1: every sheet to its own file `NAME-SHEET.csv`.
        let filter = "csv:Text - txt - csv (StarCalc):44,34,76,1,,1033,false,true,\(asShown),false,false,-1"
        try convert(xlsx, to: filter, outDir: out)
        let stem = xlsx.deletingPathExtension().lastPathComponent
        var result: [String: [[String]]] = [:]
        for f in try FileManager.default.contentsOfDirectory(atPath: out.path) where f.hasSuffix(".csv") {
            var name = String(f.dropLast(4))
            if name.hasPrefix(stem + "-") { name = String(name.dropFirst(stem.count + 1)) }
            result[name] = parseCSV(try String(contentsOf: out.appendingPathComponent(f), encoding: .utf8))
        }
        return result
    }

    /// RFC 4180 CSV (as LibreOffice writes it) into rows of cells.
    public static func parseCSV(_ text: String) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var quoted = false
        var it = Array(text.unicodeScalars).makeIterator()
        var pending: Unicode.Scalar? = nil
        func next() -> Unicode.Scalar? {
            if let p = pending { pending = nil; return p }
            return it.next()
        }
        while let c = next() {
            if quoted {
                if c == "\"" {
                    if let n = next() {
                        if n == "\"" { field.unicodeScalars.append("\"") } else { quoted = false; pending = n }
                    } else { quoted = false }
                } else { field.unicodeScalars.append(c) }
            } else if c == "\"" { quoted = true }
            else if c == "," { row.append(field); field = "" }
            else if c == "\n" || c == "\r" {
                if c == "\r", let n = next(), n != "\n" { pending = n }
                row.append(field); field = ""; rows.append(row); row = []
            } else { field.unicodeScalars.append(c) }
        }
        if !field.isEmpty || !row.isEmpty { row.append(field); rows.append(row) }
        return rows
    }
}

/// An `.xlsx` opened and its XML read back, to check what a spreadsheet will make of each cell.
public struct XLSXPackage {
    public struct Cell: Equatable {
        /// `t`: `s` shared string, `inlineStr`, `str`, `b`, or nil for a number.
        public var type: String?
        public var style: Int
        /// The value as stored (`v`), a shared string resolved to its text.
        public var value: String?
        public var formula: String?
        /// The cell's number format code (`@` text, `#,##0`, `dd/mm/yyyy`, `General`, …).
        public var numberFormat: String
        public var quotePrefix: Bool
        public var bold: Bool
        public var isText: Bool { type == "s" || type == "inlineStr" || type == "str" }
    }

    public struct Sheet {
        public var name: String
        public var cells: [String: Cell] = [:]
        /// Attributes of `pane`, `pageSetup`, `pageSetUpPr`, keyed by name.
        public var pane: [String: String] = [:]
        public var pageSetup: [String: String] = [:]
        public var pageSetUpPr: [String: String] = [:]
        public var columnWidths: [Double] = []
        public var oddHeader: String = ""
        /// The `Print_Titles` defined for this sheet (`'Name'!$5:$5`).
        public var printTitles: String?
        public subscript(_ ref: String) -> Cell? { cells[ref] }
    }

    public var entries: [String: Data] = [:]
    public var sheets: [Sheet] = []

    public init(url: URL) throws {
        let archive = try Archive(url: url, accessMode: .read)
        for entry in archive {
            var d = Data()
            _ = try archive.extract(entry) { d.append($0) }
            entries[entry.path] = d
        }
        let shared = try Self.sharedStrings(entries["xl/sharedStrings.xml"])
        let (formats, xfs, fonts) = try Self.styles(entries["xl/styles.xml"] ?? Data())
        let wb = XMLNodes(entries["xl/workbook.xml"] ?? Data())
        let names = wb.elements.filter { $0.name == "sheet" }.map { $0.attributes["name"] ?? "" }
        var titles: [Int: String] = [:]
        for d in wb.elements where d.name == "definedName" && d.attributes["name"] == "_xlnm.Print_Titles" {
            if let i = Int(d.attributes["localSheetId"] ?? "") { titles[i] = d.text }
        }
        for (i, name) in names.enumerated() {
            var sheet = Sheet(name: name)
            sheet.printTitles = titles[i]
            let x = XMLNodes(entries["xl/worksheets/sheet\(i + 1).xml"] ?? Data())
            var current: (ref: String, cell: Cell)?
            for e in x.elements {
                switch e.name {
                case "c":
                    if let c = current { sheet.cells[c.ref] = c.cell }
                    let s = Int(e.attributes["s"] ?? "0") ?? 0
                    let xf = s < xfs.count ? xfs[s] : (numFmt: 0, font: 0, quote: false)
                    current = (e.attributes["r"] ?? "", Cell(type: e.attributes["t"], style: s, value: nil, formula: nil,
                                                            numberFormat: formats[xf.numFmt] ?? "General", quotePrefix: xf.quote,
                                                            bold: xf.font < fonts.count ? fonts[xf.font] : false))
                case "v":
                    if current != nil {
                        current!.cell.value = current!.cell.type == "s" ? Int(e.text).flatMap { $0 < shared.count ? shared[$0] : nil } : e.text
                    }
                case "f": current?.cell.formula = e.text
                case "t" where current?.cell.type == "inlineStr":
                    let before = current?.cell.value ?? ""
                    current?.cell.value = before + e.text
                case "pane": sheet.pane = e.attributes
                case "pageSetup": sheet.pageSetup = e.attributes
                case "pageSetUpPr": sheet.pageSetUpPr = e.attributes
                case "col": sheet.columnWidths.append(Double(e.attributes["width"] ?? "") ?? 0)
                case "oddHeader": sheet.oddHeader = e.text
                default: break
                }
            }
            if let c = current { sheet.cells[c.ref] = c.cell }
            sheets.append(sheet)
        }
    }

    public func sheet(_ name: String) -> Sheet? { sheets.first { $0.name == name } }

    static func sharedStrings(_ data: Data?) throws -> [String] {
        guard let data else { return [] }
        var out: [String] = []
        var inSI = false
        for e in XMLNodes(data).elements {
            if e.name == "si" { out.append(""); inSI = true }
            if e.name == "t" && inSI { out[out.count - 1] += e.text }
        }
        return out
    }

    /// numFmtId → code; each cellXfs entry's numFmtId, fontId and quotePrefix; each font's boldness.
    static func styles(_ data: Data) throws -> ([Int: String], [(numFmt: Int, font: Int, quote: Bool)], [Bool]) {
        var formats: [Int: String] = [0: "General", 1: "0", 3: "#,##0", 14: "m/d/yyyy", 49: "@"]
        var xfs: [(Int, Int, Bool)] = []
        var fonts: [Bool] = []
        var section = ""
        for e in XMLNodes(data).elements {
            switch e.name {
            case "numFmt": if let id = Int(e.attributes["numFmtId"] ?? "") { formats[id] = e.attributes["formatCode"] }
            case "cellXfs", "cellStyleXfs", "fonts": section = e.name
            case "font" where section == "fonts": fonts.append(false)
            case "b" where section == "fonts": if !fonts.isEmpty { fonts[fonts.count - 1] = true }
            case "xf" where section == "cellXfs":
                xfs.append((Int(e.attributes["numFmtId"] ?? "0") ?? 0, Int(e.attributes["fontId"] ?? "0") ?? 0, e.attributes["quotePrefix"] == "1"))
            default: break
            }
        }
        return (formats, xfs, fonts)
    }
}

/// The elements of an XML document in document order, with their attributes and direct text
/// (Foundation's XMLParser; the documents are the ones ChiTra wrote, read by a test).
public struct XMLNodes {
    public struct Element { public var name: String; public var attributes: [String: String]; public var text: String }
    public private(set) var elements: [Element] = []
    public private(set) var error: Error?

    public init(_ data: Data) {
        let delegate = Collector()
        let parser = XMLParser(data: data)
        parser.delegate = delegate
        parser.shouldProcessNamespaces = false
        if !parser.parse() { error = parser.parserError }
        elements = delegate.elements
    }

    final class Collector: NSObject, XMLParserDelegate {
        var elements: [Element] = []
        var stack: [Int] = []
        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName qName: String?,
                    attributes attributeDict: [String: String] = [:]) {
            let local = elementName.split(separator: ":").last.map(String.init) ?? elementName
            elements.append(Element(name: local, attributes: attributeDict, text: ""))
            stack.append(elements.count - 1)
        }
        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
            _ = stack.popLast()
        }
        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if let i = stack.last { elements[i].text += string }
        }
    }
}

extension LibreOffice {
    /// Renders `xlsx` to PDF and its first page to PNG (`pdftoppm -png -r 60`) in `CHITRA_KEEP_XLSX`
    /// (when set, to look at the pages), as `NAME.pdf` and `NAME-1.png`; returns the PNG, or nil
    /// when the variable, soffice or pdftoppm is missing.
    @discardableResult
    public static func keepPicture(of xlsx: URL, name: String) throws -> URL? {
        guard let keep = ProcessInfo.processInfo.environment["CHITRA_KEEP_XLSX"], soffice != nil,
              FileManager.default.isExecutableFile(atPath: "/usr/bin/pdftoppm") else { return nil }
        let dir = URL(fileURLWithPath: keep)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("lo-pdf-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: work) }
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        let copy = work.appendingPathComponent(name + ".xlsx")
        try FileManager.default.copyItem(at: xlsx, to: copy)
        try convert(copy, to: "pdf", outDir: work)
        let pdf = dir.appendingPathComponent(name + ".pdf")
        try? FileManager.default.removeItem(at: pdf)
        try FileManager.default.copyItem(at: work.appendingPathComponent(name + ".pdf"), to: pdf)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/pdftoppm")
        p.arguments = ["-png", "-r", "60", "-f", "1", "-l", "1", pdf.path, dir.appendingPathComponent(name).path]
        try p.run()
        p.waitUntilExit()
        let png = try FileManager.default.contentsOfDirectory(at: dir, includingPropertiesForKeys: nil)
            .first { $0.lastPathComponent.hasPrefix(name + "-") && $0.pathExtension == "png" }
        return png
    }
}
