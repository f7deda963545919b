import ChiTraCore
import ChiTraStore
import Foundation
import Hummingbird

/// "Nhật ký": the tamper-evident audit log — whether its chain (and the seals of approvals, people
/// and accounts) is intact, the latest entries, and the trail of one batch or one person, as
/// `chitra audit verify` and `chitra audit show` give them.
enum AuditPages {
    static func register(_ routes: inout WebRoutes) {
        let env = routes.env

        routes.page("/audit", WebRoutes.auditAccess) { request, _, user in
            let q = request.uri.queryParameters
            // The look-up form (GET): to the trail's own address.
            if let batch = q["batch"].map(String.init)?.trimmingCharacters(in: .whitespaces), !batch.isEmpty {
                guard let id = Int64(batch.hasPrefix("#") ? String(batch.dropFirst()) : batch), id > 0 else {
                    let model = try await Offload.run { try overview(env, full: false, problem: "Số bảng chi \"\(batch)\" không hợp lệ: nhập một số, ví dụ 1.") }
                    return Pages.page("audit-index", model, title: "Nhật ký", user: user, path: "/audit", status: .badRequest)
                }
                return Pages.redirect("/audit/batch/\(id)")
            }
            if let code = q["code"].map(String.init)?.trimmingCharacters(in: .whitespaces), !code.isEmpty {
                let encoded = code.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-_."))) ?? code
                return Pages.redirect("/audit/person/\(encoded)")
            }
            let full = q["full"] == "1"
            let model = try await Offload.run { try overview(env, full: full, problem: nil) }
            return Pages.page("audit-index", model, title: "Nhật ký", user: user, path: "/audit")
        }

        routes.page("/audit/batch/:id", WebRoutes.auditAccess) { _, context, user in
            guard let id = context.parameters.get("id", as: Int64.self) else { throw WebError.notFound("bảng chi này (số bảng chi phải là một số)") }
            let model = try await Offload.run { () throws -> TrailModel in
                guard try AuditQueries.batchExists(env.db, id: id) else { throw WebError.notFound("bảng chi số \(id)") }
                let lines = try AuditQueries.batchTrail(env.db, batchID: id)
                return TrailModel(heading: "Nhật ký của bảng chi số \(id)",
                                  intro: "Các thao tác trên bảng chi này (lập, duyệt, xuất tệp, huỷ) và các tệp kết quả chi trả đã nhập cho nó, cũ nhất trước.",
                                  rows: lines.map(row), empty: lines.isEmpty, links: [Link(label: "Đối chiếu bảng chi số \(id)", href: "/returns/reconcile/\(id)")])
            }
            return Pages.page("audit-trail", model, title: "Nhật ký bảng chi số \(id)", user: user, path: "/audit")
        }

        routes.page("/audit/person/:code", WebRoutes.auditAccess) { _, context, user in
            let code = context.parameters.get("code") ?? ""
            let model = try await Offload.run { () throws -> TrailModel in
                guard !code.isEmpty, try AuditQueries.beneficiaryExists(env.db, code: code) else {
                    throw WebError.notFound("đối tượng có mã \"\(code)\" (kiểm tra lại mã trên danh sách)")
                }
                let lines = try AuditQueries.personTrail(env.db, code: code)
                return TrailModel(heading: "Nhật ký của đối tượng \(code)",
                                  intro: "Các thao tác về người này (cập nhật tài khoản, người nhận thay, theo dõi, xem dữ liệu cá nhân), cũ nhất trước.",
                                  rows: lines.map(row), empty: lines.isEmpty, links: [Link(label: "Hồ sơ đối tượng \(code)", href: "/person/\(code)")])
            }
            return Pages.page("audit-trail", model, title: "Nhật ký đối tượng \(code)", user: user, path: "/audit")
        }
    }

    // MARK: - Models

    struct Row {
        let id: Int64; let time: String; let account: String; let role: String; let action: String; let subject: String
        let detail: String
        /// A long detail: its beginning, the whole of it under a disclosure.
        let long: Bool
        let short: String
    }
    struct Link { let label: String; let href: String }
    struct TrailModel {
        let heading: String
        let intro: String
        let rows: [Row]
        let empty: Bool
        let links: [Link]
    }
    struct Overview {
        let intact: Bool
        let verdict: String
        let problems: [String]
        let entries: String
        /// The whole check ran (approvals, people, accounts), not only the chain.
        let full: Bool
        let rows: [Row]
        let problem: String?
    }

    static let recentCount = 50

