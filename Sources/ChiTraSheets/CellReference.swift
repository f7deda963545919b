/// A cell's place in a worksheet: `B7` is column 2, row 7 (both from 1), as SpreadsheetML writes it.
public struct CellReference: Sendable, Equatable, Hashable, CustomStringConvertible {
    public let column: Int
    public let row: Int

    public init(column: Int, row: Int) { self.column = column; self.row = row }

    /// Parses `A1` … `XFD1048576`; nil for anything else (a sheet's `r` attribute is untrusted).
    public init?(_ text: some StringProtocol) {
        var column = 0, row = 0, letters = 0, digits = 0
        for b in text.utf8 {
            switch b {
            case UInt8(ascii: "A")...UInt8(ascii: "Z") where digits == 0:
                column = column * 26 + Int(b - UInt8(ascii: "A") + 1); letters += 1
            case UInt8(ascii: "0")...UInt8(ascii: "9") where letters > 0:
                row = row * 10 + Int(b - UInt8(ascii: "0")); digits += 1
            default: return nil
            }
            if letters > 3 || digits > 7 { return nil }
        }
        guard letters > 0, digits > 0, column <= Self.maxColumn, (1...Self.maxRow).contains(row) else { return nil }
        self.column = column; self.row = row
    }

    /// Excel's limits: 16,384 columns (XFD), 1,048,576 rows.
    public static let maxColumn = 16_384
    public static let maxRow = 1_048_576

    /// `1` → `A`, `27` → `AA`, `16384` → `XFD`.
    public static func columnName(_ column: Int) -> String {
        precondition(column >= 1 && column <= maxColumn)
        var n = column, out: [Character] = []
        while n > 0 {
            let r = (n - 1) % 26
            out.insert(Character(Unicode.Scalar(UInt8(65 + r))), at: 0)
            n = (n - 1) / 26
        }
        return String(out)
    }

    public var description: String { Self.columnName(column) + String(row) }
}
