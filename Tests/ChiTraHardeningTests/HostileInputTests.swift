import ChiTraFixtures
import ChiTraBatch
import ChiTraCore
import ChiTraReturns
import ChiTraRoll
import Foundation
import Testing

/// Random mutations of valid fixtures (deterministic seeds, bounded iterations): no crash, no
/// hang, and every rejection is one of the readers' own errors with a message a person can act on.
@Suite("Hostile input")
struct HostileInputTests {
    static let iterations = Int(ProcessInfo.processInfo.environment["CHITRA_FUZZ_ITERATIONS"] ?? "") ?? 150
    static let timeLimit: TimeInterval = 5

    /// Mutates `seed` file `iterations` times and hands each variant (as a file) to `read`,
    /// which returns nil on success or the error text; checks time and message.
    func fuzz(_ seedFile: URL, seed: UInt64, name: String, _ read: (URL) throws -> Void, acceptable: (any Error) -> Bool) throws {
        let original = [UInt8](try Data(contentsOf: seedFile))
        var rng = SplitMix64(state: seed)
        let dir = try TempDir()
        let ext = seedFile.pathExtension
        var rejected = 0
        for i in 0..<Self.iterations {
            let (bytes, what) = Mutator.mutate(original, rng: &rng)
            let url = dir.file("\(name)-\(i).\(ext)")
            try Data(bytes).write(to: url)
            let start = Date()
            do { try read(url) } catch {
                rejected += 1
                let text = "\(error)"
                #expect(acceptable(error), "\(name) #\(i) (seed \(seed), \(what)): unexpected error type \(type(of: error)): \(text.prefix(300))")
                let shown = String(String.UnicodeScalarView(text.unicodeScalars.prefix(240).map { $0.properties.generalCategory == .control && $0 != "\n" ? "?" : $0 }))
                #expect(!text.isEmpty && text.count < 2000, "\(name) #\(i): message of \(text.count) characters: \(shown)")
                #expect(!text.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" && $0 != "\t" }, "\(name) #\(i): the message carries control characters: \(shown)")
            }
            let elapsed = Date().timeIntervalSince(start)
            #expect(elapsed < Self.timeLimit, "\(name) #\(i) (seed \(seed), \(what)) took \(elapsed) s")
            try? FileManager.default.removeItem(at: url)
        }
        #expect(rejected > 0, "\(name): no mutation was rejected — is the reader checking anything?")
    }

    static func loadRoll(_ url: URL) throws {
        let tariff = try Tariff.load(from: Paths.formats.appendingPathComponent("tariff.json"))
        let banks = try BankDirectory.load(from: Paths.formats.appendingPathComponent("banks.json"))
        let validator = RollValidator(tariff: tariff, banks: banks)
        let reader = try CSVReader(url: url)
        guard let first = try reader.next() else { return }
        let header = try RollHeader(cells: first.fields, file: url.lastPathComponent)
        while let r = try reader.next() {
            _ = validator.validate(fields: r.fields, line: r.line, header: header, file: url.lastPathComponent)
        }
    }

    @Test("Roll CSV reader and validator survive random mutations")
    func rollCSV() throws {
        for (i, name) in ["rules-roll.csv", "broken-roll.csv"].enumerated() {
            try fuzz(Paths.fixtures.appendingPathComponent("rules/\(name)"), seed: 1000 + UInt64(i), name: name, Self.loadRoll) {
                $0 is CSVReader.Failure || $0 is RollHeader.Problem
            }
        }
    }

    static func readReturn(_ url: URL) throws {
        _ = try ReturnFileReader.read(url: url, formats: try ReturnFormats.load(from: Paths.formats.appendingPathComponent("return-formats.json")))
    }

    @Test("Bank CSV and post-office returns survive random mutations")
    func csvReturns() throws {
        for (i, name) in ["bank-csv-return.csv", "vnpost-return.csv"].enumerated() {
            try fuzz(Paths.fixtures.appendingPathComponent("returns/\(name)"), seed: 2000 + UInt64(i), name: name, Self.readReturn) { $0 is ReturnFileError }
        }
    }

    static let shared = Paths.packageRoot.deletingLastPathComponent().appendingPathComponent("shared/iso20022/samples")

    @Test("pain.002 and camt.054 readers survive random mutations",
          .enabled(if: FileManager.default.fileExists(atPath: shared.path), "needs ../shared/iso20022/samples"))
    func xmlReturns() throws {
        let samples = ["pain.002.001.03_oca_test-sepa-pain-unpaid.xml", "pain.002.001.10_hbci4java_test-pain-parse-0020110-03.xml",
                       "camt.054.001.02_genkgo_camt054.v2.xml", "camt.054.001.08_genkgo_camt054.v8.xml"]
        for (i, name) in samples.enumerated() {
            let formats = try ReturnFormats.load(from: Paths.formats.appendingPathComponent("return-formats.json"))
            let reader = ReturnFileReader(acceptForeignCurrency: true)
            try fuzz(Self.shared.appendingPathComponent(name), seed: 3000 + UInt64(i), name: name,
                     { _ = try reader.read(url: $0, formats: formats) }) { $0 is ReturnFileError }
        }
    }

