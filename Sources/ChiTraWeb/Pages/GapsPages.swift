import ChiTraCore
import ChiTraGaps
import ChiTraStore
import Foundation
import Hummingbird

/// "Rà soát": the officer's worklist of people without a usable non-cash payment, village by
/// village (cards that read on a phone, with a `tel:` link), one case with its follow-up history
/// and the forms an officer uses after a call or a visit (record the outcome, set an account or a
/// proxy, through the same use cases as `chitra gaps record` and `chitra beneficiary`), the
/// printable A4 list of a village, and non-cash coverage over the months.
///
/// The worklist is computed once per (day, store change marker) and shared by every page view
/// (``GapsSource``); recording a visit does not recompute it (the follow-up log is read on its
/// own), it only re-renders the list pages, whose bodies are otherwise kept between views.
enum GapsPages {
    static func register(_ routes: inout WebRoutes) {
        let source = GapsSource(env: routes.env)

        // The list pages are the same for everyone allowed to see them: their bodies are rendered
        // once per (day, store markers, place) and kept (``GapsSource/body(_:_:_:)``).
        routes.page("/gaps", WebRoutes.gapsAccess) { request, _, user in
            let commune = query(request)["commune"]
            let now = try await source.moment()
            let body = try await source.body(now, "index\u{1F}" + (commune ?? "")) { list in
                let coverage: CoverageReport?
                do { coverage = try await source.coverage(now) } catch { coverage = nil }
                let model = try indexModel(list, coverage: coverage, commune: commune)
                // Without the coverage (the store was busy writing), shown but not kept.
                return RenderedBody(title: model.chosen.map { "\($0) — Rà soát" } ?? "Rà soát", html: render("gaps-index", model), keep: coverage != nil)
            }
            return page(body, user: user, path: "/gaps")
        }

        routes.page("/gaps/village", WebRoutes.gapsAccess) { request, _, user in
            let q = query(request)
            let reason = q["reason"].flatMap(GapReason.init(rawValue:))
            let now = try await source.moment()
            let key = ["village", q["commune"] ?? "", q["village"] ?? "", reason?.rawValue ?? ""].joined(separator: "\u{1F}")
            let body = try await source.body(now, key) { list in
                let village = try list.village(commune: q["commune"], village: q["village"])
                let followUps = try await Offload.run { [env = source.env] in
                    try GapsQueries.latestFollowUps(env.db, codes: village.cases.map(\.code))
                }
                let coverage = try? await source.coverage(now)
                let model = villageModel(list, village, reason: reason, followUps: followUps, coverage: coverage)
                return RenderedBody(title: "\(village.village) — Rà soát", html: render("gaps-village", model), keep: coverage != nil)
            }
            return page(body, user: user, path: "/gaps/village")
        }

        routes.page("/gaps/print", WebRoutes.gapsAccess) { request, _, user in
            let q = query(request)
            let now = try await source.moment()
            let key = ["print", q["commune"] ?? "", q["village"] ?? ""].joined(separator: "\u{1F}")
            let body = try await source.body(now, key) { list in
                let villages: [GapVillage]
                if q["village"] != nil { villages = [try list.village(commune: q["commune"], village: q["village"])] }
                else { villages = try list.villages(ofCommune: q["commune"]) }
                let followUps = try await Offload.run { [env = source.env] in
                    try GapsQueries.latestFollowUps(env.db, codes: villages.flatMap { $0.cases.map(\.code) })
                }
                let title = villages.count == 1 ? "Bản in — \(villages[0].village)" : "Bản in — \(villages.first?.commune ?? "")"
                return RenderedBody(title: title, html: render("gaps-print", printModel(list, villages, followUps: followUps)))
            }
            return page(body, user: user, path: "/gaps/print")
        }

        // The same list as an Excel workbook, a sheet per village (as `chitra gaps --xlsx`).
        routes.page("/gaps/xlsx", WebRoutes.gapsAccess) { request, _, _ in
            let q = query(request)
            let w = try await source.worklist(try await source.moment())
            var list = w.list
            if q["village"] != nil { list.villages = [try w.village(commune: q["commune"], village: q["village"])] }
            else { list.villages = try w.villages(ofCommune: q["commune"]) }
            let data = try await Offload.run { [list] in try list.xlsxData() }
            return Response(status: .ok, headers: [
                .contentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                .contentDisposition: "attachment; filename=\"ra-soat-\(list.asOf).xlsx\"",
                .cacheControl: "no-store",
            ], body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }

        routes.page("/gaps/coverage", WebRoutes.gapsAccess) { request, _, user in
            let now = try await source.moment()
            let body = try await source.body(now, "coverage") { _ in
                let report = try await source.coverage(now)
                let first = YearMonth(report.month)!.adding(months: -(CoverageChart.maxMonths - 1))
                let history = try await Offload.run { [env = source.env] in try GapsQueries.coverageHistory(env.db, fromMonth: first.description) }
                return RenderedBody(title: "Tỷ lệ không dùng tiền mặt", html: render("gaps-coverage", coverageModel(report, history: history)))
            }
            return page(body, user: user, path: "/gaps/coverage")
        }

        routes.page("/gaps/case/:code", WebRoutes.gapsAccess) { request, context, user in
            let code = try caseCode(context)
            let notice = query(request)["ok"].flatMap(CaseForm.notice)
            let model = try await caseModel(source, code: code, user: user, form: CaseForm())
            return Pages.page("gaps-case", model, title: "\(model.name) — Rà soát", user: user, path: "/gaps/case", notice: notice)
        }

        routes.form("/gaps/case/:code/record", .roles([.officer])) { request, context, user, fields in
            let code = try caseCode(context)
            var form = CaseForm()
            form.note = fields["note"] ?? ""
            form.status = fields["status"] ?? ""
            do {
                let (status, note) = try CaseForm.record(fields)
                let actor = try user.acting(as: .officer)
                _ = try await Offload.run { [env = source.env] in
                    guard try GapsQueries.person(env.db, code: code) != nil else { throw notFound(code) }
                    return try GapCaseLog.record(env.db, code: code, status: status, note: note, by: actor)
                }
                return Pages.redirect("/gaps/case/\(code)?ok=recorded-\(status.rawValue)")
            } catch let e as FormProblem {
                form.recordProblem = e.message
                return try await refusedPage(source, code: code, user: user, form: form)
            }
        }

        routes.form("/gaps/case/:code/account", .roles([.officer])) { request, context, user, fields in
            let code = try caseCode(context)
            var form = CaseForm()
            form.channel = fields["channel"] ?? "bank"
            form.bin = fields["bin"] ?? ""
            form.account = fields["account"] ?? ""
            form.accountName = fields["account_name"] ?? ""
            do {
                let banks = try source.env.banks()
                let a = try CaseForm.account(fields, banks: banks)
                let actor = try user.acting(as: .officer)
                let result = try await Offload.run { [env = source.env] in
                    guard try GapsQueries.person(env.db, code: code) != nil else { throw notFound(code) }
                    do {
                        return try BeneficiaryUpdater(db: env.db, banks: banks)
                            .setAccount(code: code, channel: a.channel, bin: a.bin, account: a.account, accountName: a.name, by: actor)
                    } catch let e as GapsError { throw FormProblem("Không cập nhật được tài khoản, chưa có gì thay đổi. Chi tiết: \(e.description)") }
                }
                let ok = result.fields.isEmpty ? "same" : (result.clearedAccountFlag != nil ? "account-flag" : "account")
                return Pages.redirect("/gaps/case/\(code)?ok=\(ok)")
            } catch let e as FormProblem {
                form.accountProblem = e.message
                return try await refusedPage(source, code: code, user: user, form: form)
            }
        }

        routes.form("/gaps/case/:code/proxy", .roles([.officer])) { request, context, user, fields in
            let code = try caseCode(context)
            var form = CaseForm()
            form.proxyName = fields["name"] ?? ""
            form.proxyRelation = fields["relation"] ?? ""
            form.proxyID = fields["id"] ?? ""
            form.proxyUntil = fields["until"] ?? ""
            // Given back day-first when it reads (a date typed 2027-11-30 shows as 30/11/2027).
            if let d = try? CaseForm.date(form.proxyUntil, label: "") { form.proxyUntil = d.vietnamese }
            do {
                let p = try CaseForm.proxy(fields, today: CivilDate.today())
                let actor = try user.acting(as: .officer)
                let banks = try source.env.banks()
                let result = try await Offload.run { [env = source.env] in
                    guard try GapsQueries.person(env.db, code: code) != nil else { throw notFound(code) }
                    if try GapsQueries.isOwnPersonalID(env.db, code: code, id: p.id) {
                        throw FormProblem("Số định danh người nhận thay trùng với số định danh của chính đối tượng. Nhập số định danh của người sẽ nhận tiền thay.")
                    }
                    do {
                        return try BeneficiaryUpdater(db: env.db, banks: banks)
                            .setProxy(code: code, name: p.name, id: p.id, relation: p.relation, until: p.until, by: actor)
                    } catch let e as GapsError { throw FormProblem("Không cập nhật được người nhận thay, chưa có gì thay đổi. Chi tiết: \(e.description)") }
                }
                return Pages.redirect("/gaps/case/\(code)?ok=\(result.fields.isEmpty ? "same" : "proxy")")
            } catch let e as FormProblem {
                form.proxyProblem = e.message
                return try await refusedPage(source, code: code, user: user, form: form)
            }
        }
    }

    // MARK: - Request helpers

    /// A list page's body, rendered from its template (values escaped there) and kept for the next views.
    static func render(_ template: String, _ model: Any) -> String {
        Pages.library.render(model, withTemplate: template) ?? "<p>Thiếu mẫu trang \(Pages.escape(template)).</p>"
    }

    /// A kept body inside the layout (the layout, with the person's name and navigation, is rendered per request).
    static func page(_ body: RenderedBody, user: WebUser, path: String) -> Response {
        Pages.page("gaps-rendered", body, title: body.title, user: user, path: path, notice: body.upToDate ? nil : Pages.updatingNotice)
    }

    /// The query string's fields (`+` and `%XX` decoded).
    static func query(_ request: Request) -> [String: String] {
        FormFields.parse(request.uri.query ?? "").filter { !$0.value.trimmingCharacters(in: .whitespaces).isEmpty }
    }

    static func caseCode(_ context: WebContext) throws -> String {
        guard let code = context.parameters.get("code"), !code.isEmpty, code.count <= 40,
              code.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || $0.properties.numericType != nil || "-_.".unicodeScalars.contains($0)) })
        else { throw WebError.notFound("đối tượng với mã này; kiểm tra mã trên danh sách rà soát") }
        return code
    }

    static func notFound(_ code: String) -> WebError {
        WebError.notFound("đối tượng mã \(code). Kiểm tra mã trên danh sách rà soát")
    }

    /// A form refused: the case page again, with what to fix beside the form and what was typed kept.
    static func refusedPage(_ source: GapsSource, code: String, user: WebUser, form: CaseForm) async throws -> Response {
        let model = try await caseModel(source, code: code, user: user, form: form)
        return Pages.page("gaps-case", model, title: "\(model.name) — Rà soát", user: user, path: "/gaps/case", status: .badRequest)
    }

    /// `/gaps/village?commune=…&village=…`, every character outside the unreserved set encoded.
    static func villageHref(_ path: String, commune: String, village: String?, reason: GapReason? = nil) -> String {
        var s = path + "?commune=" + encode(commune)
        if let village { s += "&village=" + encode(village) }
        if let reason { s += "&reason=" + reason.rawValue }
        return s
    }

    static func encode(_ s: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        // alphanumerics includes non-ASCII letters: restrict to ASCII.
        allowed = allowed.intersection(CharacterSet(charactersIn: Unicode.Scalar(0)...Unicode.Scalar(127)))
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }

    /// `tel:` target: digits and a leading `+` only; nil when nothing dialable is left.
    static func telHref(_ phone: String) -> String? {
        var out = ""
        for c in phone where c.isASCII {
            if c.isNumber { out.append(c) } else if c == "+" && out.isEmpty { out.append(c) }
        }
        return out.filter(\.isNumber).count >= 3 ? "tel:" + out : nil
    }

    /// `0912 345 678` for reading aloud; other shapes as stored.
    static func phoneText(_ phone: String) -> String {
        let digits = phone.filter(\.isNumber)
        guard digits.count == 10, digits == phone.trimmingCharacters(in: .whitespaces) else { return phone }
        let a = digits.prefix(4), b = digits.dropFirst(4).prefix(3), c = digits.suffix(3)
        return "\(a) \(b) \(c)"
    }

    /// A stored UTC timestamp as the day in Vietnam (UTC+7), `28/11/2026`, without a formatter per call.
    static func vietnamDay(_ stored: String) -> String {
        let u = Array(stored.utf8)
        func num(_ r: Range<Int>) -> Int? {
            guard r.upperBound <= u.count else { return nil }
            var v = 0
            for b in u[r] { guard b >= 48 && b <= 57 else { return nil }; v = v * 10 + Int(b - 48) }
            return v
        }
        guard let y = num(0..<4), let m = num(5..<7), let d = num(8..<10), var day = CivilDate(year: y, month: m, day: d) else {
            return String(stored.prefix(10))
        }
        if let h = num(11..<13), h + 7 >= 24 { day = day.adding(days: 1) }
        return day.vietnamese
    }

    static func age(_ birth: String, on day: CivilDate) -> Int? {
        guard let b = CivilDate(birth) else { return nil }
        return day.year - b.year - ((day.month, day.day) < (b.month, b.day) ? 1 : 0)
    }

    static func followUpText(_ f: GapsQueries.FollowUp) -> String {
        let status = f.status.vietnamese
        return "\(status) ngày \(vietnamDay(f.recordedAt)) (\(f.recordedBy))\(f.note.isEmpty ? "" : ": \(f.note)")"
    }

    /// `#2 2027-01` → the sentence saying where "left out of the latest batch" comes from.
    static func batchText(_ s: String) -> String {
        let parts = s.split(separator: " ")
        guard parts.count == 2, let m = YearMonth(String(parts[1])) else { return "Lý do \"bị loại\" lấy từ bảng chi gần nhất: \(s)." }
        return "Lý do \"bị loại\" lấy từ bảng chi gần nhất: bảng chi số \(parts[0].dropFirst()), tháng \(m.vietnamese)."
    }

    static func proxyText(_ p: GapsQueries.Proxy) -> String {
        var s = p.name
        if let r = p.relation { s += " (\(r))" }
        if let u = p.until.flatMap(CivilDate.init) { s += ", ủy quyền đến \(u.vietnamese)" }
        return s
    }
}

