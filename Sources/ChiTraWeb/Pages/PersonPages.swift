import ChiTraCore
import ChiTraGaps
import ChiTraStore
import Foundation
import Hummingbird

/// "Đối tượng": find a beneficiary by code or name; one beneficiary's page — what is owed for a
/// month and why (the `chitra explain` text, with its legal basis), grants, payments and what the
/// bank or post office reported, flags, and the officers' follow-up. IDs and accounts masked.
enum PersonPages {
    static func register(_ routes: inout WebRoutes) {
        let env = routes.env
        routes.page("/person", WebRoutes.personAccess) { request, _, user in
            let q = (FormFields.parse(request.uri.query ?? "")["q"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            let hits = try await Offload.run { try PersonQueries.search(env.db, query: String(q.prefix(100)), limit: searchLimit) }
            // A code typed exactly: straight to the person.
            if let first = hits.first, first.code == q {
                return Pages.redirect("/person/\(RollPages.pathEscape(first.code))")
            }
            return Pages.page("person-search", searchModel(q, hits), title: "Đối tượng", user: user, path: "/person")
        }
        routes.page("/person/:code", WebRoutes.personAccess) { request, context, user in
            guard let code = context.parameters.get("code"), !code.isEmpty, code.count <= 64 else { throw WebError.notFound("đối tượng này") }
            let query = FormFields.parse(request.uri.query ?? "")
            let period: YearMonth
            if let p = query["period"], !p.isEmpty {
                guard let m = YearMonth(p) else {
                    throw WebError.badRequest("Tháng “\(p)” không hợp lệ: chọn tháng trong ô “Tháng chi trả” (dạng năm-tháng, ví dụ 2026-12).")
                }
                period = m
            } else {
                period = CivilDate.today().yearMonth.next
            }
            let model = try await Offload.run { try personModel(env, code: code, period: period) }
            return Pages.page("person", model, title: "\(model.name) (\(model.code))", user: user, path: "/person")
        }
    }

    static let searchLimit = 50

    // MARK: - Search

    struct HitItem { let code: String; let href: String; let name: String; let born: String; let place: String; let status: String; let warn: Bool }
    struct SearchModel {
        let q: String
        let hits: [HitItem]
        let hasHits: Bool
        let searched: Bool
        let more: String?
        let none: String?
    }

    static func searchModel(_ q: String, _ hits: [PersonQueries.Hit]) -> SearchModel {
        let shown = hits.prefix(searchLimit).map {
            HitItem(code: $0.code, href: "/person/\(RollPages.pathEscape($0.code))", name: $0.fullName, born: String($0.birthDate.prefix(4)),
                    place: "\($0.village), \($0.commune)", status: statusName($0.status), warn: $0.status != .active)
        }
        return SearchModel(q: q, hits: Array(shown), hasHits: !shown.isEmpty, searched: !q.isEmpty,
                           more: hits.count > searchLimit ? "Chỉ hiện \(searchLimit) kết quả đầu tiên; gõ thêm họ tên hoặc mã để thu hẹp." : nil,
                           none: !q.isEmpty && hits.isEmpty ? "Không tìm thấy đối tượng nào có mã hoặc họ tên chứa “\(q)”." : nil)
    }

    // MARK: - One person

    struct Fact { let label: String; let value: String }
    struct Link { let code: String; let href: String }
    struct EntLine { let kind: String; let month: String; let amount: String }
    struct GrantItem { let category: String; let code: String; let count: String; let decision: String; let period: String; let status: String; let warn: Bool; let basis: String }
    struct PayoutItem { let batch: String; let href: String; let period: String; let kind: String; let month: String; let amount: String; let state: String; let bad: Bool; let reason: String }
    struct ReturnItem { let file: String; let at: String; let line: String; let reference: String; let outcome: String; let bad: Bool; let reason: String; let result: String }
    struct FlagItem { let kind: String; let detail: String; let raised: String; let state: String; let open: Bool }
    struct ExclusionItem { let batch: String; let href: String; let period: String; let reason: String; let owed: String }
    struct FollowItem { let at: String; let status: String; let note: String?; let by: String }
    struct PersonModel {
        let code: String
        let name: String
        let status: String
        let statusWarn: Bool
        let facts: [Fact]
        let otherCodes: [Link]
        let hasOtherCodes: Bool
        let period: String
        let periodVi: String
        let total: String
        let lines: [EntLine]
        let hasLines: Bool
        let explain: String
        let grants: [GrantItem]
        let hasGrants: Bool
        let payouts: [PayoutItem]
        let hasPayouts: Bool
        let returns: [ReturnItem]
        let hasReturns: Bool
        let flags: [FlagItem]
        let hasFlags: Bool
        let exclusions: [ExclusionItem]
        let hasExclusions: Bool
        let followUps: [FollowItem]
        let hasFollowUps: Bool
    }

    static func personModel(_ env: WebEnvironment, code: String, period: YearMonth) throws -> PersonModel {
        guard let rec = try PersonQueries.record(env.db, code: code),
              let c = try env.db.writer.read({ try RollQueries.personCase($0, code: code) }) else {
            throw WebError.notFound("đối tượng có mã \(code). Tìm theo họ tên hoặc mã ở trang Đối tượng")
        }
        let tariff = try env.tariff()
        let banks = try? env.banks()
        let p = rec.person

        // What is owed for the month, and why (as `chitra explain`).
        let e = EntitlementEngine(tariff: tariff).entitlement(person: c.person, grants: c.grants, period: period)
        let text = ExplanationRenderer(tariff: tariff, language: .vi).render(code: c.code, name: c.fullName, person: c.person, entitlement: e)
        let lines = e.lines.map { EntLine(kind: $0.kind.vietnamese, month: $0.forMonth.vietnamese, amount: Show.money($0.amount)) }

        var facts: [Fact] = []
        func fact(_ label: String, _ value: String?) { if let value, !value.isEmpty { facts.append(Fact(label: label, value: value)) } }
        let birth = CivilDate(p.birthDate)
        fact("Ngày sinh", p.birthYearOnly ? birth.map { "năm \($0.year) (chỉ có năm sinh; tính tuổi từ 01/01)" } : birth?.vietnamese ?? p.birthDate)
        fact("Giới tính", p.sex == "F" ? "Nữ" : "Nam")
        fact("Số định danh", p.personalIDMasked + (p.idLegacy ? " — số CMND cũ 9 chữ số: cần số định danh 12 chữ số" : ""))
        fact("Nơi ở", [p.address, p.village, p.commune].filter { !$0.isEmpty }.joined(separator: ", "))
        fact("Điện thoại", p.phone)
        fact("Ngày mất", p.deathDate.flatMap(CivilDate.init)?.vietnamese)
        fact("Hình thức chi trả", p.channel.vietnamese)
        fact("Ngân hàng", p.bankBIN.map { RollPages.bankLabel(banks, $0) })
        fact("Số tài khoản", p.accountMasked)
        fact("Tên chủ tài khoản", p.accountName)
        if let proxy = p.proxyName {
            var s = proxy
            if let r = p.proxyRelation { s += " (\(r))" }
            if let id = p.proxyIDMasked { s += ", số định danh \(id)" }
            if let until = p.authorisationUntil.flatMap(CivilDate.init) {
                s += until < CivilDate.today() ? ", ủy quyền đã hết hạn ngày \(until.vietnamese)" : ", ủy quyền đến ngày \(until.vietnamese)"
            }
            fact("Người nhận thay", s)
        }
        if p.needsProxy { fact("Không tự nhận được", "Có — cần người nhận thay") }
        fact("Cập nhật lần cuối", Show.time(p.updatedAt))

        let grants = rec.grants.map { g -> GrantItem in
            let cat = tariff.category(g.category)
            let decided = CivilDate(g.decisionDate)?.vietnamese ?? g.decisionDate
            return GrantItem(category: cat?.nameVi ?? g.category, code: g.category, count: g.children.map(String.init) ?? "",
                             decision: "\(g.decisionNo), ngày \(decided)",
                             period: g.endMonth.map { "\(month(g.startMonth)) – \(month($0))" } ?? "từ \(month(g.startMonth))",
                             status: statusName(g.status), warn: g.status != .active, basis: cat?.basis ?? "")
        }
        let payouts = rec.payouts.map { l -> PayoutItem in
            let reason = [l.resultReasonCode, l.resultReason].compactMap { $0 }.joined(separator: " — ")
            return PayoutItem(batch: "Số \(l.batchID)" + (l.supplementary ? " (bổ sung)" : "") + (l.batchStatus == .cancelled ? " (đã hủy)" : ""),
                              href: "/batches/\(l.batchID)", period: month(l.batchPeriod),
                              kind: EntitlementKind(rawValue: l.kind)?.vietnamese ?? l.kind, month: month(l.forMonth),
                              amount: Show.money(l.amount), state: lineState(l.state), bad: l.state == .failed, reason: reason)
        }
        let returns = rec.returns.map { r -> ReturnItem in
            ReturnItem(file: r.fileName, at: Show.time(r.importedAt), line: Show.number(r.lineNo), reference: r.reference ?? "",
                       outcome: returnOutcome(r.outcome), bad: r.outcome == .rejected,
                       reason: [r.reasonCode, r.reason].compactMap { $0 }.joined(separator: " — "), result: returnResult(r.result))
        }
        var flags = rec.flags.map { f in
            FlagItem(kind: flagName(f.kind), detail: f.detail, raised: Show.time(f.raisedAt),
                     state: f.closedAt.map { "Đã đóng \(Show.time($0))" } ?? "Đang mở", open: f.closedAt == nil)
        }
        // The account a bank or post office refused: one entry, with what it takes to clear it.
        if let reason = p.accountFlag {
            let advice = "Cần số tài khoản mới: cán bộ chính sách cập nhật, hoặc nhập danh sách có tài khoản mới."
            if let i = rec.flags.firstIndex(where: { $0.kind == .accountRejected && $0.closedAt == nil }) {
                let f = flags[i]
                let said = f.detail.isEmpty ? accountFlagName(reason) : f.detail
                flags[i] = FlagItem(kind: f.kind, detail: "\(said). \(advice)", raised: f.raised, state: f.state, open: true)
            } else {
                flags.insert(FlagItem(kind: flagName(.accountRejected), detail: "\(accountFlagName(reason)). \(advice)",
                                      raised: Show.time(p.accountFlagAt), state: "Đang mở", open: true), at: 0)
            }
        }
        let exclusions = rec.exclusions.map {
            ExclusionItem(batch: "Số \($0.batchID)", href: "/batches/\($0.batchID)", period: month($0.batchPeriod), reason: $0.reason,
                          owed: Show.money($0.amountOwed))
        }
        let follow = try GapCaseLog.history(env.db, code: code).reversed().map {
            FollowItem(at: Show.time($0.recordedAt), status: $0.status.vietnamese, note: $0.note.isEmpty ? nil : $0.note, by: $0.recordedBy)
        }
        let others = p.otherCodes.map { Link(code: $0, href: "/person/\(RollPages.pathEscape($0))") }

        return PersonModel(
            code: p.code, name: p.fullName, status: statusName(p.status), statusWarn: p.status != .active,
            facts: facts, otherCodes: others, hasOtherCodes: !others.isEmpty,
            period: period.description, periodVi: period.vietnamese, total: Show.money(e.total),
            lines: lines, hasLines: !lines.isEmpty, explain: text.joined(separator: "\n"),
            grants: grants, hasGrants: !grants.isEmpty, payouts: payouts, hasPayouts: !payouts.isEmpty,
            returns: returns, hasReturns: !returns.isEmpty, flags: flags, hasFlags: !flags.isEmpty,
            exclusions: exclusions, hasExclusions: !exclusions.isEmpty, followUps: Array(follow), hasFollowUps: !follow.isEmpty)
    }

    static func month(_ s: String) -> String { YearMonth(s)?.vietnamese ?? s }

    static func statusName(_ s: PersonFacts.Status) -> String {
        switch s {
        case .active: "Đang hưởng"
        case .suspended: "Tạm dừng"
        case .stopped: "Thôi hưởng"
        }
    }

    static func lineState(_ s: PayoutLineState) -> String {
        switch s {
        case .draft: "Nháp (chưa duyệt)"
        case .approved: "Đã duyệt"
        case .exported: "Đã gửi, chờ kết quả"
        case .paid: "Đã chi"
        case .failed: "Không chi được"
        case .pending: "Đang chờ"
        case .cancelled: "Đã hủy"
        }
    }

    static func returnOutcome(_ s: ReturnOutcome) -> String {
        switch s {
        case .paid: "Đã chi"
        case .rejected: "Không chi được"
        case .pending: "Đang chờ"
        }
    }

    static func returnResult(_ s: ReturnLineResult) -> String {
        switch s {
        case .applied: "Đã ghi nhận"
        case .exception: "Ngoại lệ, chờ xử lý"
        case .unchanged: "Trùng, không đổi"
        }
    }

    /// A flag's title on the person's page (its detail says the rest).
    static func flagName(_ kind: FlagKind) -> String {
        switch kind {
        case .deceasedReported: "Được báo đã mất"
        case .funeralCase: "Hồ sơ hỗ trợ mai táng phí"
        case .suspendNotCollected: "Không nhận tiền 3 tháng liên tục: xem xét tạm dừng"
        case .accountRejected: "Tài khoản bị ngân hàng/bưu điện từ chối"
        case .funeralClaimAccountRejected: "Tài khoản người lo mai táng bị từ chối"
        }
    }

    /// The reason code a return left in `account_flag` (a `CanonicalReason`), as the page names it.
    static func accountFlagName(_ s: String) -> String {
        switch CanonicalReason(rawValue: s) {
        case .invalidAccount: "Số tài khoản không hợp lệ"
        case .closed: "Tài khoản đã đóng"
        case .blocked: "Tài khoản bị phong tỏa"
        case .nameMismatch: "Tên không khớp với chủ tài khoản"
        case .deceased: "Được báo chủ tài khoản đã mất"
        case .duplicate, .regulatory, .notCollected, .other, nil: "Lý do: \(s)"
        }
    }
}