    @Test("Format descriptors (payout-formats, return-formats, tariff) survive random mutations")
    func descriptors() throws {
        try fuzz(Paths.formats.appendingPathComponent("payout-formats.json"), seed: 4001, name: "payout-formats",
                 { _ = try PayoutFormats.parse(try Data(contentsOf: $0)) }) { $0 is PayoutFormatsError }
        try fuzz(Paths.formats.appendingPathComponent("return-formats.json"), seed: 4002, name: "return-formats",
                 { _ = try ReturnFormats.parse(try Data(contentsOf: $0)) }) { $0 is ReturnFormatsError }
        try fuzz(Paths.formats.appendingPathComponent("tariff.json"), seed: 4003, name: "tariff",
                 { _ = try Tariff.load(from: $0) }) { $0 is TariffError }
    }

    // MARK: - Specific cases

    @Test("A record of several megabytes is refused by CSVReader.maxRecordBytes, quickly")
    func hugeLine() throws {
        let dir = try TempDir()
        let url = dir.file("huge.csv")
        var text = try Data(contentsOf: Paths.fixtures.appendingPathComponent("rules/rules-roll.csv"))
        text.append(Data(repeating: UInt8(ascii: "x"), count: 6 << 20))
        text.append(Data("\n".utf8))
        try text.write(to: url)
        let start = Date()
        #expect { try Self.loadRoll(url) } throws: { "\($0)".contains("một dòng dài hơn 1.048.576 byte") }
        #expect(Date().timeIntervalSince(start) < 5)
    }

    @Test("A roll saved in a legacy Vietnamese encoding gets a 'save as UTF-8' error")
    func legacyEncoding() throws {
        let dir = try TempDir()
        let roll = try String(contentsOf: Paths.fixtures.appendingPathComponent("rules/rules-roll.csv"), encoding: .utf8)
        // Re-encode every non-ASCII letter as one high byte, as Windows-1258 and TCVN3 do.
        var bytes: [UInt8] = []
        for scalar in roll.unicodeScalars {
            bytes.append(scalar.isASCII ? UInt8(scalar.value) : UInt8(0xA0 + scalar.value % 0x60))
        }
        let url = dir.file("legacy.csv")
        try Data(bytes).write(to: url)
        #expect { try Self.loadRoll(url) } throws: { "\($0)".contains("UTF-8") }
    }

    @Test("Invalid UTF-8 and NUL bytes in a return CSV are refused with a reason")
    func invalidBytesInReturns() throws {
        let dir = try TempDir()
        var data = try Data(contentsOf: Paths.fixtures.appendingPathComponent("returns/bank-csv-return.csv"))
        data.append(contentsOf: [0xFF, 0xFE, 0x00, 0x2C, 0xC3, 0x28, 0x0A])
        let url = dir.file("bad.csv")
        try data.write(to: url)
        do { try Self.readReturn(url) } catch { #expect(error is ReturnFileError, "\(error)") }
    }

    @Test("A sparse file of several gigabytes is refused by size before it is read")
    func sparseGigabytes() throws {
        let dir = try TempDir()
        let url = dir.file("huge.csv")
        FileManager.default.createFile(atPath: url.path, contents: Data("ma_doi_tuong,ho_ten\n".utf8))
        let h = try FileHandle(forWritingTo: url)
        try h.truncate(atOffset: 5 << 30)   // 5 GiB, sparse: no disk used
        try h.close()
        let start = Date()
        #expect { try RollFilePreflight.check(url) } throws: { "\($0)".contains("lớn hơn giới hạn") }
        #expect { try Self.readReturn(url) } throws: { ($0 as? ReturnFileError)?.code == .tooLarge }
        #expect(Date().timeIntervalSince(start) < 2)
    }

    @Test("XML entity expansion is refused by the returns reader")
    func entityExpansion() throws {
        let dir = try TempDir()
        let url = dir.file("lol.xml")
        try Data("""
            <?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>
            <Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08"><BkToCstmrDbtCdtNtfctn><GrpHdr><MsgId>&c;</MsgId></GrpHdr></BkToCstmrDbtCdtNtfctn></Document>
            """.utf8).write(to: url)
        #expect { try Self.readReturn(url) } throws: { ($0 as? ReturnFileError)?.code == .doctypeRefused }
    }
}

/// Inputs that crashed a reader once, kept in fixtures/fuzz/.
@Suite("Fuzz regressions")
struct FuzzRegressionTests {
    @Test("An XML comment holding invalid UTF-8 is refused (Foundation's XMLParser used to crash on it)")
    func xmlCommentWithInvalidUTF8() throws {
        let url = Paths.fixtures.appendingPathComponent("fuzz/xml-comment-invalid-utf8.xml")
        #expect { try HostileInputTests.readReturn(url) } throws: { ($0 as? ReturnFileError)?.code == .notUTF8 }
    }

    @Test("Invalid UTF-8 split across the 1 MiB read boundary is still found; valid text split there is not refused")
    func utf8AcrossChunks() throws {
        let dir = try TempDir()
        let head = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pain.002.001.10\"><!-- "
        var bytes = [UInt8](head.utf8)
        bytes += [UInt8](repeating: 0x20, count: (1 << 20) - bytes.count - 1)
        let valid = bytes + Array("ệ --><CstmrPmtStsRpt/></Document>".utf8)   // ệ is 3 bytes: split by the chunk boundary
        let invalid = bytes + [0xE1, 0xBB, 0x28] + Array(" --><CstmrPmtStsRpt/></Document>".utf8)
        let good = dir.file("good.xml"), bad = dir.file("bad.xml")
        try Data(valid).write(to: good)
        try Data(invalid).write(to: bad)
        do { try HostileInputTests.readReturn(good) } catch { #expect((error as? ReturnFileError)?.code != .notUTF8, "\(error)") }
        #expect { try HostileInputTests.readReturn(bad) } throws: { ($0 as? ReturnFileError)?.code == .notUTF8 }
    }
}