// MARK: - The worklist, computed once per day and store change

/// The worklist and coverage for the pages, recomputed only when the store changed in a way that
/// can move a case (a roll or returns import, a batch, a manual update: anything audited except
/// follow-ups and sessions, ``GapsQueries/markers(_:)``) or the day changed; the list pages'
/// bodies also move with the latest follow-up.
final class GapsSource: Sendable {
    let env: WebEnvironment
    private let worklists = RecentValue<Worklist>()
    private let coverages = RecentValue<CoverageReport>()
    private let bodies = RenderedBodies()

    init(env: WebEnvironment) { self.env = env }

    /// The worklist and what the cards show beside it.
    struct Worklist: Sendable {
        let list: GapWorklist
        /// code → (village index, case index)
        let positions: [String: (Int, Int)]
        let proxies: [String: GapsQueries.Proxy]
        /// False while a newer worklist is being computed after a change (this one is shown meanwhile).
        var upToDate = true
        /// The day and marker it was computed for.
        var key = ""

        func village(commune: String?, village: String?) throws -> GapVillage {
            guard let commune, let village else {
                throw WebError.badRequest("Chọn một thôn hoặc tổ dân phố trên trang Rà soát.")
            }
            if let v = list.villages.first(where: { $0.commune == commune && $0.village == village }) { return v }
            let c = VietnameseText.key(commune), n = VietnameseText.key(village)
            if let v = list.villages.first(where: { VietnameseText.key($0.commune) == c && VietnameseText.key($0.village) == n }) { return v }
            throw WebError.notFound("thôn/tổ dân phố \"\(village)\" của \"\(commune)\" trong danh sách đối tượng đang hưởng. Chọn lại trên trang Rà soát")
        }

