import ChiTraCore
import Foundation

/// A workbook to write with `XLSXWriter`: one or more sheets, each one table.
public struct XLSXWorkbook: Sendable {
    /// The document's title (file properties).
    public var title: String
    public var sheets: [XLSXSheet]

    public init(title: String, sheets: [XLSXSheet]) { self.title = title; self.sheets = sheets }

    /// A name Excel accepts: 1 to 31 characters, none of `[ ] : * ? / \`, not starting or ending with
    /// an apostrophe, not `History` (Excel's own).
    public static func isValidSheetName(_ name: String) -> Bool {
        guard !name.isEmpty, name.count <= 31, !name.hasPrefix("'"), !name.hasSuffix("'"),
              name.lowercased() != "history" else { return false }
        return !name.unicodeScalars.contains { "[]:*?/\\".unicodeScalars.contains($0) || !XMLText.allowed($0) || $0.value < 0x20 }
    }

    /// `proposed` made into a valid sheet name not in `taken` (compared without case): forbidden
    /// characters become `-`, the name is cut to 31 characters, and ` (2)`, ` (3)`… tell apart
    /// names that would be the same. Adds the name to `taken`.
    public static func sheetName(_ proposed: String, taken: inout Set<String>) -> String {
        var base = String(String.UnicodeScalarView(proposed.precomposedStringWithCanonicalMapping.unicodeScalars.map {
            "[]:*?/\\".unicodeScalars.contains($0) || $0.value < 0x20 || !XMLText.allowed($0) ? "-" : $0
        })).trimmingCharacters(in: .whitespaces)
        while base.hasPrefix("'") { base.removeFirst() }
        while base.hasSuffix("'") { base.removeLast() }
        if base.isEmpty || base.lowercased() == "history" { base = "Trang" }
        var name = String(base.prefix(31))
        var n = 2
        while taken.contains(name.lowercased()) {
            let suffix = " (\(n))"
            name = String(base.prefix(31 - suffix.count)) + suffix
            n += 1
        }
        taken.insert(name.lowercased())
        return name
    }
}

/// One sheet: title lines, then a table (header row, data rows, an optional totals row), then notes.
public struct XLSXSheet: Sendable {
    public var name: String
    /// Lines above the table; the first is the sheet's heading (bold, larger).
    public var title: [String]
    public var columns: [XLSXColumn]
    public var rows: [[XLSXCell]]
    public var totals: XLSXTotals?
    /// Lines under the table (the total in words, signatures, what to do).
    public var notes: [String]
    /// nil: landscape when the columns are wider than a portrait A4 page holds.
    public var landscape: Bool?
    /// The text at the top of every printed page (default: the first title line, else the sheet's name).
    public var printTitle: String?

    public init(name: String, title: [String] = [], columns: [XLSXColumn], rows: [[XLSXCell]] = [],
                totals: XLSXTotals? = nil, notes: [String] = [], landscape: Bool? = nil, printTitle: String? = nil) {
        self.name = name; self.title = title; self.columns = columns; self.rows = rows
        self.totals = totals; self.notes = notes; self.landscape = landscape; self.printTitle = printTitle
    }

    /// The row of the table's header (from 1): after the title lines and a blank line.
    public var headerRow: Int { title.isEmpty ? 1 : title.count + 2 }
    /// The first data row.
    public var firstDataRow: Int { headerRow + 1 }
    /// The totals row, if any.
    public var totalsRow: Int? { totals == nil ? nil : headerRow + rows.count + 1 }

    /// Each column's width in characters: the given one, or fitted to the longest header word and
    /// the longest value (a wrapped column stops at its `maxWidth`).
    func fittedWidths() -> [Double] {
        columns.enumerated().map { c, col in
            if let w = col.width { return w }
            let headerWord = col.header.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(\.count).max() ?? 0
            var longest = max(headerWord, col.minWidth)
            for row in rows where c < row.count { longest = max(longest, row[c].displayLength) }
            if let t = totals {
                if let s = t.sums[c] { longest = max(longest, XLSXCell.money(s).displayLength) }
                if let s = t.texts[c] { longest = max(longest, s.count) }
            }
            return min(Double(longest) + 2, col.maxWidth)
        }
    }

