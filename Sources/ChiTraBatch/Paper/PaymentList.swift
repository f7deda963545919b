import ChiTraCore
import ChiTraStore
import Foundation

/// The payment list (danh sách chi trả) that the post office and the commune sign for the cash
/// and post-account payments of a batch, one village after another: one line per person with
/// what they are paid for, the amount and a signature column, the totals and the total in words.
///
/// It is what was sent to be paid (every post-office line of the batch, whatever the returns
/// said later); printed from an approved or exported batch only.
public struct PaymentList: Sendable {
    /// One person's line.
    public struct Row: Sendable, Equatable {
        public var code: String
        public var name: String
        /// `1946`; empty when unknown.
        public var birthYear: String
        public var address: String
        /// Who receives for the person (proxy, guardian), with the relation; nil when the person does.
        public var payee: String?
        public var relation: String?
        /// `Tiền mặt tại bưu điện` / `Tài khoản bưu điện`.
        public var channel: String
        /// The post account, masked (`*****0116`); nil for cash.
        public var account: String?
        /// `Trợ cấp hằng tháng 12/2026; Truy lĩnh trợ cấp 08/2026–11/2026`.
        public var content: String
        public var payments: Int
        public var amount: Int64
    }

    /// One village's list.
    public struct Village: Sendable {
        public var commune: String
        public var village: String
        /// The post-office file the lines went in (`CT202612-B000001-P34A415DD`).
        public var fileID: String
        public var rows: [Row]
        public var people: Int { rows.count }
        public var payments: Int
        public var total: Int64
        /// `Một triệu hai trăm năm mươi nghìn đồng`.
        public var totalInWords: String { Money.inWords(total) }
    }

    public var batchID: Int64
    public var period: YearMonth
    public var supplementary: Bool
    /// The paying body as printed (`Ủy ban nhân dân phường Hương Trà`).
    public var issuer: String
    /// `Bưu điện phường Hương Trà`.
    public var postOffice: String
    public var villages: [Village]

    /// The list of a batch from the store; `village` picks one (matched without regard to case,
    /// and to diacritics when nothing matches exactly), nil gives every village.
    public static func load(_ db: AppDatabase, batchID: Int64, village: String?, payer: Payer) throws -> PaymentList {
        let (header, lines) = try db.writer.read { db -> (PaperQueries.BatchHeader, [PaperQueries.PostLine]) in
            guard let h = try PaperQueries.batch(db, id: batchID) else {
                throw BatchError(Message("batch.missing", ["batch": .int(Int(batchID))]))
            }
            return (h, try PaperQueries.postLines(db, batchID: batchID))
        }
        switch header.status {
        case .approved, .exported: break
        case .draft, .cancelled:
            throw BatchError(Message("batch.paper.not_approved", ["batch": .int(Int(batchID)), "status": .text(header.status.rawValue)]))
        }
        return try make(header: header, lines: lines, village: village, payer: payer)
    }