        func villages(ofCommune commune: String?) throws -> [GapVillage] {
            guard let commune else { throw WebError.badRequest("Chọn một xã/phường hoặc một thôn trên trang Rà soát.") }
            let c = VietnameseText.key(commune)
            let out = list.villages.filter { VietnameseText.key($0.commune) == c && !$0.cases.isEmpty }
            guard !out.isEmpty else { throw WebError.notFound("trường hợp nào cần xử lý ở \"\(commune)\"") }
            return out
        }

        func `case`(_ code: String) -> GapCase? {
            guard let (v, c) = positions[code] else { return nil }
            return list.villages[v].cases[c]
        }
    }

    /// The day and the store's markers: what every cached value below is keyed by.
    struct Moment: Sendable {
        let today: CivilDate
        let markers: GapsQueries.Markers
        var worklistKey: String { "\(today)|\(markers.worklist)" }
        var pageKey: String { "\(worklistKey)|\(markers.followUps)" }
    }

    /// Now, as one tiny read.
    func moment() async throws -> Moment {
        let env = self.env
        let today = CivilDate.today()
        return Moment(today: today, markers: try await Offload.run { try GapsQueries.markers(env.db) })
    }

    /// The worklist as of the moment's day, computed once per day and worklist marker.
    /// `fresh`: wait for the worklist of this moment (the case page, where an officer just acted).
    func worklist(_ now: Moment, fresh: Bool = false) async throws -> Worklist {
        let env = self.env
        let asOf = now.today
        let (value, upToDate, _, key) = try await worklists.value(for: now.worklistKey, scope: now.today.description, fresh: fresh) {
            try await Offload.recompute {
                let config = try GapConfig.load(from: env.formatsDirectory.appendingPathComponent("gaps.json"))
                let list = try GapFinder(tariff: try env.tariff(), config: config)
                    .worklist(env.db, options: GapOptions(asOf: asOf, config: config))
                var positions: [String: (Int, Int)] = [:]
                for (i, v) in list.villages.enumerated() { for (j, c) in v.cases.enumerated() { positions[c.code] = (i, j) } }
                return Worklist(list: list, positions: positions, proxies: try GapsQueries.proxies(env.db))
            }
        }
        var w = value
        w.upToDate = upToDate
        w.key = key
        return w
    }

