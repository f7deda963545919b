import ChiTraCore
import ChiTraRoll
import ChiTraStore
import Foundation
import Hummingbird

/// "Danh sách": uploading the roll export (as `chitra roll import` does), the history of roll
/// imports, and each upload's result — the summary, the rejected lines with the reason for each,
/// the rejects file to download, changed accounts and the flags (old CMND, one personal ID under
/// several codes, one person in several categories).
enum RollPages {
    /// What the roll file was read as, in Vietnamese (the web speaks Vietnamese).
    static func inputText(_ s: RollImportSummary) -> String {
        if s.inputFormat == "xlsx" { return Message("roll.summary.input_xlsx", ["sheet": .text(s.sheet ?? "")]).text(in: .vi) }
        let sep = s.separator == "tab" ? "tab" : "\"\(s.separator ?? ",")\""
        if s.encoding == "single_byte" { return Message("roll.summary.input_single_byte", ["separator": .text(sep)]).text(in: .vi) }
        let encoding = ["utf16le": "UTF-16 LE", "utf16be": "UTF-16 BE"][s.encoding ?? ""] ?? "UTF-8"
        return Message("roll.summary.input_csv", ["encoding": .text(encoding), "separator": .text(sep)]).text(in: .vi)
    }

    static func register(_ routes: inout WebRoutes) {
        let env = routes.env
        routes.page("/roll", WebRoutes.rollAccess) { request, _, user in
            let model = try await Offload.run { try index(env, user: user) }
            return Pages.page("roll-index", model, title: "Danh sách đối tượng", user: user, path: "/roll")
        }
        routes.upload("/roll/upload", .roles([.maker])) { _, _, user, form in
            try await upload(env, user: user, form: form)
        }
        routes.page("/roll/imports/:id", WebRoutes.rollAccess) { request, context, user in
            let id = try number(context.parameters.get("id"))
            let query = FormFields.parse(request.uri.query ?? "")
            let model = try await Offload.run { () -> ResultModel in
                guard let imp = try RollPageQueries.importFile(env.db, id: id) else { throw WebError.notFound("lần nhập danh sách số \(id)") }
                let result = try RollPageQueries.result(env.db, fileID: id)
                return try resultModel(env, importRow: imp, result: result)
            }
            let notice: String? = switch query["ok"] {
            case "imported": "Đã nhập tệp \(model.name)."
            case "already": "Tệp này đã nhập trước đây (lần nhập số \(id), \(model.at)); không có gì thay đổi."
            default: nil
            }
            return Pages.page("roll-import", model, title: "Kết quả nhập danh sách", user: user, path: "/roll", notice: notice)
        }
        routes.page("/roll/uploads/:id", WebRoutes.rollAccess) { request, context, user in
            let id = try number(context.parameters.get("id"))
            let model = try await Offload.run { () -> ResultModel in
                guard let r = try RollPageQueries.result(env.db, id: id) else { throw WebError.notFound("lần tải lên số \(id)") }
                let imp = try r.fileID.flatMap { try RollPageQueries.importFile(env.db, id: $0) }
                return try resultModel(env, importRow: imp, result: r)
            }
            return Pages.page("roll-import", model, title: "Kết quả nhập danh sách", user: user, path: "/roll")
        }
        routes.page("/roll/imports/:id/rejects", WebRoutes.rollAccess) { _, context, user in
            let id = try number(context.parameters.get("id"))
            let result = try await Offload.run { try RollPageQueries.result(env.db, fileID: id) }
            return try await rejectsDownload(env, result, user: user)
        }
        routes.page("/roll/uploads/:id/rejects", WebRoutes.rollAccess) { _, context, user in
            let id = try number(context.parameters.get("id"))
            let result = try await Offload.run { try RollPageQueries.result(env.db, id: id) }
            return try await rejectsDownload(env, result, user: user)
        }
    }

    static func number(_ s: String?) throws -> Int64 {
        guard let s, let n = Int64(s), n > 0 else { throw WebError.notFound("trang này") }
        return n
    }

    // MARK: - The roll page: upload form and history

