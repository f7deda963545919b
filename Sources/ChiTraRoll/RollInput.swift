import ChiTraCore
import ChiTraSheets
import Foundation

/// A roll file opened for reading whatever shape it came in, giving records (line, fields):
///
/// - a CSV in UTF-8 (with or without BOM), comma-separated — the export as the format describes it,
///   read by `CSVReader`'s fast path;
/// - a CSV with `;` between fields (Excel with Vietnamese regional settings), told from the header line;
/// - Excel's "Unicode text": UTF-16 LE or BE with a BOM, tab-separated (converted to UTF-8 in a
///   temporary file as it is read, so memory does not grow with the file);
/// - a single-byte file (not valid UTF-8: Windows-1258 from Excel's "CSV", or TCVN3/VNI bytes):
///   each cell as a Latin-1 string (byte 0xNN → U+00NN, lossless) and `source == .singleByte`, for
///   a per-column decision (`textColumnSamples`) and conversion (`cellTransforms`);
/// - an `.xlsx` workbook (`XLSXReader`): the first sheet or the one named, the Excel row number
///   as the line; its rows are spooled to a temporary file so the sheet is read once, streaming.
///
/// Everything detected is in `format`, `separator`, `encoding` and `sheet`, for the summary.
public final class RollInput {
    public enum Format: String, Sendable, Codable { case csv, xlsx }
    public enum Encoding: String, Sendable, Codable { case utf8, utf16le, utf16be, singleByte = "single_byte" }

    public struct Record: Sendable {
        public let line: Int
        public var fields: [String]
        /// Fields (0-based) that were numbers in the `.xlsx` (an ID or account number stored as a
        /// number has lost its leading zeros); empty for a CSV.
        public let numericFields: [Int]
        /// Fields (0-based) that were real dates in the `.xlsx` (given as `DD/MM/YYYY`); empty for a CSV.
        public let dateFields: [Int]
        public init(line: Int, fields: [String], numericFields: [Int] = [], dateFields: [Int] = []) {
            self.line = line; self.fields = fields; self.numericFields = numericFields; self.dateFields = dateFields
        }
    }

    public let url: URL
    public let format: Format
    public let encoding: Encoding
    /// `,`, `;` or a tab; nil for an `.xlsx`.
    public let separator: UInt8?
    /// The sheet read from an `.xlsx`.
    public let sheet: String?
    public var source: SourceBytes { encoding == .singleByte ? .singleByte : .unicode }
    /// Per field index: a conversion applied to that field of every record (the header line too),
    /// e.g. TCVN3 → Unicode once the column's encoding is decided. Identity when absent.
    public var cellTransforms: [Int: (String) -> String] = [:]

    /// How many bytes are looked at to tell UTF-8 from single bytes.
    public static let sniffBytes = 4 << 20

    private let csvURL: URL?
    /// Rows spooled from an `.xlsx` (its lines, header included).
    private var spooledRows: Int?
    private var csv: CSVReader?
    private var spool: Spool.Reader?
    private var headerWidth: Int?
    private var temporaries: [URL] = []

    public init(url: URL, sheet: String? = nil) throws {
        self.url = url
        let name = url.lastPathComponent
        guard let handle = FileHandle(forReadingAtPath: url.path) else {
            throw MessageError("roll.input.unreadable", ["file": .text(name)])
        }
        let head = [UInt8](handle.readData(ofLength: Self.sniffBytes))
        let atEnd = handle.readData(ofLength: 1).isEmpty
        try? handle.close()

        if head.starts(with: [0xD0, 0xCF, 0x11, 0xE0]) {
            throw MessageError("roll.input.xls", ["file": .text(name)])
        }
        if head.starts(with: [0x50, 0x4B, 0x03, 0x04]) || url.pathExtension.lowercased() == "xlsx" {
            let reader = try XLSXReader(url: url, sheet: sheet)
            let spoolURL = FileManager.default.temporaryDirectory.appendingPathComponent("chitra-roll-\(UUID().uuidString).rows")
            temporaries.append(spoolURL)
            do {
                let writer = try Spool.Writer(url: spoolURL)
                var rows = 0
                try reader.forEachRow { try writer.write($0); rows += 1 }
                spooledRows = rows
                try writer.close()
            } catch {
                try? FileManager.default.removeItem(at: spoolURL)
                throw error
            }
            format = .xlsx; encoding = .utf8; separator = nil; self.sheet = reader.sheetName
            csvURL = spoolURL
            spool = try Spool.Reader(url: spoolURL)
            return
        }
        if sheet != nil { throw MessageError("roll.input.sheet_not_xlsx", ["file": .text(name)]) }
        format = .csv; self.sheet = nil
        if head.starts(with: [0xFF, 0xFE]) || head.starts(with: [0xFE, 0xFF]) {
            let little = head[0] == 0xFF
            encoding = little ? .utf16le : .utf16be
            let out = FileManager.default.temporaryDirectory.appendingPathComponent("chitra-roll-\(UUID().uuidString).csv")
            temporaries.append(out)
            try Self.transcodeUTF16(url, to: out, littleEndian: little, file: name)
            csvURL = out
            separator = Self.separator(inHeaderOf: Array((try? FileHandle(forReadingFrom: out).readData(ofLength: 1 << 16)) ?? Data()), preferTab: true)
        } else {
            var check = SafeXMLReader.UTF8Check()
            let valid = check.feed(head, final: atEnd)
            encoding = valid ? .utf8 : .singleByte
            csvURL = url
            separator = Self.separator(inHeaderOf: head, preferTab: false)
        }
        csv = try CSVReader(url: csvURL!, separator: separator ?? 0x2C, singleByte: encoding == .singleByte)
    }

