import ChiTraCore
import ChiTraStore
import Foundation

/// The checker's review of a batch: what changed since the batch before it, person by person,
/// and why — so that approval is a judgement and not a click.
///
/// A regular batch is compared with the live regular batch of the latest earlier month; a
/// supplementary batch with the regular batch of its own month (everyone it pays is listed as
/// added, with the amount the regular batch paid them if any). Sections: people added, stopped
/// (with why), deceased, amounts that changed (with why: age band, level, coefficient, number of
/// people, arrears, carry-over, funeral support, one-off amounts of last month), changes of
/// channel, account or payee (masked), and everyone left out with the reason. Each section keeps
/// its count and sums whole but at most `limit` rows, so a national batch stays quick to show;
/// with `focus`, only that section keeps rows, from its `offset`-th on (a page of one section).
/// The reasons are worked out with the entitlement engine for the rows kept (the person's case as
/// the roll holds it now, evaluated for both months).
public struct BatchReview: Sendable {
    public struct Ref: Sendable {
        public var id: Int64
        public var period: YearMonth
        public var supplementary: Bool
        public var status: BatchStatus
        public var lineCount: Int
        public var controlSum: Int64
    }

    /// One person in a section.
    public struct Row: Sendable {
        public var code: String
        public var name: String
        public var village: String
        /// Total of the person's lines in the batch compared with, and in this one.
        public var before: Int64
        public var after: Int64
        /// What changed, for the payment section: "Vietcombank ****1234 → Bưu điện, tiền mặt".
        public var change: String?
        /// Why, in Vietnamese sentences.
        public var reasons: [String]
    }

    public struct Section: Sendable {
        public var count = 0
        public var sumBefore: Int64 = 0
        public var sumAfter: Int64 = 0
        public var rows: [Row] = []
        /// How many are not shown.
        public var more: Int { count - rows.count }
    }

    public var current: Ref
    /// The batch compared with; nil when there is none (the first batch).
    public var base: Ref?
    public var added = Section()
    public var stopped = Section()
    public var deceased = Section()
    public var amountChanged = Section()
    public var paymentChanged = Section()
    public var leftOut = Section()
    /// Of those left out, how many were paid in the batch compared with (newly left out).
    public var newlyLeftOut = 0
    public var limit: Int
    /// The section whose rows are kept (nil: every section), and from which row.
    public var focus: Kind?
    public var offset: Int

    public enum Kind: String, Sendable, CaseIterable {
        case added, stopped, deceased, amountChanged, paymentChanged, leftOut
        var path: WritableKeyPath<BatchReview, Section> {
            switch self {
            case .added: \.added
            case .stopped: \.stopped
            case .deceased: \.deceased
            case .amountChanged: \.amountChanged
            case .paymentChanged: \.paymentChanged
            case .leftOut: \.leftOut
            }
        }
    }