    /// Coverage as of the moment's day (`Coverage.preview`: read only — a page never waits for a
    /// command's write lock; `chitra gaps coverage` stores the month's snapshot), as
    /// `chitra gaps coverage` does), once per day and worklist marker.
    func coverage(_ now: Moment) async throws -> CoverageReport {
        let env = self.env
        let asOf = now.today
        return try await coverages.value(for: now.worklistKey, scope: now.today.description) {
            try await Offload.recompute { try Coverage.preview(env.db, asOf: asOf) }
        }.value
    }

    /// A list page's body for `key`: kept from an earlier view of the same worklist and follow-ups,
    /// or made now from the worklist and kept. While a newer worklist is computed, the bodies of
    /// the one shown are reused (marked not up to date), so no request renders a page again then.
    func body(_ now: Moment, _ key: String, _ make: @escaping @Sendable (Worklist) async throws -> RenderedBody) async throws -> RenderedBody {
        let list = try await worklist(now)
        let pageKey = "\(list.key)|\(now.markers.followUps)"
        var out = try await bodies.body(pageKey, key) { try await make(list) }
        out.upToDate = list.upToDate
        return out
    }
}

/// A rendered page body and its title.
struct RenderedBody: Sendable {
    let title: String
    /// HTML from a template of this area (every value escaped by the template): placed with `{{{html}}}`.
    let html: String
    /// False when part of the page could not be read this time: shown, not kept.
    var keep = true
    /// False when made from the worklist before the latest change (the newer one is being computed).
    var upToDate = true
}

/// Rendered list bodies of the current moment, each rendered once however many requests ask for
/// it at the same time (a big village's page takes tens of milliseconds to render: fifty requests
/// arriving after a change must not render it fifty times); all dropped when the moment moves on
/// (and when too many places were asked for). A body that must not be kept is made for its request alone.
actor RenderedBodies {
    private var moment = ""
    private var bodies: [String: Task<RenderedBody, any Error>] = [:]
    static let limit = 400

    func body(_ moment: String, _ key: String, _ make: @escaping @Sendable () async throws -> RenderedBody) async throws -> RenderedBody {
        if moment != self.moment { self.moment = moment; bodies.removeAll() }
        if let t = bodies[key] { return try await t.value }
        if bodies.count >= Self.limit { bodies.removeAll() }
        let task = Task { try await make() }
        bodies[key] = task
        do {
            let made = try await task.value
            if !made.keep, moment == self.moment { bodies[key] = nil }
            return made
        } catch {
            if moment == self.moment { bodies[key] = nil }
            throw error
        }
    }
}

// MARK: - Pages' models

extension GapsPages {
    struct IndexVillage {
        let name: String
        let href: String
        let printHref: String
        let cases: String
        let hasCases: Bool
        let atRisk: String
        let hasRisk: Bool
        let active: String
        let coverage: String
    }
    struct IndexCommune {
        let name: String
        let href: String
        let summary: String
        let printHref: String
        let hasCases: Bool
        let cases: String
        let atRisk: String
        let hasRisk: Bool
        let active: String
        let coverage: String
        let villages: [IndexVillage]
    }
    /// Up to this many communes, the ward page lists every village; above, the communes, each opening its villages.
    static let villagesInlineUpTo = 3
    struct IndexModel {
        let asOf: String
        let summary: String
        let riskLine: String?
        let coverageLine: String?
        let coverageMissing: Bool
        let latestBatch: String?
        /// The communes as a table (many communes, none chosen).
        let communeTable: [IndexCommune]
        let hasCommuneTable: Bool
        /// The communes whose villages are listed.
        let communes: [IndexCommune]
        /// The commune chosen with `?commune=`.
        let chosen: String?
        let empty: Bool
    }