    struct ImportItem {
        let href: String; let name: String; let at: String; let by: String
        let total: String; let applied: String; let unchanged: String; let rejected: String
        let hasRejected: Bool; let viaWeb: Bool
    }
    struct RefusedItem { let href: String; let name: String; let at: String; let by: String; let outcome: String; let rejected: String }
    struct IndexModel {
        let csrf: String
        let canUpload: Bool
        let limit: String
        let imports: [ImportItem]
        let refused: [RefusedItem]
        let hasImports: Bool
        let hasRefused: Bool
    }

    static func index(_ env: WebEnvironment, user: WebUser) throws -> IndexModel {
        let imports = try RollPageQueries.imports(env.db).map { i in
            ImportItem(href: "/roll/imports/\(i.id)", name: i.name, at: Show.time(i.importedAt), by: i.importedBy,
                       total: Show.number(i.rowsTotal), applied: Show.number(i.rowsApplied), unchanged: Show.number(i.rowsUnchanged),
                       rejected: Show.number(i.rowsRejected), hasRejected: i.rowsRejected > 0, viaWeb: i.resultID != nil)
        }
        let refused = try RollPageQueries.refusedUploads(env.db).map { r in
            let s = decode(r.summaryJSON)
            return RefusedItem(href: "/roll/uploads/\(r.id)", name: r.name, at: Show.time(r.uploadedAt), by: r.uploadedBy,
                               outcome: outcomeShort(r.outcome), rejected: s.map { "\(Show.number($0.rejected))/\(Show.number($0.lines))" } ?? "")
        }
        return IndexModel(csrf: user.csrfToken, canUpload: user.has(.maker), limit: megabytes(env.uploadLimit),
                          imports: imports, refused: refused, hasImports: !imports.isEmpty, hasRefused: !refused.isEmpty)
    }

    static func megabytes(_ bytes: Int) -> String {
        bytes >= 1024 * 1024 ? "\(bytes / (1024 * 1024)) MB" : "\(max(1, bytes / 1024)) KB"
    }

    static func outcomeShort(_ outcome: RollUploadOutcome) -> String {
        switch outcome {
        case .strictRefused: "Strict: không áp dụng vì có dòng bị từ chối"
        case .nothingApplied: "Không dòng nào áp dụng được"
        case .fileRefused: "Cả tệp bị từ chối (ngày kiểu tháng/ngày)"
        case .applied: "Đã áp dụng"
        }
    }

    // MARK: - Upload