    public static func load(_ db: AppDatabase, batchID: Int64, tariff: Tariff, banks: BankDirectory, limit: Int = 200,
                            focus: Kind? = nil, offset: Int = 0) throws -> BatchReview {
        guard let (cur, baseRef) = try BatchReviewQueries.reviewBase(db, batchID: batchID) else {
            throw BatchError(Message("batch.missing", ["batch": .int(Int(batchID))]))
        }
        func ref(_ r: BatchReviewQueries.BatchRef) -> Ref {
            Ref(id: r.id, period: YearMonth(r.period)!, supplementary: r.supplementary, status: r.status, lineCount: r.lineCount, controlSum: r.controlSum)
        }
        let offset = max(offset, 0)
        var review = BatchReview(current: ref(cur), base: baseRef.map(ref), limit: limit, focus: focus, offset: offset)
        /// Whether the `n`-th person (from 0) of section `k` is shown.
        func shown(_ k: Kind, _ n: Int) -> Bool {
            guard let focus else { return n < limit }
            return k == focus && n >= offset && n < offset + limit
        }
        let words = ReviewWords(tariff: tariff, banks: banks)

        // Everyone left out of this batch, with what they are owed.
        let excluded = try db.writer.read { try BuildSummary.Excluded.all($0, batchID: batchID) }
        let stillLeftOut = try baseRef.map { try BatchReviewQueries.stillLeftOut(db, batchID: batchID, previous: $0.id) } ?? []
        var paidBefore: [String: Int64] = [:]

        // One pass over both batches: each person who differs, into their section.
        var pending: [(kind: Kind, row: Int, diff: BatchReviewQueries.PersonDiff)] = []
        if let base = baseRef {
            try BatchReviewQueries.personDiffs(db, current: batchID, previous: base.id) { d in
                if d.excludedReasonCode != nil && d.prevLines > 0 { paidBefore[d.code] = d.prev.total }
                var kinds: [Kind] = []
                if cur.supplementary {
                    // A supplementary batch only adds to its month's regular one: who is in it, and why.
                    guard d.curLines > 0 else { return }
                    kinds = [.added]
                } else if d.deathDate != nil && (d.prevLines > 0 || d.cur.funeral > 0 || d.excludedReasonCode == ExclusionReason.deceasedNoRecipient.rawValue) {
                    kinds = [.deceased]
                } else if d.prevLines == 0 {
                    kinds = [.added]
                } else if d.curLines == 0 {
                    kinds = [.stopped]
                } else {
                    if d.cur.total != d.prev.total { kinds.append(.amountChanged) }
                    if d.curPayment != d.prevPayment { kinds.append(.paymentChanged) }
                }
                for k in kinds {
                    let path = k.path
                    let n = review[keyPath: path].count
                    review[keyPath: path].count += 1
                    review[keyPath: path].sumBefore += d.prev.total
                    review[keyPath: path].sumAfter += d.cur.total
                    if shown(k, n) {
                        review[keyPath: path].rows.append(Row(code: d.code, name: d.name, village: d.village, before: d.prev.total, after: d.cur.total, change: nil, reasons: []))
                        pending.append((k, review[keyPath: path].rows.count - 1, d))
                    }
                }
            }
        }

        // The reasons, for the rows kept: the person's case evaluated for both months.
        if let base = review.base, let baseRef, !pending.isEmpty {
            let codes = Array(Set(pending.map(\.diff.code))).sorted()
            let cases = try BatchReviewQueries.personCases(db, codes: codes)
            let flags = try BatchReviewQueries.openFlags(db, codes: codes)
            let paymentCodes = pending.filter { $0.kind == .paymentChanged }.map(\.diff.code)
            let changes = try BatchReviewQueries.paymentHistory(db, codes: paymentCodes, after: baseRef.builtAt, until: cur.approvedAt)
            var changesOf: [String: [PaymentChange]] = [:]
            for c in changes { changesOf[c.code, default: []].append(c) }
            let (was, now) = (base.period, review.current.period)
            for (kind, i, d) in pending {
                let c = cases[d.code]
                var row = review[keyPath: kind.path].rows[i]
                switch kind {
                case .deceased: row.reasons = words.deceased(d, base: was, current: now)
                case .added: row.reasons = words.added(d, case: c, base: was, current: now)
                case .stopped: row.reasons = words.stopped(d, case: c, current: now)
                case .amountChanged: row.reasons = words.amountChanged(d, case: c, base: was, current: now)
                case .leftOut: break
                case .paymentChanged:
                    row.change = words.paymentChange(d.prevPayment, d.curPayment)
                    row.reasons = words.paymentReasons(changesOf[d.code] ?? [], now: d.curPayment)
                }
                if kind != .paymentChanged { row.reasons += words.flagged(d, flags[d.code] ?? []) }
                review[keyPath: kind.path].rows[i] = row
            }
        }

        for x in excluded {
            let n = review.leftOut.count
            review.leftOut.count += 1
            review.leftOut.sumAfter += x.amountOwed
            let was = paidBefore[x.code]
            if was != nil { review.newlyLeftOut += 1 }
            review.leftOut.sumBefore += was ?? 0
            guard shown(.leftOut, n) else { continue }
            var reasons = [x.reasonVi]
            if review.base != nil {
                if let was { reasons.append("Bảng chi trước đã chi \(words.money(was)); nay bị để ngoài.") }
                else if stillLeftOut.contains(x.code) { reasons.append("Bảng chi trước cũng bị để ngoài.") }
            }
            review.leftOut.rows.append(Row(code: x.code, name: x.name, village: x.village, before: was ?? 0, after: x.amountOwed, change: nil, reasons: reasons))
        }
        return review
    }
}

/// The sentences of a review (Vietnamese, for the checker).
struct ReviewWords {
    let tariff: Tariff
    let banks: BankDirectory
    let engine: EntitlementEngine
    let renderer: ExplanationRenderer

    init(tariff: Tariff, banks: BankDirectory) {
        self.tariff = tariff; self.banks = banks
        engine = EntitlementEngine(tariff: tariff)
        renderer = ExplanationRenderer(tariff: tariff, language: .vi)
    }

    func money(_ a: Int64) -> String { Money.vietnamese(a) + " đ" }

    func categoryName(_ code: String) -> String { tariff.category(code)?.nameVi ?? code }