    static func indexModel(_ w: GapsSource.Worklist, coverage: CoverageReport?, commune chosen: String? = nil) throws -> IndexModel {
        let list = w.list
        var figures: [String: CoverageLine] = [:]
        if let coverage {
            for c in coverage.communes {
                figures[c.total.commune + "\u{1F}"] = c.total
                for v in c.villages { figures[v.commune + "\u{1F}" + v.village] = v }
            }
        }
        var communes: [IndexCommune] = []
        var current: (name: String, villages: [IndexVillage], cases: Int, risk: Int, active: Int)?
        func close() {
            guard let c = current else { return }
            let figure = figures[c.name + "\u{1F}"]?.figure
            let cov = figure.map { " · không dùng tiền mặt \($0.percentVietnamese)" } ?? ""
            communes.append(IndexCommune(name: c.name, href: "/gaps?commune=" + encode(c.name),
                                         summary: "\(Show.number(c.cases)) trường hợp cần xử lý, \(Show.number(c.risk)) sắp lỡ kỳ chi trả\(cov)",
                                         printHref: villageHref("/gaps/print", commune: c.name, village: nil), hasCases: c.cases > 0,
                                         cases: Show.number(c.cases), atRisk: Show.number(c.risk), hasRisk: c.risk > 0,
                                         active: Show.number(c.active), coverage: figure?.percentVietnamese ?? "—", villages: c.villages))
        }
        for v in list.villages {
            if current?.name != v.commune { close(); current = (v.commune, [], 0, 0, 0) }
            let risk = v.atRiskCount
            current!.cases += v.cases.count
            current!.risk += risk
            current!.active += v.activeCount
            current!.villages.append(IndexVillage(
                name: v.village, href: villageHref("/gaps/village", commune: v.commune, village: v.village),
                printHref: villageHref("/gaps/print", commune: v.commune, village: v.village),
                cases: Show.number(v.cases.count), hasCases: !v.cases.isEmpty, atRisk: Show.number(risk), hasRisk: risk > 0,
                active: Show.number(v.activeCount),
                coverage: figures[v.commune + "\u{1F}" + v.village]?.figure.percentVietnamese ?? "—"))
        }
        close()
        var shown = communes, table: [IndexCommune] = []
        if let chosen {
            shown = communes.filter { VietnameseText.key($0.name) == VietnameseText.key(chosen) }
            if shown.isEmpty { throw WebError.notFound("xã/phường \"\(chosen)\" trong danh sách đối tượng đang hưởng. Chọn lại trên trang Rà soát") }
        } else if communes.count > villagesInlineUpTo {
            table = communes
            shown = []
        }
        let risk = list.villages.reduce(0) { $0 + $1.atRiskCount }
        let coverageLine = coverage.map { c -> String in
            var s = "Tỷ lệ chi trả không dùng tiền mặt: \(c.overall.figure.vietnamese)"
            if let p = c.overall.previous, let m = c.previousMonth, let d = c.overall.figure.changeVietnamese(since: p) {
                s += " (\(d) so với tháng \(YearMonth(m)?.vietnamese ?? m))"
            }
            return s + "."
        }
        return IndexModel(
            asOf: list.asOfDate.vietnamese,
            summary: "\(Show.number(list.caseCount)) trường hợp cần xử lý trên \(Show.number(list.activeCount)) đối tượng đang hưởng.",
            riskLine: risk > 0 ? "\(Show.number(risk)) trường hợp sắp lỡ kỳ chi trả tới: làm trước." : nil,
            coverageLine: coverageLine, coverageMissing: coverage == nil,
            latestBatch: list.latestBatch.map(batchText),
            communeTable: table, hasCommuneTable: !table.isEmpty, communes: shown, chosen: shown.count == 1 && chosen != nil ? shown[0].name : nil,
            empty: list.villages.isEmpty)
    }

    struct Flag { let label: String; let detail: String }
    struct Card {
        let code: String
        let name: String
        let href: String
        let age: String
        let atRisk: Bool
        let address: String
        let categories: String
        let flags: [Flag]
        let bring: String?
        let phoneLabel: String?
        let tel: String?
        let noPhone: Bool
        let proxy: String?
        let lastFollowUp: String?
        let score: String
    }
    struct Filter { let label: String; let href: String; let current: Bool }
    struct VillageModel {
        let commune: String
        let village: String
        let asOf: String
        let summary: String
        let coverage: String?
        let printHref: String
        let filters: [Filter]
        let showFilters: Bool
        let cards: [Card]
        let emptyText: String?
    }

    static func villageModel(_ w: GapsSource.Worklist, _ v: GapVillage, reason: GapReason?,
                             followUps: [String: GapsQueries.FollowUp], coverage: CoverageReport?) -> VillageModel {
        var counts: [GapReason: Int] = [:]
        var labels: [GapReason: String] = [:]
        for c in v.cases { for f in c.flags { counts[f.reason, default: 0] += 1; labels[f.reason] = f.label } }
        var filters = [Filter(label: "Tất cả (\(v.cases.count))", href: villageHref("/gaps/village", commune: v.commune, village: v.village), current: reason == nil)]
        for r in GapReason.allCases where counts[r] != nil {
            filters.append(Filter(label: "\(labels[r]!) (\(counts[r]!))", href: villageHref("/gaps/village", commune: v.commune, village: v.village, reason: r),
                                  current: reason == r))
        }
        let shown = reason.map { r in v.cases.filter { $0.reasonCodes.contains(r) } } ?? v.cases
        let cards = shown.map { c -> Card in
            let tel = c.phone.flatMap(telHref)
            return Card(code: c.code, name: c.name, href: "/gaps/case/\(c.code)", age: "\(c.age) tuổi", atRisk: c.paymentAtRisk,
                        address: c.address.isEmpty ? "Chưa có địa chỉ" : c.address, categories: c.categoryText,
                        flags: c.flags.map { Flag(label: $0.label, detail: $0.detail) },
                        bring: c.bring.isEmpty ? nil : c.bring,
                        phoneLabel: c.phone.map(phoneText), tel: tel, noPhone: c.phone == nil,
                        proxy: w.proxies[c.code].map(proxyText),
                        lastFollowUp: followUps[c.code].map(followUpText), score: Show.number(c.score))
        }
        let cov = coverage?.communes.first { $0.total.commune == v.commune }?.villages.first { $0.village == v.village }
        return VillageModel(
            commune: v.commune, village: v.village, asOf: w.list.asOfDate.vietnamese,
            summary: "\(Show.number(v.cases.count)) trường hợp cần xử lý (\(Show.number(v.atRiskCount)) sắp lỡ kỳ chi trả) trên \(Show.number(v.activeCount)) đối tượng đang hưởng. Xếp theo thứ tự cần làm trước.",
            coverage: cov.map { "Tỷ lệ không dùng tiền mặt của thôn: \($0.figure.vietnamese)." },
            printHref: villageHref("/gaps/print", commune: v.commune, village: v.village),
            filters: filters, showFilters: filters.count > 2, cards: cards,
            emptyText: cards.isEmpty ? (reason == nil ? "Không còn trường hợp nào cần xử lý ở thôn này." : "Không có trường hợp nào với lý do này.") : nil)
    }

