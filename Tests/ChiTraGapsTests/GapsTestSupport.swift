import ChiTraCore
import ChiTraGaps
import ChiTraRoll
import ChiTraStore
import ChiTraTestSupport
import Foundation
import GRDB

/// Shared fixtures: the formats folder, the hand-made gaps roll and the payments the tests add to it.
enum GapsFixture {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let formats = root.appendingPathComponent("formats")
    static let tariff = try! Tariff.load(from: formats.appendingPathComponent("tariff.json"))
    static let banks = try! BankDirectory.load(from: formats.appendingPathComponent("banks.json"))
    static let config = try! GapConfig.load(from: formats.appendingPathComponent("gaps.json"))
    /// The day every test is run as of (see fixtures/gaps/README.md).
    static let asOf = CivilDate(year: 2026, month: 11, day: 23)!

    static var finder: GapFinder { GapFinder(tariff: tariff, config: config) }
    static func options(_ f: (inout GapOptions) -> Void = { _ in }) -> GapOptions {
        var o = GapOptions(asOf: asOf, config: config)
        f(&o)
        return o
    }

    static func tempDir() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gaps-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    @discardableResult
    static func importRoll(_ db: AppDatabase, _ url: URL) throws -> RollImportSummary {
        let i = RollImporter(db: db, validator: RollValidator(tariff: tariff, banks: banks, today: asOf), actor: try db.actor(.maker))
        return try i.importFile(url)
    }

    /// Imports a fixture from fixtures/gaps/ (copied first: rejects files go beside the input).
    @discardableResult
    static func importFixture(_ db: AppDatabase, _ name: String) throws -> RollImportSummary {
        let url = try tempDir().appendingPathComponent(name)
        try FileManager.default.copyItem(at: root.appendingPathComponent("fixtures/gaps/\(name)"), to: url)
        return try importRoll(db, url)
    }

    /// A store with gaps-roll.csv imported and what the roll cannot carry added as the other
    /// modules would: G03's account rejected by returns, G04's guardian missing (legacy data),
    /// three monthly batches (G21 paid in cash in all three, G02 in the last two), G23 left out
    /// of the latest batch, and G01 left out of a cancelled batch (to be ignored).
    static func store() throws -> AppDatabase {
        let db = try AppDatabase.temporary()
        let s = try importFixture(db, "gaps-roll.csv")
        guard s.rejected == 0 else { throw FixtureProblem(text: "gaps-roll.csv has rejected lines: \(s.problems)") }
        let maker = try db.actor(.maker)
        try db.writer.write { db in
            try db.execute(sql: "UPDATE beneficiary SET account_flag = 'closed', account_flag_at = '2026-11-10T02:00:00Z', account_flag_ref = 'return #1' WHERE code = 'G03'")
            try db.execute(sql: "UPDATE beneficiary SET proxy_name = NULL, proxy_id = NULL, proxy_relation = NULL WHERE code = 'G04'")
            var batch: [String: Int64] = [:]
            for period in ["2026-10", "2026-11", "2026-12"] {
                try db.execute(sql: "INSERT INTO batch(period, status, built_by, built_by_user, built_at) VALUES (?, 'draft', 'test', ?, '2026-11-01T00:00:00Z')", arguments: [period, maker.userID])
                batch[period] = db.lastInsertedRowID
            }
            try db.execute(sql: """
                INSERT INTO batch(period, status, built_by, built_by_user, built_at, cancelled_by, cancelled_by_user, cancelled_at, cancel_reason)
                VALUES ('2026-12', 'cancelled', 'test', ?, '2026-11-20T00:00:00Z', 'test', ?, '2026-11-21T00:00:00Z', 'rebuilt')
                """, arguments: [maker.userID, maker.userID])
            let cancelled = db.lastInsertedRowID
            func cash(_ code: String, _ pid: String, _ period: String, _ state: String) throws {
                try db.execute(sql: """
                    INSERT INTO payout_line(batch_id, reference, beneficiary_code, person_key, kind, slot, for_month, amount, group_key, channel, payee_name, state)
                    VALUES (?, ?, ?, ?, 'allowance', 'allowance', ?, 500000, 'VNPOST-HUONG-TRA', 'post_cash', 'test', ?)
                    """, arguments: [batch[period]!, "\(code)-\(period)", code, pid, period, state])
            }
            try cash("G21", "046150000021", "2026-10", "paid")
            try cash("G21", "046150000021", "2026-11", "paid")
            try cash("G21", "046150000021", "2026-12", "draft")
            try cash("G02", "046040000002", "2026-11", "paid")
            try cash("G02", "046040000002", "2026-12", "draft")
            try db.execute(sql: "INSERT INTO batch_exclusion(batch_id, beneficiary_code, reason_code, reason, amount_owed) VALUES (?, 'G23', 'account_rejected', 'Tài khoản bị ngân hàng từ chối, cần cập nhật', 1000000)",
                           arguments: [batch["2026-12"]!])
            try db.execute(sql: "INSERT INTO batch_exclusion(batch_id, beneficiary_code, reason_code, reason, amount_owed) VALUES (?, 'G01', 'no_account', 'Chưa có tài khoản nhận', 500000)",
                           arguments: [cancelled])
        }
        return db
    }

    static func count(_ db: AppDatabase, _ sql: String, _ args: StatementArguments = []) throws -> Int {
        try db.writer.read { try Int.fetchOne($0, sql: sql, arguments: args) ?? 0 }
    }
}

/// A fixture that does not load as the tests expect.
struct FixtureProblem: Error { let text: String }
