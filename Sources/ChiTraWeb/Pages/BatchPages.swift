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

    static func statusWord(_ status: String) -> String {
        switch status {
        case "draft": "Nháp"
        case "approved": "Đã duyệt"
        case "exported": "Đã xuất"
        case "cancelled": "Đã huỷ"
        default: status
        }
    }

    static func badge(_ status: String) -> String {
        switch status {
        case "exported", "approved": "badge ok"
        case "draft": "badge warn"
        default: "badge"
        }
    }

    /// Runs a use case; its refusals become Vietnamese sentences saying what to do.
    static func vietnamese<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        do { return try await body() }
        catch let e as BatchError { throw translate(e) }
        catch let e as SigningError { throw translate(e) }
    }

    static func translate(_ e: BatchError) -> WebError {
        let m = e.message
        let detail = " (Chi tiết: \(e.description))"
        func batchNo() -> String {
            guard let r = m.range(of: #"#[0-9]+"#, options: .regularExpression) else { return "" }
            return " số " + m[r].dropFirst()
        }
        if m.contains("months after the current month") {
            let now = CivilDate.today().yearMonth
            return .badRequest("Bảng chi thường kỳ chỉ lập cho tháng này (\(now.vietnamese)) hoặc tháng sau (\(now.next.vietnamese)), để khoản chưa chi được của tháng nào cũng chuyển sang tháng kế tiếp. Kiểm tra lại tháng chi trả; chưa lập gì.")
        }
        if m.contains("a regular batch for the earlier month") {
            return .badRequest("Bảng chi thường kỳ\(batchNo()) của tháng sau đã xuất tệp, nên không lập bảng chi thường kỳ cho tháng trước đó. Muốn chi cho người còn thiếu của tháng này, lập bảng chi bổ sung kèm lý do; chưa lập gì.")
        }
        if m.contains("and frozen; building again") {
            return .badRequest("Bảng chi\(batchNo()) của tháng này đã được duyệt hoặc đã xuất nên không lập lại được (có thể chi hai lần). Muốn thêm người mới đủ điều kiện, lập bảng chi bổ sung kèm lý do; muốn làm lại từ đầu, huỷ bảng chi đó trước (chỉ khi chưa xuất).")
        }
        if m.contains("to supplement") {
            return .badRequest("Chưa có bảng chi thường kỳ đã duyệt của tháng này để bổ sung. Lập và duyệt bảng chi thường kỳ trước; chưa lập gì.")
        }
        if m.contains("needs a reason") {
            return .badRequest("Bảng chi bổ sung cần ghi lý do; chưa lập gì.")
        }
        if m.contains("were changed outside ChiTra") || m.contains("the store was changed outside ChiTra") || m.contains("changed while its files were written") {
            return WebError(.conflict, "Dữ liệu quyết định ai được chi và chi bao nhiêu đã bị sửa ngoài ChiTra; chưa làm gì. Không chi trả theo dữ liệu này: giữ một bản sao kho dữ liệu và báo quản trị viên kiểm tra nhật ký.\(detail)")
        }
        if m.contains("cannot also approve it") {
            return WebError(.forbidden, "Bạn đã lập bảng chi\(batchNo()) nên không được tự duyệt (người lập và người duyệt phải là hai người khác nhau). Nhờ một người khác có vai trò người duyệt xem và duyệt.")
        }
        if m.contains("open return exception") && m.contains("not approved") {
            return WebError(.conflict, "Còn ngoại lệ trả về đang mở giữ tiền (kết quả chi trả chưa rõ), nên chưa duyệt. Nhờ người đối soát kiểm tra với ngân hàng và xử lý ở trang Kết quả chi trả; nếu đã kiểm tra mà vẫn duyệt, đánh dấu \"Chấp nhận duyệt khi còn ngoại lệ\" và ghi chú đã kiểm tra gì, với ai.\(detail)")
        }
        if m.contains("only a draft can be approved") {
            return WebError(.conflict, "Bảng chi\(batchNo()) không còn là bản nháp nên không duyệt được nữa.")
        }
        if m.contains("nothing to approve") {
            return .badRequest("Bảng chi\(batchNo()) không có khoản chi nào và không ai bị để ngoài: không có gì để duyệt.")
        }
        if m.contains("cannot be cancelled") {
            return WebError(.conflict, m.contains("is exported")
                ? "Bảng chi\(batchNo()) đã xuất tệp (có thể đã gửi ngân hàng, bưu điện) nên không huỷ được. Chờ kết quả chi trả rồi đối soát."
                : "Bảng chi\(batchNo()) đã huỷ hoặc không huỷ được nữa.")
        }
        if m.contains("a reason is required to cancel") {
            return .badRequest("Cần ghi lý do huỷ bảng chi.")
        }
        if m.contains("is a draft and has not been approved") {
            return WebError(.conflict, "Bảng chi\(batchNo()) chưa được duyệt nên chưa xuất tệp được; chưa ghi tệp nào. Người duyệt (khác người lập) xem các thay đổi và duyệt trước.")
        }
        if m.contains("it cannot be exported") {
            return WebError(.conflict, "Bảng chi\(batchNo()) đã huỷ nên không xuất tệp được.")
        }
        if m.contains("carries over") && m.contains("nothing was written") {
            return WebError(.conflict, "Bảng chi\(batchNo()) chi lại những khoản mà một ngoại lệ trả về mới mở đang nghi đã được chi (ngân hàng có thể đã chi); chưa ghi tệp nào. Nhờ người đối soát kiểm tra với ngân hàng và xử lý ngoại lệ, rồi xuất lại.\(detail)")
        }
        if m.contains("already holds the export of batch") {
            return WebError(.conflict, "Thư mục xuất đã chứa tệp của bảng chi khác; không ghi gì.\(detail)")
        }
        if m.hasPrefix("there is no batch") {
            return .notFound("bảng chi\(batchNo()). Xem danh sách ở trang Bảng chi")
        }
        return .badRequest("Không thực hiện được, chưa có gì thay đổi.\(detail)")
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
