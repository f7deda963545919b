import Foundation

/// How the cells of a file reached ChiTra.
public enum SourceBytes: Sendable {
    /// Unicode text (UTF-8 or UTF-16 CSV, .xlsx): legacy bytes show as their Windows-1252 /
    /// Latin-1 look-alikes (a `.VnTime` cell saved to UTF-8 keeps "NguyÔn").
    case unicode
    /// A single-byte file whose cells are given as Latin-1 strings (byte 0xNN → U+00NN).
    case singleByte
}

/// The encoding a column's text is in.
public enum ColumnEncoding: String, Sendable, Codable, CaseIterable {
    case unicode, cp1258, tcvn3, vni

    /// The name a clerk knows the encoding by (the same in both languages).
    public var displayName: String {
        switch self {
        case .unicode: return "Unicode"
        case .cp1258: return "Windows-1258"
        case .tcvn3: return "TCVN3 (.VnTime)"
        case .vni: return "VNI (VNI-Times)"
        }
    }
}

/// What was decided for one column: its encoding, or why it cannot be decided.
public struct ColumnDecision: Sendable {
    /// The encoding to convert the column's cells from; nil when refused.
    public var encoding: ColumnEncoding?
    /// Why the column cannot be decided, with what to do; nil when decided.
    public var refusal: Message?
    /// Words holding a character beyond ASCII that were weighed (0: nothing to decide, the column is `unicode`).
    public var wordsWeighed: Int
    /// Per reading: 2 for each weighed word that reads as a Vietnamese syllable, 1 for each that
    /// reads as Vietnamese letters only (a name of an ethnic minority, an abbreviation).
    public var scores: [ColumnEncoding: Int]
    /// A cell of the column as found, that shows the decision (the first weighed one).
    public var example: String?

    public init(encoding: ColumnEncoding?, refusal: Message?, wordsWeighed: Int, scores: [ColumnEncoding: Int], example: String?) {
        self.encoding = encoding; self.refusal = refusal; self.wordsWeighed = wordsWeighed; self.scores = scores; self.example = example
    }

    /// For the import summary: "column X: text in TCVN3 converted to Unicode"; nil when the
    /// column is Unicode already or refused.
    public func summary(column: String) -> Message? {
        guard let encoding, encoding != .unicode else { return nil }
        return Message("legacy_text.column.converted", ["column": .text(column), "encoding": .text(encoding.displayName)])
    }
}

/// Tells, per column, whether text is Unicode or legacy Vietnamese (TCVN3, VNI, Windows-1258),
/// and converts cells to Unicode NFC. Tables: `formats/legacy-encodings.json`.
///
/// A column is decided by reading its distinct non-ASCII cells every possible way and counting,
/// for each reading, the words that come out as Vietnamese syllables (`VietnameseSpelling`).
/// A legacy reading is taken only with a clear margin (at least twice the score of any other
/// reading, and at least one syllable more); Unicode text stays Unicode when it reads as
/// Vietnamese letters at least as well as any legacy reading. Otherwise the column is refused.
public struct LegacyTextDetector: Sendable {
    public let tables: LegacyEncodingTables

    public init(tables: LegacyEncodingTables) { self.tables = tables }

    /// The detector with `formats/legacy-encodings.json` of a formats folder.
    public static func load(formats: URL) throws -> LegacyTextDetector {
        LegacyTextDetector(tables: try LegacyEncodingTables.load(from: formats.appendingPathComponent("legacy-encodings.json")))
    }

    /// At most this many distinct non-ASCII cells of a column are weighed.
    public static let sampleLimit = 5_000

    // MARK: - Deciding

    /// The column's encoding from its distinct non-ASCII cells, or a refusal saying why it cannot be decided.
    public func decide(samples: [String], source: SourceBytes) -> ColumnDecision {
        decide(samples: samples, source: source, column: nil)
    }

