import ChiTraBatch
import ChiTraCore
import ChiTraReturns
import ChiTraSimulator
import ChiTraSigning
import ChiTraStore
import ChiTraTestSupport
import Foundation
import GRDB
import Testing

/// Issue 12 ("Approved money cannot move"): carry-overs go to the next regular month, open
/// exceptions hold money until a person resolves them (or the checker accepts them with a note).
@Suite("Issue 12: periods, carry-overs, money held by open exceptions")
struct ApprovedMoneyTests {
    static let reasons = try! ReasonTaxonomy.load(from: ReturnsSetup.formats.appendingPathComponent("return-reasons.json"))

    func carryOvers(_ s: ReturnsSetup, _ batch: Int64) throws -> [String] {
        try s.lines(batch).filter { ($0["kind"] as String) == "carry_over" }
            .map { "\($0["beneficiary_code"] as String) \($0["for_month"] as String) \($0["amount"] as Int64)" }
    }

    @Test("A regular batch for a month before the last exported one is refused; a supplementary one with a reason is not")
    func beforeLastExportedRefused() throws {
        let s = try ReturnsSetup()   // December exported
        #expect {
            try s.builder(for: "2026-12").build(period: YearMonth("2026-11")!, by: try s.db.actor(.maker))
        } throws: { e in
            "\(e)".contains("danh sách chi trả hằng tháng #\(s.batchID) tháng 2026-12 đã xuất") && "\(e)".contains("--supplementary --reason")
        }
        #expect {
            try s.builder(for: "2026-12").build(period: YearMonth("2026-10")!, by: try s.db.actor(.maker))
        } throws: { $0 is BatchError }
        #expect(try s.db.writer.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM batch") } == 1)
    }

    @Test("What failed in December goes into the first regular batch after December: not a supplementary one, not February while January's draft can take it")
    func carryOverOnlyIntoNextRegularMonth() throws {
        let s = try ReturnsSetup()
        // January's draft is built before December's returns arrive: nothing to carry yet.
        let jan = try s.build("2027-01")
        #expect(try carryOvers(s, jan).isEmpty)
        // R06 (1,000,000: the higher of 2.0 × 500,000 disability and the 500,000 pension) is not paid: MS03, sent again as is.
        let r06 = try s.reference(s.batchID, code: "R06", month: "2026-12")
        _ = try s.importer().importFile(try s.bankReturn([(r06["reference"], r06["account_no"], 1_000_000, "REJECTED", "MS03")]))
        // A supplementary December batch never takes a carry-over.
        let sup = try s.builder(for: "2027-01").build(period: YearMonth("2026-12")!, by: try s.db.actor(.maker), supplementary: true, reason: "late decisions")
        #expect(try carryOvers(s, sup.id).isEmpty)
        #expect(sup.controlSum == 0)
        // In January, February may be built; while January's draft exists, February does not take December's failure.
        let feb = try s.builder(for: "2027-02").build(period: YearMonth("2027-02")!, by: try s.db.actor(.maker))
        #expect(try carryOvers(s, feb.id).isEmpty)
        #expect(feb.alreadyLive == 0)
        // January, rebuilt, takes it, once.
        let jan2 = try s.build("2027-01")
        #expect(jan2 == jan)
        #expect(try carryOvers(s, jan) == ["R06 2026-12 1000000"])
        // January approved and sent; R01's January payment (2.0 × 500,000) then fails: February takes it, not R06 again.
        try s.approveAndExport(jan)
        let r01 = try s.reference(jan, code: "R01", month: "2027-01")
        _ = try s.importer().importFile(try s.bankReturn([(r01["reference"], r01["account_no"], 1_000_000, "REJECTED", "MS03")], name: "jan-return.csv"))
        let feb2 = try s.build("2027-02")
        #expect(feb2 == feb.id)
        #expect(try carryOvers(s, feb.id) == ["R01 2027-01 1000000"])
    }

    /// The reproduction of issue 12: a forged copy of the banks' returns, every line rejected (MS03,
    /// "sent again as is"), imported before the real ones, which say every line was paid.
    @Test("A forged all-rejected return before the real one: the conflicting lines are held, January pays nothing twice, approve stops until they are resolved or accepted with a note")
    func forgedReturnHoldsMoney() throws {
        let s = try ReturnsSetup()
        let out = s.dir.appendingPathComponent("out-\(s.batchID)")
        let key = try s.keys.activeKey()
        let payoutFormats = try PayoutFormats.load(from: ReturnsSetup.formats.appendingPathComponent("payout-formats.json"))
        let returnFormats = try ReturnFormats.load(from: ReturnsSetup.formats.appendingPathComponent("return-formats.json"))
        // The banks' real answers: everything paid (VietinBank R03 750,000 and BIDV R07 1,750,000 in
        // pain.002; Agribank's 12 lines, 11,250,000, in its CSV), signed as the banks sign.
        var real: [URL] = []
        var forged: [URL] = []
        for (payout, ext) in [("CT202612-B000001-970415.xml", "pain002.xml"), ("CT202612-B000001-970418.xml", "pain002.xml"),
                              ("CT202612-B000001-970405.csv", "return.csv")] {
            let url = s.dir.appendingPathComponent("real-\(payout).\(ext)")
            _ = try ReturnSimulator.simulate(payoutFile: out.appendingPathComponent(payout), outputFormat: nil, failRate: 0, seed: 1,
                                             formats: payoutFormats, returnFormats: returnFormats,
                                             paymentDate: CivilDate(year: 2026, month: 12, day: 5)!, to: url, signingKey: key)
            real.append(url)
            // The forgery: the same file with every status turned into a rejection (signed with the
            // shared key, as someone holding it could).
            var text = try String(contentsOf: url, encoding: .utf8)
            text = text.replacingOccurrences(of: "<TxSts>ACSC</TxSts>", with: "<TxSts>RJCT</TxSts><StsRsnInf><Rsn><Cd>MS03</Cd></Rsn></StsRsnInf>")
                .replacingOccurrences(of: "<GrpSts>ACSC</GrpSts>", with: "<GrpSts>RJCT</GrpSts>")
                .replacingOccurrences(of: ",PAID,,,2026-12-05", with: ",REJECTED,MS03,,")
            #expect(!text.contains("ACSC") && !text.contains("PAID"))
            let f = s.dir.appendingPathComponent("forged-\(payout).\(ext)")
            try Data(text.utf8).write(to: f)
            try s.sign(f)
            forged.append(f)
        }
        for f in forged { _ = try s.importer().importFile(f) }
        var conflicting = 0
        for f in real { conflicting += try s.importer().importFile(f).exceptions.count }
        #expect(conflicting == 14)
        let open = try ExceptionQueue(db: s.db).list()
        #expect(open.count == 14 && open.allSatisfy { $0.kind == .conflictingOutcome })

        // Reconciliation no longer promises to pay them again.
        let rec = try Reconciliation.build(s.db, batchID: s.batchID, queue: ExceptionQueue(db: s.db), taxonomy: Self.reasons)
        #expect(rec.total.failed == .init(count: 14, sum: 13_750_000))
        #expect(rec.carryOver == .init(count: 0, sum: 0))
        #expect(rec.failures.allSatisfy { $0.next.hasPrefix("tạm giữ") })

        // January: its own allowances only; the 14 lines (13,750,000 = 750,000 + 1,750,000 + 11,250,000) are held.
        let jan = try s.builder(for: "2027-01").build(period: YearMonth("2027-01")!, by: try s.db.actor(.maker))
        #expect(try carryOvers(s, jan.id).isEmpty)
        #expect(jan.heldCount == 14 && jan.heldSum == 13_750_000)
        #expect(jan.openExceptions.count == 14 && jan.openExceptions.allSatisfy(\.holdsMoney))
        #expect(jan.openExceptions.compactMap(\.amount).reduce(0, +) == 13_750_000)
        #expect(jan.openExceptions.first { $0.beneficiaryCode == "R07" }?.amount == 1_750_000)
        let janSum = jan.controlSum
        // Nor does a supplementary December batch pay them afresh.
        let sup = try s.builder(for: "2027-01").build(period: YearMonth("2026-12")!, by: try s.db.actor(.maker), supplementary: true, reason: "late decisions")
        #expect(sup.lineCount == 0 && sup.controlSum == 0)
        try BatchLifecycle(db: s.db).cancel(batchID: sup.id, by: try s.db.actor(.maker), reason: "nothing to pay")

        // The checker is stopped, told how much and why.
        let life = BatchLifecycle(db: s.db)
        #expect {
            try life.approve(batchID: jan.id, by: try s.db.actor(.checker))
        } throws: { e in
            let t = "\(e)"
            return t.contains("14 ngoại lệ tệp trả về còn mở đang giữ 14 khoản chi, tổng 13.750.000 đồng") && t.contains("--accept-open-exceptions --note")
                && (e as? BatchError)?.text(in: .en).contains("14 open return exceptions hold 14 payments of 13,750,000 VND") == true
        }
        #expect(throws: BatchError.self) { try life.approve(batchID: jan.id, by: try s.db.actor(.checker), acceptingOpenExceptions: "  ") }
        #expect(try BatchReport.load(s.db, batchID: jan.id).status == .draft)

        // The clerk checks with the banks: Agribank and BIDV paid (apply the real outcome); VietinBank's R03 is still open.
        let q = ExceptionQueue(db: s.db)
        for e in open where e.reference != (try s.reference(s.batchID, code: "R03", month: "2026-12")["reference"] as String) {
            try q.resolve(id: e.id, resolution: .apply, note: "bank statement shows it paid on 05/12", by: try s.db.actor(.clerk))
        }
        let stillOpen = try q.list()
        #expect(stillOpen.count == 1)
        let rebuilt = try s.builder(for: "2027-01").build(period: YearMonth("2027-01")!, by: try s.db.actor(.maker))
        #expect(try carryOvers(s, jan.id).isEmpty)
        #expect(rebuilt.heldCount == 1 && rebuilt.heldSum == 750_000)
        #expect(rebuilt.controlSum == janSum)

        // Approved with the open exception accepted, with a note; the note is in the audit log.
        let note = "VietinBank confirms R03 by phone; written answer awaited"
        let approval = try life.approve(batchID: jan.id, by: try s.db.actor(.checker), acceptingOpenExceptions: note)
        #expect(approval.acceptedNote == note)
        #expect(approval.heldCount == 1 && approval.heldSum == 750_000)
        let detail = try s.db.writer.read {
            try String.fetchOne($0, sql: "SELECT detail FROM audit_log WHERE action = 'batch.approve' AND entity_id = ?", arguments: [String(jan.id)])
        }
        #expect(detail?.hasSuffix("accepted_open_exceptions=#\(stillOpen[0].id) held=1:750000 note=\(note)") == true)
        #expect(try s.db.verifyAuditChain().ok)

        // Once resolved — VietinBank says R03 was in fact not paid — February pays it (and nobody else twice).
        try q.resolve(id: stillOpen[0].id, resolution: .dismiss, note: "VietinBank letter 12/01: not credited, the ACSC was their error", by: try s.db.actor(.clerk))
        try s.export(jan.id)
        let feb = try s.builder(for: "2027-02").build(period: YearMonth("2027-02")!, by: try s.db.actor(.maker))
        #expect(try carryOvers(s, feb.id) == ["R03 2026-12 750000"])
        #expect(feb.heldCount == 0 && feb.openExceptions.isEmpty)
        try life.approve(batchID: feb.id, by: try s.db.actor(.checker))
    }
}

