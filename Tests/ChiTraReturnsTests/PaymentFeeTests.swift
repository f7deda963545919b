import ChiTraBatch
import ChiTraCore
import ChiTraReturns
import ChiTraStore
import ChiTraTestSupport
import Foundation
import GRDB
import Testing

/// The payment fee in the reconciliation, on what each organisation actually paid.
///
/// December 2026 on the rules roll (standard level and social pension 500,000; formats/tariff.json):
/// R01 poor elderly aged 80, 2.0 × 500,000 = 1,000,000 (Agribank); R04 especially severe
/// disability aged 70, 2.5 × 500,000 = 1,250,000 (Agribank); R06 severe disability aged 77,
/// 2.0 × 500,000 = 1,000,000 (Agribank); R03 severe disability aged 45, 1.5 × 500,000 = 750,000
/// (VietinBank); R16 social pension, poor household, 500,000 (post-office account).
/// Shipped rates (payer.json): banks 0.1 %, the post office 1.5 %.
@Suite("Payment fee in the reconciliation")
struct PaymentFeeTests {
    static let reasons = try! ReasonTaxonomy.load(from: ReturnsSetup.formats.appendingPathComponent("return-reasons.json"))

    /// Agribank pays R01 and R04 and rejects R06; VietinBank pays R03; the post office pays R16.
    static func returns(_ s: ReturnsSetup) throws {
        let r01 = try s.reference(s.batchID, code: "R01", month: "2026-12")
        let r04 = try s.reference(s.batchID, code: "R04", month: "2026-12")
        let r06 = try s.reference(s.batchID, code: "R06", month: "2026-12")
        let r03 = try s.reference(s.batchID, code: "R03", month: "2026-12")
        let r16 = try s.reference(s.batchID, code: "R16", month: "2026-12")
        #expect([r01["amount"], r04["amount"], r06["amount"], r03["amount"], r16["amount"]] as [Int64] == [1_000_000, 1_250_000, 1_000_000, 750_000, 500_000])
        _ = try s.importer().importFile(try s.bankReturn([
            (r01["reference"], r01["account_no"], 1_000_000, "PAID", ""),
            (r04["reference"], r04["account_no"], 1_250_000, "PAID", ""),
            (r06["reference"], r06["account_no"], 1_000_000, "REJECTED", "AC04"),
        ]))
        _ = try s.importer().importFile(try s.bankReturn([(r03["reference"], r03["account_no"], 750_000, "PAID", "")], name: "vietinbank-return.csv"))
        _ = try s.importer().importFile(try s.postReturn([(r16["reference"], "R16", 500_000, "Đã chi", "Đối tượng", "")], name: "post-return.csv"))
    }

    static func schedule(_ payer: Payer = ReturnsSetup.payer) -> Reconciliation.FeeSchedule {
        .init(payer: payer, banks: ReturnsSetup.banks)
    }

    @Test("Each organisation's fee is its rate on what it paid: Agribank 0.1 % × 2,250,000 = 2,250; VietinBank 0.1 % × 750,000 = 750; BIDV paid nothing, 0; the post office 1.5 % × 500,000 = 7,500")
    func feesOnWhatWasPaid() throws {
        let s = try ReturnsSetup()
        try Self.returns(s)
        let rec = try Reconciliation.build(s.db, batchID: s.batchID, queue: ExceptionQueue(db: s.db), taxonomy: Self.reasons, fees: Self.schedule())
        #expect(rec.balanced)
        #expect(rec.total.paid == .init(count: 4, sum: 3_500_000))
        #expect(rec.fees.map(\.institution) == ["970405", "970415", "970418", "VNPOST"])
        #expect(rec.fees.map(\.name) == ["Agribank (970405)", "VietinBank (970415)", "BIDV (970418)", "Bưu điện phường Hương Trà"])
        #expect(rec.fees.map(\.paidSum) == [2_250_000, 750_000, 0, 500_000])
        #expect(rec.fees.map(\.paidCount) == [2, 1, 0, 1])
        #expect(rec.fees.map(\.ratePercent) == ["0.1", "0.1", "0.1", "1.5"])
        #expect(rec.fees.map(\.fee) == [2_250, 750, 0, 7_500])
        #expect(rec.totalFee == 10_500)
        let json = String(decoding: try JSONEncoder().encode(rec), as: UTF8.self)
        #expect(json.contains("\"totalFee\":10500"))
        #expect(json.contains("\"fee\":7500"))
    }

    @Test("The clerk's report shows each fee with its rate, what it is computed on, and the total")
    func report() throws {
        let s = try ReturnsSetup()
        try Self.returns(s)
        var lines: [String] = []
        _ = try Reconciliation.writeReport(s.db, batchID: s.batchID, taxonomy: Self.reasons, accountantCSV: nil, fees: Self.schedule()) { lines.append($0) }
        #expect(lines.contains("  Agribank (970405): 0,1% × 2.250.000 đồng (2 khoản đã chi) = 2.250 đồng"))
        #expect(lines.contains("  BIDV (970418): 0,1% × 0 đồng (0 khoản đã chi) = 0 đồng"))
        #expect(lines.contains("  Bưu điện phường Hương Trà: 1,5% × 500.000 đồng (1 khoản đã chi) = 7.500 đồng"))
        #expect(lines.contains("  Tổng chi phí chi trả: 10.500 đồng"))
    }

    @Test("Rounded to the đồng, a half upwards; an organisation without a rate is listed without a fee")
    func roundingAndMissingRate() throws {
        let s = try ReturnsSetup()
        try Self.returns(s)
        var payer = ReturnsSetup.payer
        // 0.0002 % of 2,250,000 = 4.5 → 5; of 750,000 = 1.5 → 2.
        for i in payer.accounts.indices where payer.accounts[i].kind == .bank { payer.accounts[i].feePercent = FeeRate(percent: "0.0002") }
        for i in payer.accounts.indices where payer.accounts[i].kind == .postOffice { payer.accounts[i].feePercent = nil }
        let rec = try Reconciliation.build(s.db, batchID: s.batchID, queue: ExceptionQueue(db: s.db), taxonomy: Self.reasons, fees: Self.schedule(payer))
        #expect(rec.fees.map(\.fee) == [5, 2, 0, nil])
        #expect(rec.totalFee == 7)
        var lines: [String] = []
        _ = try Reconciliation.writeReport(s.db, batchID: s.batchID, taxonomy: Self.reasons, accountantCSV: nil, fees: Self.schedule(payer)) { lines.append($0) }
        #expect(lines.contains("  Bưu điện phường Hương Trà: 500.000 đồng đã chi — chưa có tỷ lệ chi phí trong payer.json"))
    }
}
