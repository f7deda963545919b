import ChiTraCore

/// Maps a roll file's header line to columns: Vietnamese headers or short English keys,
/// compared without regard to case, spacing or normalisation form.
public struct RollHeader: Sendable {
    /// Column → index in the record.
    public let index: [RollColumn: Int]
    /// The header cells as they appear in the file (for the rejects file and messages).
    public let cells: [String]

    public struct Problem: Error, CustomStringConvertible {
        public let description: String
    }

    static let lookup: [String: RollColumn] = {
        var d: [String: RollColumn] = [:]
        for c in RollColumn.allCases {
            d[VietnameseText.key(c.vietnameseHeader)] = c
            d[VietnameseText.key(c.rawValue)] = c
        }
        return d
    }()

    public init(cells: [String], file: String) throws {
        var idx: [RollColumn: Int] = [:]
        for (i, raw) in cells.enumerated() {
            let k = VietnameseText.key(raw)
            guard let col = Self.lookup[k] else {
                throw Problem(description: Message("roll.header.unknown", ["file": .text(file), "n": .int(i + 1), "header": .text(SafeText.echo(raw))]).text())
            }
            if idx[col] != nil {
                throw Problem(description: Message("roll.header.repeated", ["file": .text(file), "n": .int(i + 1), "header": .text(SafeText.echo(raw)), "column": .text(col.vietnameseHeader)]).text())
            }
            idx[col] = i
        }
        let required: [RollColumn] = [.code, .fullName, .birthDate, .sex, .personalID, .commune, .village, .category,
                                      .decisionNo, .decisionDate, .startMonth, .status, .channel]
        let missing = required.filter { idx[$0] == nil }
        if !missing.isEmpty {
            throw Problem(description: Message("roll.header.missing", ["file": .text(file), "columns": .text(missing.map { "\"\($0.vietnameseHeader)\" (\($0.rawValue))" }.joined(separator: ", "))]).text())
        }
        index = idx
        self.cells = cells
        var positions = [Int](repeating: -1, count: RollColumn.allCases.count)
        for (c, i) in idx { positions[c.ordinal] = i }
        self.positions = positions
    }

    /// Column ordinal → index in the record, or -1: `index` without hashing, for the per-line paths.
    let positions: [Int]

    /// Every column's trimmed value (`value(_:in:)`), indexed by `RollColumn.ordinal`.
    func values(in fields: [String]) -> [String] {
        var out: [String] = []
        out.reserveCapacity(positions.count)
        for i in positions { out.append(i >= 0 && i < fields.count ? FastText.trimmedWhitespaces(fields[i]) : "") }
        return out
    }

    public func value(_ c: RollColumn, in fields: [String]) -> String {
        guard let i = index[c], i < fields.count else { return "" }
        return FastText.trimmedWhitespaces(fields[i])
    }
}
