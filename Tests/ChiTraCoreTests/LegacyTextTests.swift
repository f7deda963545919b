import ChiTraCore
import Foundation
import Testing

/// Legacy Vietnamese text (TCVN3, VNI, Windows-1258) detected per column and converted to Unicode.
/// The encoded samples in `fixtures/legacy/` were written from the encodings' own charts
/// (`make-legacy-fixtures.py`), not by this converter; the expected text is `samples.txt`,
/// typed by hand.
@Suite struct LegacyTextTests {
    static let legacy = packageRoot.appendingPathComponent("fixtures/legacy")
    static let detector = try! LegacyTextDetector.load(formats: packageRoot.appendingPathComponent("formats"))

    static func lines(_ name: String) throws -> [String] {
        try String(contentsOf: legacy.appendingPathComponent(name), encoding: .utf8)
            .split(separator: "\n").map(String.init).filter { !$0.hasPrefix("#") }
    }
    /// A single-byte file's text as the reader gives it: byte 0xNN → U+00NN.
    static func latin1(_ name: String) throws -> String {
        let data = try Data(contentsOf: legacy.appendingPathComponent(name))
        var s = String.UnicodeScalarView()
        for b in data { s.append(Unicode.Scalar(b)) }
        return String(s)
    }
    static var reference: [String] { get throws { try lines("samples.txt") } }

    func check(_ encoded: [String], source: SourceBytes, expect encoding: ColumnEncoding) throws {
        let d = Self.detector
        let decision = d.decide(samples: encoded, source: source)
        #expect(decision.encoding == encoding, "scores \(decision.scores)")
        #expect(decision.refusal == nil)
        let reference = try Self.reference
        #expect(encoded.count == reference.count)
        for (cell, expected) in zip(encoded, reference) {
            #expect(d.convert(cell, from: encoding, source: source) == expected)
        }
    }

    @Test func tcvn3SavedAsUnicodeTextReadsBack() throws {
        let cells = try Self.lines("samples.tcvn3.txt")
        #expect(cells[0] == "NguyÔn V¨n An")     // as a .VnTime cell shows in a UTF-8 CSV
        try check(cells, source: .unicode, expect: .tcvn3)
    }

    @Test func tcvn3AsSingleBytesReadsBack() throws {
        // The same text as bytes (Excel's "CSV" on a Western Windows writes .VnTime cells so).
        let cells = try Self.lines("samples.tcvn3.txt")
        // Every TCVN3 byte 0xA1–0xFE shows as U+00A1–U+00FE: the same text is the bytes read as Latin-1.
        #expect(cells.allSatisfy { $0.unicodeScalars.allSatisfy { $0.value <= 0xFF } })
        try check(cells, source: .singleByte, expect: .tcvn3)
    }

    @Test func vniReadsBackFromUnicodeTextAndFromBytes() throws {
        let cells = try Self.lines("samples.vni.txt")
        #expect(cells[0] == "Nguyeãn Vaên An")
        #expect(cells[1].hasPrefix("Traàn Thò"))
        try check(cells, source: .unicode, expect: .vni)
        try check(cells, source: .singleByte, expect: .vni)
    }

    @Test func windows1258BytesReadBack() throws {
        let cells = try Self.latin1("samples.cp1258.txt").split(separator: "\n").map(String.init)
        try check(cells, source: .singleByte, expect: .cp1258)
    }

    @Test func capitalsTypedInVnTimeHFont() {
        // .VnTimeH shows the lower-case codes as capitals: "TRÇN THÞ BÝCH NGäC" is TRẦN THỊ BÍCH NGỌC.
        let d = Self.detector
        let cells = ["TRÇN THÞ BÝCH NGäC", "NGUYÔN V¡N AN", "§ÆNG QUèC VIÖT"]
        #expect(d.decide(samples: cells, source: .unicode).encoding == .tcvn3)
        #expect(d.convert(cells[0], from: .tcvn3, source: .unicode) == "TRẦN THỊ BÍCH NGỌC")
        #expect(d.convert(cells[1], from: .tcvn3, source: .unicode) == "NGUYỄN VĂN AN")
        #expect(d.convert(cells[2], from: .tcvn3, source: .unicode) == "ĐẶNG QUỐC VIỆT")
        // A capital with a tone starting a word of a mixed-case cell: typed in .VnTimeH too.
        #expect(d.convert("Bïi ThÞ öng", from: .tcvn3, source: .unicode) == "Bùi Thị Ửng")
        #expect(d.convert("Êp B×nh H\u{AD}ng Hßa", from: .tcvn3, source: .unicode) == "Ấp Bình Hưng Hòa")
    }

