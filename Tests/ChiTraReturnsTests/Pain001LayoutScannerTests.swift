import ChiTraBatch
import ChiTraCore
@testable import ChiTraReturns
@testable import ChiTraSimulator
import Foundation
import Testing

/// The simulator reads ChiTra's own pain.001 layout line by line; the layout changed in issue 15
/// (category purpose, clearing system, charges, interbank credits) and must still be read that way.
@Suite("pain.001 layout scanner")
struct Pain001LayoutScannerTests {
    @Test("ChiTra's pain.001 (SSBE, NAPAS, DEBT, credits to other banks) is read by the line scanner with the XML reader's values")
    func readsCurrentLayout() throws {
        let dir = try TempDir()
        var doc = SamplePayout.document(SamplePayout.vietcombank, (1...40).map { SamplePayout.bankLine($0, bin: $0 % 3 == 0 ? "970415" : "970436") })
        doc.interbank = true
        let file = try Pain001Writer().write(doc)
        let text = String(decoding: file.data, as: UTF8.self)
        #expect(text.contains("<Prtry>NAPAS</Prtry>") && text.contains("<ChrgBr>DEBT</ChrgBr>") && text.contains("<Cd>SSBE</Cd>"))
        let url = dir.file("payout.xml")
        try file.data.write(to: url)
        var scanned: [SimulatedPayout.Line] = []
        let header = try #require(try Pain001LayoutScanner.scan(url) { scanned.append($0) }, "the scanner declined ChiTra's own layout")
        let parsed = try PayoutFileReader.read(url, formats: try Paths.payoutFormats())
        #expect(header.messageID == parsed.messageID)
        #expect(header.debtorAccount == parsed.debtorAccount)
        #expect(header.debtorAccount == "3712000012345")
        #expect(scanned.map(\.reference) == parsed.lines.map(\.reference))
        #expect(scanned.map(\.amount) == parsed.lines.map(\.amount))
        #expect(scanned.map(\.accountNo) == parsed.lines.map(\.accountNo))
        #expect(scanned.count == 40)
    }
}