    /// The same, with the column's name in the refusal.
    public func decide(samples: [String], source: SourceBytes, column: String?) -> ColumnDecision {
        let readings: [ColumnEncoding] = source == .unicode ? [.unicode, .tcvn3, .vni, .cp1258] : [.cp1258, .tcvn3, .vni]
        let n = ColumnEncoding.allCases.count
        // Per reading: words read as syllables, and words read as Vietnamese letters only.
        var syllables = [Int](repeating: 0, count: n)
        var lettersOnly = [Int](repeating: 0, count: n)
        var weighed = 0
        var example: String?
        var seen = Set<String>()
        // Names share their words: each distinct word (and whether its cell is in capitals) is read once.
        var verdicts: [[UInt32]: [UInt8]] = [:]
        for cell in samples {
            if seen.count >= Self.sampleLimit { break }
            if !cell.utf8.contains(where: { $0 >= 0x80 }) { continue }
            guard seen.insert(cell).inserted else { continue }
            let scalars = cell.unicodeScalars.map(\.value)
            let capitals: UInt32 = Self.writtenInCapitals(scalars) ? 1 : 0
            var start = 0
            var cellWeighed = false
            while start < scalars.count {
                var end = start
                var wide = false
                while end < scalars.count && !Self.separates(scalars[end]) {
                    if scalars[end] >= 0x80 { wide = true }
                    end += 1
                }
                if wide {
                    var key = Array(scalars[start..<end])
                    key.append(capitals)
                    let v: [UInt8]
                    if let known = verdicts[key] {
                        v = known
                    } else {
                        let word = Array(scalars[start..<end])
                        var made = [UInt8](repeating: 0, count: n)
                        for r in readings {
                            if let text = decodeWord(word, from: r, source: source, capitals: capitals == 1) {
                                made[r.index] = UInt8(VietnameseSpelling.verdict(text).rawValue)
                            }
                        }
                        verdicts[key] = made
                        v = made
                    }
                    weighed += 1; cellWeighed = true
                    for r in readings {
                        if v[r.index] == 2 { syllables[r.index] += 1 } else if v[r.index] == 1 { lettersOnly[r.index] += 1 }
                    }
                }
                start = end + 1
            }
            if cellWeighed && example == nil { example = cell }
        }
        var scoreMap: [ColumnEncoding: Int] = [:]
        for r in readings { scoreMap[r] = 2 * syllables[r.index] + lettersOnly[r.index] }
        func decided(_ e: ColumnEncoding) -> ColumnDecision {
            ColumnDecision(encoding: e, refusal: nil, wordsWeighed: weighed, scores: scoreMap, example: example)
        }
        if weighed == 0 { return decided(.unicode) }
        // A legacy reading needs a clear margin: in syllables, or, when no reading makes any
        // syllable (abbreviations such as QĐ), in words of Vietnamese letters.
        let anySyllable = syllables.contains { $0 > 0 }
        let measure = anySyllable ? syllables : lettersOnly.indices.map { syllables[$0] + lettersOnly[$0] }
        let ranked = readings.sorted { measure[$0.index] > measure[$1.index] }
        let best = ranked[0], bestScore = measure[best.index], second = measure[ranked[1].index]
        // In Unicode text, a legacy reading must also leave no more words foreign than Unicode does.
        let plausible = { (r: ColumnEncoding) in syllables[r.index] + lettersOnly[r.index] }
        if best != .unicode && bestScore >= 2 * second && bestScore > second
            && (source == .singleByte || plausible(best) >= plausible(.unicode)) {
            return decided(best)
        }
        if source == .unicode {
            let u = ColumnEncoding.unicode.index
            let bestLegacy = readings.dropFirst().map { measure[$0.index] }.max() ?? 0
            // Unicode stays Unicode when it reads at least as well as any legacy reading and four
            // words in five are Vietnamese letters (syllables, or names such as Niê, Êban).
            if measure[u] >= bestLegacy && (syllables[u] + lettersOnly[u]) * 5 >= weighed * 4 {
                return decided(.unicode)
            }
        }
        let shown = example ?? ""
        let refusal = column.map { Message("legacy_text.column.undecided", ["column": .text($0), "example": .text(shown)]) }
            ?? Message("legacy_text.undecided", ["example": .text(shown)])
        return ColumnDecision(encoding: nil, refusal: refusal, wordsWeighed: weighed, scores: scoreMap, example: example)
    }

