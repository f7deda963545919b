import ChiTraBatch
import ChiTraCore
import ChiTraReturns
import ChiTraStore
import ChiTraTestSupport
import Foundation
import GRDB
import Testing

/// Issue 16, migration v8-retired-lines: the one-live-line index and the retired-lines index read
/// `payout_line.retired`, not `state`, so that a paid line does not rewrite its index entry. What a
/// clerk relies on must not move: a failed line leaves the index and is sent again the next month,
/// a paid one stays and blocks a second payment, a cancelled batch frees its lines, and a store
/// written before v8 migrates to the same.
///
/// The rules roll's December 2026 batch (`ReturnsSetup`). Agribank's return: R01 paid (1,000,000),
/// R04 rejected MS03 (1,250,000, "sent again as is"), R06 rejected AC04 (1,000,000, closed account).
extension ReturnsSetup {
    /// December's batch answered by Agribank: R01 paid (1,000,000), R04 rejected MS03 (1,250,000),
    /// R06 rejected AC04 (1,000,000).
    static func decemberAnswered() throws -> ReturnsSetup {
        let s = try ReturnsSetup()
        let r01 = try s.reference(s.batchID, code: "R01", month: "2026-12")
        let r04 = try s.reference(s.batchID, code: "R04", month: "2026-12")
        let r06 = try s.reference(s.batchID, code: "R06", month: "2026-12")
        #expect([r01["amount"], r04["amount"], r06["amount"]] as [Int64] == [1_000_000, 1_250_000, 1_000_000])
        _ = try s.importer().importFile(try s.bankReturn([
            (r01["reference"], r01["account_no"], 1_000_000, "PAID", ""),
            (r04["reference"], r04["account_no"], 1_250_000, "REJECTED", "MS03"),
            (r06["reference"], r06["account_no"], 1_000_000, "REJECTED", "AC04"),
        ]))
        return s
    }
}

@Suite("Failed and cancelled lines are retired (v8-retired-lines)")
struct RetiredLinesTests {
    /// December's answers, then January built and cancelled (a maker's mistake), so that the store
    /// holds paid, failed, cancelled and unanswered lines.
    func monthWithEveryState() throws -> ReturnsSetup {
        let s = try ReturnsSetup.decemberAnswered()
        let jan = try s.build("2027-01")
        try BatchLifecycle(db: s.db).cancel(batchID: jan, by: try s.db.actor(.maker), reason: "Sai danh sách")
        return s
    }

    /// (lines whose `retired` says otherwise than their state, retired lines, failed, cancelled).
    func retiredCounts(_ db: AppDatabase) throws -> (wrong: Int, retired: Int, failed: Int, cancelled: Int) {
        try db.writer.read { d in
            (try Int.fetchOne(d, sql: "SELECT count(*) FROM payout_line WHERE retired <> (state = 'failed' OR state = 'cancelled')")!,
             try Int.fetchOne(d, sql: "SELECT count(*) FROM payout_line WHERE retired = 1")!,
             try Int.fetchOne(d, sql: "SELECT count(*) FROM payout_line WHERE state = 'failed'")!,
             try Int.fetchOne(d, sql: "SELECT count(*) FROM payout_line WHERE state = 'cancelled'")!)
        }
    }

    /// January built on `db`: each line as code, kind, month, amount, and the reference of the line
    /// it carries over (the ids differ between stores, the references do not).
    func january(_ s: ReturnsSetup, on db: AppDatabase) throws -> [String] {
        var b = BatchBuilder(db: db, tariff: ReturnsSetup.tariff, banks: ReturnsSetup.banks, payer: ReturnsSetup.payer)
        b.today = YearMonth("2026-12")!
        let id = try b.build(period: YearMonth("2027-01")!, by: try db.actor(.maker)).id
        return try db.writer.read { d in
            try Row.fetchAll(d, sql: """
                SELECT l.beneficiary_code, l.kind, l.for_month, l.amount, c.reference AS carried FROM payout_line l
                LEFT JOIN payout_line c ON c.id = l.carried_from WHERE l.batch_id = ? ORDER BY l.beneficiary_code, l.kind, l.for_month
                """, arguments: [id]).map { "\($0["beneficiary_code"] as String) \($0["kind"] as String) \($0["for_month"] as String) \($0["amount"] as Int64) \(($0["carried"] as String?) ?? "-")" }
        }
    }

    /// The store's refusal of `write`'s statement ("" when it was not refused).
    func refusal(_ write: () throws -> Void) throws -> String {
        do { try write() } catch let e as DatabaseError { return e.message ?? "" }
        return ""
    }