    deinit {
        for t in temporaries { try? FileManager.default.removeItem(at: t) }
    }

    /// The separator of the header line: the most frequent of `,` `;` and tab outside quotes
    /// (a comma on a tie; a tab first in "Unicode text").
    static func separator(inHeaderOf bytes: [UInt8], preferTab: Bool) -> UInt8 {
        var comma = 0, semicolon = 0, tab = 0, inQuotes = false
        var start = 0
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { start = 3 }
        for b in bytes[start...] {
            if b == 0x22 { inQuotes.toggle(); continue }
            if inQuotes { continue }
            if b == 0x0A || b == 0x0D { break }
            switch b { case 0x2C: comma += 1; case 0x3B: semicolon += 1; case 0x09: tab += 1; default: break }
        }
        if tab > 0 && (preferTab || (tab > comma && tab > semicolon)) { return 0x09 }
        return semicolon > comma ? 0x3B : 0x2C
    }

    /// Writes a UTF-16 file (after its BOM) as UTF-8, in chunks; an unpaired surrogate is refused.
    static func transcodeUTF16(_ src: URL, to dest: URL, littleEndian: Bool, file: String) throws {
        guard let input = FileHandle(forReadingAtPath: src.path),
              FileManager.default.createFile(atPath: dest.path, contents: nil, attributes: [.posixPermissions: 0o600]),
              let output = FileHandle(forWritingAtPath: dest.path) else {
            throw MessageError("roll.input.unreadable", ["file": .text(file)])
        }
        defer { try? input.close(); try? output.close() }
        _ = input.readData(ofLength: 2)   // the BOM
        var carry: [UInt8] = []
        var pendingHigh: UInt16?
        while true {
            let chunk = input.readData(ofLength: 1 << 20)
            if chunk.isEmpty { break }
            var bytes = carry; bytes.append(contentsOf: chunk)
            let usable = bytes.count & ~1
            carry = Array(bytes[usable...])
            var out: [UInt8] = []
            out.reserveCapacity(usable)
            var i = 0
            while i < usable {
                let u = littleEndian ? UInt16(bytes[i]) | UInt16(bytes[i + 1]) << 8 : UInt16(bytes[i]) << 8 | UInt16(bytes[i + 1])
                i += 2
                var scalar: Unicode.Scalar?
                if let high = pendingHigh {
                    pendingHigh = nil
                    guard (0xDC00...0xDFFF).contains(u) else { throw MessageError("roll.input.bad_utf16", ["file": .text(file)]) }
                    scalar = Unicode.Scalar((UInt32(high) - 0xD800) << 10 + (UInt32(u) - 0xDC00) + 0x10000)
                } else if (0xD800...0xDBFF).contains(u) {
                    pendingHigh = u; continue
                } else if (0xDC00...0xDFFF).contains(u) {
                    throw MessageError("roll.input.bad_utf16", ["file": .text(file)])
                } else {
                    scalar = Unicode.Scalar(u)
                }
                if let scalar { out.append(contentsOf: Array(String(Character(scalar)).utf8)) }
            }
            output.write(Data(out))
        }
        if !carry.isEmpty || pendingHigh != nil { throw MessageError("roll.input.bad_utf16", ["file": .text(file)]) }
    }

    /// The next record, or nil at the end. An `.xlsx` row shorter than the header (empty trailing
    /// cells) is padded to the header's width.
    public func next() throws -> Record? {
        var record: Record
        if let csv {
            guard let r = try csv.next() else { return nil }
            record = Record(line: r.line, fields: r.fields)
        } else if let spool {
            guard let r = try spool.next() else { return nil }
            record = Record(line: r.number, fields: r.cells, numericFields: r.numericColumns, dateFields: r.dateColumns)
            if let w = headerWidth, record.fields.count < w {
                record.fields += Array(repeating: "", count: w - record.fields.count)
            } else if headerWidth == nil {
                headerWidth = record.fields.count
            }
        } else {
            return nil
        }
        if !cellTransforms.isEmpty {
            for (i, f) in cellTransforms where i < record.fields.count { record.fields[i] = f(record.fields[i]) }
        }
        return record
    }