    @Test func asciiNamesAndMinorityNamesDoNotTurnALegacyColumn() throws {
        let d = Self.detector
        // A TCVN3 column where many cells are ASCII only (names of ethnic minorities without marks).
        let tcvn3 = try Self.lines("samples.tcvn3.txt").prefix(4) + ["Ksor H'Bia", "Y Bhin", "Nay Thi", "Ro Cham Chu", "H'Hen Niª", "Y Bhin £ban"]
        let decision = d.decide(samples: Array(tcvn3), source: .unicode)
        #expect(decision.encoding == .tcvn3)
        #expect(d.convert("Ksor H'Bia", from: .tcvn3, source: .unicode) == "Ksor H'Bia")
        #expect(d.convert("H'Hen Niª", from: .tcvn3, source: .unicode) == "H'Hen Niê")
        #expect(d.convert("Y Bhin £ban", from: .tcvn3, source: .unicode) == "Y Bhin Êban")
        // A Unicode column of minority names: their words are not Vietnamese syllables, yet it stays Unicode.
        let minority = ["H'Hen Niê", "Y Bhin Êban", "Hờ A Páo", "K'Nhai", "Ksor H'Bia", "Niê Kdăm"]
        let u = d.decide(samples: minority, source: .unicode)
        #expect(u.encoding == .unicode, "scores \(u.scores)")
        // Only minority names written with Latin-1 letters: no reading is better, Unicode stays.
        #expect(d.decide(samples: ["H'Hen Niê", "Y Bhin Êban"], source: .unicode).encoding == .unicode)
    }

