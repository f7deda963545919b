import ChiTraCore
import ChiTraReturns
import ChiTraSimulator
import Foundation
import Testing

@Suite("XML safety")
struct XMLSafetyTests {
    static let laughs = """
        <?xml version="1.0"?>
        <!DOCTYPE lolz [
         <!ENTITY lol "lol">
         <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
         <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
         <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
         <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
        ]>
        <Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.10"><CstmrPmtStsRpt><GrpHdr><MsgId>&lol9;</MsgId></GrpHdr></CstmrPmtStsRpt></Document>
        """

    @Test("A billion-laughs file is refused before parsing, quickly")
    func billionLaughs() throws {
        let dir = try TempDir()
        let url = try dir.write("laughs.xml", Self.laughs)
        let start = Date()
        for hint in [nil, "pain.002.001.10"] as [String?] {
            #expect {
                _ = try ReturnFileReader.read(url: url, formatHint: hint, formats: try Paths.returnFormats())
            } throws: { e in
                let error = e as? ReturnFileError
                return error?.code == .doctypeRefused && error?.description.contains("DOCTYPE") == true
            }
        }
        #expect(Date().timeIntervalSince(start) < 2)
    }

    @Test("An external entity (XXE) is refused too")
    func externalEntity() throws {
        let dir = try TempDir()
        let url = try dir.write("xxe.xml", """
            <?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>
            <Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08"><x>&x;</x></Document>
            """)
        #expect { _ = try ReturnFileReader.read(url: url, formats: try Paths.returnFormats()) } throws: {
            ($0 as? ReturnFileError)?.code == .doctypeRefused
        }
    }

    @Test("Nesting depth, text length and file size are capped")
    func limits() throws {
        let dir = try TempDir()
        let ns = "urn:iso:std:iso:20022:tech:xsd:pain.002.001.10"
        let deep = try dir.write("deep.xml", "<Document xmlns=\"\(ns)\">" + String(repeating: "<a>", count: 100) + String(repeating: "</a>", count: 100) + "</Document>")
        #expect { _ = try ReturnFileReader.read(url: deep, formats: try Paths.returnFormats()) } throws: { ($0 as? ReturnFileError)?.code == .limitExceeded }
        let long = try dir.write("long.xml", "<Document xmlns=\"\(ns)\"><CstmrPmtStsRpt><GrpHdr><MsgId>" + String(repeating: "x", count: 100_000) + "</MsgId></GrpHdr></CstmrPmtStsRpt></Document>")
        #expect { _ = try ReturnFileReader.read(url: long, formats: try Paths.returnFormats()) } throws: { ($0 as? ReturnFileError)?.code == .limitExceeded }
        let small = ReturnFileReader(limits: XMLLimits(maxFileBytes: 100))
        #expect { _ = try small.read(url: long, formats: try Paths.returnFormats()) } throws: { ($0 as? ReturnFileError)?.code == .tooLarge }
    }

    @Test("Broken XML is an error naming the line, not a crash")
    func notWellFormed() throws {
        let dir = try TempDir()
        let url = try dir.write("broken.xml", "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pain.002.001.10\">\n<CstmrPmtStsRpt>\n<GrpHdr><MsgId>x</GrpHdr>")
        #expect { _ = try ReturnFileReader.read(url: url, formats: try Paths.returnFormats()) } throws: { ($0 as? ReturnFileError)?.code == .notWellFormed }
    }

    @Test("A status file cut off between two elements is refused whole as truncated, not read as far as it goes")
    func truncatedBetweenElements() throws {
        let dir = try TempDir()
        let payout = try SamplePayout.write(format: "pain.001.001.09", count: 200, in: dir)
        for format in ["pain.002.001.10", "camt.054.001.08"] {
            let data = try ReturnSimulator.simulate(payoutFile: payout, outputFormat: format, failRate: 0.1, seed: 1,
                                                    formats: try Paths.payoutFormats(), returnFormats: try Paths.returnFormats(),
                                                    paymentDate: SamplePayout.paymentDate)
            let whole = try dir.write("whole-\(format).xml", String(decoding: data, as: UTF8.self))
            #expect(try ReturnFileReader.read(url: whole, formats: try Paths.returnFormats()).records.count == 200)
            // Cut right after an element's end tag, half-way through the file: well-formed so far.
            let text = String(decoding: data, as: UTF8.self)
            let half = text.index(text.startIndex, offsetBy: text.count / 2)
            let cut = text[..<half].range(of: ">\n", options: .backwards)!.upperBound
            let truncated = try dir.write("cut-\(format).xml", String(text[..<cut]))
            #expect { _ = try ReturnFileReader.read(url: truncated, formats: try Paths.returnFormats()) } throws: { e in
                let error = e as? ReturnFileError
                return error?.code == .notWellFormed && error?.description.contains("tệp bị cắt cụt, đề nghị ngân hàng gửi lại") == true
                    && error?.text(in: .en).contains("the file is truncated, ask the bank to send it again") == true
            }
        }
    }

    @Test("A group-level rejection without transactions is a document status, not invented lines")
    func groupRejected() throws {
        let dir = try TempDir()
        let url = try dir.write("rjct.xml", """
            <?xml version="1.0" encoding="UTF-8"?>
            <Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.10"><CstmrPmtStsRpt>
            <GrpHdr><MsgId>STS-1</MsgId><CreDtTm>2026-12-05T17:00:00+07:00</CreDtTm></GrpHdr>
            <OrgnlGrpInfAndSts><OrgnlMsgId>CT-202612-B7-970436</OrgnlMsgId><OrgnlMsgNmId>pain.001.001.09</OrgnlMsgNmId>
            <GrpSts>RJCT</GrpSts><StsRsnInf><Rsn><Cd>FF01</Cd></Rsn><AddtlInf>Invalid file format</AddtlInf></StsRsnInf></OrgnlGrpInfAndSts>
            </CstmrPmtStsRpt></Document>
            """)
        let doc = try ReturnFileReader.read(url: url, formats: try Paths.returnFormats())
        #expect(doc.records.isEmpty)
        #expect(doc.isRejectedAsAWhole)
        #expect(doc.groupStatus?.reasonCode == "FF01")
        #expect(doc.originalMessageID == "CT-202612-B7-970436")
    }

    @Test("VND amounts: a zero fraction is accepted, a fraction of a đồng is a malformed line")
    func amounts() throws {
        let dir = try TempDir()
        func tx(_ ref: String, _ amount: String, _ ccy: String = "VND") -> String {
            "<TxInfAndSts><OrgnlEndToEndId>\(ref)</OrgnlEndToEndId><TxSts>ACSC</TxSts><OrgnlTxRef><Amt><InstdAmt Ccy=\"\(ccy)\">\(amount)</InstdAmt></Amt></OrgnlTxRef></TxInfAndSts>"
        }
        let url = try dir.write("amounts.xml", """
            <Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.10"><CstmrPmtStsRpt><GrpHdr><MsgId>S</MsgId></GrpHdr>
            <OrgnlGrpInfAndSts><OrgnlMsgId>O</OrgnlMsgId></OrgnlGrpInfAndSts><OrgnlPmtInfAndSts><OrgnlPmtInfId>P</OrgnlPmtInfId>
            \(tx("A", "750000.00"))\(tx("B", "750000.50"))\(tx("C", "750000", "USD"))\(tx("D", "750000"))
            <TxInfAndSts><TxSts>RJCT</TxSts></TxInfAndSts>
            </OrgnlPmtInfAndSts></CstmrPmtStsRpt></Document>
            """)
        let doc = try ReturnFileReader.read(url: url, formats: try Paths.returnFormats())
        #expect(doc.records.map(\.reference) == ["A", "D"])
        #expect(doc.records.allSatisfy { $0.amount == 750_000 && $0.currency == "VND" && $0.outcome == .paid })
        #expect(doc.malformed.map(\.column) == ["InstdAmt", "InstdAmt/@Ccy", "OrgnlEndToEndId"])
    }
}
