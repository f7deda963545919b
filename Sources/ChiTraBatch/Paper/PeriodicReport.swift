import ChiTraCore
import ChiTraStore
import Foundation

/// The months a periodic report covers: `2026-12`, `2026-Q4`, `2026-H2`, `2026`, or
/// `2026-07..2026-12`.
public struct ReportPeriod: Sendable, Equatable, CustomStringConvertible {
    public var from: YearMonth
    public var to: YearMonth
    /// How the paper names it: `tháng 12 năm 2026`, `6 tháng cuối năm 2026`, `quý IV năm 2026`, `năm 2026`.
    public var vietnamese: String

    public init?(_ text: String) {
        let t = text.trimmingCharacters(in: .whitespaces)
        if let m = YearMonth(t), t.count == 7 {
            (from, to, vietnamese) = (m, m, "tháng \(m.month) năm \(m.year)")
            return
        }
        let parts = t.split(separator: "-", maxSplits: 1).map(String.init)
        if t.contains("..") {
            let ends = t.components(separatedBy: "..")
            guard ends.count == 2, let a = YearMonth(ends[0]), let b = YearMonth(ends[1]), a <= b, ends[0].count == 7, ends[1].count == 7 else { return nil }
            (from, to, vietnamese) = (a, b, "từ tháng \(a.vietnamese) đến tháng \(b.vietnamese)")
            return
        }
        guard let first = parts.first, let year = Int(first), first.count == 4, (2000...2999).contains(year) else { return nil }
        if parts.count == 1 {
            (from, to, vietnamese) = (YearMonth(year: year, month: 1)!, YearMonth(year: year, month: 12)!, "năm \(year)")
            return
        }
        switch parts[1].uppercased() {
        case "H1": (from, to, vietnamese) = (YearMonth(year: year, month: 1)!, YearMonth(year: year, month: 6)!, "6 tháng đầu năm \(year)")
        case "H2": (from, to, vietnamese) = (YearMonth(year: year, month: 7)!, YearMonth(year: year, month: 12)!, "6 tháng cuối năm \(year)")
        case "Q1", "Q2", "Q3", "Q4":
            let q = Int(parts[1].dropFirst())!
            (from, to, vietnamese) = (YearMonth(year: year, month: 3 * q - 2)!, YearMonth(year: year, month: 3 * q)!,
                                      "quý \(["I", "II", "III", "IV"][q - 1]) năm \(year)")
        default: return nil
        }
    }

    public var description: String { from == to ? from.description : "\(from)..\(to)" }
}

/// The periodic report on regular social assistance that the commune sends up (Decree 20/2021
/// Art. 36.1 and Circular 02/2021/TT-BLĐTBXH Art. 6.1.c: "bảng tổng hợp số liệu kết quả thực
/// hiện chính sách", form 10a of the Decree's appendix — "Số liệu kết quả thực hiện trợ giúp xã
/// hội thường xuyên" — before 15 June and 15 December each year): for the months covered, the
/// people and the money by scheme and category, and by how they were paid.
///
/// Built from the exported batches whose month paid falls in the period (what was sent); "paid"
/// is what the banks and the post office reported paid. See `formats/periodic-report.md` for the
/// columns and how they map to the form.
public struct PeriodicReport: Sendable {
    public enum Scheme: String, Sendable, CaseIterable {
        case allowance, pension, care, funeral, other

        /// The part's heading with its legal basis.
        public var heading: String {
            switch self {
            case .allowance: return "Trợ cấp xã hội hằng tháng (Nghị định 20/2021/NĐ-CP, Điều 5, 6)"
            case .pension: return "Trợ cấp hưu trí xã hội (Nghị định 176/2025/NĐ-CP)"
            case .care: return "Hỗ trợ kinh phí chăm sóc, nuôi dưỡng hằng tháng (Nghị định 20/2021/NĐ-CP, Điều 20)"
            case .funeral: return "Hỗ trợ chi phí mai táng (Nghị định 20/2021/NĐ-CP, Điều 11)"
            case .other: return "Khoản khác (diện không có trong tariff.json)"
            }
        }
        public var roman: String { ["I", "II", "III", "IV", "V"][Scheme.allCases.firstIndex(of: self)!] }
    }

    /// The figures of a row.
    public struct Figures: Sendable, Equatable, Codable {
        /// People on the period's lists for this row.
        public var people = 0
        /// Of them, people paid at least once.
        public var paidPeople = 0
        /// Payments (lines) sent.
        public var payments = 0
        /// Paid, in đồng: in all and by channel.
        public var paid: Int64 = 0
        public var paidBank: Int64 = 0
        public var paidPostAccount: Int64 = 0
        public var paidCash: Int64 = 0
        /// Sent and not (yet) paid: rejected, pending, no answer. Sent = paid + unpaid.
        public var unpaid: Int64 = 0

