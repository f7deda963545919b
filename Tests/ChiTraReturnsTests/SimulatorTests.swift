import ChiTraCore
import ChiTraReturns
import ChiTraSimulator
import ChiTraSigning
import Foundation
import Testing

@Suite("Return simulator")
struct SimulatorTests {
    /// Simulates `count` lines of `payoutFormat` into `returnFormat`; returns the bytes and the parsed document.
    func roundTrip(_ payoutFormat: String, _ returnFormat: String?, count: Int = 400, failRate: Double = 0.3, seed: UInt64 = 42,
                   in dir: TempDir) throws -> (Data, ReturnDocument, URL) {
        let payout = try SamplePayout.write(format: payoutFormat, count: count, in: dir)
        let data = try ReturnSimulator.simulate(payoutFile: payout, outputFormat: returnFormat, failRate: failRate, seed: seed,
                                                formats: try Paths.payoutFormats(), returnFormats: try Paths.returnFormats(),
                                                paymentDate: SamplePayout.paymentDate)
        let out = dir.file("return-\(returnFormat ?? payoutFormat)-\(seed)")
        try ReturnSimulator.write(data, to: out)
        return (data, try ReturnFileReader.read(url: out, formats: try Paths.returnFormats()), out)
    }

    func checkRoundTrip(_ doc: ReturnDocument, count: Int, failRate: Double) {
        #expect(doc.malformed.isEmpty, "\(doc.malformed)")
        #expect(doc.findings.isEmpty, "\(doc.findings)")
        let refs = doc.records.compactMap(\.reference)
        #expect(refs.count == count)
        #expect(Set(refs) == Set((1...count).map { String(format: "CT202612-%06d", $0) }))
        for r in doc.records {
            let n = Int(r.reference!.suffix(6))!
            #expect(r.amount == SamplePayout.amount(n))
        }
        let share = Double(doc.records.filter { $0.outcome == .rejected }.count) / Double(count)
        #expect(abs(share - failRate) < 0.07, "failure share \(share)")
        #expect(doc.records.filter { $0.outcome == .rejected }.allSatisfy { $0.reasonCode != nil })
    }

    @Test("pain.001 → pain.002.001.10: every reference once, same amounts, the asked failure share, ~1% pending")
    func pain002() throws {
        let dir = try TempDir()
        let (_, doc, _) = try roundTrip("pain.001.001.09", nil, in: dir)
        #expect(doc.format == "pain.002.001.10")
        #expect(doc.originalMessageID == "CT-202612-B7-970436")
        #expect(doc.groupStatus?.status == "PART")
        checkRoundTrip(doc, count: 400, failRate: 0.3)
        #expect(doc.records.filter { $0.outcome == .pending }.count < 12)
        #expect(Set(doc.records.compactMap(\.reasonCode)).isSubset(of: ["AC01", "AC04", "AC06", "BE01", "MD07", "AM05", "MS03"]))
        #expect(doc.records.first?.accountNo == "0123400001")
    }

    @Test("pain.001 → camt.054.001.08 with --format")
    func camt054() throws {
        let dir = try TempDir()
        let (_, doc, _) = try roundTrip("pain.001.001.09", "camt.054.001.08", in: dir)
        #expect(doc.format == "camt.054.001.08")
        #expect(doc.originalMessageID == "CT-202612-B7-970436")
        checkRoundTrip(doc, count: 400, failRate: 0.3)
        #expect(doc.records.allSatisfy { $0.date == SamplePayout.paymentDate })
    }

    @Test("bank-csv → bank-csv-return")
    func bankCSV() throws {
        let dir = try TempDir()
        let (_, doc, _) = try roundTrip("bank-csv", nil, in: dir)
        #expect(doc.format == "bank-csv-return")
        checkRoundTrip(doc, count: 400, failRate: 0.3)
    }

    @Test("vnpost-list → vnpost-return: post office reasons, proxies only where the line names one, totals right")
    func vnpost() throws {
        let dir = try TempDir()
        let (data, doc, _) = try roundTrip("vnpost-list", nil, in: dir)
        #expect(data.starts(with: [0xEF, 0xBB, 0xBF]))
        #expect(doc.format == "vnpost-return")
        checkRoundTrip(doc, count: 400, failRate: 0.3)
        #expect(Set(doc.records.compactMap(\.reasonCode)) == ["VANG_MAT", "KHONG_NHAN", "CHUYEN_DI", "DA_MAT", "TU_CHOI"])
        let proxies = doc.records.filter { $0.receiver == .proxy }
        #expect(!proxies.isEmpty)
        #expect(proxies.allSatisfy { Int($0.reference!.suffix(6))! % 5 == 0 })
        #expect(doc.records.filter { $0.outcome == .paid }.allSatisfy { $0.receiver != nil && $0.date == SamplePayout.paymentDate })
    }