    static func upload(_ env: WebEnvironment, user: WebUser, form: UploadedForm) async throws -> Response {
        guard let file = form.files(named: "file").first else {
            throw WebError.badRequest("Chưa chọn tệp danh sách, hoặc tệp rỗng. Chọn tệp CSV xuất từ phần mềm quản lý đối tượng rồi bấm “Nhập danh sách”.")
        }
        let strict = form.fields["strict"].map { !$0.isEmpty } ?? false
        let actor = try user.acting(as: .maker)
        // The upload folder is removed after this handler: the file is copied to a kept folder
        // under its own name, so the importer records that name and writes NAME.rejects.csv beside it.
        let name = file.filename.isEmpty ? "danh-sach.csv" : file.filename
        let folderName = "roll-imports/" + folderStamp()
        let folder = env.workDirectory.appendingPathComponent(folderName)
        let dest = folder.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        do {
            try FileManager.default.copyItem(at: file.url, to: dest)
        } catch {
            try? FileManager.default.removeItem(at: folder)
            throw WebError(.internalServerError, "Không lưu được tệp tải lên trên máy chủ; chưa có gì được nhập. Báo quản trị viên kiểm tra chỗ trống trên đĩa.")
        }

        enum Outcome: Sendable { case applied(Int64), already(Int64), kept(Int64) }
        let outcome: Outcome
        do {
            outcome = try await Offload.run { () throws -> Outcome in
                try RollFilePreflight.check(dest)
                var importer = RollImporter(db: env.db, validator: RollValidator(tariff: try env.tariff(), banks: try env.banks()), actor: actor)
                importer.legacyText = try LegacyTextDetector.load(formats: env.formatsDirectory)
                importer.strict = strict
                var summary: RollImportSummary
                var kind: RollUploadOutcome
                do {
                    summary = try importer.importFile(dest)
                    kind = summary.nothingApplied ? .nothingApplied : .applied
                } catch let e as StrictImportRefused {
                    summary = e.summary; kind = .strictRefused
                } catch let e as RollFileRefused {
                    summary = e.summary; kind = .fileRefused
                    let p = e.problem
                    summary.rejections = [.init(line: p.line, code: "", column: p.column?.rawValue, value: p.shownValue, message: p.message)]
                }
                if summary.alreadyImported, let previous = summary.fileID {
                    try? FileManager.default.removeItem(at: folder)   // the first upload's copy is the one kept
                    return .already(previous)
                }
                let fileID = kind == .applied ? summary.fileID : nil
                let rejects = summary.rejectsFile.map { URL(fileURLWithPath: $0).lastPathComponent }
                let json = String(decoding: try JSONEncoder().encode(summary), as: UTF8.self)
                let id = try RollPageQueries.record(env.db, .init(fileID: fileID, name: name, sha256: summary.sha256, strict: strict,
                                                                  outcome: kind, summaryJSON: json, folder: folderName, rejectsName: rejects),
                                                    by: actor)
                return fileID.map { .applied($0) } ?? .kept(id)
            }
        } catch let e as RollFilePreflight.Refused {
            try? FileManager.default.removeItem(at: folder)
            throw WebError.badRequest("Tệp \(name) không nhập được, chưa có gì thay đổi: \(e.description).")
        } catch let e as RollHeader.Problem {
            try? FileManager.default.removeItem(at: folder)
            throw WebError.badRequest("Dòng tiêu đề của tệp \(name) không đúng mẫu danh sách đối tượng, nên chưa có gì được nhập. "
                + "Kiểm tra đây có đúng là tệp xuất danh sách, với tiêu đề cột như “Mã đối tượng”, “Họ và tên”… (formats/roll-csv.md). Chi tiết: \(e.description)")
        } catch {
            try? FileManager.default.removeItem(at: folder)
            throw error
        }
        switch outcome {
        case .applied(let fileID): return Pages.redirect("/roll/imports/\(fileID)?ok=imported")
        case .already(let fileID): return Pages.redirect("/roll/imports/\(fileID)?ok=already")
        case .kept(let id): return Pages.redirect("/roll/uploads/\(id)")
        }
    }