    /// `bank|970436|0123456789|Nguyễn Văn A` → ("Vietcombank ****6789", "Nguyễn Văn A").
    func payment(_ key: String?) -> (how: String, payee: String) {
        guard let key else { return ("(không có)", "") }
        let p = key.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        guard p.count >= 4 else { return (key, "") }
        let (channel, bin, account, payee) = (p[0], p[1], p[2], p[3...].joined(separator: "|"))
        let how: String
        switch Channel(rawValue: channel) {
        case .bank: how = "\(banks.bank(bin)?.short ?? "Ngân hàng \(bin)") \(maskAccount(account))"
        case .postAccount: how = "Tài khoản bưu điện \(maskAccount(account))"
        case .postCash: how = "Tiền mặt tại bưu điện"
        case nil: how = channel
        }
        return (how, payee)
    }

    /// "Vietcombank ****6789 → Tiền mặt tại bưu điện", with the payees when they differ.
    func paymentChange(_ before: String?, _ after: String?) -> String {
        let (a, b) = (payment(before), payment(after))
        if a.payee == b.payee { return "\(a.how) → \(b.how)" + (a.payee.isEmpty ? "" : " (người nhận \(a.payee))") }
        if a.how == b.how { return "Người nhận \(a.payee) → \(b.payee) (\(a.how))" }
        return "\(a.how), người nhận \(a.payee) → \(b.how), người nhận \(b.payee)"
    }

    static func accountFlag(_ v: String) -> String {
        switch v {
        case "invalid_account": "số tài khoản không hợp lệ"
        case "closed": "tài khoản đã đóng"
        case "blocked": "tài khoản bị phong toả"
        case "name_mismatch": "tên chủ tài khoản không khớp"
        default: v
        }
    }

    func paymentReasons(_ changes: [PaymentChange], now: String?) -> [String] {
        guard !changes.isEmpty else { return ["Không có thay đổi nào được ghi trong hồ sơ giữa hai bảng chi; khoản chi theo hồ sơ hiện tại."] }
        let cashNow = now?.hasPrefix(Channel.postCash.rawValue + "|") ?? false
        var seen = Set<String>()
        var out: [String] = []
        for c in changes.reversed() where seen.insert(c.field).inserted {
            let source = c.source == "import" ? "từ tệp danh sách" : c.source == "manual" ? "sửa tay" : "theo kết quả trả về"
            if c.field == "account_flag" {
                if let v = c.newValue, !v.isEmpty {
                    out.append("Ngân hàng báo \(Self.accountFlag(v)) (\(source), \(c.changedBy))" +
                               (cashNow ? ": chi tiền mặt tại bưu điện cho đến khi có tài khoản mới." : "."))
                } else {
                    out.append("Đã có tài khoản mới thay tài khoản bị ngân hàng trả lại (\(source), \(c.changedBy)).")
                }
                continue
            }
            func value(_ v: String?) -> String {
                guard let v, !v.isEmpty else { return "(trống)" }
                switch c.field {
                case "channel": return Channel(rawValue: v)?.vietnamese ?? v
                case "account_no": return maskAccount(v)
                case "proxy_id": return PersonalID.masked(v)
                case "bank_bin": return banks.bank(v)?.short ?? v
                default: return v
                }
            }
            out.append("\(BatchReport.fieldVietnamese(c.field).capitalizedFirst): \(value(c.oldValue)) → \(value(c.newValue)) (\(source), \(c.changedBy)).")
        }
        return out.reversed()
    }

    /// The one-off amounts of the batch and of the one before, as sentences.
    func oneOffs(_ d: BatchReviewQueries.PersonDiff, base: YearMonth) -> [String] {
        var out: [String] = []
        if d.cur.arrears > 0 {
            out.append("Truy lĩnh \(d.curArrearsMonths > 1 ? "\(d.curArrearsMonths) tháng" : "1 tháng"): \(money(d.cur.arrears)).")
        }
        if d.cur.carryOver > 0 { out.append("Chi lại khoản chưa nhận được ở bảng chi trước: \(money(d.cur.carryOver)).") }
        if d.cur.funeral > 0 { out.append("Hỗ trợ mai táng phí: \(money(d.cur.funeral)).") }
        if d.prev.arrears > 0 && d.cur.arrears == 0 { out.append("Bảng chi tháng \(base.vietnamese) có truy lĩnh \(money(d.prev.arrears)) (khoản một lần, không lặp lại).") }
        if d.prev.carryOver > 0 && d.cur.carryOver == 0 { out.append("Bảng chi tháng \(base.vietnamese) có khoản chi lại \(money(d.prev.carryOver)) (một lần, không lặp lại).") }
        if d.prev.funeral > 0 && d.cur.funeral == 0 { out.append("Bảng chi tháng \(base.vietnamese) có mai táng phí \(money(d.prev.funeral)) (một lần).") }
        return out
    }