        public init() {}
    }

    public struct Row: Sendable {
        /// The category codes (`NKT_NANG`, `NKT_NANG+DON_THAN_NUOI_CON`), empty for a funeral row.
        public var category: String
        public var label: String
        public var figures: Figures
    }

    public struct Part: Sendable {
        public var scheme: Scheme
        public var rows: [Row]
        public var subtotal: Figures
    }

    public struct ChannelRow: Sendable {
        public var channel: Channel
        public var figures: Figures
    }

    public var period: ReportPeriod
    public var issuer: String
    public var commune: String
    public var parts: [Part]
    public var channels: [ChannelRow]
    public var total: Figures
    /// The exported batches the figures come from.
    public var batchCount: Int

    /// The report of `period` from the store; the figures are checked against the batches' totals.
    public static func load(_ db: AppDatabase, period: ReportPeriod, tariff: Tariff, payer: Payer) throws -> PeriodicReport {
        let (cells, batches, communes) = try db.writer.read { db in
            (try PaperQueries.periodCells(db, from: period.from.description, to: period.to.description),
             try PaperQueries.periodBatches(db, from: period.from.description, to: period.to.description),
             try PaperQueries.communes(db))
        }
        let report = try make(period: period, cells: cells, tariff: tariff, issuer: payer.nameVi,
                              commune: communes.count == 1 ? communes[0] : payer.nameVi, batchCount: batches.batches)
        let sent = try Money.sum([report.total.paid, report.total.unpaid])
        guard report.total.payments == batches.lines, sent == batches.sum else {
            throw BatchError(Message("batch.report.periodic_differs", ["payments": .int(report.total.payments), "sent": .money(sent), "batches": .int(batches.batches), "period": .text("\(period)"), "lines": .int(batches.lines), "sum": .money(batches.sum)]))
        }
        return report
    }

    /// The report from cells already read.
    public static func make(period: ReportPeriod, cells: [PaperQueries.PeriodCell], tariff: Tariff, issuer: String,
                            commune: String, batchCount: Int) throws -> PeriodicReport {
        struct Acc {
            var people: Set<String> = []
            var paidPeople: Set<String> = []
            var f = Figures()
            mutating func add(_ c: PaperQueries.PeriodCell) throws {
                people.insert(c.code)
                f.payments += c.count
                if c.state == .paid {
                    paidPeople.insert(c.code)
                    f.paid = try Money.sum([f.paid, c.sum])
                    switch c.channel {
                    case .bank: f.paidBank = try Money.sum([f.paidBank, c.sum])
                    case .postAccount: f.paidPostAccount = try Money.sum([f.paidPostAccount, c.sum])
                    case .postCash: f.paidCash = try Money.sum([f.paidCash, c.sum])
                    }
                } else {
                    f.unpaid = try Money.sum([f.unpaid, c.sum])
                }
            }
            var figures: Figures { var x = f; x.people = people.count; x.paidPeople = paidPeople.count; return x }
        }
        func scheme(_ c: PaperQueries.PeriodCell) -> Scheme {
            switch EntitlementKind(rawValue: c.slot) {
            case .funeral?: return .funeral
            case .care?, .careArrears?: return .care
            default:
                let first = c.category.split(separator: "+").first.map(String.init) ?? ""
                switch tariff.category(first)?.scheme {
                case .allowance?: return .allowance
                case .pension?: return .pension
                case .care?: return .care
                case .funeral?: return .funeral
                case nil: return .other
                }
            }
        }
        var rows: [Scheme: [String: Acc]] = [:]
        var parts: [Scheme: Acc] = [:]
        var byChannel: [Channel: Acc] = [:]
        var total = Acc()
        for c in cells {
            let s = scheme(c)
            let key = s == .funeral ? "" : c.category
            try rows[s, default: [:]][key, default: Acc()].add(c)
            try parts[s, default: Acc()].add(c)
            try byChannel[c.channel, default: Acc()].add(c)
            try total.add(c)
        }
        func rank(_ category: String) -> (Int, String) {
            let first = category.split(separator: "+").first.map(String.init) ?? ""
            return (tariff.categoryOrder.firstIndex(of: first) ?? Int.max, category)
        }
        func label(_ category: String, _ s: Scheme) -> String {
            if s == .funeral { return "Hỗ trợ chi phí mai táng" }
            if category.isEmpty { return "Không rõ diện" }
            return category.split(separator: "+").map { tariff.category(String($0))?.nameVi ?? String($0) }.joined(separator: " + ")
        }
        let reportParts = Scheme.allCases.compactMap { s -> Part? in
            guard let accs = rows[s] else { return nil }
            let r = accs.keys.sorted { rank($0) < rank($1) }.map { Row(category: $0, label: label($0, s), figures: accs[$0]!.figures) }
            return Part(scheme: s, rows: r, subtotal: parts[s]!.figures)
        }
        let channels = Channel.allCases.compactMap { ch in byChannel[ch].map { ChannelRow(channel: ch, figures: $0.figures) } }
        let report = PeriodicReport(period: period, issuer: issuer, commune: commune, parts: reportParts, channels: channels,
                                    total: total.figures, batchCount: batchCount)
        // The parts and the channels each add up to the total, to the đồng.
        for split in [report.parts.map(\.subtotal), report.channels.map(\.figures)] {
            guard try Money.sum(split.map(\.paid)) == report.total.paid, try Money.sum(split.map(\.unpaid)) == report.total.unpaid,
                  split.reduce(0, { $0 + $1.payments }) == report.total.payments else {
                throw BatchError(Message("batch.report.parts_differ"))
            }
        }
        return report
    }