    /// `20261128-160501-3fa2c1`: when, and a random part so two uploads in one second differ.
    static func folderStamp() -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(secondsFromGMT: 7 * 3600)
        f.dateFormat = "yyyyMMdd-HHmmss"
        return f.string(from: Date()) + "-" + String(UUID().uuidString.prefix(6)).lowercased()
    }

    static func decode(_ json: String) -> RollImportSummary? {
        try? JSONDecoder().decode(RollImportSummary.self, from: Data(json.utf8))
    }

    // MARK: - The result of one import

    struct Count { let label: String; let value: String; let strong: Bool }
    struct RejectionItem { let line: String; let code: String; let column: String; let value: String; let reason: String; let original: String? }
    struct AccountItem { let code: String; let href: String; let before: String; let after: String }
    struct DuplicateItem { let id: String; let codes: [CodeLink] }
    struct MultipleItem { let id: String; let codes: [CodeLink]; let categories: String }
    struct CodeLink { let code: String; let href: String }
    struct ResultModel {
        let name: String
        let at: String
        let by: String
        let mode: String
        let sha: String?
        /// What the file was read as (.xlsx and its sheet, or the CSV's encoding and separator).
        let shape: String?
        /// The columns converted from an old Vietnamese encoding.
        let conversions: String?
        let status: String
        let statusWarn: Bool
        let counts: [Count]
        let hasCounts: Bool
        let cliNote: Bool
        let rejections: [RejectionItem]
        let hasRejections: Bool
        let rejectionsMore: String?
        let rejectsHref: String?
        let accountChanges: [AccountItem]
        let accountMore: String?
        let hasAccountChanges: Bool
        let legacy: String?
        let legacyCodes: [CodeLink]
        let legacyMore: String?
        let duplicatesOpen: Bool
        let multiplesOpen: Bool
        let duplicatesCount: String
        let multiplesCount: String
        let listMore: String?
        let duplicates: [DuplicateItem]
        let hasDuplicates: Bool
        let multiples: [MultipleItem]
        let hasMultiples: Bool
        /// Grants no month of their range can pay, or may pay wrongly (issue 15: warnings, never rejections).
        let warnings: [WarningItem]
        let hasWarnings: Bool
        let warningsCount: String
        let warningsMore: String?
        let hasFlags: Bool
    }
    struct WarningItem { let line: Int; let code: CodeLink; let category: String; let text: String }

    static func resultModel(_ env: WebEnvironment, importRow imp: RollPageQueries.Import?, result: RollPageQueries.Result?) throws -> ResultModel {
        let s = result.flatMap { decode($0.summaryJSON) }
        let outcome = result?.outcome ?? .applied
        let tariff = try env.tariff()
        func n(_ v: Int) -> String { Show.number(v) }

        let lines = s?.lines ?? imp?.rowsTotal ?? 0
        let applied = s?.applied ?? imp?.rowsApplied ?? 0
        let unchanged = s?.unchanged ?? imp?.rowsUnchanged ?? 0
        let rejected = s?.rejected ?? imp?.rowsRejected ?? 0
        var counts = [Count(label: "Số dòng trong tệp", value: n(lines), strong: true),
                      Count(label: "Dòng được áp dụng", value: n(outcome == .applied ? applied : 0), strong: true)]
        // What an import that was rolled back would have changed is not shown: nothing changed.
        if let s, outcome == .applied {
            counts += [Count(label: "Người mới", value: n(s.newPeople), strong: false),
                       Count(label: "Người có thay đổi", value: n(s.changedPeople), strong: false),
                       Count(label: "Trường thay đổi (ghi lịch sử)", value: n(s.fieldChanges), strong: false)]
        }
        if outcome == .applied { counts.append(Count(label: "Dòng không thay đổi", value: n(unchanged), strong: false)) }
        counts.append(Count(label: "Dòng bị từ chối", value: n(rejected), strong: true))
        if let s, s.blankLines > 0 { counts.append(Count(label: "Dòng trống (bỏ qua)", value: n(s.blankLines), strong: false)) }
        if let s, s.restoredIDs > 0, outcome == .applied {
            counts.append(Count(label: "Khôi phục số 0 đầu của số định danh", value: n(s.restoredIDs), strong: false))
        }
        if outcome == .fileRefused { counts = [] }   // refused before counting: the one line that made it so is below

        let status: String
        switch outcome {
        case .strictRefused:
            status = "Chế độ strict: có \(n(rejected)) dòng bị từ chối nên không áp dụng dòng nào. Sửa các dòng dưới đây trong tệp rồi nhập lại cả tệp."
        case .nothingApplied:
            status = lines == 0 ? "Tệp không có dòng dữ liệu nào nên không áp dụng gì. Kiểm tra đây có đúng là tệp xuất danh sách đối tượng."
                                : "Cả \(n(rejected)) dòng đều bị từ chối nên không áp dụng gì. Sửa các dòng dưới đây rồi nhập lại."
        case .fileRefused:
            status = "Cả tệp bị từ chối, không áp dụng gì: tệp ghi ngày theo kiểu tháng trước ngày (kiểu Mỹ), nên không ngày nào trong tệp đáng tin "
                + "(7/6/2025 trong tệp đó là ngày 6 tháng 7, không phải 7 tháng 6). Xuất lại danh sách với ngày dạng ngày/tháng/năm (DD/MM/YYYY) rồi nhập tệp đó."
        case .applied:
            status = rejected > 0
                ? "Đã áp dụng \(n(applied)) dòng; \(n(rejected)) dòng bị từ chối. Sửa các dòng bị từ chối trong tệp rồi nhập lại: những dòng đã áp dụng sẽ không thay đổi gì thêm."
                : (applied == 0 ? "Mọi dòng đều khớp với danh sách đang lưu: không có gì thay đổi." : "Đã áp dụng cả tệp, không dòng nào bị từ chối.")
        }

        let rejections = (s?.rejections ?? []).map { r -> RejectionItem in
            let column = r.column.flatMap { RollColumn(rawValue: $0)?.vietnameseHeader } ?? "(cả dòng)"
            let vi = RollReasonText.vietnamese(r.message)
            return RejectionItem(line: n(r.line), code: r.code, column: column, value: r.value, reason: vi ?? r.message,
                                 original: vi == nil ? nil : r.message)
        }
        let listedLines = Set((s?.rejections ?? []).map(\.line)).count
        let rejectionsMore = (s != nil && outcome != .fileRefused && rejected > listedLines)
            ? "Bảng trên liệt kê \(n(listedLines)) trong \(n(rejected)) dòng bị từ chối; tải tệp các dòng bị từ chối để xem hết." : nil

        let rejectsHref: String?
        if let result, result.rejectsName != nil {
            rejectsHref = result.fileID.map { "/roll/imports/\($0)/rejects" } ?? "/roll/uploads/\(result.id)/rejects"
        } else { rejectsHref = nil }

        let banks = try? env.banks()
        func dest(_ bin: String?, _ masked: String?) -> String {
            let parts = [bin.map { b in banks?.bank(b)?.short ?? b }, masked].compactMap { $0 }
            return parts.isEmpty ? "(không có tài khoản)" : parts.joined(separator: " ")
        }
        let showAccounts = outcome == .applied
        let accounts = showAccounts ? (s?.accountChanges ?? []).prefix(500).map {
            AccountItem(code: $0.code, href: "/person/\(pathEscape($0.code))", before: dest($0.bankBINBefore, $0.accountMaskedBefore),
                        after: dest($0.bankBINAfter, $0.accountMaskedAfter))
        } : []
        let accountCount = showAccounts ? (s?.accountChangeCount ?? 0) : 0
        let accountMore = accountCount > accounts.count ? "… và \(n(accountCount - accounts.count)) người khác (xem lịch sử thay đổi của từng người)." : nil

        func links(_ codes: [String]) -> [CodeLink] { codes.map { CodeLink(code: $0, href: "/person/\(pathEscape($0))") } }
        let legacy = (s?.legacyIDs ?? 0) > 0 && outcome == .applied
            ? "\(n(s!.legacyIDs)) dòng còn ghi số CMND cũ 9 chữ số: đề nghị đối tượng cung cấp số định danh cá nhân 12 chữ số (CCCD) và cập nhật ở phần mềm quản lý." : nil
        let legacyPeople = legacy == nil ? [] : try RollPageQueries.legacyIDCodes(env.db, limit: 201)
        let duplicates = (s?.duplicateIDs ?? []).prefix(200).map { DuplicateItem(id: $0.personalIDMasked, codes: links($0.codes)) }
        let multiples = (s?.multipleCategories ?? []).prefix(200).map { m in
            MultipleItem(id: m.personalIDMasked, codes: links(m.codes),
                         categories: m.categories.map { c in tariff.category(c).map { "\($0.nameVi) (\(c))" } ?? c }.joined(separator: " + "))
        }

        let warnings = (s?.warnings ?? []).prefix(200).map { w in
            WarningItem(line: w.line, code: CodeLink(code: w.code, href: "/person/\(pathEscape(w.code))"),
                        category: tariff.category(w.category).map { "\($0.nameVi) (\(w.category))" } ?? w.category, text: w.vietnamese)
        }
        let warningTotal = s?.warningCount ?? 0
        return ResultModel(
            name: result?.name ?? imp?.name ?? "",
            at: Show.time(imp?.importedAt ?? result?.uploadedAt),
            by: imp?.importedBy ?? result?.uploadedBy ?? "",
            mode: result.map { $0.strict ? "strict (không áp dụng gì nếu có dòng bị từ chối)" : "thường (áp dụng các dòng hợp lệ)" } ?? "lệnh chitra roll import",
            sha: [result?.sha256, imp?.sha256, s?.sha256].compactMap { $0 }.first { !$0.isEmpty },
            shape: s.map(RollPages.inputText),
            conversions: s.flatMap { $0.textConversions.isEmpty ? nil : $0.textConversions.map { $0.text(in: .vi) }.joined(separator: "; ") },
            status: status, statusWarn: outcome != .applied || rejected > 0,
            counts: counts, hasCounts: !counts.isEmpty, cliNote: result == nil,
            rejections: rejections, hasRejections: !rejections.isEmpty, rejectionsMore: rejectionsMore, rejectsHref: rejectsHref,
            accountChanges: accounts, accountMore: accountMore, hasAccountChanges: !accounts.isEmpty,
            legacy: legacy, legacyCodes: links(Array(legacyPeople.prefix(200))),
            legacyMore: legacyPeople.count > 200 ? "… và những người khác: tìm trong danh sách theo số định danh 9 chữ số." : nil,
            duplicatesOpen: duplicates.count <= 10, multiplesOpen: multiples.count <= 10,
            duplicatesCount: n(s?.duplicateIDs.count ?? 0), multiplesCount: n(s?.multipleCategories.count ?? 0),
            listMore: max(s?.duplicateIDs.count ?? 0, s?.multipleCategories.count ?? 0) > 200 ? "Các bảng trên liệt kê 200 trường hợp đầu tiên." : nil,
            duplicates: Array(duplicates), hasDuplicates: !duplicates.isEmpty,
            multiples: Array(multiples), hasMultiples: !multiples.isEmpty,
            warnings: Array(warnings), hasWarnings: !warnings.isEmpty, warningsCount: n(warningTotal),
            warningsMore: warningTotal > warnings.count ? "Bảng trên liệt kê \(warnings.count) cảnh báo đầu tiên trong \(n(warningTotal))." : nil,
            hasFlags: legacy != nil || !duplicates.isEmpty || !multiples.isEmpty || !warnings.isEmpty)
    }

    /// A code as a path segment (codes are `[A-Za-z0-9._-]`, so this rarely changes anything).
    static func pathEscape(_ s: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s
    }

    // MARK: - The rejects file

    static func rejectsDownload(_ env: WebEnvironment, _ result: RollPageQueries.Result?, user: WebUser) async throws -> Response {
        guard let result, let rejectsName = result.rejectsName else {
            throw WebError.notFound("tệp các dòng bị từ chối của lần nhập này (chỉ có với tệp tải lên qua trang web có dòng bị từ chối)")
        }
        let url = env.workDirectory.appendingPathComponent(result.folder).appendingPathComponent(rejectsName)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw WebError.notFound("tệp các dòng bị từ chối trên máy chủ (có thể đã bị xoá khỏi thư mục làm việc)")
        }
        // The rejects file holds the lines as written, full personal IDs and accounts included: who downloads it is recorded.
        let actor = try user.acting(asAnyOf: [.maker, .checker, .admin])
        try await Offload.run { try RollPageQueries.recordRejectsDownload(env.db, resultID: result.id, name: rejectsName, by: actor) }
        let ascii = String(rejectsName.unicodeScalars.map { $0.isASCII && $0 != "\"" && $0 != "\\" ? Character($0) : "_" })
        return Response(status: .ok, headers: [
            .contentType: "text/csv; charset=utf-8",
            .contentDisposition: "attachment; filename=\"\(ascii)\"; filename*=UTF-8''\(pathEscape(rejectsName))",
            .cacheControl: "no-store",
        ], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

extension RollPages {
    /// "Agribank (970405)", or the BIN alone when the directory does not know it.
    static func bankLabel(_ banks: BankDirectory?, _ bin: String) -> String {
        guard let b = banks?.bank(bin) else { return bin }
        return "\(b.short) (\(bin))"
    }
}
