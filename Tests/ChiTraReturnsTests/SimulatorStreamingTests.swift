import ChiTraCore
import ChiTraReturns
import ChiTraSimulator
import ChiTraSigning
import Foundation
import Testing

/// `simulate(…, to:)` streams the return file; these tests hold it to the in-memory simulation.
@Suite("Return simulator, streamed")
struct SimulatorStreamingTests {
    func inMemory(_ payout: URL, _ format: String?, seed: UInt64 = 42) throws -> Data {
        try ReturnSimulator.simulate(payoutFile: payout, outputFormat: format, failRate: 0.3, seed: seed,
                                     formats: try Paths.payoutFormats(), returnFormats: try Paths.returnFormats(),
                                     paymentDate: SamplePayout.paymentDate)
    }

    func streamed(_ payout: URL, _ format: String?, to out: URL, key: SigningKey? = nil) throws -> ReturnSimulator.WrittenFile {
        try ReturnSimulator.simulate(payoutFile: payout, outputFormat: format, failRate: 0.3, seed: 42,
                                     formats: try Paths.payoutFormats(), returnFormats: try Paths.returnFormats(),
                                     paymentDate: SamplePayout.paymentDate, to: out, signingKey: key)
    }

    @Test("Streamed to a file: the bytes of the in-memory simulation, for every payout and return format")
    func sameBytes() throws {
        let dir = try TempDir()
        for (payout, format) in [("pain.001.001.09", nil), ("pain.001.001.09", "camt.054.001.08"), ("bank-csv", nil), ("vnpost-list", nil)] as [(String, String?)] {
            let url = try SamplePayout.write(format: payout, count: 300, in: dir)
            let out = dir.file("streamed-\(payout)-\(format ?? "")")
            let written = try streamed(url, format, to: out)
            let expected = try inMemory(url, format)
            #expect(try Data(contentsOf: out) == expected, "\(payout) → \(format ?? "default")")
            #expect(written.byteCount == expected.count)
            #expect(written.signature == nil)
        }
    }

    @Test("A pain.001 in another layout (CRLF) is read by the XML parser and answered the same")
    func otherLayout() throws {
        let dir = try TempDir()
        let url = try SamplePayout.write(format: "pain.001.001.09", count: 50, in: dir)
        let crlf = dir.file("payout-crlf.xml")
        try Data(String(decoding: try Data(contentsOf: url), as: UTF8.self).replacingOccurrences(of: "\n", with: "\r\n").utf8).write(to: crlf)
        for format in [nil, "camt.054.001.08"] as [String?] {
            let out = dir.file("crlf-\(format ?? "pain002")")
            _ = try streamed(crlf, format, to: out)
            #expect(try Data(contentsOf: out) == (try inMemory(url, format)))
        }
    }

    @Test("Signed while streamed: the .sig of the bytes written, as write(_:to:signingKey:) makes it")
    func signed() throws {
        let dir = try TempDir()
        let store = KeyStore(directory: dir.file("keys"))
        _ = try store.create()
        let url = try SamplePayout.write(format: "vnpost-list", count: 40, in: dir)
        let out = dir.file("signed.csv")
        let written = try streamed(url, nil, to: out, key: try store.activeKey())
        let reference = dir.file("reference.csv")
        let expected = try #require(try ReturnSimulator.write(try inMemory(url, nil), to: reference, signingKey: try store.activeKey()))
        #expect(written.signature?.mac == expected.mac)
        #expect(try Verifier.verify(file: out, keys: store).isValid)
        let mode = try FileManager.default.attributesOfItem(atPath: out.path)[.posixPermissions] as? NSNumber
        #expect(mode?.intValue == 0o600)
    }

    @Test("A payout that cannot be read leaves no return file, and its error comes before the format's")
    func refusals() throws {
        let dir = try TempDir()
        let url = try SamplePayout.write(format: "bank-csv", count: 30, in: dir)
        let text = try String(contentsOf: url, encoding: .utf8)
        var rows = text.components(separatedBy: "\r\n")
        rows[20] = rows[20].replacingOccurrences(of: "0,VND", with: "O,VND")
        let broken = dir.file("broken.csv")
        try Data(rows.joined(separator: "\r\n").utf8).write(to: broken)
        let out = dir.file("never.csv")
        #expect { _ = try streamed(broken, nil, to: out) } throws: { ($0 as? ReturnFileError)?.code == .notWellFormed }
        #expect { _ = try streamed(broken, "camt.054.001.08", to: out) } throws: { ($0 as? ReturnFileError)?.code == .notWellFormed }
        #expect { _ = try streamed(url, "camt.054.001.08", to: out) } throws: { ($0 as? ReturnFileError)?.code == .unsupportedFormat }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.url.path).filter { $0.contains("never") }.isEmpty)
    }
}
