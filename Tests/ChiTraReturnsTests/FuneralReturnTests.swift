import ChiTraBatch
import ChiTraCore
import ChiTraReturns
import ChiTraStore
import ChiTraTestSupport
import Foundation
import GRDB
import Testing

/// Issue 15, part 1: a funeral payment rejected on the organiser's account marks the claim, not the
/// deceased, and waits for a new account; then the next regular batch carries it there, once.
@Suite("Returns: funeral support to the organiser")
struct FuneralReturnTests {
    @Test("Rejected on the organiser's account (AC04): the claim waits for a new account, the deceased's own account is untouched; then carried over to the new one")
    func rejectedOrganiserAccount() throws {
        let s = try ReturnsSetup()
        var claims = FuneralClaims(db: s.db, banks: ReturnsSetup.banks, tariff: ReturnsSetup.tariff)
        claims.today = CivilDate(year: 2026, month: 12, day: 2)!
        let c = try claims.add(FuneralClaimInput(deceasedCode: "R09", organiserKind: .relative, organiserName: "Đỗ Văn Tám", organiserID: "046078000301",
                                                 relation: "Con", decisionNo: "45/QĐ-UBND", decisionDate: CivilDate(year: 2026, month: 10, day: 20)!,
                                                 channel: .bank, bankBIN: "970436", accountNo: "0071000123456", accountName: "DO VAN TAM"),
                               by: try s.db.actor(.maker))
        let jan = try s.build("2027-01")
        let funeral = try s.lines(jan).filter { ($0["slot"] as String) == "funeral" }
        #expect(funeral.map { $0["amount"] as Int64 } == [10_000_000])
        try s.approveAndExport(jan)
        let sum = try s.importer().importFile(try s.bankReturn([(funeral[0]["reference"], "0071000123456", 10_000_000, "REJECTED", "AC04")], name: "vcb-jan.csv"))
        #expect(sum.failed == 1)
        #expect(sum.flags == [RaisedFlag(code: "R09", kind: .funeralClaimAccountRejected)])
        #expect(sum.reportLines().contains("  việc cần làm: R09: tài khoản của người lo mai táng bị từ chối — hồ sơ mai táng chờ tài khoản mới"))
        #expect(try claims.list(code: "R09").first?.accountFlag == "closed")
        #expect(try s.db.writer.read { try String.fetchOne($0, sql: "SELECT account_flag FROM beneficiary WHERE code = 'R09'") } == nil)
        // The reconciliation says it waits for the organiser's new account, and does not count it as carried over.
        let rec = try Reconciliation.build(s.db, batchID: jan, queue: ExceptionQueue(db: s.db))
        #expect(rec.failures.map(\.next) == ["chờ tài khoản mới của người tổ chức mai táng (chitra funeral set-account)"])
        #expect(rec.carryOver == .init(count: 0, sum: 0))
        // February: waits for a new account, not sent to the old one, not to the deceased's proxy.
        var feb = try s.builder(for: "2027-02").build(period: YearMonth("2027-02")!, by: try s.db.actor(.maker))
        #expect(feb.funeralClaimsWaiting == 1)
        #expect(try s.lines(feb.id).filter { ($0["slot"] as String) == "funeral" }.isEmpty)
        _ = try claims.setAccount(id: c.id, channel: .bank, bin: "970405", account: "4001205888001", accountName: "DO VAN TAM", by: try s.db.actor(.maker))
        feb = try s.builder(for: "2027-02").build(period: YearMonth("2027-02")!, by: try s.db.actor(.maker))
        let carried = try s.lines(feb.id).filter { ($0["slot"] as String) == "funeral" }
        #expect(carried.map { $0["kind"] as String } == ["carry_over"])
        #expect(carried.map { $0["amount"] as Int64 } == [10_000_000])
        #expect(carried.map { $0["account_no"] as String } == ["4001205888001"])
        #expect(carried.map { $0["payee_name"] as String } == ["Đỗ Văn Tám"])
        #expect(carried.map { $0["carried_from"] as Int64 } == [funeral[0]["id"] as Int64])
        #expect(feb.funeralClaimsWaiting == 0)
    }
}
