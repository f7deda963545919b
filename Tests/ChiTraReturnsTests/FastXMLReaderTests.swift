import ChiTraCore
import ChiTraFixtures
@testable import ChiTraReturns
import ChiTraSimulator
import Foundation
import Testing

/// The byte-level XML reader must give exactly XMLParser's events (paths, attributes, trimmed texts,
/// line numbers) whenever it accepts a file, and accept the files the simulator writes.
@Suite("Fast XML reader")
struct FastXMLReaderTests {
    /// Every event as one line of text.
    final class Recorder: XMLEventHandler {
        var events: [String] = []
        func didStart(path: [String], attributes: [String: String], line: Int) {
            let attrs = attributes.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
            events.append("S \(path.joined(separator: "/")) {\(attrs)} @\(line)")
        }
        func didEnd(path: [String], text: String, line: Int) {
            events.append("E \(path.joined(separator: "/")) [\(text)] @\(line)")
        }
    }

    /// The fast reader's events, or nil when it leaves the file to XMLParser.
    func fast(_ url: URL) -> [String]? {
        let r = Recorder()
        return FastXMLReader.parse(url, limits: XMLLimits(), handler: r) ? r.events : nil
    }

    /// XMLParser's events, or nil when the file is refused (prescan first, as in production).
    func slow(_ url: URL) -> [String]? {
        let r = Recorder()
        do {
            try SafeXMLReader.prescan(url, limits: XMLLimits())
            try SafeXMLReader.parse(url, limits: XMLLimits(), handler: r)
        } catch { return nil }
        return r.events
    }

    func simulated(_ returnFormat: String?, count: Int, in dir: TempDir) throws -> [UInt8] {
        let payout = try SamplePayout.write(format: "pain.001.001.09", count: count, in: dir)
        let data = try ReturnSimulator.simulate(payoutFile: payout, outputFormat: returnFormat, failRate: 0.3, seed: 42,
                                                formats: try Paths.payoutFormats(), returnFormats: try Paths.returnFormats(),
                                                paymentDate: SamplePayout.paymentDate)
        return [UInt8](data)
    }

    @Test("Simulated pain.002 and camt.054 are read by the fast path, with XMLParser's events")
    func simulatedFiles() throws {
        let dir = try TempDir()
        for format in [nil, "camt.054.001.08"] as [String?] {
            let bytes = try simulated(format, count: 300, in: dir)
            let url = dir.file("ret-\(format ?? "pain")")
            try Data(bytes).write(to: url)
            let f = try #require(fast(url), "the fast path should read \(format ?? "pain.002")")
            #expect(f == slow(url))
            #expect(f.count > 1000)
        }
    }

    @Test("Variants inside the subset give the same events; outside it the fast path steps aside")
    func variants() throws {
        let dir = try TempDir()
        let base = String(decoding: try simulated(nil, count: 20, in: dir), as: UTF8.self)
        let variants: [(String, String, Bool)] = [
            ("crlf", base.replacingOccurrences(of: "\n", with: "\r\n"), true),
            ("tabs", base.replacingOccurrences(of: "  ", with: "\t"), true),
            ("no declaration", String(base.drop(while: { $0 != ">" }).dropFirst()), true),
            ("one line", base.replacingOccurrences(of: "\n", with: ""), true),
            ("self-closing", base.replacingOccurrences(of: "<GrpHdr>", with: "<Empty/><Empty a='1' b=\"2\" /><GrpHdr>"), true),
            ("text with spaces", base.replacingOccurrences(of: "<TxSts>", with: "<TxSts>  \u{A0}"), true),
            ("comment", base.replacingOccurrences(of: "<GrpHdr>", with: "<!-- x --><GrpHdr>"), false),
            ("entity", base.replacingOccurrences(of: "<GrpHdr>", with: "<Note>a &amp; b</Note><GrpHdr>"), false),
            ("cdata", base.replacingOccurrences(of: "<GrpHdr>", with: "<Note><![CDATA[x]]></Note><GrpHdr>"), false),
            ("prefix", base.replacingOccurrences(of: "<GrpHdr>", with: "<p:X xmlns:p=\"urn:x\"/><GrpHdr>"), false),
            ("end tag with space", base.replacingOccurrences(of: "</GrpHdr>", with: "</GrpHdr >"), false),
            ("multi-line tag", base.replacingOccurrences(of: "<InstdAmt Ccy", with: "<InstdAmt\nCcy"), false),
            ("bom", "\u{FEFF}" + base, false),
            ("standalone", base.replacingOccurrences(of: "encoding=\"UTF-8\"?>", with: "encoding=\"UTF-8\" standalone=\"yes\"?>"), false),
            ("mismatched", base.replacingOccurrences(of: "</GrpHdr>", with: "</GrpHdx>"), false),
            ("two roots", base + "<Document/>", false),
            ("trailing text", base + "x", false),
            ("truncated", String(base.prefix(base.count / 2)), false),
        ]
        for (name, text, inSubset) in variants {
            let url = try dir.write("v.xml", text)
            let f = fast(url)
            #expect((f != nil) == inSubset, "\(name)")
            if let f { #expect(f == slow(url), "\(name)") }
        }
    }

    @Test("On random mutants, whatever the fast path accepts XMLParser reads the same way")
    func mutants() throws {
        let dir = try TempDir()
        let pain = try simulated(nil, count: 6, in: dir)
        let camt = try simulated("camt.054.001.08", count: 6, in: dir)
        var rng = SplitMix64(state: 2026)
        let pieces: [[UInt8]] = ["<", ">", "/", "&", "\"", "'", "=", " ", "\r", "\n", "\t", ":", "<!--", "?>", "ê", "\u{FFFE}", "\0", "]]>", "<X>", "</X>", "<X/>"]
            .map { Array($0.utf8) }
        var accepted = 0
        let iterations = Int(ProcessInfo.processInfo.environment["CHITRA_FUZZ_ITERATIONS"] ?? "") ?? 400
        for i in 0..<iterations {
            var b = i % 2 == 0 ? pain : camt
            for _ in 0..<Int.random(in: 1...3, using: &rng) {
                let at = Int.random(in: 0..<b.count, using: &rng)
                switch Int.random(in: 0..<4, using: &rng) {
                case 0: b.insert(contentsOf: pieces.randomElement(using: &rng)!, at: at)
                case 1: b.removeSubrange(at..<min(b.count, at + Int.random(in: 1...20, using: &rng)))
                case 2: b[at] = UInt8.random(in: 0x20...0x7E, using: &rng)
                default: b.insert(contentsOf: b[at..<min(b.count, at + Int.random(in: 1...200, using: &rng))], at: at)
                }
                if b.isEmpty { b = [0x20] }
            }
            let url = dir.file("m\(i).xml")
            try Data(b).write(to: url)
            if (try? SafeXMLReader.prescan(url, limits: XMLLimits())) == nil { continue }
            if let f = fast(url) {
                accepted += 1
                let s = slow(url)
                #expect(s != nil, "mutant \(i): accepted by the fast path, refused by XMLParser")
                #expect(f == s, "mutant \(i): different events")
            }
        }
        #expect(accepted > 0)
    }

    @Test("Public samples: same events when the fast path reads them", .enabled(if: Paths.hasSamples))
    func samples() throws {
        for name in try FileManager.default.contentsOfDirectory(atPath: Paths.samples.path) where name.hasSuffix(".xml") {
            let url = Paths.sample(name)
            if let f = fast(url) { #expect(f == slow(url), "\(name)") }
        }
    }
}
