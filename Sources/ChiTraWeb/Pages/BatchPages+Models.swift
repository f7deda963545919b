import ChiTraBatch
import ChiTraCore
import ChiTraSigning
import ChiTraStore
import Foundation

/// What the batch templates read.
extension BatchPages {
    struct ListRow {
        let id: Int64
        let href: String
        let period: String
        let supplementary: Bool
        let status: String
        let badge: String
        let lines: String
        let total: String
        let builtBy: String
        let approvedBy: String
    }

    struct ListModel {
        let batches: [ListRow]
        let empty: Bool
        let canBuild: Bool
        let csrf: String
        let defaultPeriod: String
        let thisMonth: String
        let nextMonth: String
    }

    struct Fact { let label: String; let value: String }
    struct AmountRow { let name: String; let detail: String; let lines: String; let sum: String }
    struct ExceptionRow { let id: Int64; let kind: String; let batch: String; let reference: String; let code: String; let amount: String }

    struct ReviewRow {
        let code: String
        let name: String
        let village: String
        let href: String
        let before: String
        let after: String
        let change: String?
        let reasons: [String]
    }

    struct ReviewSection {
        let anchor: String
        let title: String
        let count: String
        let summary: String
        let hint: String
        let empty: Bool
        let rows: [ReviewRow]
        let more: String?
        let moreHref: String?
        let moreLink: String?
        let pager: [PageLink]
        let hasPager: Bool
        let showAmounts: Bool
        let showChange: Bool
        let beforeLabel: String
        let afterLabel: String
        let showBefore: Bool
        let showAfter: Bool
    }

    struct PageLink { let label: String; let href: String }

    struct SummaryRow { let anchor: String; let title: String; let count: String; let money: String; let attention: Bool }

    struct Review {
        let hasBase: Bool
        let baseText: String
        let totals: [Fact]
        let summary: [SummaryRow]
        let sections: [ReviewSection]
    }

    struct ExportFile { let name: String; let institution: String; let lines: String; let sum: String; let ok: Bool; let status: String; let problem: String? }

    struct ExportState {
        let ok: Bool
        let headline: String
        let manifest: String
        let files: [ExportFile]
        let totalLines: String
        let totalSum: String
        let problems: [String]
        let hasProblems: Bool
        let canDownload: Bool
        let downloadHref: String
        let folder: String
    }

    struct ShowModel {
        let id: Int64
        let heading: String
        let status: String
        let badge: String
        let supplementary: Bool
        let csrf: String
        let facts: [Fact]
        let sealWarning: String?
        let groups: [AmountRow]
        let kinds: [AmountRow]
        let totalLines: String
        let totalSum: String
        let leftOutText: String?
        let holding: [ExceptionRow]
        let holdingText: String?
        let otherExceptions: String?
        let review: Review
        /// One section of the review alone (`?muc=`), without the rest of the page.
        let focused: Bool
        let next: String?
        let nextHref: String
        let nextLink: String
        // Actions.
        let showApprove: Bool
        let approveRefusal: String?
        let needsAccept: Bool
        let showCancel: Bool
        let showRebuild: Bool
        let period: String
        let showExport: Bool
        let exportLabel: String
        let export: ExportState?
        let exportMissing: String?
        let anyAction: Bool
    }

    // MARK: - The batch page

