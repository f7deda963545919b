import ChiTraCore
import ChiTraGaps
import ChiTraStore
import Foundation
import GRDB
import Testing

@Suite("Coverage")
struct CoverageTests {
    /// A roll of `total` people, the first `noncash` with a bank account and the rest paid in cash.
    static func generatedRoll(total: Int, noncash: Int) -> String {
        var s = "code,full_name,birth_date,sex,personal_id,commune,village,address,phone,category,decision_no,decision_date,start_month,status,channel,bank_bin,account_no,account_name\n"
        for i in 1...total {
            let n = String(format: "%06d", i)
            let village = "Tổ dân phố \(i % 5 + 1)"
            let pay = i <= noncash ? "bank,970405,40012\(n),NGUYEN VAN AN" : "post_cash,,,"
            s += "C\(n),Nguyễn Văn An,01/01/1960,Nam,046060\(n),Phường Hương Trà,\(village),Số \(i),0912\(n),NKT_NANG,\(i)/QĐ-UBND,01/01/2024,01/2024,active,\(pay)\n"
        }
        return s
    }

    @Test("The seed ward's figure: 1,715 of 2,066 prints as 1.715/2.066 = 83,01%")
    func seedWardFigure() throws {
        let db = try AppDatabase.temporary()
        let url = try GapsFixture.tempDir().appendingPathComponent("ward-2066.csv")
        try Data(Self.generatedRoll(total: 2066, noncash: 1715).utf8).write(to: url)
        let s = try GapsFixture.importRoll(db, url)
        #expect(s.rejected == 0)
        let report = try Coverage.run(db, asOf: GapsFixture.asOf)
        #expect(report.overall.figure.vietnamese == "1.715/2.066 = 83,01%")
        #expect(report.communes.map(\.total.commune) == ["Phường Hương Trà"])
        #expect(report.communes[0].villages.count == 5)
        #expect(report.communes[0].villages.reduce(0) { $0 + $1.figure.total } == 2066)
        #expect(report.vietnameseLines.contains("Toàn bộ: 1.715/2.066 = 83,01%"))
        #expect(try GapsFixture.count(db, "SELECT count(*) FROM coverage_snapshot WHERE month = '2026-11'") == 1 + 1 + 5)
    }

    @Test("Formatting: rounding half up, no one active, signed change")
    func formatting() {
        #expect(CoverageFigure(noncash: 2, total: 3).vietnamese == "2/3 = 66,67%")
        #expect(CoverageFigure(noncash: 1, total: 8).percentVietnamese == "12,50%")
        #expect(CoverageFigure(noncash: 0, total: 0).percentVietnamese == "—")
        #expect(CoverageFigure(noncash: 10, total: 10).vietnamese == "10/10 = 100,00%")
        #expect(CoverageFigure(noncash: 5, total: 8).changeVietnamese(since: CoverageFigure(noncash: 1, total: 2)) == "+12,50 điểm %")
        #expect(CoverageFigure(noncash: 1, total: 2).changeVietnamese(since: CoverageFigure(noncash: 5, total: 8)) == "-12,50 điểm %")
    }

    @Test("Counts only usable non-cash: a rejected account and cash do not count; the inactive are left out")
    func usableOnly() throws {
        let db = try GapsFixture.store()
        let r = try Coverage.run(db, asOf: GapsFixture.asOf)
        // 26 active; cash: G02 G21 G24 G25 G28; rejected: G03 → 20 usable.
        #expect(r.overall.figure == CoverageFigure(noncash: 20, total: 26))
        #expect(r.communes.map(\.total.commune) == ["Phường Hương Trà", "Xã Hương Toàn"])
        #expect(r.communes[1].villages[0].figure == CoverageFigure(noncash: 0, total: 1))
    }

    @Test("One snapshot per month: a second run in the same month replaces the figures")
    func oneSnapshotPerMonth() throws {
        let db = try GapsFixture.store()
        _ = try Coverage.run(db, asOf: GapsFixture.asOf)
        _ = try Coverage.run(db, asOf: GapsFixture.asOf)
        #expect(try GapsFixture.count(db, "SELECT count(*) FROM coverage_snapshot WHERE commune = '' AND village = ''") == 1)
        #expect(try Coverage.run(db, asOf: GapsFixture.asOf).previousMonth == nil)
    }
}
