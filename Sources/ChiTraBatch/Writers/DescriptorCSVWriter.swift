import ChiTraCore
import Foundation

/// The declarative definition of a CSV-style payout format, as read from `formats/payout-formats.json`.
public struct CSVFormatDescriptor: Sendable, Equatable {
    /// What a column holds on the totals row.
    public enum TotalCell: String, Sendable, CaseIterable { case label, count, sum }

    public enum LineEnding: String, Sendable, CaseIterable {
        case crlf, lf
        var bytes: [UInt8] { self == .crlf ? [0x0D, 0x0A] : [0x0A] }

        @inline(__always) func append(to out: inout ByteSink) {
            if self == .crlf { out.append(byte: 0x0D) }
            out.append(byte: 0x0A)
        }
    }

    public struct Column: Sendable, Equatable {
        public var header: String
        public var field: PayoutField
        /// Refuse a line whose value is empty.
        public var required: Bool
        /// Refuse a line whose value is longer (in characters).
        public var maxLength: Int?
        /// What the column shows on the totals row (nothing if nil).
        public var total: TotalCell?

        public init(header: String, field: PayoutField, required: Bool = false, maxLength: Int? = nil, total: TotalCell? = nil) {
            self.header = header
            self.field = field
            self.required = required
            self.maxLength = maxLength
            self.total = total
        }
    }

    public var fileExtension: String
    /// Start with the UTF-8 byte order mark (Excel needs it to read Vietnamese correctly).
    public var bom: Bool
    /// One ASCII character: `,`, `;` or tab.
    public var delimiter: Character
    public var lineEnding: LineEnding
    public var headerRow: Bool
    /// The label of the totals row (`Tổng cộng`); nil writes no totals row.
    public var totalsLabel: String?
    /// Lines are ordered by these fields, then by reference; empty keeps the document's order.
    public var sort: [PayoutField]
    public var columns: [Column]

    public init(fileExtension: String = "csv", bom: Bool, delimiter: Character = ",", lineEnding: LineEnding = .crlf,
                headerRow: Bool = true, totalsLabel: String? = nil, sort: [PayoutField] = [], columns: [Column]) {
        self.fileExtension = fileExtension
        self.bom = bom
        self.delimiter = delimiter
        self.lineEnding = lineEnding
        self.headerRow = headerRow
        self.totalsLabel = totalsLabel
        self.sort = sort
        self.columns = columns
    }
}

/// The one engine for every CSV-style payout format (`bank-csv`, `vnpost-list`, …): it reads a
/// `CSVFormatDescriptor` and writes UTF-8 with RFC 4180 quoting; every cell goes through
/// `CSVCell.escape(_:delimiter:)`, so formula injection is neutralised.
///
/// Amounts are plain integers (whole đồng). Control characters in any value are refused.
public struct DescriptorCSVWriter: PayoutWriter {
    public var formatName: String
    public var descriptor: CSVFormatDescriptor
    public var fileExtension: String { descriptor.fileExtension }

    public init(formatName: String, descriptor: CSVFormatDescriptor) {
        self.formatName = formatName
        self.descriptor = descriptor
    }

    public func write(_ doc: PayoutDocument) throws(PayoutWriteError) -> PayoutFile {
        let totals = try doc.validatedTotals()
        var out = ByteSink(reservingCapacity: 256 + doc.lines.count * 40 * max(1, descriptor.columns.count))
        appendHeader(to: &out)
        var running = RunningTotals()
        let loader = PayoutLineLoader()
        let scratch = ByteArena()
        if streamsInDocumentOrder {
            for (index, line) in doc.lines.enumerated() {
                try appendLine(loader.load(line), number: index + 1, sequence: index + 1, to: &out, running: &running, scratch: scratch)
            }
        } else {
            // A sorted format: the lines held as bytes and ordered as the export orders a streamed group.
            let buffered = BufferedLines()
            for line in doc.lines { buffered.append(loader.load(line)) }
            for (seq, index) in order(buffered).enumerated() {
                try appendLine(buffered[index], number: index + 1, sequence: seq + 1, to: &out, running: &running, scratch: scratch)
            }
        }
        let written = try running.verify(against: totals)
        appendTotals(written, to: &out)
        return PayoutFile(formatName: formatName, fileExtension: fileExtension, data: out.data, totals: written)
    }

