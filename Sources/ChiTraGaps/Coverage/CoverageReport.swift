import ChiTraCore
import ChiTraStore
import Foundation
import GRDB   // only to open transactions and name them (`Database`)

/// One line of the coverage report: a village, a commune total (`village` empty) or the overall total.
public struct CoverageLine: Sendable, Codable {
    public var commune: String
    public var village: String
    public var figure: CoverageFigure
    /// The same place's figure in the previous month that has a snapshot, if any.
    public var previous: CoverageFigure?

    /// `1.715/2.066 = 83,01% (+1,25 điểm % so với 10/2026)`.
    public func vietnamese(previousMonth: String?) -> String {
        var s = figure.vietnamese
        if let p = previous, let m = previousMonth, let c = figure.changeVietnamese(since: p) {
            s += " (\(c) so với \(YearMonth(m)?.vietnamese ?? m): \(p.percentVietnamese))"
        }
        return s
    }
}

/// Non-cash coverage overall, per commune and per village, with the change since the previous month.
public struct CoverageReport: Sendable, Codable {
    public struct Commune: Sendable, Codable {
        public var total: CoverageLine
        public var villages: [CoverageLine]
    }
    public var asOf: String
    /// The month the snapshot is stored under (`YYYY-MM`).
    public var month: String
    /// The earlier month compared with (`YYYY-MM`), if a snapshot exists.
    public var previousMonth: String?
    public var overall: CoverageLine
    public var communes: [Commune]

    /// The report in Vietnamese, one line per place.
    public var vietnameseLines: [String] {
        let d = CivilDate(asOf)!
        var out = ["TỶ LỆ CHI TRẢ KHÔNG DÙNG TIỀN MẶT — ngày \(d.vietnamese)"]
        out.append("Toàn bộ: " + overall.vietnamese(previousMonth: previousMonth))
        for c in communes {
            out.append("  \(c.total.commune): " + c.total.vietnamese(previousMonth: previousMonth))
            for v in c.villages { out.append("    \(v.village): " + v.vietnamese(previousMonth: previousMonth)) }
        }
        if previousMonth == nil { out.append("Chưa có số liệu của tháng trước để so sánh; số liệu tháng \(d.yearMonth.vietnamese) đã được lưu.") }
        out.append("Có tài khoản dùng được: tài khoản ngân hàng hoặc tài khoản bưu điện có số tài khoản và không bị từ chối.")
        return out
    }
}

/// Computes coverage and keeps one snapshot per month (`coverage_snapshot`).
public enum Coverage {
    /// Computes the figures as of `asOf`, stores them as that month's snapshot (replacing an
    /// earlier run in the same month) and compares with the latest earlier month's snapshot.
    public static func run(_ db: AppDatabase, asOf: CivilDate = .today()) throws -> CoverageReport {
        try db.writer.write { db in
            var report = try compute(db, asOf: asOf)
            let month = report.month
            let earlier = try previousSnapshot(db, before: month, into: &report)
            let now = Timestamp.now()
            func store(_ l: inout CoverageLine) throws {
                try CoverageSnapshots.store(db, month: month, commune: l.commune, village: l.village,
                                            noncash: l.figure.noncash, total: l.figure.total, at: now)
                l.previous = earlier[key(l.commune, l.village)]
            }
            try store(&report.overall)
            for i in report.communes.indices {
                try store(&report.communes[i].total)
                for j in report.communes[i].villages.indices { try store(&report.communes[i].villages[j]) }
            }
            return report
        }
    }

    /// The same figures and comparison as ``run(_:asOf:)``, read only: nothing is stored (the web
    /// pages, which must never wait for another command's write lock).
    public static func preview(_ db: AppDatabase, asOf: CivilDate = .today()) throws -> CoverageReport {
        try db.writer.read { db in
            var report = try compute(db, asOf: asOf)
            let earlier = try previousSnapshot(db, before: report.month, into: &report)
            func compare(_ l: inout CoverageLine) { l.previous = earlier[key(l.commune, l.village)] }
            compare(&report.overall)
            for i in report.communes.indices {
                compare(&report.communes[i].total)
                for j in report.communes[i].villages.indices { compare(&report.communes[i].villages[j]) }
            }
            return report
        }
    }

    /// The latest stored month before `month`, per place; sets the report's `previousMonth`.
    static func previousSnapshot(_ db: Database, before month: String, into report: inout CoverageReport) throws -> [String: CoverageFigure] {
        guard let previous = try CoverageSnapshots.latestMonth(db, before: month) else { return [:] }
        var earlier: [String: CoverageFigure] = [:]
        for p in try CoverageSnapshots.figures(db, month: previous) {
            earlier[key(p.commune, p.village)] = CoverageFigure(noncash: p.noncash, total: p.total)
        }
        report.previousMonth = previous
        return earlier
    }

    static func key(_ commune: String, _ village: String) -> String { commune + "\u{1F}" + village }

    /// The figures as of `asOf`, without storing anything.
    public static func compute(_ db: Database, asOf: CivilDate) throws -> CoverageReport {
        var byCommune: [String: [CoverageLine]] = [:]
        for p in try CoverageCounts.activeByVillage(db, asOf: asOf) {
            byCommune[p.commune, default: []].append(CoverageLine(commune: p.commune, village: p.village,
                                                                  figure: CoverageFigure(noncash: p.noncash, total: p.total)))
        }
        func sum(_ ls: [CoverageLine]) -> CoverageFigure {
            CoverageFigure(noncash: ls.reduce(0) { $0 + $1.figure.noncash }, total: ls.reduce(0) { $0 + $1.figure.total })
        }
        func order(_ a: String, _ b: String) -> Bool { a.compare(b, options: [.numeric, .caseInsensitive]) == .orderedAscending }
        var communes: [CoverageReport.Commune] = []
        for name in byCommune.keys.sorted(by: order) {
            let villages = byCommune[name]!.sorted { order($0.village, $1.village) }
            communes.append(.init(total: CoverageLine(commune: name, village: "", figure: sum(villages)), villages: villages))
        }
        let all = sum(communes.map(\.total))
        return CoverageReport(asOf: asOf.description, month: asOf.yearMonth.description, previousMonth: nil,
                              overall: CoverageLine(commune: "", village: "", figure: all), communes: communes)
    }
}
