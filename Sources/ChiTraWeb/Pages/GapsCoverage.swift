import ChiTraCore
import ChiTraGaps
import ChiTraStore
import Foundation

/// The coverage page's model: the figures of `Coverage.run` and the monthly snapshots drawn as an
/// inline SVG (bars for the whole ward, a line per commune), built here with every label escaped.
extension GapsPages {
    struct CoverageRow {
        let name: String
        let href: String?
        let isCommune: Bool
        let noncash: String
        let total: String
        let percent: String
        let change: String
        let spark: String
    }
    struct MonthRow { let month: String; let cells: [String] }
    struct CoverageModel {
        let asOf: String
        let overall: String
        let change: String?
        let chart: String
        let monthHeads: [String]
        let monthRows: [MonthRow]
        let rows: [CoverageRow]
        let firstMonthNote: String?
    }

    static func coverageModel(_ r: CoverageReport, history stored: [GapsQueries.CoveragePoint]) -> CoverageModel {
        let current = YearMonth(r.month)!
        // This month as computed now (the page stores nothing), the earlier months as stored.
        var history = stored.filter { $0.month != r.month }
        func live(_ l: CoverageLine) { history.append(.init(month: r.month, commune: l.commune, village: l.village, noncash: l.figure.noncash, total: l.figure.total)) }
        live(r.overall)
        for c in r.communes { live(c.total); c.villages.forEach(live) }
        let firstSeen = history.compactMap { YearMonth($0.month) }.min() ?? current
        let months = (0...max(0, firstSeen.months(to: current))).map { firstSeen.adding(months: $0) }
        var byPlace: [String: [String: CoverageFigure]] = [:]  // place key → month → figure
        for p in history { byPlace[p.commune + "\u{1F}" + p.village, default: [:]][p.month] = CoverageFigure(noncash: p.noncash, total: p.total) }
        func series(_ commune: String, _ village: String) -> [CoverageFigure?] {
            let f = byPlace[commune + "\u{1F}" + village] ?? [:]
            return months.map { f[$0.description] }
        }
        let overall = series("", "")
        let drawCommunes = r.communes.count >= 2 && r.communes.count <= CoverageChart.palette.count
        let lines = drawCommunes ? r.communes.enumerated().map { (i, c) in
            CoverageChart.Series(label: c.total.commune, values: series(c.total.commune, ""), color: CoverageChart.palette[i])
        } : []
        let chart = CoverageChart.chart(
            months: months, bars: overall, lines: lines,
            title: "Tỷ lệ chi trả không dùng tiền mặt theo tháng, \(months.first!.vietnamese)–\(months.last!.vietnamese)",
            note: r.communes.count > CoverageChart.palette.count ? "Có \(r.communes.count) xã/phường: biểu đồ chỉ vẽ toàn bộ; từng xã xem ở bảng." : nil)

        let lo = CoverageChart.sparkFloor(history.compactMap { CoverageFigure(noncash: $0.noncash, total: $0.total).basisPoints })
        func row(_ l: CoverageLine, name: String, commune: Bool) -> CoverageRow {
            let s = series(l.commune, l.village)
            return CoverageRow(name: name, href: commune ? nil : villageHref("/gaps/village", commune: l.commune, village: l.village),
                               isCommune: commune, noncash: Show.number(l.figure.noncash), total: Show.number(l.figure.total),
                               percent: l.figure.percentVietnamese,
                               change: l.previous.flatMap { l.figure.changeVietnamese(since: $0) } ?? "—",
                               spark: CoverageChart.spark(months: months, values: s, floor: lo, place: name))
        }
        var rows: [CoverageRow] = []
        for c in r.communes {
            rows.append(row(c.total, name: c.total.commune, commune: true))
            for v in c.villages { rows.append(row(v, name: v.village, commune: false)) }
        }
        let heads = ["Toàn bộ"] + (drawCommunes ? r.communes.map(\.total.commune) : [])
        let monthRows = months.reversed().compactMap { m -> MonthRow? in
            let i = months.firstIndex(of: m)!
            guard overall[i] != nil else { return nil }
            var cells = [overall[i]!.vietnamese]
            for s in lines { cells.append(s.values[i]?.vietnamese ?? "—") }
            return MonthRow(month: m.vietnamese, cells: cells)
        }
        return CoverageModel(
            asOf: CivilDate(r.asOf)!.vietnamese, overall: r.overall.figure.vietnamese,
            change: r.overall.previous.flatMap { p in r.overall.figure.changeVietnamese(since: p).map { "\($0) so với tháng \(YearMonth(r.previousMonth ?? "")?.vietnamese ?? "trước") (\(p.percentVietnamese))" } },
            chart: chart, monthHeads: heads, monthRows: monthRows, rows: rows,
            firstMonthNote: r.previousMonth == nil ? "Chưa có số liệu tháng trước để so sánh. Số liệu tháng \(current.vietnamese) được tính trực tiếp; các tháng trước lấy từ số liệu đã lưu (lệnh chitra gaps coverage lưu số liệu mỗi tháng)." : nil)
    }
}