    /// The grant months behind the monthly amounts (allowance and care) of `month`.
    func basis(_ c: PersonCase, _ month: YearMonth) -> (amount: Int64, months: [GrantMonth], detail: [GrantMonth]) {
        let e = engine.entitlement(person: c.person, grants: c.grants, period: month)
        let monthly = e.lines.filter { ($0.kind == .allowance || $0.kind == .care) && $0.forMonth == month }
        return (monthly.reduce(0) { $0 + $1.amount }, monthly.flatMap(\.basis), e.periodDetail)
    }

    /// Why the monthly amount (allowance + care) went from `paidBefore` to `paidNow`.
    func monthlyReasons(_ c: PersonCase, base: YearMonth, current: YearMonth, paidBefore: Int64, paidNow: Int64) -> [String] {
        let was = basis(c, base), now = basis(c, current)
        var out: [String] = []
        if was.amount != paidBefore {
            out.append("Hồ sơ đã thay đổi sau bảng chi tháng \(base.vietnamese) (nhập danh sách hoặc cập nhật): theo hồ sơ hiện nay tháng đó được \(money(was.amount)), khi ấy đã chi \(money(paidBefore)).")
        }
        let before = Dictionary(was.months.map { ($0.grant.category, $0) }, uniquingKeysWith: { a, _ in a })
        let after = Dictionary(now.months.map { ($0.grant.category, $0) }, uniquingKeysWith: { a, _ in a })
        for gm in now.months {
            let name = categoryName(gm.grant.category)
            guard let old = before[gm.grant.category] else {
                let why: String
                if let prior = was.detail.first(where: { $0.grant.category == gm.grant.category }) {
                    switch prior.outcome {
                    case .outsideAgeBands: why = "đủ \(gm.age) tuổi trong tháng \(current.vietnamese), vào độ tuổi hưởng"
                    case .notStarted, .notYetDecided: why = "quyết định \(gm.grant.decisionNo) ngày \(gm.grant.decisionDate.vietnamese), hưởng từ tháng \(gm.grant.startMonth.vietnamese)"
                    case .grantSuspended: why = "hết tạm dừng hưởng"
                    case .paid: why = "nay là mức cao nhất (chỉ hưởng một mức cao nhất, NĐ 20/2021 Điều 6 khoản 2)"
                    default: why = renderer.describe(prior)
                    }
                } else {
                    why = "quyết định mới \(gm.grant.decisionNo) ngày \(gm.grant.decisionDate.vietnamese)"
                }
                out.append("Hưởng \(name): \(money(gm.amount)) — \(why).")
                continue
            }
            if let k0 = old.coefficient, let k1 = gm.coefficient, k0 != k1 {
                if old.count == gm.count && old.age != gm.age {
                    out.append("Đủ \(gm.age) tuổi trong tháng \(current.vietnamese): \(name) đổi hệ số \(k0.vietnamese) → \(k1.vietnamese) (\(money(old.amount)) → \(money(gm.amount))).")
                } else {
                    out.append("\(name): hệ số \(k0.vietnamese) → \(k1.vietnamese) (\(money(old.amount)) → \(money(gm.amount))).")
                }
            }
            if let l0 = old.level, let l1 = gm.level, l0.amount != l1.amount {
                out.append("Mức chuẩn đổi \(money(l0.amount)) → \(money(l1.amount)) từ tháng \(l1.from.vietnamese) (\(l1.basis)): \(name) \(money(old.amount)) → \(money(gm.amount)).")
            }
            if old.count != gm.count {
                out.append("\(name): số người được nuôi dưỡng/chăm sóc \(old.count) → \(gm.count) (\(money(old.amount)) → \(money(gm.amount))).")
            }
        }
        for gm in was.months where after[gm.grant.category] == nil {
            let name = categoryName(gm.grant.category)
            if let nowDetail = now.detail.first(where: { $0.grant.category == gm.grant.category }), nowDetail.outcome != .paid {
                out.append("Không còn hưởng \(name) (\(money(gm.amount))): \(renderer.describe(nowDetail)).")
            } else {
                out.append("Không cộng \(name) (\(money(gm.amount))): chỉ hưởng một mức cao nhất (NĐ 20/2021 Điều 6 khoản 2).")
            }
        }
        if out.isEmpty && paidBefore != paidNow {
            out.append("Trợ cấp hằng tháng \(money(paidBefore)) → \(money(paidNow)).")
        }
        return out
    }