    /// The list from lines already read (tests build large lists this way).
    public static func make(header: PaperQueries.BatchHeader, lines: [PaperQueries.PostLine], village: String?, payer: Payer) throws -> PaymentList {
        guard let period = YearMonth(header.period) else { throw BatchError(Message("batch.paper.bad_month", ["batch": .int(Int(header.id)), "month": .text(SafeText.clean(header.period, limit: 20))])) }
        let all = Dictionary(grouping: lines, by: \.village)
        var names = all.keys.sorted { VietnameseCollation.key($0).lexicographicallyPrecedes(VietnameseCollation.key($1)) }
        if let village {
            let exact = names.filter { VietnameseText.key($0) == VietnameseText.key(village) }
            let loose = names.filter { VietnameseText.bankForm($0) == VietnameseText.bankForm(village) }
            guard let chosen = exact.first ?? (loose.count == 1 ? loose.first : nil) else {
                let known = names.isEmpty ? "none: the batch has no post-office payments" : names.joined(separator: ", ")
                throw BatchError(Message("batch.paper.no_village", ["batch": .int(Int(header.id)), "village": .text(SafeText.clean(village, limit: 80)), "known": .text(known)]))
            }
            names = [chosen]
        }
        guard !names.isEmpty else {
            throw BatchError(Message("batch.paper.no_post_payments", ["batch": .int(Int(header.id))]))
        }
        var villages: [Village] = []
        for name in names {
            let lines = all[name]!
            var rows: [Row] = []
            let byPerson = Dictionary(grouping: lines, by: \.code)
            for (_, own) in byPerson {
                let first = own[0]
                let amount = try Money.sum(own.map(\.amount))
                let proxy = own.first { $0.payeeRelation != nil }
                rows.append(Row(code: first.code, name: first.fullName, birthYear: String(first.birthDate.prefix(4)),
                                address: first.address, payee: proxy?.payeeName, relation: proxy?.payeeRelation,
                                channel: first.channel.vietnamese,
                                account: first.channel == .postAccount ? first.accountNo.map(maskAccount) : nil,
                                content: content(own), payments: own.count, amount: amount))
            }
            rows.sort { a, b in
                let ka = VietnameseCollation.key(a.name), kb = VietnameseCollation.key(b.name)
                return ka == kb ? a.code < b.code : ka.lexicographicallyPrecedes(kb)
            }
            let total = try Money.sum(rows.map(\.amount))
            guard total == (try Money.sum(lines.map(\.amount))) else { throw BatchError(Message("batch.paper.sum_differs", ["village": .text(name)])) }
            villages.append(Village(commune: lines[0].commune, village: name,
                                    fileID: BatchExporter.messageID(period: period, batchID: header.id, groupKey: lines[0].groupKey),
                                    rows: rows, payments: lines.count, total: total))
        }
        return PaymentList(batchID: header.id, period: period, supplementary: header.supplementary, issuer: payer.nameVi,
                           postOffice: payer.postOfficeAccount?.name ?? "\(payer.postOfficeName) \(villages.first?.commune ?? "")",
                           villages: villages)
    }

    /// What a person is paid for: each kind once, with its months (consecutive months as a range).
    static func content(_ lines: [PaperQueries.PostLine]) -> String {
        var order: [String] = []
        var months: [String: [YearMonth]] = [:]
        for l in lines.sorted(by: { $0.forMonth < $1.forMonth }) {
            let kind = EntitlementKind(rawValue: l.kind) ?? .allowance
            let label = RemittanceText.label(kind: kind, slot: EntitlementKind(rawValue: l.slot) ?? .allowance)
            if months[label] == nil { order.append(label) }
            if let m = YearMonth(l.forMonth) { months[label, default: []].append(m) }
        }
        return order.map { label in
            let ms = Array(Set(months[label] ?? [])).sorted()
            var ranges: [String] = []
            var i = 0
            while i < ms.count {
                var j = i
                while j + 1 < ms.count && ms[j + 1] == ms[j].next { j += 1 }
                ranges.append(i == j ? ms[i].vietnamese : "\(ms[i].vietnamese)–\(ms[j].vietnamese)")
                i = j + 1
            }
            return ([label] + [ranges.joined(separator: ", ")]).filter { !$0.isEmpty }.joined(separator: " ")
        }.joined(separator: "; ")
    }

    public var totalPeople: Int { villages.reduce(0) { $0 + $1.people } }

    // MARK: - Paper