    /// Lines the header row needs when its words wrap in `widths`.
    func headerLines(_ widths: [Double]) -> Int {
        columns.enumerated().map { c, col in Self.wrappedLines(col.header, width: widths[c]) }.max() ?? 1
    }

    /// Lines a data row needs: its wrapped cells' texts in their column widths.
    func lines(of row: [XLSXCell], widths: [Double]) -> Int {
        var lines = 1
        for (c, cell) in row.enumerated() where c < columns.count && columns[c].wrap {
            if case .text(let t) = cell { lines = max(lines, Self.wrappedLines(t, width: widths[c])) }
        }
        return lines
    }

    /// How many lines `text` takes in a column `width` characters wide, words kept whole.
    static func wrappedLines(_ text: String, width: Double) -> Int {
        let room = max(1, Int(width) - 1)
        var total = 0
        for paragraph in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var lines = 1, used = 0
            for word in paragraph.split(separator: " ") {
                let n = word.count
                if used == 0 { used = n }
                else if used + 1 + n <= room { used += 1 + n }
                else { lines += 1; used = n }
                while used > room { lines += 1; used -= room }
            }
            total += lines
        }
        return max(1, total)
    }
}

/// A column of a sheet's table.
public struct XLSXColumn: Sendable {
    /// The header, in Vietnamese.
    public var header: String
    /// Long texts wrap inside the column instead of widening it.
    public var wrap: Bool
    /// A fixed width in characters, or nil to fit the content between `minWidth` and `maxWidth`.
    public var width: Double?
    public var minWidth: Int
    public var maxWidth: Double

    public init(_ header: String, wrap: Bool = false, width: Double? = nil, minWidth: Int = 4, maxWidth: Double? = nil) {
        self.header = header; self.wrap = wrap; self.width = width; self.minWidth = minWidth
        self.maxWidth = maxWidth ?? (wrap ? 36 : 60)
    }
}

/// A cell's value; its type decides how it is stored and shown.
public enum XLSXCell: Sendable, Equatable {
    /// Text, stored as text whatever it looks like (IDs, account numbers, codes, names).
    case text(String)
    /// A count, a number, a year: a number without separators.
    case integer(Int64)
    /// Whole đồng: a number shown with thousands separators (`#,##0`).
    case money(Int64)
    /// A real date, shown `dd/mm/yyyy`.
    case date(CivilDate)
    case empty

    /// Text, or empty for nil or "".
    public static func optionalText(_ s: String?) -> XLSXCell {
        guard let s, !s.isEmpty else { return .empty }
        return .text(s)
    }

    /// Characters the value takes on screen, for fitting column widths.
    var displayLength: Int {
        switch self {
        case .text(let t):
            // Widths are in widths of the digit 0: capital letters are wider, count them as 1.3.
            return t.split(separator: "\n").map { line in
                let capitals = line.unicodeScalars.filter { $0.properties.isUppercase }.count
                return line.count + (capitals * 3 + 9) / 10
            }.max() ?? 0
        case .integer(let n): return String(n).count
        case .money(let m):
            let digits = String(m.magnitude).count
            return digits + (digits - 1) / 3 + (m < 0 ? 1 : 0)
        case .date: return 10
        case .empty: return 0
        }
    }
}

/// The totals row under a table.
public struct XLSXTotals: Sendable {
    /// `Tổng cộng`, in `labelColumn` (from 0).
    public var label: String
    public var labelColumn: Int
    /// Column (from 0) → the total the caller expects there: written as a `SUM` of the column with
    /// this cached value, after checking that the column's cells add up to it.
    public var sums: [Int: Int64]
    /// Columns of `sums` holding counts (no thousands separator needed, shown as integers).
    public var integerColumns: Set<Int>
    /// Other cells of the row (`12 người`).
    public var texts: [Int: String]

    public init(label: String = "Tổng cộng", labelColumn: Int = 0, sums: [Int: Int64], integerColumns: Set<Int> = [], texts: [Int: String] = [:]) {
        self.label = label; self.labelColumn = labelColumn; self.sums = sums; self.integerColumns = integerColumns; self.texts = texts
    }
}