    /// The decisions for every text column of a file, from all its records' cells (duplicates and
    /// ASCII cells are fine; at most `sampleLimit` distinct non-ASCII cells per column are weighed).
    /// A column whose best readings tie is given the file's encoding when that is among them: the
    /// one legacy encoding the file's decided columns agree on (`QÑ` in a VNI roll reads as `QĐ`
    /// in VNI and `Qẹ` in TCVN3; the names and places of the roll say VNI).
    public func decideColumns(_ columns: [(name: String, cells: [String])], source: SourceBytes) -> [ColumnDecision] {
        var decisions = columns.map { decide(samples: $0.cells, source: source, column: $0.name) }
        // The file's encoding: the one legacy encoding its decided columns agree on.
        let legacy = Set(decisions.compactMap { $0.encoding }.filter { $0 != .unicode })
        guard legacy.count == 1, let fileEncoding = legacy.first else { return decisions }
        for i in decisions.indices where decisions[i].encoding != fileEncoding && decisions[i].wordsWeighed > 0 {
            let d = decisions[i]
            let own = d.scores[fileEncoding] ?? 0
            if own >= 2 && d.scores.values.allSatisfy({ $0 <= own }) {
                decisions[i].encoding = fileEncoding
                decisions[i].refusal = nil
            }
        }
        return decisions
    }

    // MARK: - Converting

    /// One cell converted from the decided encoding, NFC. A cell of ASCII only is returned as it
    /// is; a cell holding characters no legacy byte shows as (it is Unicode already) is only put in NFC.
    public func convert(_ cell: String, from encoding: ColumnEncoding, source: SourceBytes) -> String {
        if !cell.utf8.contains(where: { $0 >= 0x80 }) { return cell }
        if encoding == .unicode { return cell.precomposedStringWithCanonicalMapping }
        let scalars = cell.unicodeScalars.map(\.value)
        let capitals = Self.writtenInCapitals(scalars)
        guard var out = decode(scalars, from: encoding, source: source, capitals: capitals, keepUnknown: true) else {
            return cell.precomposedStringWithCanonicalMapping
        }
        if encoding == .tcvn3 && !capitals && out.count == scalars.count {
            capitaliseWordStarts(&out, original: scalars)
        }
        var s = String.UnicodeScalarView()
        for v in out { if let u = Unicode.Scalar(v) { s.append(u) } }
        return String(s).precomposedStringWithCanonicalMapping
    }

    // MARK: - Reading bytes

    /// ASCII that is not a letter, and the no-break space, separate words.
    @inline(__always) static func separates(_ v: UInt32) -> Bool {
        if v >= 0x80 { return v == 0xA0 }
        return !((v >= 0x41 && v <= 0x5A) || (v >= 0x61 && v <= 0x7A))
    }

    /// A cell typed in a `.VnTimeH` (capitals) font: its ASCII letters, at least two, are all
    /// capitals. TCVN3 has capitals only for Ă Â Ê Ô Ơ Ư Đ; in such a cell the lower-case codes
    /// of the other letters stand for capitals.
    static func writtenInCapitals(_ scalars: [UInt32]) -> Bool {
        var uppers = 0
        for v in scalars {
            if v >= 0x61 && v <= 0x7A { return false }
            if v >= 0x41 && v <= 0x5A { uppers += 1 }
        }
        return uppers >= 2
    }