    /// The list as an A4 page per village (portrait; the table's header repeats on every page).
    public func html() -> String {
        let e = PaperHTML.escape
        var body = ""
        for (i, v) in villages.enumerated() {
            body += "<section\(i > 0 ? " class=\"section\"" : "")>\n"
            body += PaperHTML.head(issuer: issuer, number: nil)
            body += "<h1>DANH SÁCH CHI TRẢ CHẾ ĐỘ TRỢ GIÚP XÃ HỘI</h1>\n"
            body += "<p class=\"sub\"><b>Tháng \(period.month) năm \(period.year)</b>\(supplementary ? " (đợt chi bổ sung)" : "")</p>\n"
            body += "<div class=\"meta\">"
            body += "<p>Thôn/tổ dân phố: <b>\(e(v.village))</b> — \(e(v.commune))</p>"
            body += "<p>Tổ chức dịch vụ chi trả: \(e(postOffice)) (tiền mặt và tài khoản bưu điện)</p>"
            body += "<p>Danh sách số: \(e(v.fileID)) — đợt chi #\(batchID)</p>"
            body += "</div>\n"
            body += """
            <table class="grid fixed">
            <colgroup><col style="width:10mm"><col><col style="width:11mm"><col style="width:27mm"><col style="width:21mm"><col style="width:31mm"><col style="width:20mm"><col style="width:24mm"></colgroup>
            <thead>
            <tr><th>STT</th><th>Họ và tên đối tượng<br><span class="small">(mã đối tượng)</span></th><th>Năm sinh</th><th>Người nhận thay<br><span class="small">(quan hệ)</span></th><th>Hình thức nhận</th><th>Nội dung chi trả</th><th>Số tiền (đồng)</th><th>Ký nhận</th></tr>
            <tr class="colno"><th>1</th><th>2</th><th>3</th><th>4</th><th>5</th><th>6</th><th>7</th><th>8</th></tr>
            </thead>
            <tbody>

            """
            for (n, r) in v.rows.enumerated() {
                let who = "<b>\(e(r.name))</b><br><span class=\"small\">\(e(r.code))</span>"
                let payee = r.payee.map { "\(e($0))" + (r.relation.map { "<br><span class=\"small\">(\(e($0)))</span>" } ?? "") } ?? ""
                // The post account by its last four digits (the post office has the whole number in its file).
                let channel = r.account.map { "TK bưu điện<br>số …\(e(String($0.suffix(4))))" } ?? "Tiền mặt"
                body += "<tr><td class=\"c\">\(n + 1)</td><td>\(who)</td><td class=\"c\">\(e(r.birthYear))</td><td>\(payee)</td><td class=\"small nowrap\">\(channel)</td><td class=\"small\">\(e(r.content))</td><td class=\"n\">\(PaperHTML.money(r.amount))</td><td class=\"sign\"></td></tr>\n"
            }
            body += "<tr class=\"total\"><td></td><td colspan=\"5\">Tổng cộng: \(PaperHTML.money(Int64(v.people))) người, \(PaperHTML.money(Int64(v.payments))) khoản</td><td class=\"n\">\(PaperHTML.money(v.total))</td><td></td></tr>\n"
            body += "</tbody></table>\n"
            // The total, in words, and the signatures stay together on one page.
            body += "<div class=\"closing\">"
            body += "<p class=\"words\">Tổng số tiền: <b>\(PaperHTML.money(v.total)) đồng</b> (\(PaperHTML.money(Int64(v.people))) người, \(PaperHTML.money(Int64(v.payments))) khoản).</p>"
            body += "<p class=\"words\"><b>Bằng chữ:</b> <i>\(e(v.totalInWords))</i></p>\n"
            body += PaperHTML.placeAndDate(v.commune, year: period.year)
            body += PaperHTML.signatures([
                (["NGƯỜI LẬP DANH SÁCH"], "Ký, ghi rõ họ tên"),
                (["KẾ TOÁN"], "Ký, ghi rõ họ tên"),
                (["ĐẠI DIỆN BƯU ĐIỆN"], "Ký, ghi rõ họ tên"),
                (["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"], "Ký tên, đóng dấu"),
            ])
            body += "</div>\n</section>\n"
        }
        let title = "Danh sách chi trả tháng \(period.vietnamese)" + (villages.count == 1 ? " — \(villages[0].village)" : "")
        return PaperHTML.document(title: title, landscape: false, body: body)
    }

    /// The same list as CSV for Excel (UTF-8 with BOM, CRLF): one line per person with the
    /// village, a totals line and the total in words after each village.
    public func csv() -> Data {
        var out = "\u{FEFF}"
        out += CSVText.row(["STT", "Thôn/tổ dân phố", "Mã đối tượng", "Họ và tên", "Năm sinh", "Địa chỉ", "Người nhận thay", "Quan hệ",
                            "Hình thức nhận", "Số tài khoản", "Nội dung chi trả", "Số khoản", "Số tiền (đồng)", "Ký nhận"]) + "\r\n"
        for v in villages {
            for (n, r) in v.rows.enumerated() {
                out += CSVText.row([String(n + 1), v.village, r.code, r.name, r.birthYear, r.address, r.payee ?? "", r.relation ?? "",
                                    r.channel, r.account ?? "", r.content, String(r.payments), String(r.amount), ""]) + "\r\n"
            }
            out += CSVText.row(["Tổng cộng", v.village, String(v.people), "", "", "", "", "", "", "", "", String(v.payments), String(v.total), ""]) + "\r\n"
            out += CSVText.row(["Bằng chữ", v.village, v.totalInWords, "", "", "", "", "", "", "", "", "", "", ""]) + "\r\n"
        }
        return Data(out.utf8)
    }
}