    /// The review's sections: kind, anchor (also the `?muc=` of a page of one section), titles and hints.
    static let sectionInfo: [(kind: BatchReview.Kind, anchor: String, title: String, short: String, hint: String, before: String, after: String)] = [
        (.added, "moi", "Người mới được chi", "Người mới", "Có trong bảng chi này, không có trong bảng chi trước.", "", "Tháng này"),
        (.stopped, "thoi", "Thôi, tạm dừng hoặc không còn được chi", "Không còn được chi", "Có trong bảng chi trước, không có trong bảng chi này; số tiền là số đã chi tháng trước.", "Tháng trước", ""),
        (.deceased, "mat", "Người đã mất", "Người đã mất", "Thôi chi trợ cấp từ tháng sau tháng mất; mai táng phí chi cho người lo mai táng.", "Tháng trước", "Tháng này"),
        (.amountChanged, "so-tien", "Số tiền thay đổi", "Số tiền thay đổi", "Cùng một người, tổng số tiền khác tháng trước, kèm lý do.", "Tháng trước", "Tháng này"),
        (.paymentChanged, "cach-nhan", "Đổi cách nhận tiền, tài khoản hoặc người nhận", "Đổi cách nhận tiền", "Số tài khoản chỉ hiện 4 chữ số cuối.", "", ""),
        (.leftOut, "de-ngoai", "Để ngoài bảng chi", "Để ngoài bảng chi", "Người còn được nợ nhưng chưa có cách nhận tiền dùng được; số tiền là số còn nợ.", "Tháng trước", "Còn nợ"),
    ]
    /// Rows of each section on the batch page, and on a page of one section.
    static let rowsOnPage = 50
    static let rowsOnSectionPage = 500