    struct PrintRow {
        let n: Int
        let name: String
        let code: String
        let age: Int
        let idMasked: String
        let atRisk: Bool
        let address: String
        let phone: String
        let categories: String
        let missing: String
        let followUp: String?
        let bring: String
    }
    struct PrintVillage {
        let commune: String
        let village: String
        let date: String
        let counts: String
        let rows: [PrintRow]
        let breakAfter: Bool
    }
    struct PrintModel {
        let pages: [PrintVillage]
        let backHref: String
        /// The same list as an Excel workbook (`/gaps/xlsx`).
        let xlsxHref: String
    }

    static func printModel(_ w: GapsSource.Worklist, _ villages: [GapVillage], followUps: [String: GapsQueries.FollowUp]) -> PrintModel {
        let date = w.list.asOfDate.vietnamese
        let pages = villages.enumerated().map { (i, v) in
            PrintVillage(commune: v.commune, village: v.village, date: date,
                         counts: "\(v.cases.count) (sắp lỡ kỳ chi trả: \(v.atRiskCount)) trên \(v.activeCount) đối tượng đang hưởng.",
                         rows: v.cases.enumerated().map { (n, c) in
                             PrintRow(n: n + 1, name: c.name, code: c.code, age: c.age, idMasked: c.personalIDMasked, atRisk: c.paymentAtRisk,
                                      address: c.address.isEmpty ? "không có" : c.address, phone: c.phone.map(phoneText) ?? "không có",
                                      categories: c.categoryText, missing: c.missing,
                                      followUp: followUps[c.code].map { "\($0.status.vietnamese) \(vietnamDay($0.recordedAt))" },
                                      bring: c.bring)
                         },
                         breakAfter: i < villages.count - 1)
        }
        let back = villages.count == 1 ? villageHref("/gaps/village", commune: villages[0].commune, village: villages[0].village) : "/gaps"
        let xlsx = villages.count == 1 ? villageHref("/gaps/xlsx", commune: villages[0].commune, village: villages[0].village)
                                       : villageHref("/gaps/xlsx", commune: villages.first?.commune ?? "", village: nil)
        return PrintModel(pages: pages, backHref: back, xlsxHref: xlsx)
    }
}

// MARK: - One case

/// What a case page's forms carry back when refused, and how the posted fields are read.
struct CaseForm {
    var status = ""
    var note = ""
    var channel = "bank"
    var bin = ""
    var account = ""
    var accountName = ""
    var proxyName = ""
    var proxyRelation = ""
    var proxyID = ""
    var proxyUntil = ""
    var recordProblem: String?
    var accountProblem: String?
    var proxyProblem: String?

    static let noteLimit = 500

    /// The notice after a successful post (`?ok=`).
    static func notice(_ ok: String) -> String? {
        if ok.hasPrefix("recorded-"), let s = GapFollowUpStatus(rawValue: String(ok.dropFirst("recorded-".count))) {
            return "Đã ghi nhận: \(s.vietnamese). Lịch sử theo dõi bên dưới."
        }
        switch ok {
        case "account": return "Đã cập nhật tài khoản nhận tiền (lịch sử ghi \"sửa tay\"). Kỳ chi trả tới sẽ chuyển vào tài khoản này."
        case "account-flag": return "Đã cập nhật tài khoản nhận tiền và xóa cờ \"tài khoản bị từ chối\" của lần chi trước."
        case "proxy": return "Đã cập nhật người nhận thay (lịch sử ghi \"sửa tay\")."
        case "same": return "Không có gì thay đổi: thông tin này đã có trong hồ sơ."
        default: return nil
        }
    }

    static func record(_ fields: FormFields) throws -> (GapFollowUpStatus, String) {
        guard let status = fields["status"].flatMap(GapFollowUpStatus.init(rawValue:)) else {
            throw FormProblem("Chọn kết quả của lần liên hệ (ví dụ \"Đã liên hệ\" hoặc \"Không liên lạc được\").")
        }
        let note = VietnameseText.normalizedName((fields["note"] ?? "").replacingOccurrences(of: "\r\n", with: " ").replacingOccurrences(of: "\n", with: " "))
        if let f = FieldText.forbidden(in: note) {
            throw FormProblem("Ghi chú có ký tự ẩn hoặc ký tự điều khiển (\(f.codePoint)); gõ lại ghi chú.")
        }
        if note.unicodeScalars.count > noteLimit {
            throw FormProblem("Ghi chú dài \(note.unicodeScalars.count) ký tự; tối đa \(noteLimit). Viết ngắn lại.")
        }
        return (status, note)
    }

    struct Account { let channel: Channel; let bin: String?; let account: String; let name: String? }

    /// The account form, checked as `BeneficiaryUpdater.setAccount` checks it, in Vietnamese.
    static func account(_ fields: FormFields, banks: BankDirectory) throws -> Account {
        let channel: Channel
        switch Channel(rawValue: fields["channel"] ?? Channel.bank.rawValue) {
        case .bank?: channel = .bank
        case .postAccount?: channel = .postAccount
        case .postCash?, nil: throw FormProblem("Chọn hình thức nhận: tài khoản ngân hàng hoặc tài khoản bưu điện.")
        }
        for (label, key) in [("Số tài khoản", "account"), ("Tên chủ tài khoản", "account_name")] {
            try text(fields[key], label)
        }
        let account = (fields["account"] ?? "").replacingOccurrences(of: " ", with: "").replacingOccurrences(of: ".", with: "")
        guard !account.isEmpty else { throw FormProblem("Nhập số tài khoản (chỉ gồm chữ số).") }
        guard account.utf8.count <= 19, account.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else {
            throw FormProblem("Số tài khoản không hợp lệ: chỉ gồm chữ số, tối đa 19 chữ số (đã nhập \(account.count) ký tự). Kiểm tra lại trên thẻ hoặc sổ tài khoản. Chưa có gì thay đổi.")
        }
        let name = fields.trimmed("account_name")
        switch channel {
        case .bank:
            guard let bin = fields.trimmed("bin") else { throw FormProblem("Chọn ngân hàng của tài khoản.") }
            guard banks.bank(bin) != nil else { throw FormProblem("Ngân hàng đã chọn không có trong danh sách ngân hàng (formats/banks.json). Chọn lại.") }
            guard let name else { throw FormProblem("Nhập tên chủ tài khoản đúng như ngân hàng ghi (ví dụ TRAN VAN HAI).") }
            return Account(channel: .bank, bin: bin, account: account, name: name)
        default:
            return Account(channel: .postAccount, bin: nil, account: account, name: name)
        }
    }

