import ChiTraBatch
import ChiTraCore
import ChiTraRoll
import ChiTraSigning
import ChiTraStore
import ChiTraTestSupport
import Foundation
import GRDB
import Testing

/// The month run end to end on the roll LibreOffice wrote as .xlsx, against the same roll as CSV.
@Suite("Excel roll: the month end to end")
struct ExcelRollMonthTests {
    /// Imports `fixture`, builds December 2026, approves, exports; the payout lines (code, kind,
    /// month, amount) and the export's control sum.
    static func runMonth(_ fixture: String) throws -> (lines: [String], controlSum: Int64, summary: RollImportSummary) {
        let db = try AppDatabase.temporary()
        let dir = try Fixture.tempDir()
        let url = dir.appendingPathComponent(URL(fileURLWithPath: fixture).lastPathComponent)
        try FileManager.default.copyItem(at: Fixture.root.appendingPathComponent(fixture), to: url)
        let summary = try Fixture.importRoll(db, url)
        let keys = KeyStore(directory: dir.appendingPathComponent("keys"))
        _ = try keys.create(id: "k-test-1")
        let batchID = try Fixture.builder(db).build(period: YearMonth("2026-12")!, by: try db.actor(.maker)).id
        try BatchLifecycle(db: db).approve(batchID: batchID, by: try db.actor(.checker))
        let exporter = BatchExporter(db: db, payer: Fixture.payer, banks: Fixture.banks,
                                     formats: try PayoutFormats.load(from: Fixture.formats.appendingPathComponent("payout-formats.json")), keys: keys)
        let e = try exporter.export(batchID: batchID, to: dir.appendingPathComponent("out"), by: try db.actor(.maker))
        let lines = try Fixture.lines(db, batch: batchID).map { r -> String in
            "\(r["beneficiary_code"] as String) \(r["kind"] as String) \(r["for_month"] as String) \(r["amount"] as Int64)"
        }
        return (lines, e.controlSum, summary)
    }

    @Test("The .xlsx roll (and the one with IDs as numbers) pays the same lines and amounts as the CSV roll")
    func sameMonth() throws {
        let csv = try Self.runMonth("fixtures/excel/roll-40.csv")
        #expect(csv.summary.lines == 45 && csv.summary.rejected == 0)
        // Something is paid, and the export's control sum is the sum of the lines.
        #expect(!csv.lines.isEmpty)
        #expect(csv.controlSum == csv.lines.map { Int64($0.split(separator: " ").last!)! }.reduce(0, +))
        for file in ["fixtures/excel/roll-40.xlsx", "fixtures/excel/roll-40-ids-as-numbers.xlsx"] {
            let xlsx = try Self.runMonth(file)
            #expect(xlsx.summary.inputFormat == "xlsx" && xlsx.summary.rejected == 0, "\(file)")
            #expect(xlsx.lines == csv.lines, "\(file)")
            #expect(xlsx.controlSum == csv.controlSum, "\(file)")
        }
    }
}