    static func batchModel(_ env: WebEnvironment, id: Int64, user: WebUser, folder: URL, focus: String? = nil, offset: Int = 0) throws -> ShowModel {
        let focusKind = sectionInfo.first { $0.anchor == focus }?.kind
        let db = env.db
        guard let people = try BatchReviewQueries.people(db, batchID: id) else { throw noBatch(id) }
        let banks = try env.banks()
        let report = try BatchReport.load(db, batchID: id)
        let review = try BatchReview.load(db, batchID: id, tariff: try env.tariff(), banks: banks,
                                          limit: focusKind == nil ? rowsOnPage : rowsOnSectionPage, focus: focusKind, offset: offset)
        let open = try BatchReviewQueries.openExceptions(db)
        let communes = try BatchReviewQueries.postOfficeCommunes(db, batchID: id)
        let payer = try? env.payer()
        let status = report.status
        let period = YearMonth(report.period)

        var facts = [Fact(label: "Tháng chi trả", value: (period?.vietnamese ?? report.period) + (report.supplementary ? " (bảng chi bổ sung)" : "")),
                     Fact(label: "Trạng thái", value: statusWord(status)),
                     Fact(label: "Người lập", value: "\(people.builtBy), lúc \(Show.time(report.builtAt))")]
        if report.approvedBy != nil {
            facts.append(Fact(label: "Người duyệt", value: "\(people.approvedBy ?? report.approvedBy ?? ""), lúc \(Show.time(report.approvedAt))"))
        }
        if let at = report.exportedAt {
            facts.append(Fact(label: "Xuất tệp", value: "\(people.exportedBy.map { "\($0), " } ?? "")lúc \(Show.time(at))"))
        }
        if status == .cancelled {
            facts.append(Fact(label: "Huỷ", value: "\(people.cancelledBy ?? ""), lúc \(Show.time(people.cancelledAt)) — lý do: \(report.cancelReason ?? "")"))
        }
        facts.append(Fact(label: "Tổng cộng", value: "\(Show.number(report.lineCount)) khoản, \(Show.money(report.controlSum))"))
        var sealWarning: String?
        if let seal = report.seal {
            if seal.ok { facts.append(Fact(label: "Niêm phong phê duyệt", value: "Khớp: các khoản chi đúng như người duyệt đã duyệt.")) }
            else { sealWarning = "CẢNH BÁO: các khoản chi không còn khớp với niêm phong phê duyệt (\(seal.message)). Không gửi tệp; báo quản trị viên ngay." }
        }

        let groups = report.groups.map { g -> AmountRow in
            let name: String
            if g.key.hasPrefix("BANK-") {
                let bin = String(g.key.dropFirst(5))
                name = "Ngân hàng \(banks.bank(bin)?.short ?? bin)"
            } else {
                name = "\(payer?.postOfficeName ?? "Bưu điện") \(communes[g.key] ?? String(g.key.drop(while: { $0 != "-" }).dropFirst()))"
            }
            let kinds = report.byGroupAndKind.filter { $0.group == g.key }
                .map { "\(EntitlementKind(rawValue: $0.kind)?.vietnamese ?? $0.kind) \(Show.number($0.count))" }.joined(separator: " · ")
            return AmountRow(name: name, detail: kinds, lines: Show.number(g.count), sum: Show.money(g.sum))
        }
        var byKind: [String: (Int, Int64)] = [:]
        for c in report.byGroupAndKind { let v = byKind[c.kind] ?? (0, 0); byKind[c.kind] = (v.0 + c.count, v.1 + c.sum) }
        let kinds = EntitlementKind.allCases.compactMap { k -> AmountRow? in
            guard let v = byKind[k.rawValue] else { return nil }
            return AmountRow(name: k.vietnamese, detail: "", lines: Show.number(v.0), sum: Show.money(v.1))
        }

        let holding = open.filter(\.holdsMoney)
        let held = OpenExceptions.heldTotals(open)
        let others = open.filter { !$0.holdsMoney }
        let otherText: String? = others.isEmpty ? nil : "Ngoại lệ đang mở khác (không giữ tiền): " +
            Dictionary(grouping: others, by: \.kind).map { "\($0.value.count) \(exceptionKind($0.key))" }.sorted().joined(separator: ", ") + "."
        // Actions, by role and state.
        let isMaker = people.builtByUser == user.account.id
        let draft = status == .draft
        let showApprove = draft && user.has(.checker) && !isMaker
        let approveRefusal: String? = draft && user.has(.checker) && isMaker
            ? "Bạn đã lập bảng chi này nên không được tự duyệt; một người khác có vai trò người duyệt phải duyệt." : nil
        let showCancel = user.has(.maker) && (draft || status == .approved)
        let showExport = user.has(.maker) && (status == .approved || status == .exported)

        // The export folder, verified as `chitra verify manifest.json --db` does.
        var exportState: ExportState?
        var exportMissing: String?
        if status == .approved || status == .exported {
            if let check = try ExportCheck.run(db, batchID: id, folder: folder, keys: KeyStore(directory: env.keysDirectory)) {
                exportState = exportModel(check, id: id, user: user) { code in
                    if let bank = banks.bank(code) { return "Ngân hàng \(bank.short)" }
                    return communes[code].map { "\(payer?.postOfficeName ?? "Bưu điện") \($0)" } ?? code
                }
            } else if status == .exported {
                exportMissing = "Bảng chi này đã được xuất tệp ngoài trang web (bằng lệnh chitra batch export) nên chưa có tệp ở đây để tải về. Người lập bấm \"Xuất lại\" để ghi lại đúng các tệp đó (cùng nội dung) vào thư mục của máy chủ."
            } else {
                exportMissing = "Chưa xuất tệp. Người lập bấm \"Xuất tệp\": mỗi ngân hàng, bưu điện một tệp, có chữ ký và bảng kê (manifest)."
            }
        }
        let next: String? = switch status {
        case .draft: showApprove ? "Xem các thay đổi bên dưới, rồi duyệt ở cuối trang." : "Chờ người duyệt (khác người lập) xem các thay đổi và duyệt."
        case .approved: user.has(.maker) ? "Xuất tệp chi trả ở cuối trang." : "Chờ người lập xuất tệp chi trả."
        case .exported: "Gửi tệp cho ngân hàng, bưu điện; khi có kết quả, nhập ở trang Kết quả chi trả."
        case .cancelled: nil
        }

        return ShowModel(
            id: id,
            heading: "Bảng chi số \(id) — tháng \(period?.vietnamese ?? report.period)\(report.supplementary ? " (bổ sung)" : "")",
            status: statusWord(status), badge: badge(status), supplementary: report.supplementary, csrf: user.csrfToken,
            facts: facts, sealWarning: sealWarning, groups: groups, kinds: kinds,
            totalLines: Show.number(report.lineCount), totalSum: Show.money(report.controlSum),
            leftOutText: report.excluded.isEmpty ? nil : "\(Show.number(report.excluded.count)) người còn được nợ \(Show.money(report.excludedSum)) chưa đưa vào bảng chi vì chưa có cách nhận tiền dùng được (xem mục \"Để ngoài bảng chi\" và trang Rà soát).",
            holding: holding.prefix(40).map {
                ExceptionRow(id: $0.id, kind: exceptionKind($0.kind), batch: $0.batchID.map { "số \($0)" } ?? "—",
                             reference: $0.reference ?? "—", code: $0.beneficiaryCode ?? "—", amount: $0.amount.map(Show.money) ?? "—")
            },
            holdingText: holding.isEmpty ? nil : "\(holding.count) ngoại lệ trả về đang mở giữ \(Show.number(held.count)) khoản, \(Show.money(held.sum)): kết quả chi trả của các khoản này chưa rõ nên chúng không được chi lại. Khi còn ngoại lệ giữ tiền, người duyệt phải ghi chú đã kiểm tra gì mới duyệt được.",
            otherExceptions: otherText,
            review: reviewModel(review, batchID: id), focused: focusKind != nil,
            next: next, nextHref: status == .exported ? "#tep" : "#thao-tac",
            nextLink: status == .exported ? "Đến phần tệp chi trả" : "Đến phần thao tác",
            showApprove: showApprove, approveRefusal: approveRefusal, needsAccept: !holding.isEmpty,
            showCancel: showCancel, showRebuild: draft && !report.supplementary && user.has(.maker), period: period?.vietnamese ?? report.period,
            showExport: showExport, exportLabel: status == .exported || exportState != nil ? "Xuất lại (cùng nội dung)" : "Xuất tệp",
            export: exportState, exportMissing: exportMissing,
            anyAction: showApprove || approveRefusal != nil || showCancel || showExport || (draft && user.has(.maker)))
    }