    func added(_ d: BatchReviewQueries.PersonDiff, case c: PersonCase?, base: YearMonth, current: YearMonth) -> [String] {
        var out: [String] = []
        if let why = d.prevExcludedReason { out.append("Bảng chi tháng \(base.vietnamese) để ngoài (\(why)); nay đã có cách nhận tiền.") }
        if d.cur.monthly > 0, let c {
            out += monthlyReasons(c, base: base, current: current, paidBefore: 0, paidNow: d.cur.monthly)
                .filter { !$0.hasPrefix("Hồ sơ đã thay đổi") }
        }
        out += oneOffs(d, base: base)
        if out.isEmpty { out.append("Có trong bảng chi này, không có trong bảng chi tháng \(base.vietnamese).") }
        return out
    }

    func stopped(_ d: BatchReviewQueries.PersonDiff, case c: PersonCase?, current: YearMonth) -> [String] {
        var out: [String] = []
        if let why = d.excludedReason {
            out.append("Bị để ngoài bảng chi này: \(why) (còn nợ \(money(d.excludedOwed ?? 0))).")
            return out
        }
        switch d.status {
        case .suspended: out.append("Đang tạm dừng hưởng (Thông tư 02/2021 Điều 2).")
        case .stopped: out.append("Đã thôi hưởng.")
        case .active: break
        }
        if let c, d.status != .suspended {
            let unpaid = engine.entitlement(person: c.person, grants: c.grants, period: current).periodDetail.filter { $0.outcome != .paid }
            out += unpaid.map { renderer.describe($0).capitalizedFirst + "." }
        }
        if d.prev.monthly == 0 && d.prev.total > 0 {
            out.append("Bảng chi trước chỉ có khoản một lần (truy lĩnh, chi lại hoặc mai táng phí); tháng này không còn khoản phải chi.")
        }
        if out.isEmpty { out.append("Không còn khoản phải chi trong tháng \(current.vietnamese).") }
        return out
    }

    /// What the returns reported about the person and has not been closed: a death reported by the
    /// bank or post office, months not collected; with a warning when the batch still pays them.
    func flagged(_ d: BatchReviewQueries.PersonDiff, _ flags: [(kind: FlagKind, detail: String)]) -> [String] {
        var out: [String] = []
        for f in flags where f.kind == .deceasedReported || f.kind == .suspendNotCollected {
            out.append(f.detail.capitalizedFirst + ".")
            if d.cur.total > 0 {
                out.append("Chú ý: bảng chi này vẫn chi \(money(d.cur.total)) cho người này — kiểm tra trước khi duyệt.")
            }
        }
        return out
    }

    func deceased(_ d: BatchReviewQueries.PersonDiff, base: YearMonth, current: YearMonth) -> [String] {
        guard let died = d.deathDate.flatMap(CivilDate.init) else { return [] }
        var out = ["Mất ngày \(died.vietnamese): thôi chi trợ cấp từ tháng \(died.yearMonth.next.vietnamese)."]
        if d.cur.funeral > 0 {
            let payee = payment(d.curPayment).payee
            out.append("Chi hỗ trợ mai táng phí \(money(d.cur.funeral))\(payee.isEmpty ? "" : " cho \(payee)").")
        }
        if let why = d.excludedReason { out.append("Chưa chi: \(why) (còn nợ \(money(d.excludedOwed ?? 0))).") }
        if d.cur.allowance > 0 && died.yearMonth < current {
            out.append("Chú ý: bảng chi này vẫn có trợ cấp \(money(d.cur.allowance)) sau tháng mất — kiểm tra trước khi duyệt.")
        }
        out += oneOffs(d, base: base).filter { !$0.hasPrefix("Hỗ trợ mai táng") }
        return out
    }

    func amountChanged(_ d: BatchReviewQueries.PersonDiff, case c: PersonCase?, base: YearMonth, current: YearMonth) -> [String] {
        var out: [String] = []
        if d.status == .suspended && d.cur.monthly == 0 {
            out.append("Đang tạm dừng hưởng: không chi trợ cấp hằng tháng (Thông tư 02/2021 Điều 2).")
        } else if d.cur.monthly != d.prev.monthly {
            if let c { out += monthlyReasons(c, base: base, current: current, paidBefore: d.prev.monthly, paidNow: d.cur.monthly) }
            else { out.append("Trợ cấp hằng tháng \(money(d.prev.monthly)) → \(money(d.cur.monthly)).") }
        }
        out += oneOffs(d, base: base)
        return out
    }
}

extension String {
    /// "số tài khoản" → "Số tài khoản".
    var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}
