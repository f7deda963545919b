import ChiTraBatch
import ChiTraCore
import ChiTraStore
import ChiTraTestSupport
import Foundation
import GRDB
import Testing

/// Issue 15, part 3 through the batch: a foster carer's rate follows the cared-for child's age.
@Suite("Foster carer by the child's age")
struct FosterCarerBatchTests {
    @Test("A foster carer of a child born 10/03/2023 gets 2.5 × 500,000 = 1,250,000 for 02/2027 and 1.5 × 500,000 = 750,000 for 03/2027")
    func followsChildAge() throws {
        let db = try AppDatabase.temporary()
        try Fixture.importText(db, rollHeader + ",cared_for_birth_date\n"
            + "C01,Trần Thị Nuôi,12/05/1975,F,046175000401,Xã A,Thôn 1,CS_NHAN_NUOI_TRE_MO_COI_DUOI_4,1,12/QĐ-UBND,20/04/2023,05/2023,,,active,bank,970405,4001205000401,TRAN THI NUOI,,,,,10/03/2023\n")
        let feb = try Fixture.builder(db, today: YearMonth("2027-01")!).build(period: YearMonth("2027-02")!, by: try db.actor(.maker))
        let febLines = try Fixture.lines(db, batch: feb.id).map { "\($0["kind"] as String) \($0["for_month"] as String) \($0["amount"] as Int64)" }
        #expect(febLines == ["care 2027-02 1250000"])
        try BatchLifecycle(db: db).approve(batchID: feb.id, by: try db.actor(.checker))
        let mar = try Fixture.builder(db, today: YearMonth("2027-02")!).build(period: YearMonth("2027-03")!, by: try db.actor(.maker))
        let marLines = try Fixture.lines(db, batch: mar.id).map { "\($0["kind"] as String) \($0["for_month"] as String) \($0["amount"] as Int64)" }
        #expect(marLines == ["care 2027-03 750000"])
    }
}