    static func exportModel(_ check: ExportCheck, id: Int64, user: WebUser, institution: (String) -> String) -> ExportState {
        let files = check.files.map { f in
            ExportFile(name: f.name, institution: institution(f.institution), lines: Show.number(f.lineCount), sum: Show.money(f.controlSum), ok: f.ok,
                       status: f.ok ? "Hợp lệ" : "Không đạt", problem: f.ok ? nil : f.findings.map(findingText).joined(separator: " "))
        }
        var problems = check.findings.filter { f in !check.files.contains { $0.name == f.fileName } }.map(findingText)
        problems += check.approvalProblems.map { "Không đúng như đã duyệt: \($0). Không gửi các tệp này." }
        let key: String = switch check.manifestSignature {
        case .valid(let k)?: "Bảng kê manifest.json: chữ ký hợp lệ (khoá \(k))."
        case nil: "Bảng kê manifest.json: không đọc được."
        case let r?: "Bảng kê manifest.json: " + signatureText(r)
        }
        return ExportState(
            ok: check.ok,
            headline: check.ok
                ? "Đã kiểm tra: bảng kê và \(check.files.count) tệp khớp chữ ký, tổng khớp, các khoản chi đúng như người duyệt đã duyệt."
                : "KHÔNG ĐẠT: thư mục xuất có vấn đề (xem bên dưới). Không gửi các tệp này.",
            manifest: key, files: files,
            totalLines: Show.number(check.manifest?.totals.lineCount ?? 0), totalSum: Show.money(check.manifest?.totals.controlSum ?? 0),
            problems: problems, hasProblems: !problems.isEmpty, canDownload: check.ok && downloadAccess.allows(user.roles), downloadHref: "/batches/\(id)/download",
            folder: check.folder.path)
    }