/// A carry-over approved before the bank's contrary answer arrived is not sent while that answer
/// is an open exception: it could pay R06's December twice.
@Suite("Issue 12: an approved carry-over held by a later exception")
struct HeldCarryOverTests {
    @Test("R06's December rejected, carried into January and approved; the bank then says it was paid: January's export writes nothing until the clerk resolves it")
    func laterPaidHoldsTheCarryOver() throws {
        let s = try ReturnsSetup()
        let r06 = try s.reference(s.batchID, code: "R06", month: "2026-12")   // 1,000,000
        _ = try s.importer().importFile(try s.bankReturn([(r06["reference"], r06["account_no"], 1_000_000, "REJECTED", "MS03")]))
        let jan = try s.build("2027-01")
        #expect(try s.lines(jan).contains { ($0["kind"] as String) == "carry_over" && ($0["beneficiary_code"] as String) == "R06" })
        try BatchLifecycle(db: s.db).approve(batchID: jan, by: try s.db.actor(.checker))
        // The bank's corrected report: R06 was paid on 05/12 after all.
        let later = try s.importer().importFile(try s.bankReturn([(r06["reference"], r06["account_no"], 1_000_000, "PAID", "")], name: "agribank-corrected.csv"))
        #expect(later.exceptions.count == 1)
        #expect {
            try s.export(jan)
        } throws: { e in
            let m = "\(e)"
            return m.contains("chuyển tiếp 1 khoản mà kết quả lần trước đang bị một ngoại lệ tệp trả về còn mở đặt nghi vấn") && m.contains("số tiền 1.000.000 đồng") && m.contains("chưa ghi tệp nào")
        }
        #expect(!FileManager.default.fileExists(atPath: s.dir.appendingPathComponent("out-\(jan)/manifest.json").path))
        // The bank's statement shows it paid. Applying that while January carries it is refused, naming January;
        // January is cancelled, the outcome applied, and January built again: without R06's December.
        let e = try ExceptionQueue(db: s.db).list(openOnly: true, batchID: nil)
        #expect(e.count == 1)
        #expect {
            try ExceptionQueue(db: s.db).resolve(id: e[0].id, resolution: .apply, note: "bank statement: paid 05/12", by: try s.db.actor(.clerk))
        } throws: { "\($0)".contains("đang được chuyển sang danh sách chi trả #\(jan) (approved)") && "\($0)".contains("Hãy huỷ danh sách #\(jan) trước") }
        try BatchLifecycle(db: s.db).cancel(batchID: jan, by: try s.db.actor(.maker), reason: "R06 was paid in December after all")
        try ExceptionQueue(db: s.db).resolve(id: e[0].id, resolution: .apply, note: "bank statement: paid 05/12", by: try s.db.actor(.clerk))
        let jan2 = try s.build("2027-01")
        #expect(try !s.lines(jan2).contains { ($0["kind"] as String) == "carry_over" && ($0["beneficiary_code"] as String) == "R06" })
    }
}
