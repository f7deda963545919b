import ChiTraBatch
import ChiTraCore
import ChiTraSigning
import ChiTraStore
import Foundation
import Hummingbird
import ZIPFoundation

/// The monthly batch: the list and the build form; a batch's page with its totals, the people
/// left out, the open exceptions holding money and the checker's review of what changed since
/// the batch before; approve (checker, after saying the changes were looked at), cancel (maker),
/// export with the verification of what was written, and the download of the signed files.
enum BatchPages {
    static func register(_ routes: inout WebRoutes) {
        let env = routes.env

        routes.page("/batches", WebRoutes.batchAccess) { request, _, user in
            let all = try await Offload.run { try BatchListing.all(env.db) }
            let today = CivilDate.today().yearMonth
            let model = ListModel(
                batches: all.map { b in
                    ListRow(id: b.id, href: "/batches/\(b.id)", period: vi(b.period), supplementary: b.supplementary,
                            status: statusWord(b.status), badge: badge(b.status), lines: Show.number(b.lineCount),
                            total: Show.money(b.controlSum), builtBy: b.builtBy, approvedBy: b.approvedBy ?? "—")
                },
                empty: all.isEmpty, canBuild: user.has(.maker), csrf: user.csrfToken,
                defaultPeriod: today.next.vietnamese, thisMonth: today.vietnamese, nextMonth: today.next.vietnamese)
            return Pages.page("batch-list", model, title: "Bảng chi", user: user, path: request.uri.path)
        }

        routes.form("/batches/build", .roles([.maker])) { _, _, user, fields in
            let period = try parsePeriod(fields["period"])
            let supplementary = fields["supplementary"] == "1"
            let reason = fields.trimmed("reason")
            if supplementary && reason == nil {
                throw WebError.badRequest("Bảng chi bổ sung cần ghi lý do (ví dụ: \"Quyết định 12/QĐ-UBND ngày 02/12 bổ sung 3 người\"); lý do được ghi vào nhật ký. Điền ô \"Lý do\" rồi gửi lại.")
            }
            let actor = try user.acting(as: .maker)
            let s = try await vietnamese {
                try await Offload.run {
                    let builder = BatchBuilder(db: env.db, tariff: try env.tariff(), banks: try env.banks(), payer: try env.payer())
                    return try builder.build(period: period, by: actor, supplementary: supplementary, reason: reason)
                }
            }
            return Pages.redirect("/batches/\(s.id)?ok=\(s.rebuilt ? "rebuilt" : "built")")
        }

        routes.page("/batches/:id", WebRoutes.batchAccess) { request, context, user in
            let id = try batchID(context)
            let folder = exportFolder(env, id)
            let q = request.uri.queryParameters
            let focus = q["muc"].map(String.init)
            let offset = q["tu"].flatMap { Int(String($0)) } ?? 0
            let model = try await Offload.run { try batchModel(env, id: id, user: user, folder: folder, focus: focus, offset: offset) }
            let notice: String? = switch q["ok"].map(String.init) {
            case "built": "Đã lập bảng chi nháp số \(id). Người duyệt (khác người lập) xem các thay đổi bên dưới rồi duyệt."
            case "rebuilt": "Đã lập lại bảng chi nháp số \(id) theo danh sách đối tượng hiện tại."
            case "approved": "Đã duyệt bảng chi số \(id); các khoản chi đã được khoá và niêm phong. Bước tiếp theo: người lập xuất tệp chi trả."
            case "cancelled": "Đã huỷ bảng chi số \(id)."
            case "exported": "Đã xuất và ký tệp chi trả của bảng chi số \(id). Kết quả kiểm tra ở mục \"Tệp chi trả\"."
            case "reexported": "Đã xuất lại bảng chi số \(id) (cùng nội dung, cùng chữ ký)."
            default: nil
            }
            let removed = q["tmp"].flatMap { Int(String($0)) } ?? 0
            let fullNotice = notice.map { removed > 0 ? $0 + " Đã xoá \(removed) tệp tạm do lần xuất trước bị gián đoạn để lại." : $0 }
            return Pages.page("batch-show", model, title: "Bảng chi số \(id)", user: user, path: request.uri.path, notice: fullNotice)
        }

        routes.form("/batches/:id/approve", .roles([.checker])) { _, context, user, fields in
            let id = try batchID(context)
            guard fields["reviewed"] == "1" else {
                throw WebError.badRequest("Chưa duyệt: hãy xem các thay đổi so với tháng trước trên trang bảng chi số \(id), rồi đánh dấu ô \"Tôi đã xem các thay đổi\" và bấm Duyệt.")
            }
            let actor = try user.acting(as: .checker)
            guard let people = try await Offload.run({ try BatchReviewQueries.people(env.db, batchID: id) }) else { throw noBatch(id) }
            if people.builtByUser == actor.userID {
                throw WebError(.forbidden, "Bạn đã lập bảng chi số \(id) nên không được tự duyệt (người lập và người duyệt phải là hai người khác nhau). Nhờ một người khác có vai trò người duyệt xem và duyệt.")
            }
            let accepting = fields["accept_exceptions"] == "1"
            let note = fields.trimmed("note")
            if accepting && note == nil {
                throw WebError.badRequest("Duyệt khi còn ngoại lệ trả về đang giữ tiền cần ghi chú: đã kiểm tra gì, với ai. Điền ô \"Ghi chú\" rồi gửi lại.")
            }
            let accepted = accepting ? note : nil
            _ = try await vietnamese { try await Offload.run { try BatchLifecycle(db: env.db).approve(batchID: id, by: actor, acceptingOpenExceptions: accepted) } }
            return Pages.redirect("/batches/\(id)?ok=approved")
        }

        routes.form("/batches/:id/cancel", .roles([.maker])) { _, context, user, fields in
            let id = try batchID(context)
            let reason = try fields.required("reason", "Lý do huỷ")
            let actor = try user.acting(as: .maker)
            _ = try await vietnamese { try await Offload.run { try BatchLifecycle(db: env.db).cancel(batchID: id, by: actor, reason: reason) } }
            return Pages.redirect("/batches/\(id)?ok=cancelled")
        }

        routes.form("/batches/:id/export", .roles([.maker])) { _, context, user, _ in
            let id = try batchID(context)
            let actor = try user.acting(as: .maker)
            let folder = exportFolder(env, id)
            let (s, removed) = try await vietnamese {
                try await Offload.run {
                    let exporter = BatchExporter(db: env.db, payer: try env.payer(), banks: try env.banks(),
                                                 formats: try PayoutFormats.load(from: env.formatsDirectory.appendingPathComponent("payout-formats.json")),
                                                 keys: KeyStore(directory: env.keysDirectory))
                    return try exporter.exportClearingInterrupted(batchID: id, to: folder, by: actor)
                }
            }
            return Pages.redirect("/batches/\(id)?ok=\(s.reexport ? "reexported" : "exported")\(removed > 0 ? "&tmp=\(removed)" : "")")
        }

        routes.page("/batches/:id/download", downloadAccess) { _, context, _ in
            let id = try batchID(context)
            let folder = exportFolder(env, id)
            let work = env.workDirectory.appendingPathComponent("exports")
            let (zip, period) = try await Offload.run { () -> (URL, String) in
                guard let people = try BatchReviewQueries.people(env.db, batchID: id) else { throw noBatch(id) }
                guard let check = try ExportCheck.run(env.db, batchID: id, folder: folder, keys: KeyStore(directory: env.keysDirectory)) else {
                    throw WebError(.notFound, "Bảng chi số \(id) chưa được xuất tệp trên trang này nên chưa có gì để tải về. Người lập bấm \"Xuất tệp\" trên trang bảng chi (bảng chi phải được duyệt trước).")
                }
                guard check.ok else {
                    throw WebError(.conflict, "Thư mục xuất của bảng chi số \(id) không còn khớp chữ ký hoặc niêm phong phê duyệt (xem mục \"Tệp chi trả\" trên trang bảng chi); không tải về, không gửi. Người lập xuất lại, rồi kiểm tra lại.")
                }
                return (try zipExport(check, names: check.downloadNames, into: work), people.period)
            }
            return try streamAndDelete(zip, filename: "chitra-batch-\(id)-\(period).zip")
        }
    }