    /// The audit chain is checked on every view (its entries are few); the whole check — every
    /// approved batch, every person's payment details, every account against its seal — reads
    /// the whole roll, so it runs when asked for (`?full=1`, seconds at 100,000 people).
    static func overview(_ env: WebEnvironment, full: Bool, problem: String?) throws -> Overview {
        let lines = try AuditQueries.recent(env.db, limit: recentCount)
        var problems: [String] = []
        var entries = 0
        var checkFailed = false
        do {
            if full {
                let report = try env.db.verifyIntegrity()
                entries = report.chain.entries
                if !report.chain.ok { problems.append(chainProblem(report.chain)) }
                for f in report.approvals {
                    problems.append("Bảng chi số \(f.batchID) đã bị sửa sau khi duyệt" + (f.changedLineCount > 0 ? " (\(Show.number(f.changedLineCount)) dòng bị sửa)" : "")
                                    + ": không được chi theo bảng này. Chi tiết kỹ thuật: \(Mask.personal(f.message)).")
                }
                let people = report.paymentDetailsChangedOutsideChiTra
                if !people.isEmpty {
                    problems.append("Thông tin quyết định ai được chi và chi bao nhiêu (tài khoản, ngày sinh, trạng thái, ngày mất, quyết định hưởng) của \(people.count >= 50 ? "50 người trở lên" : "\(people.count) người") đã bị sửa ngoài ChiTra: \(people.prefix(20).joined(separator: ", ")).")
                }
                if !report.accountsChangedOutsideChiTra.isEmpty {
                    problems.append("Tài khoản người dùng bị sửa ngoài ChiTra (vai trò, mật khẩu hoặc trạng thái): \(report.accountsChangedOutsideChiTra.joined(separator: ", ")).")
                }
                if !report.funeralClaimsChangedOutsideChiTra.isEmpty {
                    problems.append("Hồ sơ mai táng bị sửa ngoài ChiTra (người tổ chức mai táng, tài khoản hoặc số tiền): \(report.funeralClaimsChangedOutsideChiTra.map { "số \($0)" }.joined(separator: ", ")).")
                }
                let outcomes = report.outcomesChangedOutsideChiTraCount
                if outcomes > 0 {
                    problems.append("Kết quả chi của \(Show.number(outcomes)) khoản không thành hoặc đã huỷ bị sửa ngoài ChiTra (một khoản đã chi bị sửa thành không thành sẽ bị chi lần nữa): "
                                    + Mask.personal(report.outcomesChangedOutsideChiTra.prefix(20).joined(separator: ", ")) + (outcomes > 20 ? ", …" : "") + ".")
                }
            } else {
                let chain = try env.db.verifyAuditChain()
                entries = chain.entries
                if !chain.ok { problems.append(chainProblem(chain)) }
            }
        } catch {
            checkFailed = true
            problems.append("Không kiểm tra được: \(WebError.from(error).message)")
        }
        let intact = problems.isEmpty
        let verdict: String
        if checkFailed { verdict = "CHƯA KIỂM TRA ĐƯỢC TÍNH TOÀN VẸN — báo quản trị hệ thống:" }
        else if !intact { verdict = "PHÁT HIỆN DỮ LIỆU BỊ SỬA NGOÀI CHITRA — dừng chi trả và báo quản trị hệ thống:" }
        else if full { verdict = "Chuỗi nhật ký toàn vẹn: \(Show.number(entries)) mục, không mục nào bị sửa, xoá hay đảo thứ tự; mọi bảng chi đã duyệt khớp với dấu niêm phong khi duyệt; thông tin chi trả của mọi đối tượng, mọi tài khoản người dùng, mọi hồ sơ mai táng và kết quả của mọi khoản chi không thành hoặc đã huỷ khớp với dấu niêm phong." }
        else { verdict = "Chuỗi nhật ký toàn vẹn: \(Show.number(entries)) mục, không mục nào bị sửa, xoá hay đảo thứ tự." }
        return Overview(intact: intact, verdict: verdict, problems: problems, entries: Show.number(entries), full: full,
                        rows: lines.map(row), problem: problem)
    }

    static func chainProblem(_ c: AuditLog.ChainReport) -> String {
        let at = c.entryID.map { "mục số \($0)" } ?? "chuỗi"
        let what: String
        switch c.problem {
        case .changed?: what = "\(at) đã bị sửa sau khi ghi"
        case .removed?: what = "có mục bị xoá (phát hiện tại \(at))"
        case .reordered?: what = "\(at) bị đảo thứ tự"
        case .unsealed?: what = "\(at) được thêm vào ngoài ChiTra (không có dấu niêm phong)"
        case .headRemoved?: what = "các mục mới nhất đã bị xoá (mốc đầu chuỗi lưu ngoài kho không còn trong kho)"
        case .unanchored?: what = "thiếu mốc đầu chuỗi lưu ngoài kho, hoặc mốc đó thuộc một kho khác"
        case nil: what = "không rõ"
        }
        return "Chuỗi nhật ký KHÔNG toàn vẹn: \(what). Chi tiết kỹ thuật: \(c.message)."
    }