    @inline(__always) func decodeWord(_ word: [UInt32], from encoding: ColumnEncoding, source: SourceBytes, capitals: Bool) -> [UInt32]? {
        if encoding == .unicode { return source == .unicode ? word : nil }
        return decode(word, from: encoding, source: source, capitals: capitals, keepUnknown: false)
    }

    /// The scalars of text read from legacy bytes; nil when a character is not a byte (the text is
    /// Unicode), or, unless `keepUnknown`, a byte is not part of the encoding (kept as found otherwise).
    func decode(_ scalars: [UInt32], from encoding: ColumnEncoding, source: SourceBytes, capitals: Bool, keepUnknown: Bool) -> [UInt32]? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(scalars.count)
        for v in scalars {
            guard let b = tables.byte(of: v, source: source) else { return nil }
            bytes.append(b)
        }
        var out: [UInt32] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if encoding == .vni, tables.vniBases[Int(b)], i + 1 < bytes.count,
               let pair = tables.vniPairs[UInt16(b) << 8 | UInt16(bytes[i + 1])] {
                out.append(pair.value); i += 2; continue
            }
            i += 1
            if b < 0x80 { out.append(UInt32(b)); continue }
            let table: [[Unicode.Scalar]?]
            switch encoding {
            case .tcvn3: table = tables.tcvn3
            case .vni: table = tables.vniSingle
            case .cp1258: table = tables.cp1258
            case .unicode: return nil
            }
            if let mapped = table[Int(b) - 0x80] {
                for u in mapped {
                    out.append(capitals && encoding == .tcvn3 ? Self.capital(u.value) : u.value)
                }
            } else if keepUnknown {
                out.append(scalars[i - 1])
            } else {
                return nil
            }
        }
        return out
    }

    /// TCVN3 has no capitals with a tone: a word typed with its first letter in a `.VnTimeH` font
    /// carries the lower-case code ("Êp" for Ấp, "öng" for Ửng). Such a letter (one whose capital
    /// TCVN3 lacks: not đ ă â ê ô ơ ư, typed as capitals when meant so) is made a capital when it
    /// starts the cell, or starts a word of a cell whose other words all start with a capital
    /// ("Bïi ThÞ öng" → Bùi Thị Ửng; "Sè 9 ®­êng Lý B«n" keeps "đường").
    func capitaliseWordStarts(_ out: inout [UInt32], original: [UInt32]) {
        var starts: [Int] = []
        var titleCase = true, otherWords = 0
        var i = 0
        while i < original.count {
            while i < original.count && Self.separates(original[i]) { i += 1 }
            guard i < original.count else { break }
            starts.append(i)
            let v = original[i]
            if v < 0x80 {
                otherWords += 1
                if !(v >= 0x41 && v <= 0x5A) { titleCase = false }
            }
            while i < original.count && !Self.separates(original[i]) { i += 1 }
        }
        for (n, start) in starts.enumerated() where original[start] >= 0x80 {
            let up = Self.capital(out[start])
            guard up != out[start], !tables.tcvn3Scalars.contains(up) else { continue }
            if n == 0 || (titleCase && otherWords > 0) { out[start] = up }
        }
    }

    /// The capital of a lower-case Vietnamese letter (ư → Ư, ễ → Ễ); anything else unchanged.
    static func capital(_ v: UInt32) -> UInt32 { capitals[v] ?? v }
    static let capitals: [UInt32: UInt32] = {
        var out: [UInt32: UInt32] = [:]
        for v in VietnameseSpelling.letters.keys {
            guard let s = Unicode.Scalar(v), s.properties.isLowercase,
                  let up = String(s).uppercased().unicodeScalars.first, String(s).uppercased().unicodeScalars.count == 1 else { continue }
            out[v] = up.value
        }
        return out
    }()
}

extension ColumnEncoding {
    var index: Int {
        switch self { case .unicode: return 0; case .cp1258: return 1; case .tcvn3: return 2; case .vni: return 3 }
    }
}