    /// About how many records the file holds (the header included), for a progress line: the rows
    /// of an `.xlsx`; the line breaks of a CSV (a quoted field over two lines counts twice, so the
    /// total is an upper bound that the progress corrects at the end).
    public func lineEstimate() -> Int? {
        if let spooledRows { return spooledRows }
        guard let csvURL, let handle = FileHandle(forReadingAtPath: csvURL.path) else { return nil }
        defer { try? handle.close() }
        var lines = 0, last: UInt8 = 0x0A
        while true {
            let chunk = handle.readData(ofLength: 1 << 20)
            if chunk.isEmpty { break }
            chunk.withUnsafeBytes { raw in
                for b in raw where b == 0x0A { lines += 1 }
                last = raw[raw.count - 1]
            }
        }
        return lines + (last == 0x0A ? 0 : 1)
    }

    /// A pre-pass over the whole file (the header line included), separate from `next()`: for each
    /// field index, its distinct cells holding a non-ASCII character, at most `limit` per column,
    /// in the order first seen — the samples a column's encoding is decided from.
    public func textColumnSamples(limit: Int) throws -> [Int: [String]] {
        var seen: [Int: Set<String>] = [:]
        var samples: [Int: [String]] = [:]
        func add(_ fields: [String]) {
            for (i, f) in fields.enumerated() where !f.utf8.allSatisfy({ $0 < 0x80 }) {
                if seen[i, default: []].count >= limit || seen[i]?.contains(f) == true { continue }
                seen[i, default: []].insert(f)
                samples[i, default: []].append(f)
            }
        }
        if let csvURL, format == .csv {
            let reader = try CSVReader(url: csvURL, separator: separator ?? 0x2C, singleByte: encoding == .singleByte)
            while let r = try reader.next() { add(r.fields) }
        } else if let csvURL {
            let reader = try Spool.Reader(url: csvURL)
            while let r = try reader.next() { add(r.cells) }
        }
        return samples
    }

    /// `.xlsx` rows kept in a temporary file: per row its number, the numeric columns and the cells.
    enum Spool {
        final class Writer {
            let handle: FileHandle
            var buffer: [UInt8] = []
            init(url: URL) throws {
                guard FileManager.default.createFile(atPath: url.path, contents: nil, attributes: [.posixPermissions: 0o600]),
                      let h = FileHandle(forWritingAtPath: url.path) else {
                    throw MessageError("roll.input.unreadable", ["file": .text(url.lastPathComponent)])
                }
                handle = h
            }
            func u32(_ v: Int) { withUnsafeBytes(of: UInt32(v).littleEndian) { buffer.append(contentsOf: $0) } }
            func write(_ row: XLSXRow) throws {
                u32(row.number); u32(row.cells.count); u32(row.numericColumns.count); u32(row.dateColumns.count)
                for c in row.numericColumns { u32(c) }
                for c in row.dateColumns { u32(c) }
                for c in row.cells { let b = Array(c.utf8); u32(b.count); buffer.append(contentsOf: b) }
                if buffer.count >= 1 << 20 { handle.write(Data(buffer)); buffer.removeAll(keepingCapacity: true) }
            }
            func close() throws {
                if !buffer.isEmpty { handle.write(Data(buffer)); buffer.removeAll() }
                try handle.close()
            }
        }

        final class Reader {
            let handle: FileHandle
            var buffer: [UInt8] = []
            var pos = 0
            var eof = false
            init(url: URL) throws {
                guard let h = FileHandle(forReadingAtPath: url.path) else {
                    throw MessageError("roll.input.unreadable", ["file": .text(url.lastPathComponent)])
                }
                handle = h
            }
            deinit { try? handle.close() }
            func need(_ n: Int) -> Bool {
                while buffer.count - pos < n {
                    if eof { return false }
                    let chunk = handle.readData(ofLength: max(1 << 20, n))
                    if chunk.isEmpty { eof = true; return false }
                    buffer.removeFirst(pos); pos = 0
                    buffer.append(contentsOf: chunk)
                }
                return true
            }
            func u32() -> Int? {
                guard need(4) else { return nil }
                let v = UInt32(buffer[pos]) | UInt32(buffer[pos + 1]) << 8 | UInt32(buffer[pos + 2]) << 16 | UInt32(buffer[pos + 3]) << 24
                pos += 4
                return Int(v)
            }
            func next() throws -> XLSXRow? {
                guard let number = u32(), let count = u32(), let nnum = u32(), let ndate = u32() else { return nil }
                var numeric: [Int] = [], dates: [Int] = []
                for _ in 0..<nnum { numeric.append(u32() ?? 0) }
                for _ in 0..<ndate { dates.append(u32() ?? 0) }
                var cells: [String] = []
                cells.reserveCapacity(count)
                for _ in 0..<count {
                    let n = u32() ?? 0
                    guard need(n) else { return nil }
                    cells.append(String(decoding: buffer[pos..<(pos + n)], as: UTF8.self))
                    pos += n
                }
                return XLSXRow(number: number, cells: cells, numericColumns: numeric, dateColumns: dates)
            }
        }
    }
}
