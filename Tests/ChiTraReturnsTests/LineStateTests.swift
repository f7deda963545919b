import ChiTraBatch
import ChiTraCore
import ChiTraReturns
import ChiTraStore
import ChiTraTestSupport
import Foundation
import GRDB
import Testing

/// Issue 16, "a line's state follows its batch" (`LineState`): approving and exporting a batch write
/// the batch, not its lines, and everyone still sees each line where its batch is; a store written
/// before, whose unsettled lines hold `approved` or `exported`, reads, reconciles and reports the same.
///
/// The rules roll's December 2026 batch (`ReturnsSetup`); the returns of `PaymentFeeTests.returns`:
/// Agribank pays R01 (1,000,000) and R04 (1,250,000) and rejects R06 (1,000,000, AC04), VietinBank
/// pays R03 (750,000), the post office pays R16 (500,000).
@Suite("A payout line's state follows its batch")
struct LineStateTests {
    func counts(_ s: ReturnsSetup, _ batch: Int64) throws -> [PayoutLineState: Int] {
        try s.db.writer.read { try PayoutLines.stateCounts($0, batchID: batch) }
    }

    /// The states the line rows hold themselves.
    func stored(_ s: ReturnsSetup, _ batch: Int64) throws -> Set<String> {
        Set(try s.db.writer.read { try String.fetchAll($0, sql: "SELECT DISTINCT state FROM payout_line WHERE batch_id = ?", arguments: [batch]) })
    }

    func lineCount(_ s: ReturnsSetup, _ batch: Int64) throws -> Int {
        try s.db.writer.read { try Int.fetchOne($0, sql: "SELECT line_count FROM batch WHERE id = ?", arguments: [batch])! }
    }

    @Test("Built, approved, exported, answered: the lines are draft, approved, exported with their batch, then paid or failed one by one; the rows write only what a return settled")
    func linesFollowTheirBatch() throws {
        let s = try ReturnsSetup(export: false)
        let n = try lineCount(s, s.batchID)
        #expect(n > 5)
        #expect(try counts(s, s.batchID) == [.draft: n])

        try BatchLifecycle(db: s.db).approve(batchID: s.batchID, by: try s.db.actor(.checker))
        #expect(try counts(s, s.batchID) == [.approved: n])
        #expect(try stored(s, s.batchID) == ["draft"])
        let r01 = try s.reference(s.batchID, code: "R01", month: "2026-12")["reference"] as String
        #expect(try s.state(r01) == "approved")

        try s.export(s.batchID)
        #expect(try counts(s, s.batchID) == [.exported: n])
        #expect(try stored(s, s.batchID) == ["draft"])
        // What the month page and the returns page count as awaiting an answer: every line.
        let month = try CycleQueries.month(s.db, period: "2026-12").batches.first { $0.id == s.batchID }!
        #expect((month.awaiting, month.paid, month.failed, month.pending) == (n, 0, 0, 0))
        // The person page: R01's December line, sent and waiting.
        #expect(try PersonQueries.record(s.db, code: "R01")!.payouts.first { $0.forMonth == "2026-12" && $0.kind == "allowance" }!.state == .exported)

        try PaymentFeeTests.returns(s)
        #expect(try counts(s, s.batchID) == [.paid: 4, .failed: 1, .exported: n - 5])
        #expect(try stored(s, s.batchID) == ["draft", "paid", "failed"])
        #expect(try s.state(r01) == "paid")
        let after = try CycleQueries.month(s.db, period: "2026-12").batches.first { $0.id == s.batchID }!
        #expect((after.awaiting, after.paid, after.failed, after.pending) == (n - 5, 4, 1, 0))
    }

    @Test("A store written before 7 Dec 2026, its unsettled lines holding approved or exported: the same states, reconciliation, report and accountant CSV")
    func olderStoresReadTheSame() throws {
        let s = try ReturnsSetup()
        try PaymentFeeTests.returns(s)
        func everythingAClerkSees() throws -> ([PayoutLineState: Int], [String], Data, [PayoutLineState], Bool) {
            var report: [String] = []
            _ = try Reconciliation.writeReport(s.db, batchID: s.batchID, taxonomy: PaymentFeeTests.reasons, accountantCSV: nil,
                                               fees: PaymentFeeTests.schedule()) { report.append($0) }
            let csv = try Reconciliation.accountantCSV(s.db, batchID: s.batchID, taxonomy: PaymentFeeTests.reasons)
            let person = try PersonQueries.record(s.db, code: "R02")!.payouts.map(\.state)
            let balanced = try Reconciliation.build(s.db, batchID: s.batchID, queue: ExceptionQueue(db: s.db), taxonomy: PaymentFeeTests.reasons).balanced
            return (try counts(s, s.batchID), report, csv, person, balanced)
        }
        let today = try everythingAClerkSees()
        #expect(today.0[.exported, default: 0] > 0 && today.0[.paid] == 4 && today.0[.failed] == 1)
        #expect(today.3.contains(.exported))
        #expect(today.4)

        // As the code before wrote them: the approval set every line approved, the export every approved line exported.
        try s.db.writer.write { try $0.execute(sql: "UPDATE payout_line SET state = 'exported' WHERE batch_id = ? AND state = 'draft'", arguments: [s.batchID]) }
        #expect(try stored(s, s.batchID) == ["exported", "paid", "failed"])
        let before = try everythingAClerkSees()
        #expect(before.0 == today.0)
        #expect(before.1 == today.1)
        #expect(before.2 == today.2)
        #expect(before.3 == today.3)
        #expect(before.4)
    }

    @Test("An approved batch cancelled: every line cancelled (its row says so), and the month is built again with the same lines")
    func cancelledLinesAreWrittenAndFreed() throws {
        let s = try ReturnsSetup(export: false)
        let n = try lineCount(s, s.batchID)
        try BatchLifecycle(db: s.db).approve(batchID: s.batchID, by: try s.db.actor(.checker))
        try BatchLifecycle(db: s.db).cancel(batchID: s.batchID, by: try s.db.actor(.maker), reason: "Sai danh sách")
        #expect(try counts(s, s.batchID) == [.cancelled: n])
        #expect(try stored(s, s.batchID) == ["cancelled"])
        let again = try s.build("2026-12")
        #expect(again != s.batchID)
        #expect(try counts(s, again) == [.draft: n])
    }
}
