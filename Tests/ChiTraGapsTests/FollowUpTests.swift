import ChiTraCore
import ChiTraGaps
import ChiTraStore
import ChiTraTestSupport
import Foundation
import GRDB
import Testing

@Suite("Follow-up")
struct FollowUpTests {
    @Test("Record progress, import the roll with the new account: the case leaves the list, history stays, coverage rises")
    func recordThenImport() throws {
        // Given the worklist with G02 paid in cash, and last month's coverage on file
        let db = try GapsFixture.store()
        let before = try Coverage.run(db, asOf: CivilDate(year: 2026, month: 10, day: 31)!)
        try GapCaseLog.record(db, code: "G02", status: .visitPlanned, note: "hẹn thứ Năm đến nhà", by: try db.actor(.officer))
        try GapCaseLog.record(db, code: "G02", status: .accountOpened, note: "Agribank", by: try db.actor(.officer))
        let listed = try GapsFixture.finder.worklist(db, options: GapsFixture.options())
        #expect(listed.case("G02")?.lastEvent?.status == .accountOpened)
        #expect(try GapsFixture.count(db, "SELECT count(*) FROM audit_log WHERE action = 'gaps.record' AND entity_id = 'G02'") == 2)

        // When next month's roll brings the account
        let s = try GapsFixture.importFixture(db, "gaps-roll-update.csv")
        #expect(s.applied == 1)

        // Then the case is gone, its history kept, coverage one person higher with the change shown
        #expect(try GapsFixture.finder.worklist(db, options: GapsFixture.options()).case("G02") == nil)
        let history = try GapCaseLog.history(db, code: "G02")
        #expect(history.map(\.status) == [.visitPlanned, .accountOpened])
        #expect(history[0].note == "hẹn thứ Năm đến nhà")
        let after = try Coverage.run(db, asOf: GapsFixture.asOf)
        #expect(after.overall.figure.noncash == before.overall.figure.noncash + 1)
        #expect(after.previousMonth == "2026-10")
        #expect(after.overall.previous == before.overall.figure)
        #expect(after.overall.vietnamese(previousMonth: after.previousMonth) == "21/26 = 80,77% (+3,85 điểm % so với 10/2026: 76,92%)")
    }

    @Test("The follow-up history is append-only")
    func appendOnly() throws {
        let db = try GapsFixture.store()
        try GapCaseLog.record(db, code: "G05", status: .contacted, note: "", by: try db.actor(.officer))
        #expect(throws: DatabaseError.self) { try db.writer.write { try $0.execute(sql: "UPDATE gap_case_event SET note = 'x'") } }
        #expect(throws: DatabaseError.self) { try db.writer.write { try $0.execute(sql: "DELETE FROM gap_case_event") } }
    }

    @Test("Recording for an unknown code says so")
    func unknownCode() throws {
        let db = try GapsFixture.store()
        #expect { try GapCaseLog.record(db, code: "ZZZ", status: .contacted, note: "", by: try db.actor(.officer)) } throws: { e in
            "\(e)".contains("không có đối tượng mang mã ZZZ")
        }
    }
}
