import ChiTraBatch
import ChiTraCore
import ChiTraRoll
import ChiTraStore
import ChiTraTestSupport
import Foundation
import GRDB

enum Fixture {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let formats = root.appendingPathComponent("formats")
    static let tariff = try! Tariff.load(from: formats.appendingPathComponent("tariff.json"))
    static let banks = try! BankDirectory.load(from: formats.appendingPathComponent("banks.json"))
    static let payer = try! Payer.load(from: formats.appendingPathComponent("payer.json"))
    static let today = CivilDate(year: 2026, month: 11, day: 23)!

    static func tempDir() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("batch-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// A store with the hand-made rules roll imported.
    static func rulesStore() throws -> AppDatabase {
        let db = try AppDatabase.temporary()
        let dir = try tempDir()
        let url = dir.appendingPathComponent("rules-roll.csv")
        try FileManager.default.copyItem(at: root.appendingPathComponent("fixtures/rules/rules-roll.csv"), to: url)
        try importRoll(db, url)
        return db
    }

    @discardableResult
    static func importRoll(_ db: AppDatabase, _ url: URL) throws -> RollImportSummary {
        let i = RollImporter(db: db, validator: RollValidator(tariff: tariff, banks: banks, today: today), actor: try db.actor(.maker))
        return try i.importFile(url)
    }

    static func importText(_ db: AppDatabase, _ text: String) throws {
        let url = try tempDir().appendingPathComponent("roll.csv")
        try Data(text.utf8).write(to: url)
        try importRoll(db, url)
    }

    /// The current month the tests build in: December 2026 (December or January may be built).
    static let buildMonth = YearMonth(year: 2026, month: 12)!

    static func builder(_ db: AppDatabase, today: YearMonth = buildMonth) -> BatchBuilder {
        var b = BatchBuilder(db: db, tariff: tariff, banks: banks, payer: payer)
        b.today = today
        return b
    }

    static func lines(_ db: AppDatabase, batch: Int64) throws -> [Row] {
        try db.writer.read { try Row.fetchAll($0, sql: "SELECT * FROM payout_line WHERE batch_id = ? ORDER BY beneficiary_code, kind, for_month", arguments: [batch]) }
    }
}

let rollHeader = "code,full_name,birth_date,sex,personal_id,commune,village,category,children,decision_no,decision_date,start_month,end_month,death_date,status,channel,bank_bin,account_no,account_name,proxy_name,proxy_id,proxy_relation,authorisation_until"