    @Test("Same seed, same bytes; another seed, other fates")
    func deterministic() throws {
        let dir = try TempDir()
        for (payout, format) in [("pain.001.001.09", nil), ("pain.001.001.09", "camt.054.001.08"), ("vnpost-list", nil)] as [(String, String?)] {
            let (a, _, _) = try roundTrip(payout, format, count: 100, in: dir)
            let (b, _, _) = try roundTrip(payout, format, count: 100, in: dir)
            let (c, _, _) = try roundTrip(payout, format, count: 100, seed: 7, in: dir)
            #expect(a == b)
            #expect(a != c)
        }
    }

    @Test("A line's fate depends only on the seed and its reference, not on the other lines")
    func stablePerLine() throws {
        let dir = try TempDir()
        let (_, small, _) = try roundTrip("pain.001.001.09", nil, count: 50, in: dir)
        let (_, large, _) = try roundTrip("pain.001.001.09", nil, count: 200, in: dir)
        let fates = Dictionary(uniqueKeysWithValues: large.records.map { ($0.reference!, ($0.outcome, $0.reasonCode)) })
        for r in small.records { #expect(fates[r.reference!]! == (r.outcome, r.reasonCode)) }
    }

    @Test("Generated pain.002.001.10 and camt.054.001.08 validate against the official XSDs",
          .enabled(if: Paths.canValidate, "xmllint or ../shared/iso20022/xsd not found"))
    func xsd() throws {
        let dir = try TempDir()
        for (format, schema) in [(nil, "pain.002.001.10.xsd"), ("camt.054.001.08", "camt.054.001.08.xsd")] as [(String?, String)] {
            let (_, _, url) = try roundTrip("pain.001.001.09", format, count: 60, in: dir)
            let (status, messages) = try xmllint(schema: Paths.xsd.appendingPathComponent(schema), file: url)
            #expect(status == 0, "\(schema): \(messages)")
        }
    }

    @Test("Fail rates 0 and 1: all paid, all rejected")
    func extremes() throws {
        let dir = try TempDir()
        let (_, none, _) = try roundTrip("bank-csv", nil, count: 50, failRate: 0, in: dir)
        #expect(none.records.allSatisfy { $0.outcome == .paid })
        let (_, all, _) = try roundTrip("pain.001.001.09", nil, count: 50, failRate: 1, in: dir)
        #expect(all.records.allSatisfy { $0.outcome == .rejected })
        #expect(all.groupStatus?.status == "RJCT")
    }

    @Test("A format that does not answer the payout file is refused")
    func wrongFormat() throws {
        let dir = try TempDir()
        let payout = try SamplePayout.write(format: "bank-csv", count: 3, in: dir)
        #expect {
            _ = try ReturnSimulator.simulate(payoutFile: payout, outputFormat: "camt.054.001.08", failRate: 0.1, seed: 1,
                                             formats: try Paths.payoutFormats(), returnFormats: try Paths.returnFormats(),
                                             paymentDate: SamplePayout.paymentDate)
        } throws: { ($0 as? ReturnFileError)?.code == .unsupportedFormat }
    }

    @Test("--sign writes FILE.sig with the active key, which verifies")
    func signed() throws {
        let dir = try TempDir()
        let store = KeyStore(directory: dir.file("keys"))
        _ = try store.create()
        let payout = try SamplePayout.write(format: "pain.001.001.09", count: 5, in: dir)
        let data = try ReturnSimulator.simulate(payoutFile: payout, outputFormat: nil, failRate: 0.2, seed: 1,
                                                formats: try Paths.payoutFormats(), returnFormats: try Paths.returnFormats(),
                                                paymentDate: SamplePayout.paymentDate)
        let out = dir.file("pain002.xml")
        let signature = try #require(try ReturnSimulator.write(data, to: out, signingKey: store.activeKey()))
        #expect(FileManager.default.fileExists(atPath: DetachedSignature.signatureURL(for: out).path))
        #expect(signature.byteCount == UInt64(data.count))
        let mode = try FileManager.default.attributesOfItem(atPath: out.path)[.posixPermissions] as? NSNumber
        #expect(mode?.intValue == 0o600)
    }
}
