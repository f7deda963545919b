import ChiTraBatch
import ChiTraCore
import ChiTraReturns
import ChiTraStore
import ChiTraTestSupport
import Foundation
import GRDB
import Testing

/// A failed or cancelled line is what lets the build pay its slot and month again, so what retired
/// it is sealed with the audit key (`OutcomeSeal`, migration v9-outcome-seals). Someone who can
/// write the SQLite file but not read the key directory must not be able to have a paid line paid
/// a second time by marking it failed and retryable, or cancelled.
///
/// The rules roll's December 2026 batch (`ReturnsSetup`). Agribank's return: R01 paid (1,000,000),
/// R04 rejected MS03 (1,250,000, retryable: sent again as is), R06 rejected AC04 (1,000,000,
/// closed account: not retryable, sent again by the post office under the payer's rule).
@Suite("A failed or cancelled line's outcome is sealed (v9-outcome-seals)")
struct OutcomeSealTests {
    func decemberAnswered() throws -> ReturnsSetup { try ReturnsSetup.decemberAnswered() }

    func builder(_ s: ReturnsSetup) -> BatchBuilder {
        var b = BatchBuilder(db: s.db, tariff: ReturnsSetup.tariff, banks: ReturnsSetup.banks, payer: ReturnsSetup.payer)
        b.today = YearMonth("2026-12")!
        return b
    }

    /// January's lines for `code` (kind, month, amount).
    func january(_ s: ReturnsSetup, _ batch: Int64, code: String) throws -> [String] {
        try s.db.writer.read { d in
            try Row.fetchAll(d, sql: "SELECT kind, for_month, amount FROM payout_line WHERE batch_id = ? AND beneficiary_code = ? ORDER BY kind, for_month",
                             arguments: [batch, code]).map { "\($0["kind"] as String) \($0["for_month"] as String) \($0["amount"] as Int64)" }
        }
    }

    func batchCount(_ s: ReturnsSetup) throws -> Int {
        try s.db.writer.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM batch")! }
    }

    /// Writes straight into the SQLite file, as someone without the audit key would (a retired line
    /// needs some seal for the store's CHECK: any 32 bytes pass it).
    func tamper(_ s: ReturnsSetup, _ sql: String, _ arguments: StatementArguments) throws {
        try s.db.writer.write { try $0.execute(sql: sql, arguments: arguments) }
    }

    /// The build of January refused; returns its message in Vietnamese.
    func refusedJanuary(_ s: ReturnsSetup) throws -> String {
        let batches = try batchCount(s)
        do {
            _ = try builder(s).build(period: YearMonth("2027-01")!, by: try s.db.actor(.maker))
        } catch let e as BatchError {
            #expect(try batchCount(s) == batches, "nothing is written: no January batch")
            return e.text(in: .vi)
        }
        Issue.record("January was built on a store whose outcomes were changed outside ChiTra")
        return ""
    }

    @Test("As ChiTra writes them, every outcome holds its seal: December's two failed lines, January cancelled, then January built again with R04's 1,250,000 and R06's 1,000,000 carried over and December not paid again to R01 (paid)")
    func sealsHoldThroughTheCycle() throws {
        let s = try decemberAnswered()
        #expect(try s.db.verifyIntegrity().ok)
        let jan = try s.build("2027-01")
        try BatchLifecycle(db: s.db).cancel(batchID: jan, by: try s.db.actor(.maker), reason: "Sai danh sách")
        let report = try s.db.verifyIntegrity()
        #expect(report.outcomesChangedOutsideChiTraCount == 0)
        #expect(report.ok)
        let sealed = try s.db.writer.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM payout_line WHERE retired = 1 AND length(retired_seal) = 32")! }
        let retired = try s.db.writer.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM payout_line WHERE retired = 1")! }
        #expect(retired > 2)
        #expect(sealed == retired)

        let again = try builder(s).build(period: YearMonth("2027-01")!, by: try s.db.actor(.maker)).id
        #expect(try january(s, again, code: "R04").contains("carry_over 2026-12 1250000"))
        #expect(try january(s, again, code: "R01") == ["allowance 2027-01 1000000"])
        #expect(try january(s, again, code: "R06").contains("carry_over 2026-12 1000000"))
    }

    @Test("R01's paid December line set to failed and retryable in the file: January's build refuses, naming the line, and writes nothing; audit verify reports it")
    func paidLineMadeRetryable() throws {
        let s = try decemberAnswered()
        let r01 = try s.reference(s.batchID, code: "R01", month: "2026-12")
        try tamper(s, "UPDATE payout_line SET state = 'failed', retired = 1, result_reason = 'other', result_retryable = 1, retired_seal = randomblob(32) WHERE id = ?", [r01["id"] as Int64])
        let message = try refusedJanuary(s)
        #expect(message.contains("\(r01["reference"] as String) (R01)"))
        #expect(message.contains("đã bị sửa ngoài ChiTra"))
        #expect(message.contains("chưa lập gì"))

        let report = try s.db.verifyIntegrity()
        #expect(!report.ok)
        #expect(report.outcomesChangedOutsideChiTraCount == 1)
        #expect(report.outcomesChangedOutsideChiTra == ["\(r01["reference"] as String) (R01)"])
    }

    @Test("R01's paid line set to cancelled (its month would be free for a new line): refused too")
    func paidLineMadeCancelled() throws {
        let s = try decemberAnswered()
        let r01 = try s.reference(s.batchID, code: "R01", month: "2026-12")
        try tamper(s, "UPDATE payout_line SET state = 'cancelled', retired = 1, retired_seal = randomblob(32) WHERE id = ?", [r01["id"] as Int64])
        #expect(try refusedJanuary(s).contains("\(r01["reference"] as String) (R01)"))
        #expect(try s.db.verifyIntegrity().outcomesChangedOutsideChiTraCount == 1)
    }

