import ChiTraCore
import ChiTraReturns
import ChiTraSigning
import ChiTraStore
import Foundation
import Hummingbird

/// "Kết quả chi trả": the return files of banks and the post office — uploaded and imported as
/// `chitra returns import` does, one transaction per file; the reconciliation of a batch (sent =
/// paid + failed + pending + awaiting, per bank or post office, to the đồng) as `chitra batch
/// reconcile` computes it, with the accountant CSV; and the queue of exceptions, resolved with a note.
enum ReturnsPages {
    static func register(_ routes: inout WebRoutes) {
        let env = routes.env
        let cache = ReconcileCache()

        routes.page("/returns", WebRoutes.returnsAccess) { request, _, user in
            let model = try await Offload.run { try overview(env, user: user) }
            return Pages.page("returns-index", model, title: "Kết quả chi trả", user: user, path: request.uri.path)
        }

        routes.upload("/returns/upload", .roles([.clerk])) { request, _, user, form in
            let actor = try user.acting(as: .clerk)
            let plan = try UploadPlan(form)
            let model = try await Offload.run { try importAll(env, plan: plan, actor: actor) }
            let fresh = model.files.filter(\.imported).count, again = model.files.filter(\.already).count
            let notice = model.refused != nil ? nil
                : again == 0 ? "Đã nhập xong \(fresh) tệp."
                : "Đã xem \(model.files.count) tệp: \(fresh) tệp được nhập, \(again) tệp đã nhập từ trước (không thay đổi gì)."
            return Pages.page("returns-result", model, title: "Kết quả nhập tệp", user: user, path: "/returns", notice: notice,
                              status: model.refused == nil ? .ok : .badRequest)
        }

        routes.page("/returns/reconcile/:id", WebRoutes.returnsAccess) { request, context, user in
            let id = try batchID(context)
            let mark = try await Offload.run { try ReturnsQueries.changeMark(env.db) }
            // The page's body is the same for everyone until the store changes: built (and rendered) once.
            let (body, built, upToDate) = try await cache.body(batchID: id, mark: mark) {
                try await Offload.recompute { () throws -> (String, Double) in
                    let (model, ms) = try reconcileModel(env, batchID: id)
                    return (Pages.render("returns-reconcile", model), ms)
                }
            }
            var response = Pages.page(body: body, title: "Đối chiếu bảng chi số \(id)", user: user, path: "/returns",
                                      notice: upToDate ? nil : Pages.updatingNotice)
            // How long the reconciliation itself took (0 when it came from the cache).
            response.headers[.init("Server-Timing")!] = "reconcile;dur=\(built.map { String(format: "%.1f", $0) } ?? "0");desc=\"\(built == nil ? "cache" : "built")\""
            return response
        }

        routes.page("/returns/reconcile/:id/csv", WebRoutes.returnsAccess) { _, context, _ in
            let id = try batchID(context)
            let (data, period) = try await Offload.run { () throws -> (Data, String) in
                guard let header = try ReturnsQueries.batchHeader(env.db, id: id) else { throw WebError.notFound("bảng chi số \(id)") }
                return (try Reconciliation.accountantCSV(env.db, batchID: id, taxonomy: try taxonomy(env)), header.period)
            }
            return Response(status: .ok, headers: [
                .contentType: "text/csv; charset=utf-8",
                .contentDisposition: "attachment; filename=\"doi-chieu-\(period)-B\(id).csv\"",
                .cacheControl: "no-store",
            ], body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }

        // The reconciliation as an Excel workbook (the same sheets as `chitra batch reconcile --xlsx`).
        routes.page("/returns/reconcile/:id/xlsx", WebRoutes.returnsAccess) { _, context, _ in
            let id = try batchID(context)
            let (data, period) = try await Offload.run { () throws -> (Data, String) in
                guard let header = try ReturnsQueries.batchHeader(env.db, id: id) else { throw WebError.notFound("bảng chi số \(id)") }
                let r = try Reconciliation.build(env.db, batchID: id, queue: ExceptionQueue(db: env.db), taxonomy: try taxonomy(env),
                                                 accountantCSV: nil, fees: .init(payer: try env.payer(), banks: try env.banks()))
                return (try r.xlsxData(), header.period)
            }
            return Response(status: .ok, headers: [
                .contentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                .contentDisposition: "attachment; filename=\"doi-chieu-\(period)-B\(id).xlsx\"",
                .cacheControl: "no-store",
            ], body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }

        routes.page("/returns/exceptions", WebRoutes.returnsAccess) { request, _, user in
            let q = request.uri.queryParameters
            let filter = ExceptionFilter(all: q["all"] == "1", batch: q["batch"].flatMap { Int64(String($0)) })
            var notice: String?
            if q["ok"] == "resolved", let id = q["id"].flatMap({ Int64(String($0)) }) {
                notice = q["r"] == "apply" ? "Đã xử lý ngoại lệ số \(id): áp dụng kết quả của ngân hàng vào khoản chi." : "Đã xử lý ngoại lệ số \(id): bỏ qua, không đổi tiền."
            }
            let model = try await Offload.run { try exceptionsModel(env, user: user, filter: filter, problem: nil) }
            return Pages.page("returns-exceptions", model, title: "Ngoại lệ đối chiếu", user: user, path: request.uri.path, notice: notice)
        }

        routes.form("/returns/exceptions/:id/resolve", .roles([.clerk])) { request, context, user, fields in
            let filter = ExceptionFilter(all: fields["all"] == "1", batch: fields["batch"].flatMap { Int64($0) })
            guard let id = context.parameters.get("id", as: Int64.self) else { throw WebError.notFound("ngoại lệ này") }
            // Refusals of the form itself come back on the queue, the other exceptions unchanged.
            func refuse(_ problem: Problem) async throws -> Response {
                let model = try await Offload.run { try exceptionsModel(env, user: user, filter: filter, problem: problem) }
                return Pages.page("returns-exceptions", model, title: "Ngoại lệ đối chiếu", user: user, path: "/returns/exceptions", status: .badRequest)
            }
            guard let resolution = fields["resolution"].flatMap(ExceptionQueue.Resolution.init(rawValue:)) else {
                return try await refuse(Problem(id: id, resolution: nil, note: fields["note"] ?? "",
                    message: "Chưa xử lý ngoại lệ số \(id): chọn cách xử lý (bỏ qua, hoặc áp dụng kết quả của ngân hàng) rồi bấm Xử lý."))
            }
            guard let note = fields.trimmed("note") else {
                return try await refuse(Problem(id: id, resolution: resolution, note: "",
                    message: "Chưa xử lý ngoại lệ số \(id): phải ghi chú đã kiểm tra gì, với ai (ví dụ: \"đã gọi Agribank, xác nhận khoản này đã chi ngày 06/12\"). Ghi chú rồi bấm Xử lý lại."))
            }
            guard note.count <= 500 else {
                return try await refuse(Problem(id: id, resolution: resolution, note: String(note.prefix(500)),
                    message: "Chưa xử lý ngoại lệ số \(id): ghi chú dài quá 500 ký tự; rút gọn rồi bấm Xử lý lại."))
            }
            let actor = try user.acting(as: .clerk)
            do {
                try await Offload.run { try ExceptionQueue(db: env.db).resolve(id: id, resolution: resolution, note: note, by: actor) }
            } catch let e as StoreError {
                return try await refuse(Problem(id: id, resolution: resolution, note: note, message: resolveRefusal(id: id, e)))
            }
            var target = "/returns/exceptions?ok=resolved&id=\(id)&r=\(resolution.rawValue)"
            if filter.all { target += "&all=1" }
            if let b = filter.batch { target += "&batch=\(b)" }
            return Pages.redirect(target)
        }
    }

    static func batchID(_ context: WebContext) throws -> Int64 {
        guard let id = context.parameters.get("id", as: Int64.self) else { throw WebError.notFound("bảng chi này (số bảng chi phải là một số)") }
        return id
    }

    static func taxonomy(_ env: WebEnvironment) throws -> ReasonTaxonomy {
        try ReasonTaxonomy.load(from: env.formatsDirectory.appendingPathComponent("return-reasons.json"))
    }

    // MARK: - Overview

    struct FileRow {
        let id: Int64; let name: String; let format: String; let signed: Bool; let signature: String
        let records: String; let paid: String; let failed: String; let pending: String; let unchanged: String
        let exceptions: String; let openExceptions: Bool; let malformed: String; let when: String; let by: String
    }
    struct BatchRow {
        let id: Int64; let period: String; let kind: String; let status: String; let lines: String; let sum: String
        let answered: String; let awaiting: Bool; let hasOpen: Bool; let openExceptions: String
    }
    struct FormatOption { let value: String; let label: String }
    struct Overview {
        let canUpload: Bool
        let csrf: String
        let formats: [FormatOption]
        let files: [FileRow]
        let hasFiles: Bool
        let batches: [BatchRow]
        let hasBatches: Bool
        let hasOpen: Bool
        let openExceptionsText: String
    }

    static let formatOptions: [FormatOption] = [
        .init(value: "", label: "Tự nhận biết (khuyên dùng)"),
        .init(value: "pain.002.001.10", label: "pain.002.001.10 — báo cáo trạng thái lệnh chi (ngân hàng)"),
        .init(value: "pain.002.001.03", label: "pain.002.001.03 — báo cáo trạng thái lệnh chi, bản cũ"),
        .init(value: "camt.054.001.08", label: "camt.054.001.08 — báo có/báo nợ (ngân hàng)"),
        .init(value: "camt.054.001.02", label: "camt.054.001.02 — báo có/báo nợ, bản cũ"),
        .init(value: "bank-csv-return", label: "CSV kết quả của ngân hàng"),
        .init(value: "vnpost-return", label: "Danh sách kết quả của Bưu điện"),
    ]

    static func formatName(_ f: String?) -> String {
        switch f {
        case nil: "không rõ"
        case "bank-csv-return": "CSV ngân hàng"
        case "vnpost-return": "Bưu điện"
        case let f?: f
        }
    }

    static func overview(_ env: WebEnvironment, user: WebUser) throws -> Overview {
        let files = try ReturnsQueries.returnFiles(env.db, limit: 200)
        let batches = try ReturnsQueries.sentBatches(env.db)
        let open = try ReturnsQueries.openExceptionCount(env.db)
        let n = Show.number
        return Overview(
            canUpload: user.has(.clerk), csrf: user.csrfToken, formats: formatOptions,
            files: files.map { f in
                FileRow(id: f.id, name: f.name, format: formatName(f.format), signed: f.signature.hasPrefix("valid"),
                        signature: f.signature.hasPrefix("valid") ? "hợp lệ" : "không có", records: n(f.records), paid: n(f.paid),
                        failed: n(f.failed), pending: n(f.pending), unchanged: n(f.unchanged),
                        exceptions: f.openExceptions > 0 ? "\(n(f.exceptions)) (\(n(f.openExceptions)) chưa xử lý)" : n(f.exceptions),
                        openExceptions: f.openExceptions > 0, malformed: n(f.malformed), when: Show.time(f.importedAt), by: f.importedBy)
            },
            hasFiles: !files.isEmpty,
            batches: batches.map { b in
                BatchRow(id: b.id, period: YearMonth(b.period)?.vietnamese ?? b.period, kind: b.supplementary ? "bổ sung" : "hằng tháng",
                         status: statusName(b.status), lines: n(b.lineCount), sum: Show.money(b.controlSum),
                         answered: "\(n(b.paid + b.failed + b.pending))/\(n(b.lineCount))", awaiting: b.awaiting > 0,
                         hasOpen: b.openExceptions > 0, openExceptions: n(b.openExceptions))
            },
            hasBatches: !batches.isEmpty,
            hasOpen: open > 0,
            openExceptionsText: open == 0 ? "Không có ngoại lệ nào chờ xử lý." : "\(n(open)) ngoại lệ chờ xử lý: tiền của các khoản này không tự thay đổi cho đến khi có người xem và xử lý.")
    }

    static func statusName(_ s: BatchStatus) -> String {
        switch s {
        case .draft: "bản nháp"
        case .approved: "đã duyệt"
        case .exported: "đã xuất tệp"
        case .cancelled: "đã huỷ"
        }
    }

    // MARK: - Upload

    /// What was uploaded: the return files in the order sent, each with its detached signature
    /// when a `NAME.sig` came with it.
    struct UploadPlan: Sendable {
        struct Item: Sendable { let file: UploadedForm.File; let signature: UploadedForm.File? }
        let items: [Item]
        /// Signatures whose file was not sent.
        let strays: [String]
        let requireSignature: Bool
        let formatHint: String?

        init(_ form: UploadedForm) throws {
            let all = form.files(named: "file")
            guard !all.isEmpty else {
                throw WebError.badRequest("Chưa chọn tệp nào. Chọn một hay nhiều tệp kết quả (cùng tệp chữ ký .sig đi kèm) rồi bấm Nhập.")
            }
            let isSig = { (f: UploadedForm.File) in f.filename.lowercased().hasSuffix("." + DetachedSignature.fileExtension) }
            var signatures: [String: UploadedForm.File] = [:]
            for f in all where isSig(f) { signatures[f.filename] = signatures[f.filename] ?? f }
            let files = all.filter { !isSig($0) }
            guard !files.isEmpty else {
                throw WebError.badRequest("Chỉ có tệp chữ ký (.sig), không có tệp kết quả nào. Chọn cả tệp kết quả lẫn tệp chữ ký của nó rồi nhập lại.")
            }
            items = files.map { Item(file: $0, signature: signatures[$0.filename + "." + DetachedSignature.fileExtension]) }
            let used = Set(files.map { $0.filename + "." + DetachedSignature.fileExtension })
            strays = signatures.keys.filter { !used.contains($0) }.sorted()
            requireSignature = form.fields["requireSignature"] != nil
            let hint = form.fields.trimmed("format")
            if let hint, !ReturnsPages.formatOptions.contains(where: { $0.value == hint }) {
                throw WebError.badRequest("Định dạng \"\(hint)\" không có trong danh sách. Chọn \"Tự nhận biết\" hoặc một định dạng trong danh sách.")
            }
            formatHint = hint
        }
    }

    struct ExceptionLine { let line: Int; let kind: String; let detail: String }
    struct FlagLine { let code: String; let what: String }
    struct FileResult {
        let name: String
        /// "imported", "already", "refused", "skipped"
        let imported: Bool
        let already: Bool
        let refused: Bool
        let skipped: Bool
        let message: String?
        let format: String
        let signature: String
        let signed: Bool
        let records: String
        let paid: String
        let failed: String
        let pending: String
        let unchanged: String
        let malformed: String
        let exceptionCount: Int
        let exceptionText: String
        let hasExceptions: Bool
        let exceptions: [ExceptionLine]
        let moreExceptions: String?
        let flags: [FlagLine]
        let hasFlags: Bool
        let moreFlags: String?
        let groupStatus: String?
    }
    struct ImportResult {
        let files: [FileResult]
        let refused: String?
        let importedNames: String
        let notImportedNames: String
        let strays: String?
        let requireSignature: Bool
        let exceptionsOpen: Bool
    }

    static func importAll(_ env: WebEnvironment, plan: UploadPlan, actor: Actor) throws -> ImportResult {
        var importer = ReturnImporter(db: env.db, taxonomy: try taxonomy(env), formatsDir: env.formatsDirectory,
                                      keys: KeyStore(directory: env.keysDirectory), actor: actor)
        importer.requireSignature = plan.requireSignature
        let root = env.workDirectory.appendingPathComponent("returns-import")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        var results: [FileResult] = []
        var refusedName: String?
        var imported: [String] = [], notImported: [String] = []
        for item in plan.items {
            let name = item.file.filename
            if refusedName != nil {
                results.append(skipped(name, "Chưa nhập: dừng lại vì tệp \(refusedName!) bị từ chối. Xử lý tệp đó rồi tải lại tệp này."))
                notImported.append(name)
                continue
            }
            // The file under its original (sanitised) name in a fresh folder, its .sig beside it:
            // the importer records that name and looks for NAME.sig next to the file.
            let folder = root.appendingPathComponent(UUID().uuidString)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
            defer { try? FileManager.default.removeItem(at: folder) }
            let url = folder.appendingPathComponent(name)
            try FileManager.default.copyItem(at: item.file.url, to: url)
            if let sig = item.signature {
                try FileManager.default.copyItem(at: sig.url, to: DetachedSignature.signatureURL(for: url))
            }
            do {
                let s = try importer.importFile(url, formatHint: plan.formatHint)
                let exceptions = try s.fileID.map { try ReturnsQueries.fileExceptions(env.db, fileID: $0, limit: 50) } ?? []
                results.append(result(s, exceptions: exceptions))
                imported.append(name)
            } catch {
                refusedName = name
                results.append(skipped(name, refusal(error, file: name), refused: true))
                notImported.append(name)
            }
        }
        return ImportResult(files: results, refused: refusedName,
                            importedNames: imported.isEmpty ? "không có" : imported.joined(separator: ", "),
                            notImportedNames: notImported.isEmpty ? "không có" : notImported.joined(separator: ", "),
                            strays: plan.strays.isEmpty ? nil : "Các tệp chữ ký sau không kèm tệp kết quả cùng tên nên không dùng đến: \(plan.strays.joined(separator: ", ")). Tệp chữ ký phải mang đúng tên tệp kết quả thêm đuôi .sig.",
                            requireSignature: plan.requireSignature,
                            exceptionsOpen: results.contains { $0.exceptionCount > 0 })
    }

    static func skipped(_ name: String, _ message: String, refused: Bool = false) -> FileResult {
        FileResult(name: name, imported: false, already: false, refused: refused, skipped: !refused, message: message, format: "", signature: "",
                   signed: false, records: "", paid: "", failed: "", pending: "", unchanged: "", malformed: "", exceptionCount: 0,
                   exceptionText: "", hasExceptions: false, exceptions: [], moreExceptions: nil, flags: [], hasFlags: false, moreFlags: nil, groupStatus: nil)
    }

    static func result(_ s: ReturnImportSummary, exceptions: [ReturnsQueries.FileException]) -> FileResult {
        let n = Show.number
        if s.alreadyImported {
            return FileResult(name: s.file, imported: false, already: true, refused: false, skipped: false,
                              message: "Tệp này đã được nhập lúc \(Show.time(s.previousImportAt)) (cùng mã băm SHA-256). Không có gì thay đổi.",
                              format: "", signature: "", signed: false, records: "", paid: "", failed: "", pending: "", unchanged: "", malformed: "",
                              exceptionCount: 0, exceptionText: "", hasExceptions: false, exceptions: [], moreExceptions: nil, flags: [], hasFlags: false,
                              moreFlags: nil, groupStatus: nil)
        }
        let flags = s.flags.map { FlagLine(code: $0.code, what: $0.kind.vietnamese) }
        let count = s.exceptions.count
        return FileResult(name: s.file, imported: true, already: false, refused: false, skipped: false, message: nil,
                          format: formatName(s.format), signature: s.signature.hasPrefix("valid") ? "hợp lệ" : "không có", signed: s.signature.hasPrefix("valid"),
                          records: n(s.records), paid: n(s.paid), failed: n(s.failed), pending: n(s.pending), unchanged: n(s.unchanged),
                          malformed: n(s.malformed), exceptionCount: count, exceptionText: n(count), hasExceptions: count > 0,
                          exceptions: exceptions.map { ExceptionLine(line: $0.lineNo, kind: exceptionKindName($0.kind), detail: exceptionDetail($0.detail)) },
                          moreExceptions: count > exceptions.count ? "… và \(n(count - exceptions.count)) ngoại lệ nữa: xem ở trang Ngoại lệ." : nil,
                          flags: Array(flags.prefix(50)), hasFlags: !flags.isEmpty, moreFlags: flags.count > 50 ? "… và \(n(flags.count - 50)) việc nữa." : nil,
                          groupStatus: s.groupStatus.map { "Trạng thái chung của cả tệp: \($0)" })
    }

    /// What the clerk reads about a refused file, in Vietnamese: what happened and what to do, once
    /// (the importer's own sentence names command-line options and repeats the advice). `.noKeys`
    /// cannot happen here (the web always passes its key directory); it keeps the generic sentence.
    static func refusal(_ error: any Error, file: String) -> String {
        let args: [String: MessageArg] = ["file": .text(file), "detail": .text("\(error)")]
        switch error {
        case let e as ReturnRefused:
            switch e.reason {
            case .badSignature(let result): return Message("web.returns.bad_signature", ["file": .text(file), "finding": .message(result.finding(for: file))]).text()
            case .signatureRequired: return Message("web.returns.signature_required", ["file": .text(file)]).text()
            case .unsignedFromSigner(_, let institution):
                return Message("web.returns.unsigned_from_signer", ["file": .text(file), "institution": .text(institution)]).text()
            case .noKeys: return Message("web.returns.refused", args).text()
            }
        case is ReturnFileError:
            return Message("web.returns.unreadable", args).text()
        case let e as WebError:
            return e.message
        default:
            return Message("web.returns.refused", ["file": .text(file), "detail": .text(WebError.from(error).message)]).text()
        }
    }

    /// A kind as stored or written in the audit trail; a word that is no kind is shown as written.
    static func exceptionKindName(_ kind: ReturnExceptionKind) -> String {
        switch kind {
        case .unknownReference: "Mã tham chiếu không có trong bảng chi nào"
        case .amountDiffers: "Số tiền khác số đã gửi"
        case .accountDiffers: "Số tài khoản khác tài khoản đã gửi"
        case .duplicateReturn: "Kết quả trùng (đã báo trước đó, chỉ tính một lần)"
        case .conflictingOutcome: "Kết quả ngược với kết quả đã nhận trước đó"
        case .cancelledBatch: "Thuộc bảng chi đã huỷ"
        case .notExported: "Thuộc bảng chi chưa xuất tệp"
        case .malformed: "Dòng hoặc tệp không đọc được"
        case .totalsDiffer: "Dòng tổng cộng không khớp"
        }
    }

    /// An exception's detail (written in English by the importer, from a few fixed sentences) in
    /// Vietnamese; a sentence not recognised is shown as written. Digits that look like a personal
    /// ID or an account number are masked either way.
    static func exceptionDetail(_ detail: String) -> String {
        func state(_ s: String) -> String {
            switch s {
            case "paid": "đã chi"
            case "failed", "rejected": "không chi được"
            case "pending": "đang xử lý"
            default: s
            }
        }
        func money(_ s: String) -> String { s.replacingOccurrences(of: ",", with: ".") + " đ" }
        let d = detail
        let patterns: [(String, ([String]) -> String)] = [
            (#"^reference (\S+) is not in any batch of this store; check that the file is ours$"#,
             { "Mã tham chiếu \($0[0]) không có trong bảng chi nào của ChiTra; kiểm tra tệp có đúng là của đơn vị mình không." }),
            (#"^reference (\S+) belongs to batch #(\d+), which was cancelled; nothing should have been paid on it$"#,
             { "Mã tham chiếu \($0[0]) thuộc bảng chi số \($0[1]) đã huỷ; lẽ ra không có gì được chi theo mã này." }),
            (#"^reference (\S+) belongs to batch #(\d+), which is (\w+) and was never exported$"#,
             { "Mã tham chiếu \($0[0]) thuộc bảng chi số \($0[1]) (\(BatchStatus(rawValue: $0[2]).map(statusName) ?? $0[2])), chưa từng xuất tệp gửi đi." }),
            (#"^reference (\S+): the return says ([\d,]+) but we sent ([\d,]+) VND$"#,
             { "Mã tham chiếu \($0[0]): tệp kết quả ghi \(money($0[1])), nhưng số đã gửi là \(money($0[2]))." }),
            (#"^reference (\S+): the return names account (\S+) but we sent to (\S+)$"#,
             { "Mã tham chiếu \($0[0]): tệp kết quả ghi tài khoản \($0[1]), nhưng tiền đã gửi vào tài khoản \($0[2])." }),
            (#"^reference (\S+) was already reported (\w+) by an earlier return; counted once$"#,
             { "Mã tham chiếu \($0[0]) đã được báo \(state($0[1])) trong một tệp trước; chỉ tính một lần." }),
            (#"^reference (\S+) was already settled as (\w+) and is now reported (\w+); check with the bank before changing anything$"#,
             { "Mã tham chiếu \($0[0]) đã ghi nhận là \(state($0[1])), nay lại được báo \(state($0[2])); hỏi lại ngân hàng trước khi thay đổi." }),
            (#"^the line has no reference; it cannot be matched to a payment$"#,
             { _ in "Dòng không có mã tham chiếu, không đối chiếu được với khoản chi nào." }),
            (#"^the whole message (\S+) was rejected \(([^)]*)\) without per-line statuses"#,
             { "Cả thông điệp \($0[0]) bị từ chối (\($0[1])) mà không có kết quả từng dòng; không khoản nào thay đổi. Hỏi lại ngân hàng, xuất lại tệp nếu cần." }),
        ]
        for (pattern, say) in patterns {
            guard let re = try? NSRegularExpression(pattern: pattern),
                  let m = re.firstMatch(in: d, range: NSRange(d.startIndex..., in: d)) else { continue }
            let groups = (1..<m.numberOfRanges).map { i in Range(m.range(at: i), in: d).map { String(d[$0]) } ?? "" }
            return Mask.personal(say(groups))
        }
        return Mask.personal(d)
    }

    static func exceptionAdvice(_ kind: ReturnExceptionKind) -> String {
        switch kind {
        case .unknownReference: "Kiểm tra tệp có đúng là của đơn vị mình; nếu là dòng lạ đã được đơn vị chi trả xác nhận, bỏ qua."
        case .amountDiffers, .accountDiffers: "Hỏi lại ngân hàng; nếu họ xác nhận kết quả là đúng cho khoản này, áp dụng kết quả; nếu không, bỏ qua."
        case .conflictingOutcome: "Hỏi lại ngân hàng khoản này thực tế đã chi hay chưa; áp dụng kết quả mới chỉ khi họ xác nhận."
        case .duplicateReturn: "Kết quả đã được tính một lần; thường chỉ cần bỏ qua."
        case .cancelledBatch, .notExported: "Khoản này chưa từng được gửi đi; hỏi đơn vị chi trả vì sao có kết quả, rồi bỏ qua."
        case .malformed, .totalsDiffer: "Đối chiếu với đơn vị gửi tệp; nếu cần, đề nghị gửi lại tệp đúng."
        }
    }

    // MARK: - Reconciliation

    struct Cell { let sum: String; let count: String; let zero: Bool }
    struct GroupRow {
        let name: String; let key: String?
        let sent: Cell; let paid: Cell; let failed: Cell; let pending: Cell; let awaiting: Cell
        let balanced: Bool
    }
    struct ReasonRow { let label: String; let count: String; let sum: String }
    struct FailureRow { let code: String; let name: String; let village: String; let month: String; let amount: String; let reason: String; let next: String }
    struct FlagGroup { let what: String; let count: String; let codes: [String]; let more: String? }
    struct OverRow { let code: String; let name: String; let month: String; let amount: String; let died: String }
    struct ReconcileModel {
        let id: Int64
        let period: String
        let status: String
        let exported: Bool
        let balanced: Bool
        let equation: String
        let total: GroupRow
        let groups: [GroupRow]
        let hasFailures: Bool
        let failedTotal: String
        let reasons: [ReasonRow]
        let nextSteps: [ReasonRow]
        let carryOver: String
        /// The payment fee each organisation is owed on what it paid (payer.json `feePercent`).
        let fees: [FeeRow]
        let totalFee: String
        let hasFees: Bool
        let failures: [FailureRow]
        let moreFailures: String?
        let overpayments: [OverRow]
        let hasOverpayments: Bool
        let flags: [FlagGroup]
        let hasFlags: Bool
        let hasOpen: Bool
        let openExceptionsText: String
        let computedAt: String
    }
    struct FeeRow { let name: String; let paid: String; let rate: String; let fee: String }

    static let failuresShown = 50

    static func reconcileModel(_ env: WebEnvironment, batchID id: Int64) throws -> (ReconcileModel, Double) {
        guard let header = try ReturnsQueries.batchHeader(env.db, id: id) else { throw WebError.notFound("bảng chi số \(id)") }
        let tax = try taxonomy(env)
        let banks = try env.banks()
        let started = DispatchTime.now().uptimeNanoseconds
        let r = try Reconciliation.build(env.db, batchID: id, queue: ExceptionQueue(db: env.db), taxonomy: tax,
                                         accountantCSV: nil, fees: .init(payer: try env.payer(), banks: banks))
        let ms = Double(DispatchTime.now().uptimeNanoseconds - started) / 1_000_000
        let n = Show.number
        func cell(_ f: Reconciliation.Figures) -> Cell { Cell(sum: Show.money(f.sum), count: "\(n(f.count)) khoản", zero: f.count == 0) }
        func row(_ g: Reconciliation.Group, name: String) -> GroupRow {
            // The group's key under its name, unless the name already says it (a bank's BIN).
            GroupRow(name: name, key: g.key.hasPrefix("BANK-") || g.key == "TOTAL" ? nil : g.key, sent: cell(g.sent), paid: cell(g.paid), failed: cell(g.failed), pending: cell(g.pending),
                     awaiting: cell(g.awaiting), balanced: g.balanced)
        }
        func institution(_ key: String) -> String {
            if key.hasPrefix("VNPOST") { return banks.postOffice?.short ?? "Bưu điện" }
            return banks.institutionName(groupKey: key)
        }
        func grouped(_ key: (Reconciliation.Failure) -> String) -> [ReasonRow] {
            var by: [String: Reconciliation.Figures] = [:]
            for f in r.failures { by[key(f), default: .init()].count += 1; by[key(f), default: .init()].sum += f.amount }
            return by.sorted { $0.value.sum != $1.value.sum ? $0.value.sum > $1.value.sum : $0.key < $1.key }
                .map { ReasonRow(label: $0.key.prefix(1).uppercased() + $0.key.dropFirst(), count: n($0.value.count), sum: Show.money($0.value.sum)) }
        }
        let t = r.total
        let equation = "\(Show.money(t.sent.sum)) đã gửi \(t.balanced ? "=" : "≠") \(Show.money(t.paid.sum)) đã chi + \(Show.money(t.failed.sum)) không chi được + \(Show.money(t.pending.sum)) đang xử lý + \(Show.money(t.awaiting.sum)) chưa có kết quả"
        let model = ReconcileModel(
            id: id, period: YearMonth(r.period)?.vietnamese ?? r.period, status: statusName(r.status), exported: header.exported,
            balanced: r.balanced, equation: equation,
            total: row(t, name: "Tổng cộng"),
            groups: r.groups.map { row($0, name: institution($0.key)) },
            hasFailures: !r.failures.isEmpty, failedTotal: "\(n(t.failed.count)) khoản, \(Show.money(t.failed.sum))",
            reasons: grouped { $0.reasonVi }, nextSteps: grouped { $0.next },
            carryOver: "\(n(r.carryOver.count)) khoản, \(Show.money(r.carryOver.sum))",
            fees: r.fees.map { FeeRow(name: $0.name, paid: "\(Show.money($0.paidSum)) (\(n($0.paidCount)) khoản)",
                                      rate: $0.ratePercent.map { $0.replacingOccurrences(of: ".", with: ",") + "%" } ?? "chưa có tỷ lệ",
                                      fee: $0.fee.map(Show.money) ?? "—") },
            totalFee: Show.money(r.totalFee), hasFees: !r.fees.isEmpty,
            failures: r.failures.prefix(failuresShown).map {
                FailureRow(code: $0.code, name: $0.name, village: $0.village, month: YearMonth($0.forMonth)?.vietnamese ?? $0.forMonth,
                           amount: Show.money($0.amount), reason: $0.reasonVi, next: $0.next.prefix(1).uppercased() + $0.next.dropFirst())
            },
            moreFailures: r.failures.count > failuresShown ? "Trang này chỉ liệt kê \(failuresShown) khoản đầu trong \(n(r.failures.count)) khoản chưa chi; đủ cả trong tệp CSV cho kế toán." : nil,
            overpayments: r.overpayments.map {
                OverRow(code: $0.code, name: $0.name, month: YearMonth($0.forMonth)?.vietnamese ?? $0.forMonth, amount: Show.money($0.amount),
                        died: CivilDate($0.deathDate)?.vietnamese ?? $0.deathDate)
            },
            hasOverpayments: !r.overpayments.isEmpty,
            flags: flagGroups(r.flags), hasFlags: !r.flags.isEmpty,
            hasOpen: !r.openExceptions.isEmpty,
            openExceptionsText: r.openExceptions.isEmpty ? "Không có ngoại lệ nào chờ xử lý cho bảng chi này."
                : "\(n(r.openExceptions.count)) ngoại lệ chờ xử lý cho bảng chi này: tiền của các khoản đó không tự thay đổi cho đến khi có người xử lý.",
            computedAt: Show.time(Timestamp.now()))
        return (model, ms)
    }

    /// The reconciliation's flags (`CODE: what to do`) by what to do, most frequent first, with
    /// at most 60 codes each.
    static func flagGroups(_ flags: [String]) -> [FlagGroup] {
        var by: [String: [String]] = [:]
        var order: [String] = []
        for f in flags {
            let parts = f.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            let what = parts.count > 1 ? Mask.personal(parts[1]) : ""
            if by[what] == nil { order.append(what) }
            by[what, default: []].append(parts[0])
        }
        return order.sorted { by[$0]!.count != by[$1]!.count ? by[$0]!.count > by[$1]!.count : $0 < $1 }.map { what in
            let codes = by[what]!
            return FlagGroup(what: what, count: Show.number(codes.count), codes: Array(codes.prefix(60)),
                             more: codes.count > 60 ? "… và \(Show.number(codes.count - 60)) người nữa (xem tệp CSV)." : nil)
        }
    }

    // MARK: - Exceptions

    struct ExceptionFilter: Sendable { let all: Bool; let batch: Int64? }
    struct Problem: Sendable { let id: Int64; let resolution: ExceptionQueue.Resolution?; let note: String; let message: String }
    struct ExceptionRow {
        let id: Int64; let kind: String; let advice: String; let holdsMoney: Bool; let file: String; let line: Int
        let batchID: Int64?; let reference: String?; let detail: String
        let open: Bool; let resolvedText: String?; let note: String?
        let canResolve: Bool; let canApply: Bool
        let rowProblem: String?; let noteValue: String; let applyChecked: Bool; let dismissChecked: Bool
    }
    static let exceptionsShown = 200

    struct ExceptionsModel {
        let rows: [ExceptionRow]
        let empty: Bool
        let more: String?
        let emptyText: String
        let all: Bool
        let filterBatch: Int64?
        let allValue: String
        let canResolve: Bool
        let csrf: String
        let pageProblem: String?
        let heading: String
        let toggleHref: String
        let toggleLabel: String
    }

    static func exceptionsModel(_ env: WebEnvironment, user: WebUser, filter: ExceptionFilter, problem: Problem?) throws -> ExceptionsModel {
        let all = try ExceptionQueue(db: env.db).list(openOnly: !filter.all, batchID: filter.batch)
        // Open ones first; the page shows at most `exceptionsShown` (each with its form).
        let ordered = all.filter { $0.status == .open } + all.filter { $0.status != .open }.reversed()
        var items = Array(ordered.prefix(exceptionsShown))
        if let p = problem, !items.contains(where: { $0.id == p.id }), let e = all.first(where: { $0.id == p.id }) { items.insert(e, at: 0) }
        let canResolve = user.has(.clerk)
        let rows = items.map { e -> ExceptionRow in
            let p = problem?.id == e.id ? problem : nil
            let open = e.status == .open
            let resolved: String? = open ? nil :
                "Đã xử lý: \(e.resolution == .applied ? "áp dụng kết quả của ngân hàng" : "bỏ qua (không đổi tiền)"), bởi \(e.resolvedBy ?? "?")."
            let holds = ReturnExceptionKind.holdingMoney.contains(e.kind)
            return ExceptionRow(id: e.id, kind: exceptionKindName(e.kind), advice: exceptionAdvice(e.kind), holdsMoney: open && holds,
                                file: e.file, line: e.lineNo, batchID: e.batchID, reference: e.reference, detail: exceptionDetail(e.detail),
                                open: open, resolvedText: resolved, note: e.note.map(Mask.personal),
                                canResolve: open && canResolve, canApply: holds, rowProblem: p?.message, noteValue: p?.note ?? "",
                                applyChecked: p?.resolution == .apply, dismissChecked: p?.resolution == .dismiss)
        }
        var base = "/returns/exceptions"
        var toggle: [String] = []
        if !filter.all { toggle.append("all=1") }
        if let b = filter.batch { toggle.append("batch=\(b)") }
        if !toggle.isEmpty { base += "?" + toggle.joined(separator: "&") }
        let scope = filter.batch.map { " của bảng chi số \($0)" } ?? ""
        return ExceptionsModel(
            rows: rows, empty: rows.isEmpty,
            more: all.count > items.count ? "Trang này hiện \(Show.number(items.count)) trong \(Show.number(all.count)) ngoại lệ (chờ xử lý trước, rồi mới xử lý gần nhất). Xử lý bớt hoặc lọc theo bảng chi để xem tiếp." : nil,
            emptyText: filter.all ? "Chưa có ngoại lệ nào\(scope)." : "Không có ngoại lệ nào chờ xử lý\(scope).",
            all: filter.all, filterBatch: filter.batch, allValue: filter.all ? "1" : "",
            canResolve: canResolve, csrf: user.csrfToken,
            pageProblem: problem?.message,
            heading: filter.all ? "Tất cả ngoại lệ đối chiếu\(scope)" : "Ngoại lệ chờ xử lý\(scope)",
            toggleHref: base, toggleLabel: filter.all ? "Chỉ xem ngoại lệ chờ xử lý" : "Xem cả ngoại lệ đã xử lý")
    }

    static func resolveRefusal(id: Int64, _ e: StoreError) -> String {
        let args: [String: MessageArg] = ["id": .int(Int(id)), "detail": .text(e.description)]
        switch e.message?.key ?? "" {
        case "store.exception.already_resolved": return Message("web.exception.already_resolved", args).text()
        case "store.exception.no_payment": return Message("web.exception.no_payment", args).text()
        case "store.exception.missing": return Message("web.exception.missing", args).text()
        case "store.exception.carried_over": return Message("web.exception.carried_over", args).text()
        default: return Message("web.exception.failed", args).text()
        }
    }
}

/// The reconciliation page of each batch, computed and rendered once per state of the store:
/// keyed by the batch and ``ReturnsQueries/changeMark(_:)`` (the newest audit entry), so that
/// repeated requests neither walk the batch's lines again nor render its tables again, and
/// concurrent first requests share one computation. The body holds nothing of the person who
/// asked (no form, no token): the layout around it is made per request.
actor ReconcileCache {
    private var batches: [Int64: RecentValue<(String, Double)>] = [:]
    private let capacity = 16

    /// The rendered body; how long the reconciliation took to build (nil when it was already
    /// there); and whether it is up to date (false: made just before the latest change, while the
    /// new one is built).
    func body(batchID: Int64, mark: Int64, build: @escaping @Sendable () async throws -> (String, Double)) async throws -> (String, Double?, Bool) {
        if batches[batchID] == nil, batches.count >= capacity, let victim = batches.keys.first { batches[victim] = nil }
        let cache = batches[batchID] ?? RecentValue()
        batches[batchID] = cache
        let (value, upToDate, kept, _) = try await cache.value(for: String(mark), scope: "batch") { try await build() }
        return (value.0, kept ? nil : value.1, upToDate)
    }
}