    static func row(_ l: AuditQueries.Line) -> Row {
        let e = l.entry
        let role = (e.role ?? "").isEmpty ? "—" : (Role(rawValue: e.role!)?.vietnamese ?? e.role!)
        let (detail, short) = AuditDetail.parts(Mask.personal(e.detail))
        let long = detail != short || detail.count > 240
        return Row(id: e.id, time: Show.time(e.at), account: l.account, role: role, action: actionName(e.action),
                   subject: subject(e.entity, e.entityID), detail: detail, long: long,
                   short: short.count > 200 ? String(short.prefix(180)) + "…" : short)
    }

    static func actionName(_ action: String) -> String {
        switch action {
        case "batch.build": "lập bảng chi"
        case "batch.rebuild": "lập lại bảng chi"
        case "batch.approve": "duyệt"
        case "batch.export": "xuất tệp"
        case "batch.reexport": "xuất lại tệp"
        case "batch.cancel": "huỷ bảng chi"
        case "roll.import": "nhập danh sách đối tượng"
        case "returns.import": "nhập tệp kết quả chi trả"
        case "exception.resolve": "xử lý ngoại lệ đối chiếu"
        case "beneficiary.set-account": "cập nhật tài khoản nhận tiền"
        case "beneficiary.set-proxy": "cập nhật người nhận thay"
        case "gaps.record": "ghi nhận theo dõi, thăm hộ"
        case "personal-data.show": "xem dữ liệu cá nhân"
        case "user.add": "thêm tài khoản"
        case "user.disable": "vô hiệu hoá tài khoản"
        case "user.enable": "mở lại tài khoản"
        case "user.locked": "khoá tài khoản (sai mật khẩu nhiều lần)"
        case "user.unlock": "mở khoá tài khoản"
        case "user.passwd": "đổi mật khẩu"
        case "session.open": "đăng nhập"
        case "session.close": "đăng xuất"
        case "keys.create": "tạo khoá ký"
        case "keys.rotate": "thay khoá ký"
        case "keys.retire": "thôi dùng khoá ký"
        case "store.backup": "sao lưu"
        case "store.restore": "khôi phục từ bản sao lưu"
        default: action
        }
    }

    static func subject(_ entity: String, _ id: String) -> String {
        switch entity {
        case "batch": "bảng chi số \(id)"
        case "import_file": "tệp nhập số \(id)"
        case "beneficiary": "đối tượng \(id)"
        case "app_user": "tài khoản số \(id)"
        case "return_exception": "ngoại lệ số \(id)"
        case "key": "khoá \(id)"
        case "store": "kho dữ liệu"
        default: id.isEmpty ? entity : "\(entity) \(id)"
        }
    }
}

/// An audit detail (`key=value` pairs, as the use cases write them) as a person reads it: the
/// known keys named in Vietnamese, amounts and months formatted; unknown keys kept as written.
/// `note=` and `reason=` are free text to the end of the detail.
enum AuditDetail {
    static let labels: [String: String] = [
        "period": "tháng", "lines": "số dòng", "sum": "tổng tiền", "excluded": "số người không đưa vào", "digest": "mã băm đầu vào",
        "supplementary": "bổ sung", "as_of": "lập vào tháng", "held": "tạm giữ (số khoản:số tiền)", "reason": "lý do",
        "built_by": "người lập", "built_by_user": "tài khoản người lập", "seal": "dấu niêm phong", "accepted_open_exceptions": "chấp nhận các ngoại lệ",
        "note": "ghi chú", "dir": "thư mục", "key": "khoá ký", "files": "các tệp", "format": "định dạng", "sha256": "mã băm SHA-256",
        "signature": "chữ ký", "paid": "đã chi", "failed": "không chi được", "pending": "đang xử lý", "exceptions": "ngoại lệ",
        "kind": "loại", "resolution": "cách xử lý", "fields": "các trường", "cleared_flag": "bỏ cờ", "status": "trạng thái", "event": "lần ghi",
        "login": "tên đăng nhập", "roles": "vai trò", "failed-logins": "số lần sai mật khẩu", "until": "đến", "to": "tới tệp", "from": "từ tệp",
        "replaced-store-kept-as": "kho cũ giữ lại ở", "was": "trạng thái trước", "kcv": "mã kiểm tra khoá", "previous": "khoá trước",
    ]
    static let freeText: Set<String> = ["note", "reason"]