    // MARK: - Paper

    private static func cells(_ f: Figures) -> [String] {
        [Money.vietnamese(Int64(f.people)), Money.vietnamese(Int64(f.paidPeople)), Money.vietnamese(Int64(f.payments)),
         Money.vietnamese(f.paid), Money.vietnamese(f.paidBank), Money.vietnamese(f.paidPostAccount), Money.vietnamese(f.paidCash),
         Money.vietnamese(f.unpaid)]
    }

    /// The report as A4 landscape HTML.
    public func html() -> String {
        let e = PaperHTML.escape
        func tr(_ no: String, _ label: String, _ f: Figures, cls: String? = nil) -> String {
            "<tr\(cls.map { " class=\"\($0)\"" } ?? "")><td class=\"c\">\(e(no))</td><td>\(e(label))</td>"
                + Self.cells(f).map { "<td class=\"n\">\($0)</td>" }.joined() + "</tr>\n"
        }
        var body = PaperHTML.head(issuer: issuer, number: nil)
        body += "<h1>BÁO CÁO KẾT QUẢ THỰC HIỆN CHÍNH SÁCH TRỢ GIÚP XÃ HỘI THƯỜNG XUYÊN</h1>\n"
        body += "<p class=\"sub\"><b>Số liệu kết quả thực hiện trợ giúp xã hội thường xuyên \(e(period.vietnamese))</b></p>\n"
        body += "<p class=\"sub small\"><i>(Theo Mẫu số 10a ban hành kèm theo Nghị định số 20/2021/NĐ-CP; kỳ báo cáo: tháng \(period.from.vietnamese) – tháng \(period.to.vietnamese))</i></p>\n"
        body += "<div class=\"meta\"><p>Kính gửi: ……………………………………………………</p><p>Đơn vị báo cáo: \(e(issuer))</p></div>\n"
        body += """
        <p><b>1. Theo chế độ và diện đối tượng</b></p>
        <table class="grid fixed report">
        <colgroup><col style="width:4%"><col style="width:28%"><col style="width:8%"><col style="width:8%"><col style="width:6%"><col style="width:10%"><col style="width:9.5%"><col style="width:9%"><col style="width:8.5%"><col style="width:9%"></colgroup>
        <thead>
        <tr><th rowspan="2">STT</th><th rowspan="2">Chế độ, diện đối tượng</th><th rowspan="2">Số đối tượng trong danh sách (người)</th><th rowspan="2">Số đối tượng đã nhận (người)</th><th rowspan="2">Số khoản chi trả</th><th colspan="4">Kinh phí đã chi trả (đồng)</th><th rowspan="2">Kinh phí chưa chi trả (đồng)</th></tr>
        <tr><th>Tổng số</th><th>Qua tài khoản ngân hàng</th><th>Qua tài khoản bưu điện</th><th>Tiền mặt tại bưu điện</th></tr>
        <tr class="colno"><th>1</th><th>2</th><th>3</th><th>4</th><th>5</th><th>6</th><th>7</th><th>8</th><th>9</th><th>10</th></tr>
        </thead>
        <tbody>

        """
        for p in parts {
            body += tr(p.scheme.roman, p.scheme.heading, p.subtotal, cls: "group")
            for (i, r) in p.rows.enumerated() { body += tr(String(i + 1), r.label, r.figures) }
        }
        body += tr("", "Tổng cộng", total, cls: "total")
        body += "</tbody></table>\n"
        body += """
        <p style="margin-top:10pt"><b>2. Theo hình thức chi trả</b></p>
        <table class="grid fixed report">
        <colgroup><col style="width:4%"><col style="width:28%"><col style="width:8%"><col style="width:8%"><col style="width:6%"><col style="width:10%"><col style="width:9.5%"><col style="width:9%"><col style="width:8.5%"><col style="width:9%"></colgroup>
        <thead>
        <tr><th>STT</th><th>Hình thức chi trả</th><th>Số đối tượng trong danh sách (người)</th><th>Số đối tượng đã nhận (người)</th><th>Số khoản chi trả</th><th>Kinh phí đã chi trả (đồng)</th><th>Qua tài khoản ngân hàng</th><th>Qua tài khoản bưu điện</th><th>Tiền mặt tại bưu điện</th><th>Kinh phí chưa chi trả (đồng)</th></tr>
        </thead>
        <tbody>

        """
        for (i, c) in channels.enumerated() { body += tr(String(i + 1), c.channel.vietnamese, c.figures) }
        body += tr("", "Tổng cộng", total, cls: "total")
        body += "</tbody></table>\n"
        body += "<div class=\"closing\">"
        body += "<p class=\"words\">Tổng kinh phí đã chi trả trong kỳ: <b>\(Money.vietnamese(total.paid)) đồng</b>.</p>"
        body += "<p class=\"words\"><b>Bằng chữ:</b> <i>\(e(Money.inWords(total.paid)))</i></p>"
        body += "<p class=\"note\">Số liệu tổng hợp từ \(batchCount) danh sách chi trả đã gửi tổ chức dịch vụ chi trả trong kỳ; kinh phí đã chi trả theo kết quả ngân hàng, bưu điện báo về; một đối tượng được tính một lần trong mỗi dòng.</p>"
        body += PaperHTML.placeAndDate(commune, year: period.to.year)
        body += PaperHTML.signatures([
            (["NGƯỜI LẬP BIỂU"], "Ký, ghi rõ họ tên"),
            (["KẾ TOÁN"], "Ký, ghi rõ họ tên"),
            (["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"], "Ký tên, đóng dấu"),
        ])
        body += "</div>\n"
        return PaperHTML.document(title: "Báo cáo trợ giúp xã hội thường xuyên \(period.vietnamese)", landscape: true, body: body)
    }

    /// The report as CSV (UTF-8 with BOM, CRLF): the table by scheme and category, then the table by channel.
    public func csv() -> Data {
        let head = ["Số đối tượng trong danh sách (người)", "Số đối tượng đã nhận (người)", "Số khoản chi trả", "Kinh phí đã chi trả (đồng)",
                    "Qua tài khoản ngân hàng", "Qua tài khoản bưu điện", "Tiền mặt tại bưu điện", "Kinh phí chưa chi trả (đồng)"]
        func plain(_ f: Figures) -> [String] {
            [String(f.people), String(f.paidPeople), String(f.payments), String(f.paid), String(f.paidBank), String(f.paidPostAccount),
             String(f.paidCash), String(f.unpaid)]
        }
        var out = "\u{FEFF}"
        out += CSVText.row(["Báo cáo kết quả thực hiện chính sách trợ giúp xã hội thường xuyên", period.vietnamese, issuer]) + "\r\n"
        out += CSVText.row(["STT", "Chế độ, diện đối tượng", "Mã diện"] + head) + "\r\n"
        for p in parts {
            out += CSVText.row([p.scheme.roman, p.scheme.heading, ""] + plain(p.subtotal)) + "\r\n"
            for (i, r) in p.rows.enumerated() { out += CSVText.row([String(i + 1), r.label, r.category] + plain(r.figures)) + "\r\n" }
        }
        out += CSVText.row(["", "Tổng cộng", ""] + plain(total)) + "\r\n"
        out += "\r\n"
        out += CSVText.row(["STT", "Hình thức chi trả", "Mã"] + head) + "\r\n"
        for (i, c) in channels.enumerated() { out += CSVText.row([String(i + 1), c.channel.vietnamese, c.channel.rawValue] + plain(c.figures)) + "\r\n" }
        out += CSVText.row(["", "Tổng cộng", ""] + plain(total)) + "\r\n"
        out += CSVText.row(["", "Bằng chữ", Money.inWords(total.paid)]) + "\r\n"
        return Data(out.utf8)
    }
}
