import ChiTraCore
import ChiTraReturns
import Foundation
import Testing

/// The public ISO 20022 samples in ../shared/iso20022/samples. Their amounts are in EUR, SEK or
/// CHF: by default each such transaction is a malformed line (ChiTra pays only đồng); with
/// `acceptForeignCurrency` they are records with `currency` set and no amount.
@Suite("Public ISO 20022 sample files", .enabled(if: Paths.hasSamples, "../shared/iso20022/samples not found"))
struct SampleFilesTests {
    let lenient = ReturnFileReader(acceptForeignCurrency: true)

    @Test("Swiss pain.002.001.03 variant: one rejected transaction, AC01, and a rejected payment block")
    func swissReject() throws {
        let doc = try ReturnFileReader.read(url: Paths.sample("pain.002.001.03.ch.02_moov_reject_AC01.xml"), formats: try Paths.returnFormats())
        #expect(doc.format == "pain.002.001.03")
        #expect(doc.messageID == "20180326375204011678275")
        #expect(doc.originalMessageID == "MsgId-006")
        #expect(doc.malformed.isEmpty)
        #expect(doc.records.count == 1)
        let r = try #require(doc.records.first)
        #expect(r.reference == "EndToEndId-006-01-01")
        #expect(r.outcome == .rejected)
        #expect(r.reasonCode == "AC01")
        #expect(r.reasonText == "1301813;Konto ungültig")
        #expect(r.date == CivilDate(year: 2018, month: 3, day: 27))
        let block = try #require(doc.blockStatuses.first)
        #expect(doc.blockStatuses.count == 1)
        #expect(block.level == .paymentInformation && block.originalID == "PmtInfId-006-01")
        #expect(block.status == "RJCT" && block.outcome == .rejected && block.reasonCode == "NARR")
        #expect(block.reasonText == "1297193;Sammelauftrag ohne ausführbaren Einzelauftrag")
    }

    @Test("OCA pain.002.001.03: four rejections in EUR are malformed by default")
    func ocaStrict() throws {
        let doc = try ReturnFileReader.read(url: Paths.sample("pain.002.001.03_oca_test-sepa-pain-unpaid.xml"), formats: try Paths.returnFormats())
        #expect(doc.format == "pain.002.001.03")
        #expect(doc.records.isEmpty)
        #expect(doc.malformed.count == 4)
        #expect(doc.malformed.allSatisfy { $0.column == "InstdAmt/@Ccy" && $0.message.contains("EUR") })
    }

    @Test("OCA pain.002.001.03 read leniently: four rejected records with their reasons")
    func ocaLenient() throws {
        let doc = try lenient.read(url: Paths.sample("pain.002.001.03_oca_test-sepa-pain-unpaid.xml"), formats: try Paths.returnFormats())
        #expect(doc.messageID == "MSGID99345678912")
        #expect(doc.originalMessageID == "MSGID12345678912")
        #expect(doc.malformed.isEmpty)
        #expect(doc.records.map(\.reference) == ["E2EID1", "E2EID2", "E2EID3", "E2EID4"])
        #expect(doc.records.map(\.reasonCode) == ["AC01", "MS02", "MD06", "AM04"])
        #expect(doc.records.allSatisfy { $0.outcome == .rejected && $0.currency == "EUR" && $0.amount == nil })
        #expect(doc.records.first?.accountNo == "NL77ABNA0574908765")
        #expect(doc.records.first?.reasonText == "ACC NUMBER INVALID")
    }

    @Test("hbci4java pain.002.001.10: a group status only, no invented lines")
    func groupOnly() throws {
        let doc = try ReturnFileReader.read(url: Paths.sample("pain.002.001.10_hbci4java_test-pain-parse-0020110-03.xml"), formats: try Paths.returnFormats())
        #expect(doc.format == "pain.002.001.10")
        #expect(doc.records.isEmpty)
        #expect(doc.malformed.isEmpty)
        #expect(doc.originalMessageID == "2025-11-02T18:33:03:0287")
        #expect(doc.groupStatus?.status == "RCVC")
        #expect(doc.groupStatus?.outcome == .pending)
        #expect(doc.blockStatuses.map(\.level) == [.group, .paymentInformation])
        #expect(!doc.isRejectedAsAWhole)
    }

    @Test("camt.054.001.02: three booked debit details (SEK) are malformed by default, paid when lenient")
    func camtV2() throws {
        let url = Paths.sample("camt.054.001.02_genkgo_camt054.v2.xml")
        let strict = try ReturnFileReader.read(url: url, formats: try Paths.returnFormats())
        #expect(strict.format == "camt.054.001.02")
        #expect(strict.records.isEmpty)
        #expect(strict.malformed.count == 3)
        let doc = try lenient.read(url: url, formats: try Paths.returnFormats())
        #expect(doc.messageID == "AAAASESS-FP-ACCR001")
        #expect(doc.records.count == 3)
        #expect(doc.records.allSatisfy { $0.outcome == .paid && $0.reference == "MUELL/FINP/RA12345" && $0.amount == nil && $0.currency == "SEK" })
        #expect(doc.records.allSatisfy { $0.date == CivilDate(year: 2007, month: 10, day: 18) })
    }

    @Test("camt.054.001.08: three transactions in CHF with cents")
    func camtV8() throws {
        let url = Paths.sample("camt.054.001.08_genkgo_camt054.v8.xml")
        let strict = try ReturnFileReader.read(url: url, formats: try Paths.returnFormats())
        #expect(strict.format == "camt.054.001.08")
        #expect(strict.records.isEmpty)
        #expect(strict.malformed.count == 3)
        #expect(strict.malformed.allSatisfy { $0.message.contains("CHF") })
        let doc = try lenient.read(url: url, formats: try Paths.returnFormats())
        #expect(doc.originalMessageID == "UXC06170000006")
        #expect(doc.records.map(\.reference) == ["UXC06170000006PI00001EE00001", "UXC06170000006PI00001EE00002", "UXC06170000006PI00001EE00002"])
        #expect(doc.records.allSatisfy { $0.outcome == .paid && $0.currency == "CHF" && $0.amount == nil })
        #expect(doc.records.first?.accountNo == "CH4112345003131313131")
        #expect(doc.records.first?.date == CivilDate(year: 2007, month: 10, day: 18))
    }

    @Test("camt.053 (a statement, not a notification) is refused with a clear message")
    func camt053Refused() throws {
        #expect {
            _ = try ReturnFileReader.read(url: Paths.sample("camt.053.001.08_genkgo_camt053.v8.xml"), formats: try Paths.returnFormats())
        } throws: { ($0 as? ReturnFileError)?.code == .unknownFormat }
    }
}