    static func signatureText(_ r: VerificationResult) -> String {
        switch r {
        case .valid(let k): "chữ ký hợp lệ (khoá \(k))."
        case .unknownKey(let k): "ký bằng khoá \(k) không có trong thư mục khoá."
        case .retiredKey(let k): "ký bằng khoá \(k) đã thu hồi; cần xuất lại."
        case .wrongKey(let k): "khoá \(k) ở đây khác khoá đã ký."
        case .fileChanged: "tệp đã bị sửa sau khi ký."
        case .missingSignature: "thiếu tệp chữ ký .sig."
        case .malformedSignature: "tệp chữ ký .sig hỏng."
        }
    }

    static func findingText(_ f: ManifestFinding) -> String {
        let name = f.fileName ?? ""
        switch f.kind {
        case .manifestSignature: return "Bảng kê \(name): " + (f.signature.map(signatureText) ?? "không kiểm tra được chữ ký.")
        case .malformedManifest: return "Bảng kê \(name) không đọc được."
        case .unsafeFileName: return "Bảng kê ghi một tên tệp không hợp lệ (có thể là đường dẫn ra ngoài thư mục): không dùng bảng kê này."
        case .totalsDiffer: return "Tổng trong bảng kê khác tổng các tệp."
        case .missingFile: return "Thiếu tệp \(name)."
        case .changedFile: return "Tệp \(name) khác với bảng kê (đã bị sửa)."
        case .fileSignature: return "Tệp \(name): " + (f.signature.map(signatureText) ?? "không kiểm tra được chữ ký.")
        case .unlistedFile: return "Thư mục có thêm \(name) không nằm trong bảng kê; chuyển nó ra ngoài."
        case .leftoverTemporary: return "Còn tệp tạm \(name) của lần xuất bị gián đoạn; bấm Xuất lại để xoá."
        }
    }

    static func exceptionKind(_ kind: ReturnExceptionKind) -> String {
        switch kind {
        case .conflictingOutcome: "kết quả mâu thuẫn"
        case .amountDiffers: "số tiền khác"
        case .accountDiffers: "tài khoản khác"
        case .duplicateReturn: "kết quả trùng"
        case .unknownReference: "mã tham chiếu lạ"
        case .malformed: "dòng không đọc được"
        case .totalsDiffer: "tổng không khớp"
        case .cancelledBatch: "bảng chi đã huỷ"
        case .notExported: "khoản chưa xuất"
        }
    }

    // MARK: - The review

