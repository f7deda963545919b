import ChiTraBatch
import ChiTraCore
import Foundation
import Testing

/// xmllint's path, if installed.
private let xmllint: String? = ["/usr/bin/xmllint", "/usr/local/bin/xmllint", "/opt/homebrew/bin/xmllint"]
    .first { FileManager.default.isExecutableFile(atPath: $0) }
private let canValidate = xmllint != nil && FileManager.default.fileExists(atPath: Sample.painXSD.path)

/// Runs `xmllint --noout --schema XSD FILE`; returns (exit status, messages).
private func validate(_ data: Data) throws -> (Int32, String) {
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("pain001-\(UUID().uuidString).xml")
    try data.write(to: file)
    defer { try? FileManager.default.removeItem(at: file) }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: xmllint!)
    process.arguments = ["--noout", "--schema", Sample.painXSD.path, file.path]
    let pipe = Pipe()
    process.standardError = pipe
    process.standardOutput = pipe
    try process.run()
    let output = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: output, as: UTF8.self))
}

@Suite("pain.001.001.09 writer")
struct Pain001WriterTests {
    @Test("Group and payment totals are the hand-computed 3 lines and 2,250,000 đồng")
    func totals() throws {
        let file = try Pain001Writer().write(Sample.threeLineBankDocument())
        let xml = Sample.text(file)
        #expect(file.totals == PayoutTotals(count: 3, controlSum: 2_250_000))
        #expect(xml.components(separatedBy: "<NbOfTxs>3</NbOfTxs>").count == 3)     // GrpHdr and PmtInf
        #expect(xml.components(separatedBy: "<CtrlSum>2250000</CtrlSum>").count == 3)
        #expect(xml.contains("<InstdAmt Ccy=\"VND\">750000</InstdAmt>"))
        #expect(xml.contains("<EndToEndId>CT202612-000002</EndToEndId>"))
        #expect(xml.contains("<MmbId>970436</MmbId>"))
        #expect(xml.contains("<Dt>2026-11-24</Dt>"))
        #expect(xml.contains("<Nm>TRAN VAN DUC</Nm>"))
        #expect(xml.contains("<Ustrd>TCXH 12/2026 BTXH-000001</Ustrd>"))
        #expect(xml.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pain.001.001.09\">"))
    }

    @Test("The file validates against the official XSD", .enabled(if: canValidate, "xmllint or shared/iso20022/xsd/pain.001.001.09.xsd not found"))
    func validatesAgainstXSD() throws {
        let file = try Pain001Writer().write(Sample.threeLineBankDocument())
        let (status, messages) = try validate(file.data)
        #expect(status == 0, "\(messages)")
    }

    @Test("The validation harness itself rejects a broken file", .enabled(if: canValidate, "xmllint or XSD not found"))
    func harnessRejectsInvalid() throws {
        let xml = Sample.text(try Pain001Writer().write(Sample.threeLineBankDocument()))
        let broken = xml.replacingOccurrences(of: "<NbOfTxs>3</NbOfTxs>", with: "<NbOfTxs>three</NbOfTxs>")
        let (status, _) = try validate(Data(broken.utf8))
        #expect(status != 0)
    }

    @Test("Markup characters are escaped and the file still validates", .enabled(if: canValidate, "xmllint or XSD not found"))
    func escapesMarkup() throws {
        var doc = Sample.threeLineBankDocument()
        doc.lines[0].payeeNameASCII = "HOA & <LAN> \"O'NEIL\""
        doc.lines[1].remittance = "TCXH 12/2026 Truy lĩnh <tháng 10 & 11>"
        doc.debtor.name = "UBND xã A & B"
        let xml = Sample.text(try Pain001Writer().write(doc))
        #expect(xml.contains("<Nm>HOA &amp; &lt;LAN&gt; &quot;O&apos;NEIL&quot;</Nm>"))
        // The file is UTF-8: the remittance keeps its diacritics unless the format asks for ASCII.
        #expect(xml.contains("<Ustrd>TCXH 12/2026 Truy lĩnh &lt;tháng 10 &amp; 11&gt;</Ustrd>"))
        #expect(xml.contains("<Nm>UBND xã A &amp; B</Nm>"))
        let (status, messages) = try validate(Data(xml.utf8))
        #expect(status == 0, "\(messages)")
        let ascii = Sample.text(try Pain001Writer(remittance: .remittanceASCII).write(doc))
        #expect(ascii.contains("<Ustrd>TCXH 12/2026 Truy linh &lt;thang 10 &amp; 11&gt;</Ustrd>"))
    }

    @Test("The Vietnamese payee name option writes escaped UTF-8 and validates", .enabled(if: canValidate, "xmllint or XSD not found"))
    func vietnameseNames() throws {
        let writer = Pain001Writer(creditorName: .payeeName, remittance: .remittance)
        var doc = Sample.threeLineBankDocument()
        doc.lines[2].payeeName = "Đặng Thị Ánh & con"
        let xml = Sample.text(try writer.write(doc))
        #expect(xml.contains("<Nm>Đặng Thị Ánh &amp; con</Nm>"))
        let (status, messages) = try validate(Data(xml.utf8))
        #expect(status == 0, "\(messages)")
    }