    @Test("R06's closed-account rejection (AC04, not retryable) made retryable, or its seal copied from R04's: refused; put back as it was, January builds")
    func failedLineMadeRetryable() throws {
        let s = try decemberAnswered()
        let r04 = try s.reference(s.batchID, code: "R04", month: "2026-12")
        let r06 = try s.reference(s.batchID, code: "R06", month: "2026-12")
        let id06 = r06["id"] as Int64
        let (reason, retryable) = try s.db.writer.read { d -> (String, Int64) in
            let row = try Row.fetchOne(d, sql: "SELECT result_reason, result_retryable FROM payout_line WHERE id = ?", arguments: [id06])!
            return (row["result_reason"], row["result_retryable"])
        }
        #expect(retryable == 0)
        try tamper(s, "UPDATE payout_line SET result_retryable = 1 WHERE id = ?", [id06])
        #expect(try refusedJanuary(s).contains("\(r06["reference"] as String) (R06)"))

        // R04's seal, valid for R04's line, says nothing for R06's.
        try tamper(s, "UPDATE payout_line SET retired_seal = (SELECT retired_seal FROM payout_line WHERE id = ?) WHERE id = ?", [r04["id"] as Int64, id06])
        #expect(try refusedJanuary(s).contains("\(r06["reference"] as String) (R06)"))
        #expect(try s.db.verifyIntegrity().outcomesChangedOutsideChiTra == ["\(r06["reference"] as String) (R06)"])

        // The fields put back (the seal is still R04's): refused; R06's own seal back: built.
        try tamper(s, "UPDATE payout_line SET result_reason = ?, result_retryable = ? WHERE id = ?", [reason, retryable, id06])
        #expect(try refusedJanuary(s).contains("(R06)"))
        try tamper(s, "UPDATE payout_line SET retired_seal = chitra_outcome_seal(id, batch_id, reference, person_key, slot, for_month, amount, state, result_reason, result_reason_code, result_retryable, result_return_line) WHERE id = ?", [id06])
        // (only ChiTra's connection, which holds the audit key, has that function)
        #expect(try s.db.verifyIntegrity().ok)
        let jan = try builder(s).build(period: YearMonth("2027-01")!, by: try s.db.actor(.maker)).id
        #expect(try january(s, jan, code: "R04").contains("carry_over 2026-12 1250000"))
    }

    /// The store as v8 left it: no `retired_seal`, its CHECK gone, v9 not applied.
    static func unmigrateV9(_ db: AppDatabase) throws {
        try db.writer.writeWithoutTransaction { d in
            let version = try Int.fetchOne(d, sql: "PRAGMA schema_version")!
            try d.execute(sql: """
                PRAGMA writable_schema = ON;
                UPDATE sqlite_schema SET sql = replace(sql, ' CHECK (retired = 0 OR retired_seal IS NOT NULL)', '')
                  WHERE type = 'table' AND name = 'payout_line';
                PRAGMA schema_version = \(version + 1);
                PRAGMA writable_schema = OFF;
                """)
            try d.execute(sql: """
                ALTER TABLE payout_line DROP COLUMN retired_seal;
                DELETE FROM grdb_migrations WHERE identifier = 'v9-outcome-seals';
                """)
        }
    }

    @Test("A store written before v9 migrates: its failed and cancelled lines sealed as they stand, a line retired without a seal refused, the audit holds, and January is built as on a store that always had seals")
    func olderStoreMigrates() throws {
        let twin = try decemberAnswered()
        let expected = try january(twin, try twin.build("2027-01"), code: "R04")

        let s = try decemberAnswered()
        // A line retired without a seal is refused by the store (an older chitra's returns import).
        let r01 = try s.reference(s.batchID, code: "R01", month: "2026-12")["id"] as Int64
        do {
            try tamper(s, "UPDATE payout_line SET state = 'failed', retired = 1 WHERE id = ?", [r01])
            Issue.record("a line retired without a seal was written")
        } catch let e as DatabaseError {
            #expect(e.message?.contains("CHECK constraint failed: retired = 0 OR retired_seal IS NOT NULL") == true)
        }
        try Self.unmigrateV9(s.db)
        let migrated = try AppDatabase(path: s.dir.appendingPathComponent("chitra.sqlite").path, auditKeyDirectory: s.dir.appendingPathComponent("keys"))
        let unsealed = try migrated.writer.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM payout_line WHERE retired = 1 AND retired_seal IS NULL")! }
        #expect(unsealed == 0)
        #expect(try migrated.verifyIntegrity().ok)
        var b = BatchBuilder(db: migrated, tariff: ReturnsSetup.tariff, banks: ReturnsSetup.banks, payer: ReturnsSetup.payer)
        b.today = YearMonth("2026-12")!
        let jan = try b.build(period: YearMonth("2027-01")!, by: try migrated.actor(.maker)).id
        #expect(try migrated.writer.read { d in
            try Row.fetchAll(d, sql: "SELECT kind, for_month, amount FROM payout_line WHERE batch_id = ? AND beneficiary_code = 'R04' ORDER BY kind, for_month",
                             arguments: [jan]).map { "\($0["kind"] as String) \($0["for_month"] as String) \($0["amount"] as Int64)" }
        } == expected)
        #expect(expected.contains("carry_over 2026-12 1250000"))
    }
}