    static func reviewModel(_ r: BatchReview, batchID: Int64) -> Review {
        let info = r.focus.map { f in sectionInfo.filter { $0.kind == f } } ?? sectionInfo
        guard let base = r.base else {
            let left = sectionInfo.last!
            return Review(hasBase: false, baseText: "Chưa có bảng chi thường kỳ nào của tháng trước để so sánh: đây là bảng chi đầu tiên. Người duyệt kiểm tra tổng theo nơi chi trả và danh sách người để ngoài.",
                          totals: [], summary: [],
                          sections: r.focus == nil || r.focus == .leftOut
                            ? [section(r.leftOut, r, batchID: batchID, anchor: left.anchor, title: left.title, hint: left.hint, before: "", after: left.after, amounts: true)] : [])
        }
        let what = r.current.supplementary
            ? "bảng chi thường kỳ số \(base.id) của cùng tháng \(base.period.vietnamese)"
            : "bảng chi số \(base.id) tháng \(base.period.vietnamese) (\(statusWord(base.status).lowercased()))"
        let diff = r.current.controlSum - base.controlSum
        let totals = [
            Fact(label: "Số khoản", value: "\(Show.number(base.lineCount)) → \(Show.number(r.current.lineCount))"),
            Fact(label: "Tổng tiền", value: "\(Show.money(base.controlSum)) → \(Show.money(r.current.controlSum)) (\(diff >= 0 ? "tăng" : "giảm") \(Show.money(abs(diff))))"),
        ]
        let summary = sectionInfo.map { i -> SummaryRow in
            let s = r[keyPath: i.kind.publicPath]
            let net = s.sumAfter - s.sumBefore
            let money: String = switch i.kind {
            case .added: "+" + Show.money(s.sumAfter)
            case .stopped: "−" + Show.money(s.sumBefore)
            case .leftOut: "còn nợ " + Show.money(s.sumAfter)
            case .paymentChanged: ""
            default: (net >= 0 ? "+" : "−") + Show.money(abs(net))
            }
            return SummaryRow(anchor: r.focus == nil ? "#\(i.anchor)" : "/batches/\(batchID)?muc=\(i.anchor)#\(i.anchor)",
                              title: i.short, count: Show.number(s.count), money: s.count == 0 ? "" : money,
                              attention: s.count > 0 && (i.kind == .deceased || i.kind == .paymentChanged || i.kind == .leftOut))
        }
        var text = "So với \(what)."
        if r.newlyLeftOut > 0 { text += " \(Show.number(r.newlyLeftOut)) người được chi tháng trước nay bị để ngoài." }
        let sections = info.map { i in
            section(r[keyPath: i.kind.publicPath], r, batchID: batchID, anchor: i.anchor, title: i.title, hint: i.hint,
                    before: i.before, after: i.after, amounts: i.kind != .paymentChanged)
        }
        return Review(hasBase: true, baseText: text, totals: totals, summary: summary, sections: sections)
    }

    static func section(_ s: BatchReview.Section, _ r: BatchReview, batchID: Int64, anchor: String, title: String, hint: String,
                        before: String, after: String, amounts: Bool) -> ReviewSection {
        let rows = s.rows.map { row in
            ReviewRow(code: row.code, name: row.name, village: row.village,
                      href: "/person/" + (row.code.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? row.code),
                      before: row.before == 0 ? "—" : Show.money(row.before), after: row.after == 0 ? "—" : Show.money(row.after),
                      change: row.change, reasons: row.reasons)
        }
        let here = "/batches/\(batchID)?muc=\(anchor)"
        var more: String?, moreHref: String?, moreLink: String?
        var pager: [PageLink] = []
        if r.focus == nil {
            if s.more > 0 {
                more = "Trang này hiện \(Show.number(s.rows.count)) người đầu tiên (theo thôn, mã); còn \(Show.number(s.more)) người nữa."
                moreHref = here + "#\(anchor)"
                moreLink = "Xem cả mục (\(Show.number(s.count)) người)"
            }
        } else if s.count > 0 {
            let from = r.offset + 1, to = r.offset + s.rows.count
            more = "Người \(Show.number(from))–\(Show.number(max(to, from))) trong \(Show.number(s.count)) (theo thôn, mã)."
            if r.offset > 0 { pager.append(PageLink(label: "← Trang trước", href: "\(here)&tu=\(max(r.offset - r.limit, 0))#\(anchor)")) }
            if r.offset + r.limit < s.count { pager.append(PageLink(label: "Trang sau →", href: "\(here)&tu=\(r.offset + r.limit)#\(anchor)")) }
        }
        return ReviewSection(
            anchor: anchor, title: title, count: Show.number(s.count),
            summary: s.count == 0 ? "Không có." : "\(Show.number(s.count)) người.",
            hint: hint, empty: s.count == 0, rows: rows,
            more: more, moreHref: moreHref, moreLink: moreLink, pager: pager, hasPager: !pager.isEmpty,
            showAmounts: amounts, showChange: !amounts, beforeLabel: before, afterLabel: after,
            showBefore: amounts && !before.isEmpty, showAfter: amounts && !after.isEmpty)
    }
}

extension BatchReview.Kind {
    var publicPath: KeyPath<BatchReview, BatchReview.Section> {
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