    @Test func unicodeColumnsStayUnicodeAndComeOutNFC() throws {
        let d = Self.detector
        let names = try Self.reference
        let decision = d.decide(samples: names, source: .unicode)
        #expect(decision.encoding == .unicode)
        for n in names { #expect(d.convert(n, from: .unicode, source: .unicode) == n) }
        // Decomposed (NFD) input, as some systems send it, is stored composed.
        let nfd = "Nguye\u{302}\u{303}n Thi\u{323} Hoa\u{300}"
        #expect(d.decide(samples: [nfd], source: .unicode).encoding == .unicode)
        #expect(d.convert(nfd, from: .unicode, source: .unicode) == "Nguyễn Thị Hoà")
        // ASCII only: nothing to decide, nothing changed.
        let ascii = ["NGUYEN VAN AN", "046146000101", "Ksor H'Bia"]
        let a = d.decide(samples: ascii, source: .unicode)
        #expect(a.encoding == .unicode && a.wordsWeighed == 0)
        #expect(d.convert("NGUYEN VAN AN", from: .tcvn3, source: .unicode) == "NGUYEN VAN AN")
        // Names with only Latin-1 letters (Lê Hà could be TCVN3 "Lờ …"): Unicode unless a legacy reading is clearly better.
        #expect(d.decide(samples: ["Lê Hà", "Lý Thị Tú", "Hồ Văn Lê"], source: .unicode).encoding == .unicode)
        // A Unicode cell in a TCVN3 column (a row typed later in a Unicode font) is left as it is.
        #expect(d.convert("Đặng Thị Ửng", from: .tcvn3, source: .unicode) == "Đặng Thị Ửng")
    }

    @Test func aColumnThatCannotBeDecidedIsRefusedWithWhatToDo() {
        let d = Self.detector
        // One word, "L\u{EA}": Lê in Windows-1258, Lờ in TCVN3. Both are names.
        let decision = d.decide(samples: ["L\u{EA}"], source: .singleByte, column: "Họ và tên")
        #expect(decision.encoding == nil)
        let refusal = try! #require(decision.refusal)
        #expect(refusal.text(in: .vi) == "cột «Họ và tên»: không xác định được bảng mã tiếng Việt của chữ trong cột (ví dụ giá trị «Lê»): chữ có thể đã được gõ bằng phông TCVN3 (.VnTime), VNI (VNI-Times) hoặc lưu theo Windows-1258. Hãy chuyển cột này sang Unicode (ví dụ bằng công cụ chuyển mã của Unikey), lưu lại tệp bằng Unicode (UTF-8) rồi nhập lại")
        #expect(refusal.text(in: .en) == "column \"Họ và tên\": cannot tell which Vietnamese encoding the text of this column is in (for example the value \"Lê\"): it may have been typed in a TCVN3 (.VnTime) or VNI (VNI-Times) font, or saved as Windows-1258. Convert this column to Unicode (for example with Unikey's converter), save the file as Unicode (UTF-8) and import it again")
        // UTF-8 read twice (mojibake) is no Vietnamese encoding: refused, not guessed.
        let twice = d.decide(samples: ["NguyÃ¡Â»â€¦n VÃ„Æ’n An", "TrÃ¡ÂºÂ§n ThÃ¡Â»â€¹"], source: .unicode)
        #expect(twice.encoding == nil)
        #expect(twice.refusal?.text(in: .en).hasPrefix("cannot tell which Vietnamese encoding the text is in (for example the value \"NguyÃ¡Â»â€¦n VÃ„Æ’n An\")") == true)
        // A column mixing TCVN3 and Unicode rows half and half.
        let mixed = ["NguyÔn V¨n An", "Lª ThÞ Hång", "Trần Thị Bích Ngọc", "Phạm Đức Thắng"]
        #expect(d.decide(samples: mixed, source: .unicode).encoding == nil)
    }

    // MARK: - Rolls

    static func table(_ text: String) -> [[String]] {
        text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n")
            .map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
    }

    func checkRoll(_ encoded: [[String]], source: SourceBytes, expect encoding: ColumnEncoding) throws {
        let d = Self.detector
        var cleanText = try String(contentsOf: Self.legacy.appendingPathComponent("roll-clean.csv"), encoding: .utf8)
        if cleanText.hasPrefix("\u{FEFF}") { cleanText.removeFirst() }
        let clean = Self.table(cleanText)
        #expect(encoded.count == clean.count && encoded.count == 21)
        // The header row is one more column of text to decide.
        let header = d.decide(samples: encoded[0], source: source)
        #expect(header.encoding == encoding)
        let width = clean[0].count
        let columns = (0..<width).map { c in (name: clean[0][c], cells: encoded.dropFirst().map { $0[c] }) }
        let decisions = d.decideColumns(columns, source: source)
        for (c, decision) in decisions.enumerated() {
            #expect(decision.refusal == nil, "\(clean[0][c]): \(decision.scores)")
        }
        // Columns with Vietnamese text are read in the file's encoding; the others hold ASCII only.
        #expect(decisions[1].encoding == encoding)              // Họ và tên
        #expect(decisions[16].encoding == encoding)             // Trạng thái
        #expect(decisions[1].summary(column: "Họ và tên")?.text(in: .vi) == "cột «Họ và tên»: chữ theo bảng mã \(encoding.displayName) đã được chuyển sang Unicode")
        for (r, row) in encoded.enumerated() {
            for (c, cell) in row.enumerated() {
                let e = r == 0 ? header.encoding! : decisions[c].encoding!
                #expect(d.convert(cell, from: e, source: source) == clean[r][c], "line \(r + 1), column \(clean[0][c])")
            }
        }
    }

    @Test func rollInTCVN3SavedAsUTF8ReadsAsTheCleanRoll() throws {
        var text = try String(contentsOf: Self.legacy.appendingPathComponent("roll-tcvn3.csv"), encoding: .utf8)
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        #expect(text.hasPrefix("M· ®èi t\u{AD}îng,Hä vµ tªn"))
        try checkRoll(Self.table(text), source: .unicode, expect: .tcvn3)
    }

    @Test func rollInVNISavedAsUTF8ReadsAsTheCleanRoll() throws {
        var text = try String(contentsOf: Self.legacy.appendingPathComponent("roll-vni.csv"), encoding: .utf8)
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        #expect(text.hasPrefix("Maõ ñoái töôïng,Hoï vaø teân"))
        try checkRoll(Self.table(text), source: .unicode, expect: .vni)
    }

    @Test func rollInWindows1258ReadsAsTheCleanRoll() throws {
        try checkRoll(Self.table(try Self.latin1("roll-cp1258.csv")), source: .singleByte, expect: .cp1258)
    }

    // MARK: - Speed

    @Test func decidingFiveThousandNamesIsQuick() throws {
        let d = Self.detector
        // 5,000 distinct TCVN3 cells: the samples with a number after each (digits separate words).
        let samples = try Self.lines("samples.tcvn3.txt")
        let encoded = (0..<5_000).map { "\(samples[$0 % samples.count]) \($0)" }
        let clock = ContinuousClock()
        let start = clock.now
        let decision = d.decide(samples: encoded, source: .unicode)
        let elapsed = clock.now - start
        #expect(decision.encoding == .tcvn3)
        #expect(decision.wordsWeighed > 5_000)
        print("LegacyTextTests: decided 5,000 distinct TCVN3 cells (\(decision.wordsWeighed) words) in \(elapsed)")
        #expect(elapsed < .seconds(5))
        let ascii = Array(repeating: "NGUYEN VAN AN 046146000101", count: 100_000)
        let t0 = clock.now
        var total = 0
        for cell in ascii { total += d.convert(cell, from: .tcvn3, source: .unicode).utf8.count }
        print("LegacyTextTests: converted 100,000 ASCII cells in \(clock.now - t0)")
        #expect(total == 100_000 * 26)
    }
}