    struct Proxy { let name: String; let relation: String; let id: String; let until: CivilDate? }

    /// The proxy form, checked as `BeneficiaryUpdater.setProxy` checks it, in Vietnamese; the end
    /// date must not be over already.
    static func proxy(_ fields: FormFields, today: CivilDate) throws -> Proxy {
        try text(fields["name"], "Họ tên người nhận thay")
        try text(fields["relation"], "Quan hệ")
        try text(fields["id"], "Số định danh")
        guard let name = fields.trimmed("name") else { throw FormProblem("Nhập họ tên người nhận thay.") }
        guard let relation = fields.trimmed("relation") else { throw FormProblem("Nhập quan hệ với đối tượng (ví dụ Con, Vợ, Người giám hộ).") }
        let id = (fields["id"] ?? "").replacingOccurrences(of: " ", with: "")
        guard !id.isEmpty else { throw FormProblem("Nhập số định danh (CCCD) của người nhận thay.") }
        if case .failure = PersonalID.check(id, sex: nil, birthYear: nil) {
            throw FormProblem("Số định danh của người nhận thay phải gồm 12 chữ số (căn cước công dân) hoặc 9 chữ số (chứng minh nhân dân cũ).")
        }
        var until: CivilDate?
        if let text = fields.trimmed("until") {
            let d = try date(text, label: "Ngày hết hạn ủy quyền")
            if d < today { throw FormProblem("Ngày hết hạn ủy quyền \(d.vietnamese) đã qua. Nhập ngày hết hạn ghi trên giấy ủy quyền mới.") }
            until = d
        }
        if until == nil && !ProxyRelation.isGuardian(relation) {
            throw FormProblem("Nhập ngày hết hạn của giấy ủy quyền (chỉ người giám hộ mới không cần).")
        }
        return Proxy(name: name, relation: relation, id: id, until: until)
    }

    /// `dd/mm/yyyy` (also with `.` or `-`) or `yyyy-mm-dd` (a date field); a date that reads only
    /// month-first (`11/30/2027`) is refused, not guessed.
    static func date(_ text: String, label: String) throws -> CivilDate {
        var t = text.trimmingCharacters(in: .whitespaces)
        let parts = t.split(whereSeparator: { $0 == "." || $0 == "-" || $0 == "/" })
        if parts.count == 3, parts[0].count <= 2 { t = parts.joined(separator: "/") }
        if let d = CivilDate(t) { return d }
        if let d = CivilDate.monthFirstOnly(t) {
            throw FormProblem("\(label) \"\(text)\" viết theo kiểu tháng trước ngày (kiểu Mỹ). Nhập ngày/tháng/năm, ví dụ \(d.vietnamese).")
        }
        throw FormProblem("\(label) \"\(text)\" không phải ngày hợp lệ. Nhập theo dạng ngày/tháng/năm, ví dụ 30/11/2027.")
    }

    static func text(_ value: String?, _ label: String) throws {
        guard let value, !value.isEmpty else { return }
        if FieldText.forbidden(in: value) != nil {
            throw FormProblem("Ô \"\(label)\" có ký tự ẩn hoặc ký tự điều khiển (có thể do dán từ nơi khác); gõ lại ô này.")
        }
        if let n = FieldText.length(value, over: FieldText.maxName) {
            throw FormProblem("Ô \"\(label)\" dài \(n) ký tự; tối đa \(FieldText.maxName).")
        }
    }
}

/// A refused form field: the sentence shown beside the form (nothing was changed).
struct FormProblem: Error { let message: String; init(_ m: String) { message = m } }

extension GapsPages {
    struct Fact { let label: String; let value: String }
    struct HistoryRow { let when: String; let status: String; let by: String; let note: String? }
    struct ChangeRow { let when: String; let field: String; let change: String; let by: String }
    struct Option { let value: String; let label: String; let selected: Bool }
    struct CaseModel {
        let code: String
        let name: String
        let place: String
        let villageHref: String
        let tel: String?
        let phoneLabel: String?
        let facts: [Fact]
        let onList: Bool
        let atRisk: Bool
        let flags: [Flag]
        let bring: String?
        let score: String
        let offListText: String
        let history: [HistoryRow]
        let noHistory: Bool
        let changes: [ChangeRow]
        let canEdit: Bool
        let readOnlyText: String
        let csrf: String
        let statuses: [Option]
        let channels: [Option]
        let banks: [Option]
        let form: FormValues
        let recordProblem: String?
        let accountProblem: String?
        let proxyProblem: String?
        let accountOpen: Bool
        let proxyOpen: Bool
    }
    struct FormValues {
        let note: String
        let account: String
        let accountName: String
        let proxyName: String
        let proxyRelation: String
        let proxyID: String
        let proxyUntil: String
    }

    static func fieldName(_ f: String) -> String {
        switch f {
        case "channel": "Hình thức nhận"
        case "bank_bin": "Ngân hàng"
        case "account_no": "Số tài khoản"
        case "account_name": "Tên chủ tài khoản"
        case "proxy_name": "Người nhận thay"
        case "proxy_id": "Số định danh người nhận thay"
        case "proxy_relation": "Quan hệ"
        case "authorisation_until": "Ủy quyền đến"
        case "account_flag": "Cờ tài khoản bị từ chối"
        default: f
        }
    }