    /// Digests and seals: shown only when the whole detail is opened.
    static let technical: Set<String> = ["digest", "sha256", "seal", "built_by_user", "kcv"]

    /// The detail as a person reads it.
    static func readable(_ raw: String) -> String { parts(raw).full }

    /// The detail in full, and a short form without digests and with the file list counted
    /// (the same when nothing was left out).
    static func parts(_ raw: String) -> (full: String, short: String) {
        if raw == "web" { return ("trên trang web", "trên trang web") }
        guard let re = try? NSRegularExpression(pattern: #"(?:^|\s)([a-z][a-z0-9_-]*)="#) else { return (raw, raw) }
        let ns = raw as NSString
        var keys: [(key: String, start: Int, valueStart: Int)] = []
        for m in re.matches(in: raw, range: NSRange(location: 0, length: ns.length)) {
            let key = ns.substring(with: m.range(at: 1))
            keys.append((key, m.range.location, m.range.location + m.range.length))
            if freeText.contains(key) { break }
        }
        guard !keys.isEmpty else { return (raw, raw) }
        var full: [String] = [], short: [String] = []
        let lead = ns.substring(to: keys[0].start).trimmingCharacters(in: .whitespaces)
        if !lead.isEmpty { full.append(lead); short.append(lead) }
        for (i, k) in keys.enumerated() {
            let end = i + 1 < keys.count ? keys[i + 1].start : ns.length
            let value = ns.substring(with: NSRange(location: k.valueStart, length: end - k.valueStart)).trimmingCharacters(in: .whitespaces)
            guard let label = labels[k.key] else { full.append("\(k.key)=\(value)"); short.append("\(k.key)=\(value)"); continue }
            full.append("\(label): \(shown(k.key, value))")
            if k.key == "files" { short.append("số tệp: \(value.split(separator: ",").count)") }
            else if !technical.contains(k.key) { short.append("\(label): \(shown(k.key, value))") }
        }
        return (full.joined(separator: "; "), short.joined(separator: "; "))
    }

    static func shown(_ key: String, _ value: String) -> String {
        switch key {
        case "sum": return Int64(value).map(Show.money) ?? value
        case "period", "as_of": return YearMonth(value)?.vietnamese ?? value
        case "signature": return value.hasPrefix("valid") ? "hợp lệ" : value == "absent" ? "không có" : value
        case "resolution": return value == "dismiss" ? "bỏ qua" : value == "apply" ? "áp dụng kết quả của ngân hàng" : value
        case "kind": return ReturnExceptionKind(rawValue: value).map(ReturnsPages.exceptionKindName) ?? value
        case "supplementary": return value == "1" ? "có" : value
        case "roles": return value.split(separator: ",").map { Role(rawValue: String($0))?.vietnamese ?? String($0) }.joined(separator: ", ")
        case "files": return value.split(separator: ",").joined(separator: ", ")
        default: return value
        }
    }
}

/// Masks what looks like a personal ID or an account number in free text (audit details, notes,
/// exception details): a run of 8 or more digits standing on its own (not inside a hexadecimal
/// digest or a reference such as CT202612-000001). A 9- or 12-digit run is shown as a personal
/// ID (`079******123`), any other as an account (`*********1234`). Amounts written after `sum=`
/// or `amount=` stay as they are.
enum Mask {
    static func personal(_ text: String) -> String {
        let chars = Array(text.unicodeScalars)
        var out = String.UnicodeScalarView()
        var i = 0
        func isAlnum(_ c: Unicode.Scalar) -> Bool { CharacterSet.alphanumerics.contains(c) }
        func isDigit(_ c: Unicode.Scalar) -> Bool { c.value >= 48 && c.value <= 57 }
        while i < chars.count {
            guard isDigit(chars[i]) else { out.append(chars[i]); i += 1; continue }
            var j = i
            while j < chars.count && isDigit(chars[j]) { j += 1 }
            let run = String(String.UnicodeScalarView(chars[i..<j]))
            let standsAlone = (i == 0 || !isAlnum(chars[i - 1])) && (j == chars.count || !isAlnum(chars[j]))
            let before = String(String.UnicodeScalarView(chars[max(0, i - 12)..<i])).lowercased()
            let amount = ["sum=", "amount=", "total="].contains { before.hasSuffix($0) }
            if run.count >= 8 && standsAlone && !amount {
                let masked = run.count == 9 || run.count == 12 ? PersonalID.masked(run) : maskAccount(run)
                out.append(contentsOf: masked.unicodeScalars)
            } else {
                out.append(contentsOf: run.unicodeScalars)
            }
            i = j
        }
        return String(out)
    }
}