    @Test("A 36-character reference is refused, naming the line and field")
    func refusesLongReference() {
        var doc = Sample.threeLineBankDocument()
        doc.lines[1].reference = String(repeating: "A", count: 36)
        #expect(throws: PayoutWriteError.invalidField(field: "reference", at: .line(number: 2, reference: doc.lines[1].reference),
                                                      problem: .tooLong(max: 35, actual: 36))) {
            try Pain001Writer().write(doc)
        }
    }

    @Test("Over-long names and remittances are refused instead of producing an invalid file")
    func refusesLongText() {
        var doc = Sample.threeLineBankDocument()
        doc.lines[0].payeeNameASCII = String(repeating: "N", count: 141)
        #expect(throws: PayoutWriteError.self) { try Pain001Writer().write(doc) }
        doc = Sample.threeLineBankDocument()
        doc.lines[2].remittance = String(repeating: "r", count: 141)
        do {
            _ = try Pain001Writer().write(doc)
            Issue.record("expected a refusal")
        } catch {
            #expect(error.description.contains("line 3"))
            #expect(error.description.contains("remittance"))
            #expect(error.description.contains("at most 140"))
        }
    }

    @Test("Control characters and references outside [A-Za-z0-9-] are refused")
    func refusesControlCharacters() {
        var doc = Sample.threeLineBankDocument()
        doc.lines[0].payeeNameASCII = "NGUYEN\u{0007}HOA"
        #expect(throws: PayoutWriteError.invalidField(field: "payeeNameASCII", at: .line(number: 1, reference: "CT202612-000001"),
                                                      problem: .controlCharacter(7))) {
            try Pain001Writer().write(doc)
        }
        doc = Sample.threeLineBankDocument()
        doc.lines[0].reference = "CT 2026/1"
        #expect(throws: PayoutWriteError.self) { try Pain001Writer().write(doc) }
        doc = Sample.threeLineBankDocument()
        doc.lines[0].payeeNameASCII = "NGUYỄN THỊ HOA"
        #expect(throws: PayoutWriteError.invalidField(field: "payeeNameASCII", at: .line(number: 1, reference: "CT202612-000001"),
                                                      problem: .notASCII)) {
            try Pain001Writer().write(doc)
        }
    }

    @Test("Approved totals that differ from the lines stop the file")
    func refusesTotalsMismatch() {
        var doc = Sample.threeLineBankDocument()
        doc.expectedTotals = PayoutTotals(count: 3, controlSum: 2_250_001)
        #expect(throws: PayoutWriteError.totalsMismatch(expected: PayoutTotals(count: 3, controlSum: 2_250_001),
                                                        written: PayoutTotals(count: 3, controlSum: 2_250_000))) {
            try Pain001Writer().write(doc)
        }
        doc.expectedTotals = PayoutTotals(count: 3, controlSum: 2_250_000)
        #expect(throws: Never.self) { try Pain001Writer().write(doc) }
    }

    @Test("Overflowing sums, non-positive amounts, duplicates and foreign lines are refused")
    func refusesBadLines() {
        var doc = Sample.threeLineBankDocument()
        doc.lines[0].amount = .max
        doc.lines[1].amount = .max
        #expect(throws: PayoutWriteError.self) { try Pain001Writer().write(doc) }
        doc = Sample.threeLineBankDocument()
        doc.lines[1].amount = 0
        #expect(throws: PayoutWriteError.nonPositiveAmount(at: .line(number: 2, reference: "CT202612-000002"))) {
            try Pain001Writer().write(doc)
        }
        doc = Sample.threeLineBankDocument()
        doc.lines[2].reference = doc.lines[0].reference
        #expect(throws: PayoutWriteError.duplicateReference("CT202612-000001", firstLine: 1, line: 3)) {
            try Pain001Writer().write(doc)
        }
        doc = Sample.threeLineBankDocument()
        doc.lines[1].bankBIN = "970405"
        #expect(throws: PayoutWriteError.self) { try Pain001Writer().write(doc) }
        doc.lines = []
        #expect(throws: PayoutWriteError.emptyDocument) { try Pain001Writer().write(doc) }
    }

    @Test("Throughput of 200,000 lines (set CHITRA_BENCH=1; meaningful in a release build)",
          .enabled(if: ProcessInfo.processInfo.environment["CHITRA_BENCH"] != nil))
    func throughput() throws {
        let lines = (1...200_000).map { Sample.bankLine($0, bin: "970436", amount: 500_000 + Int64($0 % 7) * 250_000,
                                                        name: "NGUYEN THI HOA \($0 % 97)") }
        let doc = Sample.document(Sample.vietcombank, lines)
        let clock = ContinuousClock()
        var file: PayoutFile?
        let elapsed = try clock.measure { file = try Pain001Writer().write(doc) }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print("pain.001: 200000 lines, \(file!.data.count) bytes in \(seconds) s = \(Int(200_000 / seconds)) lines/s")
        let csvElapsed = try clock.measure { file = try Sample.formats().writer(named: "bank-csv")!.write(Sample.document(Sample.vietcombank, lines)) }
        let csvSeconds = Double(csvElapsed.components.seconds) + Double(csvElapsed.components.attoseconds) / 1e18
        print("bank-csv: 200000 lines, \(file!.data.count) bytes in \(csvSeconds) s = \(Int(200_000 / csvSeconds)) lines/s")
        #expect(file!.totals.count == 200_000)
    }
}