    /// Who may take the signed files away: the maker sends them, the checker may look at what is sent.
    static let downloadAccess: Access = .roles([.maker, .checker])

    // MARK: - Helpers

    static func batchID(_ context: WebContext) throws -> Int64 {
        guard let id = context.parameters.get("id", as: Int64.self), id > 0 else {
            throw WebError.notFound("bảng chi này (số bảng chi phải là một số, ví dụ /batches/1)")
        }
        return id
    }

    static func noBatch(_ id: Int64) -> WebError { WebError.notFound("bảng chi số \(id). Xem danh sách ở trang Bảng chi") }

    static func exportFolder(_ env: WebEnvironment, _ id: Int64) -> URL {
        env.workDirectory.appendingPathComponent("exports").appendingPathComponent("batch-\(id)")
    }

    /// `12/2026`, `2026-12` (also `2026/12`, `12-2026`, one-digit months).
    static func parsePeriod(_ text: String?) throws -> YearMonth {
        let t = (text ?? "").trimmingCharacters(in: .whitespaces)
        let parts = t.split(whereSeparator: { $0 == "/" || $0 == "-" || $0 == "." }).map(String.init)
        var ym: YearMonth?
        if parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }) {
            if parts[0].count == 4, parts[1].count <= 2 { ym = YearMonth(year: Int(parts[0])!, month: Int(parts[1])!) }
            else if parts[1].count == 4, parts[0].count <= 2 { ym = YearMonth(year: Int(parts[1])!, month: Int(parts[0])!) }
        }
        guard let ym else {
            throw WebError.badRequest("Tháng chi trả \"\(t.prefix(20))\" không đúng dạng. Ghi tháng/năm, ví dụ \"12/2026\" hoặc \"2026-12\".")
        }
        return ym
    }

    static func vi(_ period: String) -> String { YearMonth(period)?.vietnamese ?? period }

    static func statusWord(_ status: BatchStatus) -> String {
        switch status {
        case .draft: "Nháp"
        case .approved: "Đã duyệt"
        case .exported: "Đã xuất"
        case .cancelled: "Đã huỷ"
        }
    }

    static func badge(_ status: BatchStatus) -> String {
        switch status {
        case .exported, .approved: "badge ok"
        case .draft: "badge warn"
        case .cancelled: "badge"
        }
    }

    /// Runs a use case; its refusals become Vietnamese sentences saying what to do.
    static func vietnamese<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        do { return try await body() }
        catch let e as BatchError { throw translate(e) }
        catch let e as SigningError { throw translate(e) }
    }

    static func translate(_ e: BatchError) -> WebError {
        // The catalogue key says which refusal it is; the page's sentence is `web.json`'s, the
        // detail the error's own sentence, both in the process's language (Vietnamese by default).
        let key = e.message?.key ?? ""
        let detail: MessageArg = .text(e.description)
        let batch: MessageArg = { if case .int(let n)? = e.message?.args["batch"] { return .int(n) } else { return .text("") } }()
        func page(_ status: HTTPResponse.Status, _ m: Message) -> WebError { WebError(status, m.text()) }
        switch key {
        case "batch.build.period_too_far":
            let now = CivilDate.today().yearMonth
            return page(.badRequest, Message("web.batch.period_too_far", ["current": .text(now.vietnamese), "next": .text(now.next.vietnamese)]))
        case "batch.build.period_in_past": return page(.badRequest, Message("web.batch.period_in_past", ["batch": batch]))
        case "batch.build.frozen": return page(.badRequest, Message("web.batch.frozen", ["batch": batch]))
        case "batch.build.nothing_to_supplement": return page(.badRequest, Message("web.batch.nothing_to_supplement"))
        case "batch.build.supplementary_reason": return page(.badRequest, Message("web.batch.supplementary_reason"))
        case "batch.build.tampered_people", "batch.build.tampered_claims", "batch.build.tampered_outcomes", "batch.approve.maker_mismatch", "batch.export.seal_broken", "batch.export.changed_while_writing":
            return page(.conflict, Message("web.batch.tampered", ["detail": detail]))
        case "batch.approve.own_batch": return page(.forbidden, Message("web.batch.own_batch", ["batch": batch]))
        case "batch.approve.open_exceptions": return page(.conflict, Message("web.batch.open_exceptions", ["detail": detail]))
        case "batch.approve.not_draft": return page(.conflict, Message("web.batch.not_draft", ["batch": batch]))
        case "batch.approve.empty": return page(.badRequest, Message("web.batch.empty", ["batch": batch]))
        case "batch.cancel.exported": return page(.conflict, Message("web.batch.cancel_exported", ["batch": batch]))
        case "batch.cancel.not_allowed": return page(.conflict, Message("web.batch.cancel_not_allowed", ["batch": batch]))
        case "batch.cancel.reason_required": return page(.badRequest, Message("web.batch.cancel_reason"))
        case "batch.export.draft": return page(.conflict, Message("web.batch.export_draft", ["batch": batch]))
        case "batch.export.status": return page(.conflict, Message("web.batch.export_cancelled", ["batch": batch]))
        case "batch.export.held_carry_overs": return page(.conflict, Message("web.batch.export_held", ["batch": batch, "detail": detail]))
        case "batch.export.folder_taken": return page(.conflict, Message("web.batch.export_folder_taken", ["detail": detail]))
        case "batch.missing": return page(.notFound, Message("web.batch.missing", ["batch": batch]))
        default: return page(.badRequest, Message("web.batch.failed", ["detail": detail]))
        }
    }

    static func translate(_ e: SigningError) -> WebError {
        switch e {
        case .noActiveKey:
            return WebError(.conflict, "Chưa có khoá ký đang dùng trong thư mục khoá của máy chủ, nên không ký được tệp; chưa xuất gì. Quản trị viên tạo khoá (chitra keys create) rồi xuất lại.")
        case .unsafePath(_, let reason):
            return WebError(.conflict, "Thư mục xuất không an toàn nên chưa ghi gì: \(reason).")
        default:
            return WebError(.badRequest, "Không ký hoặc ghi được tệp; chưa xuất gì. Chi tiết: \(e.description)")
        }
    }

    // MARK: - Download

    /// A zip of the named files of the export folder, in a temporary file under `work`.
    static func zipExport(_ check: ExportCheck, names: [String], into work: URL) throws -> URL {
        let url = work.appendingPathComponent(".download-\(UUID().uuidString).zip")
        do {
            let archive = try Archive(url: url, accessMode: .create)
            for name in names {
                try archive.addEntry(with: name, relativeTo: check.folder, compressionMethod: .deflate)
            }
        } catch {
            try? FileManager.default.removeItem(at: url)
            throw WebError(.internalServerError, "Không tạo được tệp nén để tải về; thử lại. Chi tiết: \(error)")
        }
        return url
    }

    /// The file as an attachment, read in pieces; it is removed once open (the open handle keeps it readable).
    static func streamAndDelete(_ url: URL, filename: String) throws -> Response {
        let handle = try FileHandle(forReadingFrom: url)
        let size = Int((try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? NSNumber)??.intValue ?? 0)
        try? FileManager.default.removeItem(at: url)
        let reader = ChunkReader(handle: handle)
        let body = ResponseBody(contentLength: size) { writer in
            defer { reader.close() }
            while let chunk = try await Offload.run({ try reader.next() }) {
                try await writer.write(ByteBuffer(bytes: chunk))
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [
            .contentType: "application/zip",
            .contentDisposition: "attachment; filename=\"\(filename)\"",
            .cacheControl: "no-store",
        ], body: body)
    }

    final class ChunkReader: @unchecked Sendable {
        let handle: FileHandle
        private let lock = NSLock()
        private var closed = false
        init(handle: FileHandle) { self.handle = handle }
        func next() throws -> Data? {
            lock.lock(); defer { lock.unlock() }
            guard !closed, let d = try handle.read(upToCount: 256 * 1024), !d.isEmpty else { return nil }
            return d
        }
        func close() {
            lock.lock(); defer { lock.unlock() }
            if !closed { closed = true; try? handle.close() }
        }
        deinit { if !closed { try? handle.close() } }
    }
}

extension WebEnvironment {
    func payer() throws -> Payer { try Payer.load(from: formatsDirectory.appendingPathComponent("payer.json")) }
}