    static func sourceName(_ s: String) -> String {
        switch s { case "manual": "sửa tay"; case "import": "nhập danh sách"; case "returns": "kết quả chi trả"; default: s }
    }

    static func caseModel(_ source: GapsSource, code: String, user: WebUser, form: CaseForm) async throws -> CaseModel {
        let env = source.env
        let today = CivilDate.today()
        let (person, history, changes) = try await Offload.run {
            guard let p = try GapsQueries.person(env.db, code: code) else { throw notFound(code) }
            return (p, try GapCaseLog.history(env.db, code: code), try GapsQueries.paymentChanges(env.db, code: code))
        }
        let banks = try env.banks()
        // One person's page shows the state after the officer's own change: never the previous figures.
        let list = try await source.worklist(try await source.moment(), fresh: true)
        let open = list.case(code)

        var facts: [Fact] = [Fact(label: "Mã", value: person.code)]
        if let b = CivilDate(person.birthDate), let a = age(person.birthDate, on: today) {
            facts.append(Fact(label: "Năm sinh", value: person.birthYearOnly ? "\(b.year) (\(a) tuổi)" : "\(b.vietnamese) (\(a) tuổi)"))
        }
        facts.append(Fact(label: "Số định danh", value: person.personalIDMasked))
        facts.append(Fact(label: "Địa chỉ", value: [person.address, person.village, person.commune].filter { !$0.isEmpty }.joined(separator: ", ")))
        facts.append(Fact(label: "Điện thoại", value: person.phone.isEmpty ? "không có" : phoneText(person.phone)))
        let status = switch person.status {
        case .active: "Đang hưởng"
        case .suspended: "Tạm dừng"
        case .stopped: "Thôi hưởng"
        }
        facts.append(Fact(label: "Tình trạng", value: status + (person.deathDate.flatMap(CivilDate.init).map { ", mất ngày \($0.vietnamese)" } ?? "")))
        var pay = person.channel.vietnamese
        if let bin = person.bankBIN { pay += " · " + (banks.bank(bin).map { "\($0.short) (\(bin))" } ?? bin) }
        if let a = person.accountMasked { pay += " · số \(a)" }
        if let n = person.accountName { pay += " · \(n)" }
        facts.append(Fact(label: "Nhận tiền qua", value: pay))
        if let f = person.accountFlag {
            facts.append(Fact(label: "Tài khoản bị từ chối", value: AccountFlag.vietnamese(f) + (person.accountFlagAt.map { " (ghi nhận \(vietnamDay($0)))" } ?? "")))
        }
        if let p = person.proxy {
            facts.append(Fact(label: "Người nhận thay", value: proxyText(p) + (p.idMasked.map { " · số định danh \($0)" } ?? "")))
        } else {
            facts.append(Fact(label: "Người nhận thay", value: person.needsProxy ? "chưa có (đối tượng không tự nhận được)" : "không có"))
        }

        let canEdit = user.has(.officer)
        let selectedStatus = GapFollowUpStatus(rawValue: form.status)
        return CaseModel(
            code: person.code, name: person.fullName, place: "\(person.village), \(person.commune)",
            villageHref: villageHref("/gaps/village", commune: person.commune, village: person.village),
            tel: telHref(person.phone), phoneLabel: person.phone.isEmpty ? nil : phoneText(person.phone),
            facts: facts, onList: open != nil, atRisk: open?.paymentAtRisk ?? false,
            flags: open?.flags.map { Flag(label: $0.label, detail: $0.detail) } ?? [],
            bring: open.flatMap { $0.bring.isEmpty ? nil : $0.bring }, score: open.map { Show.number($0.score) } ?? "",
            offListText: person.status == .active
                ? "Không còn trong danh sách cần xử lý (ngày \(today.vietnamese)): đã có tài khoản dùng được, số điện thoại và người nhận thay khi cần."
                : "Không trong danh sách cần xử lý: đối tượng không còn đang hưởng.",
            history: history.reversed().map {
                HistoryRow(when: Show.time($0.recordedAt), status: $0.status.vietnamese, by: $0.recordedBy, note: $0.note.isEmpty ? nil : $0.note)
            },
            noHistory: history.isEmpty,
            changes: changes.map {
                ChangeRow(when: Show.time($0.changedAt), field: fieldName($0.field),
                          change: "\($0.oldValue ?? "(trống)") → \($0.newValue ?? "(trống)")", by: "\($0.changedBy), \(sourceName($0.source))")
            },
            canEdit: canEdit,
            readOnlyText: "Chỉ tài khoản có vai trò \(Role.officer.vietnamese) ghi nhận kết quả và cập nhật tài khoản, người nhận thay.",
            csrf: user.csrfToken,
            statuses: GapFollowUpStatus.allCases.map { Option(value: $0.rawValue, label: $0.vietnamese, selected: $0 == selectedStatus) },
            channels: [Channel.bank, .postAccount].map { Option(value: $0.rawValue, label: $0.vietnamese, selected: $0.rawValue == form.channel) },
            banks: banks.banks.values.sorted { $0.short.localizedCaseInsensitiveCompare($1.short) == .orderedAscending }.map {
                Option(value: $0.bin, label: "\($0.short) – \($0.name)", selected: $0.bin == form.bin)
            },
            form: FormValues(note: form.note, account: form.account, accountName: form.accountName, proxyName: form.proxyName,
                             proxyRelation: form.proxyRelation, proxyID: form.proxyID, proxyUntil: form.proxyUntil),
            recordProblem: form.recordProblem, accountProblem: form.accountProblem, proxyProblem: form.proxyProblem,
            accountOpen: form.accountProblem != nil || (open?.reasonCodes.contains { $0 == .noAccount || $0 == .accountRejected || $0 == .cashPaid } ?? false),
            proxyOpen: form.proxyProblem != nil || (open?.reasonCodes.contains {
                [.proxyMissing, .authorisationExpired, .authorisationExpiring, .proxyIsSelf, .proxyMany, .proxyDeceased].contains($0)
            } ?? false))
    }
}