    // The file in three parts, so that the export can stream it (header row, then each line as
    // it is read from the store, then the totals row) and ``write(_:)`` builds it in memory from
    // the very same code: both give the same bytes. Only a format without `sort` can be streamed
    // in the store's order.

    /// Whether lines can be written in the order they come (the format does not sort them).
    var streamsInDocumentOrder: Bool { descriptor.sort.isEmpty }

    /// The byte order mark and the header row.
    func appendHeader(to out: inout ByteSink) {
        if descriptor.bom { out.append(bytes: [0xEF, 0xBB, 0xBF]) }
        if descriptor.headerRow { appendRow(descriptor.columns.map(\.header), to: &out) }
    }

    /// One line's row. `number` is the line's 1-based position in the document (for error
    /// messages), `sequence` its position in the file (the `sequence` field).
    @inline(__always)
    func appendLine(_ line: PayoutLineBytes, number: Int, sequence: Int, to out: inout ByteSink,
                    running: inout RunningTotals, scratch: ByteArena) throws(PayoutWriteError) {
        let d = descriptor
        let delimiter = d.delimiter.asciiValue ?? UInt8(ascii: ",")
        let place = { PayoutWriteError.Place.line(number: number, reference: line.referenceString) }
        // A refused value stops the file: the caller drops what was written (nothing reaches a file).
        for (c, column) in d.columns.enumerated() {
            let value = try column.field.value(of: line, sequence: sequence, at: place, scratch: scratch)
            _ = try TextRules.scan(value, field: column.field.rawValue, at: place,
                                   maxLength: column.maxLength, required: column.required)
            if c > 0 { out.append(byte: delimiter) }
            CSVCell.append(value, delimiter: d.delimiter, byte: delimiter, to: &out)
        }
        try running.add(line.amount)
        d.lineEnding.append(to: &out)
    }

    /// The totals row, if the format has one.
    func appendTotals(_ written: PayoutTotals, to out: inout ByteSink) {
        guard let label = descriptor.totalsLabel else { return }
        appendRow(descriptor.columns.map { column in
            switch column.total {
            case .label: return label
            case .count: return String(written.count)
            case .sum: return String(written.controlSum)
            case nil: return ""
            }
        }, to: &out)
    }

    private func appendRow(_ cells: [String], to out: inout ByteSink) {
        let delimiter = descriptor.delimiter.asciiValue ?? UInt8(ascii: ",")
        for (i, cell) in cells.enumerated() {
            if i > 0 { out.append(byte: delimiter) }
            out.append(CSVCell.escape(cell, delimiter: descriptor.delimiter))
        }
        descriptor.lineEnding.append(to: &out)
    }

    /// Indices of the lines in output order: by the descriptor's sort fields (``PayoutField/sortKey(of:scratch:)``),
    /// then by reference (checked `[A-Za-z0-9-]`, compared byte by byte).
    func order(_ lines: BufferedLines) -> [Int] {
        guard !descriptor.sort.isEmpty else { return Array(0..<lines.count) }
        let scratch = ByteArena()
        let keys = (0..<lines.count).map { i in
            let line = lines[i]
            return descriptor.sort.map { $0.sortKey(of: line, scratch: scratch) }
        }
        return (0..<lines.count).sorted { a, b in
            for (ka, kb) in zip(keys[a], keys[b]) where ka != kb {
                return ka.lexicographicallyPrecedes(kb)
            }
            return lines[a].reference.buffer.lexicographicallyPrecedes(lines[b].reference.buffer)
        }
    }
}