/// Inline SVG charts, no script: every label goes through `Pages.escape`, colours are presentation
/// attributes (the CSP allows no inline style), each bar and point has a `<title>` for a tooltip
/// and a screen reader, and the whole chart has a `<title>` and `<desc>`.
enum CoverageChart {
    static let maxMonths = 12
    /// Line colours for communes (the bars are the light blue of the whole ward).
    static let palette = ["#a33a00", "#1f7a3a", "#6b3fa0", "#00838f", "#8d6e00", "#c2185b"]
    static let barColour = "#9cc2e8"
    static let ink = "#1b1f24", muted = "#5b6570", rule = "#d5dbe1", accent = "#0b5cad"

    struct Series { let label: String; let values: [CoverageFigure?]; let color: String }

    static func pct(_ bp: Int) -> String { CoverageFigure.hundredths(bp) + "%" }

    /// Bars for `bars` (one per month, 0–100 %), a line per series, month labels `06/2026`,
    /// a percentage axis every 20 %, and the legend below as HTML.
    static func chart(months: [YearMonth], bars: [CoverageFigure?], lines: [Series], title: String, note: String?) -> String {
        let e = Pages.escape
        let w = 380.0, h = 250.0, left = 40.0, right = 8.0, top = 16.0, bottom = 28.0
        let plotW = w - left - right, plotH = h - top - bottom
        let n = months.count
        let slot = plotW / Double(n)
        func y(_ bp: Int) -> Double { top + plotH * (1 - Double(bp) / 10_000) }
        func x(_ i: Int) -> Double { left + slot * (Double(i) + 0.5) }
        func f(_ v: Double) -> String { String(format: "%.1f", v) }

        var desc: [String] = []
        for (i, m) in months.enumerated() { if let b = bars[i] { desc.append("\(m.vietnamese): \(b.percentVietnamese)") } }
        var s = #"<figure class="coverage-chart">"#
        s += #"<svg class="chart coverage" viewBox="0 0 \#(Int(w)) \#(Int(h))" role="img" aria-labelledby="cov-title cov-desc" xmlns="http://www.w3.org/2000/svg" font-family="inherit">"#
        s += #"<title id="cov-title">\#(e(title))</title><desc id="cov-desc">Toàn bộ: \#(e(desc.joined(separator: "; ")))</desc>"#
        // Axis: 0–100 % every 20 %.
        for p in stride(from: 0, through: 100, by: 20) {
            let yy = y(p * 100)
            s += #"<line x1="\#(f(left))" x2="\#(f(w - right))" y1="\#(f(yy))" y2="\#(f(yy))" stroke="\#(p == 0 ? "#5b6570" : "#d5dbe1")" stroke-width="1"/>"#
            s += #"<text x="\#(f(left - 6))" y="\#(f(yy + 4))" text-anchor="end" font-size="12" fill="\#(muted)">\#(p)%</text>"#
        }
        // Bars with their value.
        let barW = min(40, slot * 0.62)
        let labelEvery = max(1, Int((52 / slot).rounded(.up)))
        for (i, m) in months.enumerated() {
            if let b = bars[i], let bp = b.basisPoints {
                let top = y(bp)
                s += #"<rect x="\#(f(x(i) - barW / 2))" y="\#(f(top))" width="\#(f(barW))" height="\#(f(y(0) - top))" fill="\#(barColour)">"#
                s += #"<title>\#(e("Toàn bộ, \(m.vietnamese): \(b.vietnamese)"))</title></rect>"#
                // The value above the bar when it fits: 85,56% or 85,6%.
                let label = slot >= 54 ? pct(bp) : slot >= 40 ? String(format: "%d,%d%%", (bp + 5) / 100, (bp + 5) % 100 / 10) : nil
                if let label {
                    s += #"<text x="\#(f(x(i)))" y="\#(f(top - 5))" text-anchor="middle" font-size="11" fill="\#(ink)">\#(e(label))</text>"#
                }
            }
            if (n - 1 - i) % labelEvery == 0 {  // counted from the latest month, which is always labelled
                s += #"<text x="\#(f(x(i)))" y="\#(f(h - bottom + 18))" text-anchor="middle" font-size="11" fill="\#(ink)">\#(e(m.vietnamese))</text>"#
            }
        }
        // One line per series, broken where a month has no snapshot; a point with a title on each month.
        for l in lines {
            var run: [String] = []
            func flush() {
                if run.count > 1 { s += #"<polyline points="\#(run.joined(separator: " "))" fill="none" stroke="\#(l.color)" stroke-width="2.5"/>"# }
                run = []
            }
            for (i, v) in l.values.enumerated() {
                guard let bp = v?.basisPoints else { flush(); continue }
                run.append("\(f(x(i))),\(f(y(bp)))")
            }
            flush()
            for (i, v) in l.values.enumerated() {
                guard let v, let bp = v.basisPoints else { continue }
                s += #"<circle cx="\#(f(x(i)))" cy="\#(f(y(bp)))" r="4" fill="\#(l.color)"><title>\#(e("\(l.label), \(months[i].vietnamese): \(v.vietnamese)"))</title></circle>"#
            }
        }
        s += "</svg>"
        // Legend as HTML (it stays readable when the chart shrinks on a phone).
        s += #"<figcaption><ul class="legend">"#
        s += #"<li><svg width="18" height="12" aria-hidden="true"><rect width="18" height="12" fill="\#(barColour)"/></svg> Toàn bộ (cột)</li>"#
        for l in lines {
            s += #"<li><svg width="22" height="12" aria-hidden="true"><line x1="0" x2="22" y1="6" y2="6" stroke="\#(l.color)" stroke-width="3"/><circle cx="11" cy="6" r="3.5" fill="\#(l.color)"/></svg> \#(e(l.label))</li>"#
        }
        s += "</ul>"
        if let note { s += #"<p class="hint">\#(e(note))</p>"# }
        s += "</figcaption></figure>"
        return s
    }

    /// The common lower bound of the sparklines (a multiple of 10 %, below the lowest figure).
    static func sparkFloor(_ bps: [Int]) -> Int {
        guard let lo = bps.min() else { return 0 }
        return max(0, (lo - 500) / 1000 * 1000)
    }

    /// A small line of one place's months (the same scale on every row, from `floor` to 100 %).
    static func spark(months: [YearMonth], values: [CoverageFigure?], floor: Int, place: String) -> String {
        let e = Pages.escape
        let w = 64.0, h = 24.0, pad = 3.0
        let n = values.count
        func x(_ i: Int) -> Double { n == 1 ? w / 2 : pad + (w - 2 * pad) * Double(i) / Double(n - 1) }
        func y(_ bp: Int) -> Double { pad + (h - 2 * pad) * (1 - Double(bp - floor) / Double(max(1, 10_000 - floor))) }
        func f(_ v: Double) -> String { String(format: "%.1f", v) }
        let known = values.enumerated().compactMap { (i, v) in v?.basisPoints.map { (i, $0) } }
        guard !known.isEmpty else { return "" }
        let said = known.map { "\(months[$0.0].vietnamese): \(CoverageChart.pct($0.1))" }.joined(separator: "; ")
        var s = #"<svg class="spark" width="\#(Int(w))" height="\#(Int(h))" viewBox="0 0 \#(Int(w)) \#(Int(h))" role="img" xmlns="http://www.w3.org/2000/svg">"#
        s += #"<title>\#(e("\(place) — \(said)"))</title>"#
        s += #"<line x1="0" x2="\#(f(w))" y1="\#(f(y(10_000)))" y2="\#(f(y(10_000)))" stroke="\#(rule)" stroke-width="1"/>"#
        if known.count > 1 {
            s += #"<polyline points="\#(known.map { "\(f(x($0.0))),\(f(y($0.1)))" }.joined(separator: " "))" fill="none" stroke="\#(accent)" stroke-width="1.8"/>"#
        }
        let last = known.last!
        s += #"<circle cx="\#(f(x(last.0)))" cy="\#(f(y(last.1)))" r="2.6" fill="\#(accent)"/>"#
        s += "</svg>"
        return s
    }
}
