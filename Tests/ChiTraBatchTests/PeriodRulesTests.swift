import ChiTraBatch
import ChiTraCore
import ChiTraStore
import ChiTraTestSupport
import Foundation
import GRDB
import Testing

/// Issue 12, periods: which month a batch may be built for, and what a supplementary batch needs.
@Suite("Batch periods: how far ahead, how far back, supplementary with a reason")
struct PeriodRulesTests {
    @Test("2036-12 built in November 2026 is refused with a clear message, and nothing is written (the reproduction of issue 12)")
    func farFutureRefused() throws {
        let db = try Fixture.rulesStore()
        let november = YearMonth("2026-11")!
        #expect {
            try Fixture.builder(db, today: november).build(period: YearMonth("2036-12")!, by: try db.actor(.maker))
        } throws: { e in
            let text = "\(e)"
            return e is BatchError && text.contains("tháng 2036-12 cách tháng hiện tại (2026-11) 121 tháng") && text.contains("tháng sau là 2026-12")
                && (e as? BatchError)?.text(in: .en).contains("2036-12 is 121 months after the current month (2026-11)") == true
        }
        #expect(try db.writer.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM batch") } == 0)
        #expect(try db.writer.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM audit_log WHERE action LIKE 'batch.%'") } == 0)
        // Two months ahead is refused too; this month and the next are built.
        #expect(throws: BatchError.self) { try Fixture.builder(db, today: november).build(period: YearMonth("2027-01")!, by: try db.actor(.maker)) }
        #expect(try Fixture.builder(db, today: november).build(period: YearMonth("2026-12")!, by: try db.actor(.maker)).lineCount == 16)
        #expect(try Fixture.builder(db, today: november).build(period: YearMonth("2026-11")!, by: try db.actor(.maker)).lineCount > 0)
    }

    @Test("A draft built far ahead before this rule cannot be rebuilt; the message says how to cancel it")
    func oldFarFutureDraftNamed() throws {
        let db = try Fixture.rulesStore()
        // As a store made before the rule could hold it (built with a clock set far ahead).
        let old = try Fixture.builder(db, today: YearMonth("2036-11")!).build(period: YearMonth("2036-12")!, by: try db.actor(.maker))
        #expect {
            try Fixture.builder(db).build(period: YearMonth("2036-12")!, by: try db.actor(.maker))
        } throws: { "\($0)".contains("chitra batch cancel \(old.id) --reason") }
    }

    @Test("A supplementary batch needs a reason; the reason is in the audit entry of the build")
    func supplementaryNeedsReason() throws {
        let db = try Fixture.rulesStore()
        let dec = try Fixture.builder(db).build(period: YearMonth("2026-12")!, by: try db.actor(.maker))
        try BatchLifecycle(db: db).approve(batchID: dec.id, by: try db.actor(.checker))
        for reason in [nil, "", "  \n "] {
            #expect {
                try Fixture.builder(db).build(period: YearMonth("2026-12")!, by: try db.actor(.maker), supplementary: true, reason: reason)
            } throws: { $0 is BatchError && "\($0)".contains("cần ghi lý do") && "\($0)".contains("--reason") }
        }
        #expect(try db.writer.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM batch") } == 1)
        let sup = try Fixture.builder(db).build(period: YearMonth("2026-12")!, by: try db.actor(.maker), supplementary: true, reason: " decision 9/QĐ-UBND added S01 ")
        #expect(sup.reason == "decision 9/QĐ-UBND added S01")
        let detail = try db.writer.read {
            try String.fetchOne($0, sql: "SELECT detail FROM audit_log WHERE action = 'batch.build' AND entity_id = ?", arguments: [String(sup.id)])
        }
        #expect(detail?.hasSuffix(" supplementary=1 as_of=2026-12 reason=decision 9/QĐ-UBND added S01") == true)
    }

    @Test("Amounts already live elsewhere are counted per batch, naming it")
    func alreadyLiveNamesTheBatch() throws {
        let db = try Fixture.rulesStore()
        let dec = try Fixture.builder(db).build(period: YearMonth("2026-12")!, by: try db.actor(.maker))
        try BatchLifecycle(db: db).approve(batchID: dec.id, by: try db.actor(.checker))
        let sup = try Fixture.builder(db).build(period: YearMonth("2026-12")!, by: try db.actor(.maker), supplementary: true, reason: "check")
        #expect(sup.alreadyLive == 16)
        #expect(sup.alreadyLiveIn == [.init(batchID: dec.id, period: "2026-12", status: .approved, supplementary: false, count: 16)])
    }
}