    @Test("The failed lines are retired and sent again in January (R04 1,250,000 and R06 1,000,000 carried over); a paid one still blocks a second line; the store refuses a state without its retired flag")
    func failedLinesAreRetired() throws {
        let s = try monthWithEveryState()
        let n = try s.db.writer.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM payout_line WHERE batch_id = (SELECT max(id) FROM batch)")! }
        #expect(n > 5)
        let counts = try retiredCounts(s.db)
        #expect(counts.wrong == 0)
        #expect(counts.failed == 2)
        #expect(counts.cancelled == n)
        #expect(counts.retired == 2 + n)

        let jan = try january(s, on: s.db)
        let r04 = try s.reference(s.batchID, code: "R04", month: "2026-12")["reference"] as String
        let r06 = try s.reference(s.batchID, code: "R06", month: "2026-12")["reference"] as String
        #expect(jan.filter { $0.contains(" carry_over ") } == ["R04 carry_over 2026-12 1250000 \(r04)", "R06 carry_over 2026-12 1000000 \(r06)"])

        // R01's December line is paid, so live: no second line for R01, allowance, December.
        let r01 = try s.reference(s.batchID, code: "R01", month: "2026-12")
        let maker = try s.db.actor(.maker).userID
        #expect(try refusal {
            try s.db.writer.write { d in
                try d.execute(sql: "INSERT INTO batch(period, supplementary, status, built_by, built_by_user, built_at) VALUES ('2026-12', 1, 'draft', 'x', ?, 'now')",
                              arguments: [maker])
                try d.execute(sql: """
                    INSERT INTO payout_line(batch_id, reference, beneficiary_code, person_key, kind, slot, for_month, amount, group_key, channel, payee_name, state)
                    VALUES (?, 'CT-TWICE', 'R01', ?, 'carry_over', 'allowance', '2026-12', 1000000, 'BANK-970405', 'bank', 'x', 'draft')
                    """, arguments: [d.lastInsertedRowID, r01["person_key"] as String])
            }
        }.contains("UNIQUE constraint failed: payout_line.person_key, payout_line.slot, payout_line.for_month"))
        // A line marked failed (or paid) without its flag following is refused, not left in the wrong index.
        let r01ID = r01["id"] as Int64
        #expect(try refusal {
            try s.db.writer.write { try $0.execute(sql: "UPDATE payout_line SET state = 'failed' WHERE id = ?", arguments: [r01ID]) }
        }.contains("CHECK constraint failed: retired"))
        let r04ID = try s.reference(s.batchID, code: "R04", month: "2026-12")["id"] as Int64
        #expect(try refusal {
            try s.db.writer.write { try $0.execute(sql: "UPDATE payout_line SET state = 'paid' WHERE id = ?", arguments: [r04ID]) }
        }.contains("CHECK constraint failed: retired"))
        #expect(try s.state(r01["reference"]) == "paid")
    }

    @Test("A store written before v8 (indexes on state, no retired column) migrates: the same lines retired, and January is built line for line as on a store that never needed it")
    func olderStoreMigrates() throws {
        let twin = try monthWithEveryState()
        let expected = try january(twin, on: twin.db)
        #expect(expected.contains { $0.hasPrefix("R04 carry_over 2026-12 1250000 ") })

        let s = try monthWithEveryState()
        let before = try retiredCounts(s.db)
        // The store as v7 left it: the two indexes on state, no `retired`, v8 not applied (nor v9,
        // whose CHECK reads `retired`).
        try OutcomeSealTests.unmigrateV9(s.db)
        try s.db.writer.writeWithoutTransaction { d in
            let version = try Int.fetchOne(d, sql: "PRAGMA schema_version")!
            try d.execute(sql: """
                DROP INDEX payout_line_one_live; DROP INDEX payout_line_retired;
                PRAGMA writable_schema = ON;
                UPDATE sqlite_schema SET sql = replace(sql, ' CHECK (retired = (state = ''failed'' OR state = ''cancelled''))', '')
                  WHERE type = 'table' AND name = 'payout_line';
                PRAGMA schema_version = \(version + 1);
                PRAGMA writable_schema = OFF;
                """)
            try d.execute(sql: """
                ALTER TABLE payout_line DROP COLUMN retired;
                CREATE UNIQUE INDEX payout_line_one_live ON payout_line(person_key, slot, for_month) WHERE state NOT IN ('failed','cancelled');
                CREATE INDEX payout_line_retired ON payout_line(person_key, slot, for_month) WHERE state IN ('failed','cancelled');
                DELETE FROM grdb_migrations WHERE identifier = 'v8-retired-lines';
                """)
        }
        let columns = try s.db.writer.read { try Row.fetchAll($0, sql: "PRAGMA table_info(payout_line)").map { $0["name"] as String } }
        #expect(!columns.contains("retired"))

        let migrated = try AppDatabase(path: s.dir.appendingPathComponent("chitra.sqlite").path, auditKeyDirectory: s.dir.appendingPathComponent("keys"))
        let after = try retiredCounts(migrated)
        #expect(after.wrong == 0)
        #expect(after.retired == before.retired)
        #expect(after.failed == 2)
        let indexes = try migrated.writer.read {
            try Row.fetchAll($0, sql: "SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND name IN ('payout_line_one_live','payout_line_retired') ORDER BY name")
                .map { "\($0["name"] as String): \($0["sql"] as String)" }
        }
        #expect(indexes == ["payout_line_one_live: CREATE UNIQUE INDEX payout_line_one_live ON payout_line(person_key, slot, for_month) WHERE retired = 0",
                            "payout_line_retired: CREATE INDEX payout_line_retired ON payout_line(person_key, slot, for_month) WHERE retired = 1"])
        #expect(try january(s, on: migrated) == expected)
        #expect(try migrated.verifyIntegrity().ok)
    }
}
