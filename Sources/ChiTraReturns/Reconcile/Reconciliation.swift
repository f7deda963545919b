import ChiTraCore
import ChiTraSigning
import ChiTraStore
import Foundation
import GRDB

/// A batch after the returns: sent = paid + failed + pending (+ not yet reported), to the đồng.
public struct Reconciliation: Sendable, Codable {
    public struct Figures: Sendable, Codable, Equatable {
        public var count = 0
        public var sum: Int64 = 0
        public init(count: Int = 0, sum: Int64 = 0) { self.count = count; self.sum = sum }
        mutating func add(_ amount: Int64) { count += 1; sum += amount }
    }
    public struct Group: Sendable, Codable {
        public var key: String
        public var sent = Figures()
        public var paid = Figures()
        public var failed = Figures()
        public var pending = Figures()
        /// Exported lines no return has spoken of yet.
        public var awaiting = Figures()
        public var balanced: Bool { sent.count == paid.count + failed.count + pending.count + awaiting.count
                                    && sent.sum == paid.sum + failed.sum + pending.sum + awaiting.sum }
    }
    public struct Failure: Sendable, Codable {
        public var reference: String
        public var code: String
        public var name: String
        public var village: String
        public var amount: Int64
        public var forMonth: String
        public var reason: String
        public var reasonVi: String
        public var retryable: Bool
        /// What happens next: carried into the next batch, waits for a corrected account, or never paid again.
        public var next: String
    }
    public struct Overpayment: Sendable, Codable {
        public var code: String
        public var name: String
        public var reference: String
        public var forMonth: String
        public var amount: Int64
        public var deathDate: String
    }
    public var batchID: Int64
    public var period: String
    public var status: BatchStatus
    public var total: Group
    public var groups: [Group]
    public var failures: [Failure]
    public var openExceptions: [ExceptionQueue.Item]
    public var carryOver: Figures
    public var overpayments: [Overpayment]
    public var flags: [String]
    public var balanced: Bool
    /// The payment fee each organisation is owed on what it paid (empty without a payer).
    public var fees: [PaymentFee] = []
    /// The sum of the fees that have a rate.
    public var totalFee: Int64 = 0

    /// The Vietnamese label of a canonical reason, from `formats/return-reasons.json`.
    static func label(_ reason: String, _ taxonomy: ReasonTaxonomy?) -> String {
        CanonicalReason(rawValue: reason).flatMap { taxonomy?.reasons[$0]?.label } ?? reason
    }

    public static func build(_ db: AppDatabase, batchID: Int64, queue: ExceptionQueue, taxonomy: ReasonTaxonomy? = nil,
                             fees: FeeSchedule? = nil) throws -> Reconciliation {
        try build(db, batchID: batchID, queue: queue, taxonomy: taxonomy, accountantCSV: nil, fees: fees)
    }

    /// What the payment fees are computed from: the commune's accounts with their rates, and the
    /// bank names.
    public struct FeeSchedule: Sendable {
        public var payer: Payer
        public var banks: BankDirectory
        public init(payer: Payer, banks: BankDirectory) { self.payer = payer; self.banks = banks }
    }

    /// Sets `fees` and `totalFee` from the groups' paid figures.
    mutating func addFees(_ schedule: FeeSchedule?) throws {
        guard let schedule else { return }
        // Every organisation sent a file is listed, one that paid nothing with a fee of 0.
        fees = try PaymentFee.compute(paidByGroup: groups.map { ($0.key, $0.paid.count, $0.paid.sum) },
                                      payer: schedule.payer, banks: schedule.banks)
        totalFee = try Money.sum(fees.compactMap(\.fee))
        // Every đồng paid is under one organisation.
        guard try Money.sum(fees.map(\.paidSum)) == total.paid.sum else {
            throw StoreError(Message("store.reconcile.fees_mismatch", ["computed": .money(try Money.sum(fees.map(\.paidSum))), "paid": .money(total.paid.sum)]))
        }
    }

    /// `build`, also writing the accountant CSV to `csvURL` (the bytes `writeAccountantCSV` writes,
    /// atomic, 0600) from the same pass over the lines: both read every line of the batch with its
    /// person, in the same order, and at national scale that join is most of the time.
    /// The file is committed only once the whole reconciliation has been built.
    public static func build(_ db: AppDatabase, batchID: Int64, queue: ExceptionQueue, taxonomy: ReasonTaxonomy?,
                             accountantCSV csvURL: URL?, fees: FeeSchedule? = nil, progress: ProgressReport? = nil) throws -> Reconciliation {
        var csv: AtomicFileWriter?
        do {
            var r = try buildFigures(db, batchID: batchID, taxonomy: taxonomy, csvURL: csvURL, csv: &csv, progress: progress)
            r.openExceptions = try queue.list(openOnly: true, batchID: batchID)
            try r.addFees(fees)
            try csv?.commit()
            return r
        } catch {
            csv?.abandon()
            throw error
        }
    }

    /// The command line's report: `build` (with the accountant CSV) and `vietnameseLines()` in one
    /// read of the store, the lines handed to `emit` as they are made. The failed lines are not kept
    /// (6 % of a national batch, about 700 bytes each): their section reads them again, from the
    /// same snapshot, in the same order. The result has no `failures`.
    public static func writeReport(_ store: AppDatabase, batchID: Int64, taxonomy: ReasonTaxonomy?, accountantCSV csvURL: URL?,
                                   fees: FeeSchedule? = nil, progress: ProgressReport? = nil, emit: (String) -> Void) throws -> Reconciliation {
        var csv: AtomicFileWriter?
        do {
            return try store.writer.read { db -> Reconciliation in
                var r = try figures(db, batchID: batchID, taxonomy: taxonomy, csvURL: csvURL, csv: &csv, keepFailures: false, progress: progress)
                r.openExceptions = try ExceptionQueue.list(db, openOnly: true, batchID: batchID)
                try r.addFees(fees)
                try csv?.commit()
                csv = nil
                r.writeHead(emit)
                if r.total.failed.count > 0 {
                    emit(failuresTitle(r.total.failed.count))
                    try forEachFailure(db, batchID: batchID, taxonomy: taxonomy) { emit(failureLine($0)) }
                }
                r.writeTail(emit)
                return r
            }
        } catch {
            csv?.abandon()
            throw error
        }
    }

    /// The failed lines of the batch, in report order, as `build` lists them.
    private static func forEachFailure(_ db: Database, batchID: Int64, taxonomy: ReasonTaxonomy?, _ body: (Failure) throws -> Void) throws {
        let held = try OpenExceptions.heldLineIDs(db)
        try ReconciliationQueries.forEachLine(db, batchID: batchID, failedOnly: true) { l in
            try body(failure(l, taxonomy: taxonomy, held: held.contains(l.id), funeral: l.isFuneral).failure)
        }
    }

    /// A failed line and whether its money carries over to the next batch: not while an open
    /// return exception holds it (`OpenExceptions`). The account flag that decides whether a failed
    /// line waits for a new account is the person's, or for funeral support the organiser's (on the
    /// claim, `FuneralClaims`).
    private static func failure(_ r: ReconciliationQueries.Line, taxonomy: ReasonTaxonomy?, held: Bool, funeral: Bool = false) -> (failure: Failure, carriesOver: Bool) {
        let amount = r.amount
        let reason = r.reason ?? CanonicalReason.other.rawValue
        let retryable = r.retryable
        let carried = r.carried
        let next: String
        var carriesOver = false
        if carried { next = "đã chuyển sang đợt sau" }
        else if held { next = "tạm giữ: có ngoại lệ đối chiếu chưa xử lý, không chi lại cho đến khi xử lý xong" }
        else if reason == CanonicalReason.deceased.rawValue { next = "không chi lại; xác minh ngày mất, truy thu nếu có" }
        else if reason == CanonicalReason.duplicate.rawValue { next = "không chi lại (trùng lặp)" }
        else if retryable { next = "sẽ chi lại trong đợt sau"; carriesOver = true }
        else if !r.accountFlagged { next = "sẽ chi lại vào tài khoản mới trong đợt sau"; carriesOver = true }
        else if funeral { next = "chờ tài khoản mới của người tổ chức mai táng (chitra funeral set-account)" }
        else { next = "chờ cập nhật tài khoản (hoặc chi qua bưu điện nếu xã cho phép)" }
        return (Failure(reference: r.reference, code: r.beneficiaryCode, name: r.fullName, village: r.village, amount: amount, forMonth: r.forMonth, reason: reason,
                        reasonVi: label(reason, taxonomy), retryable: retryable, next: next), carriesOver)
    }

    private static func buildFigures(_ store: AppDatabase, batchID: Int64, taxonomy: ReasonTaxonomy?, csvURL: URL?,
                                     csv: inout AtomicFileWriter?, progress: ProgressReport?) throws -> Reconciliation {
        try store.writer.read { db in try figures(db, batchID: batchID, taxonomy: taxonomy, csvURL: csvURL, csv: &csv, keepFailures: true, progress: progress) }
    }

    private static func figures(_ db: Database, batchID: Int64, taxonomy: ReasonTaxonomy?, csvURL: URL?,
                                csv: inout AtomicFileWriter?, keepFailures: Bool, progress: ProgressReport? = nil) throws -> Reconciliation {
        do {
            guard let b = try ReconciliationQueries.batch(db, id: batchID) else {
                throw StoreError(Message("store.batch.missing", ["batch": .int(Int(batchID))]))
            }
            // The accountant CSV, when asked for: its file is created once the batch is known (as
            // `writeAccountantCSV` after `build`), its text flushed about 1 MiB at a time.
            var csvText = ""
            if let csvURL {
                csv = try AtomicFileWriter(destination: csvURL, mode: 0o600)
                csvText = accountantCSVHeader
            }
            var groups: [String: Group] = [:]
            var total = Group(key: "TOTAL")
            var failures: [Failure] = []
            var carry = Figures()
            let held = try OpenExceptions.heldLineIDs(db)
            // One line in memory at a time (a national batch has millions), each column read only
            // when asked for.
            // The group of the previous line: lines come ordered by group, so the dictionary is
            // touched once per group rather than twice per line.
            var current: Group?
            var counter = ProgressCounter(progress, total: b.lineCount, stride: 5_000)
            defer { counter.finish() }
            try ReconciliationQueries.forEachLine(db, batchID: batchID) { r in
                counter.advance()
                let key = r.groupKey
                let amount = r.amount
                if current?.key != key {
                    if let c = current { groups[c.key] = c }
            if let w = csv { try w.write(Data(csvText.utf8)); csvText = "" }
                    current = groups[key] ?? Group(key: key)
                }
                var g = current!
                g.sent.add(amount); total.sent.add(amount)
                let settled = r.settled
                if let w = csv {
                    appendCSVRow(reference: r.reference, code: r.beneficiaryCode, name: r.fullName, village: r.village, groupKey: key, kind: r.kind, forMonth: r.forMonth,
                                 amount: amount, settled: settled, reason: r.reason, date: r.resultDate, taxonomy: taxonomy, to: &csvText)
                    if csvText.utf8.count >= 1 << 20 { try w.write(Data(csvText.utf8)); csvText = "" }
                }
                switch settled {
                case .paid: g.paid.add(amount); total.paid.add(amount)
                case .rejected:
                    g.failed.add(amount); total.failed.add(amount)
                    let (x, carriesOver) = failure(r, taxonomy: taxonomy, held: !held.isEmpty && held.contains(r.id), funeral: r.isFuneral)
                    if carriesOver { carry.add(amount) }
                    if keepFailures { failures.append(x) }
                case .pending: g.pending.add(amount); total.pending.add(amount)
                case nil: g.awaiting.add(amount); total.awaiting.add(amount)
                }
                current = g
            }
            if let c = current { groups[c.key] = c }
            if let w = csv { try w.write(Data(csvText.utf8)); csvText = "" }
            // Money for months after a recorded death, paid or on its way: to recover.
            let over = try ReconciliationQueries.overpayments(db, batchID: batchID).map {
                Overpayment(code: $0.code, name: $0.name, reference: $0.reference, forMonth: $0.forMonth, amount: $0.amount, deathDate: $0.deathDate)
            }
            let flags = try ReconciliationQueries.openFlags(db, batchID: batchID).map { "\($0.code): \($0.detail)" }
            let gs = groups.keys.sorted().map { groups[$0]! }
            // The batch header, the groups and the lines must agree to the đồng.
            let balanced = total.balanced && gs.allSatisfy(\.balanced)
                && total.sent.count == b.lineCount && total.sent.sum == b.controlSum
            return Reconciliation(batchID: batchID, period: b.period, status: b.status, total: total, groups: gs, failures: failures,
                                  openExceptions: [], carryOver: carry, overpayments: over, flags: flags, balanced: balanced)
        }
    }

    /// The clerk's report, in the process's language (Vietnamese by default; `--lang en`).
    public func vietnameseLines() -> [String] {
        var out: [String] = []
        writeHead { out.append($0) }
        if !failures.isEmpty {
            out.append(Self.failuresTitle(failures.count))
            for x in failures { out.append(Self.failureLine(x)) }
        }
        writeTail { out.append($0) }
        return out
    }

    /// A count as the report has always written it: plain digits, never grouped.
    private static func count(_ n: Int) -> MessageArg { .text(String(n)) }

    static func failuresTitle(_ count: Int) -> String { Message("returns.reconcile.failures", ["count": Self.count(count)]).text() }

    static func failureLine(_ x: Failure) -> String {
        "  " + Message("returns.reconcile.failure", ["code": .text(x.code), "name": .text(x.name), "village": .text(x.village),
                                                     "month": .text(YearMonth(x.forMonth)?.vietnamese ?? x.forMonth), "amount": .money(x.amount),
                                                     "reason": .text(Language.current == .vi ? x.reasonVi : x.reason), "next": .text(x.next)]).text()
    }

    private static func text(_ x: Figures) -> String {
        Message("returns.reconcile.figures", ["count": count(x.count), "sum": .money(x.sum)]).text()
    }

    /// The report up to the failed lines: totals, balance, groups.
    func writeHead(_ emit: (String) -> Void) {
        let f = Self.text
        emit(Message("returns.reconcile.title", ["batch": .text(String(batchID)), "month": .text(YearMonth(period)?.vietnamese ?? period)]).text())
        emit(Message("returns.reconcile.sent", ["figures": .text(f(total.sent))]).text())
        emit("  " + Message("returns.reconcile.paid", ["figures": .text(f(total.paid))]).text())
        emit("  " + Message("returns.reconcile.failed", ["figures": .text(f(total.failed))]).text())
        emit("  " + Message("returns.reconcile.pending", ["figures": .text(f(total.pending))]).text())
        if total.awaiting.count > 0 { emit("  " + Message("returns.reconcile.awaiting", ["figures": .text(f(total.awaiting))]).text()) }
        emit(balanced ? Message("returns.reconcile.balanced").text() : Message("returns.reconcile.unbalanced").text())
        for g in groups {
            let awaiting = g.awaiting.count > 0 ? Message("returns.reconcile.group_awaiting", ["figures": .text(f(g.awaiting))]).text() : ""
            emit("  " + Message("returns.reconcile.group", ["group": .text(g.key), "sent": .text(f(g.sent)), "paid": .text(f(g.paid)),
                                                            "failed": .text(f(g.failed)), "pending": .text(f(g.pending)), "awaiting": .text(awaiting)]).text())
        }
    }

    /// The report after the failed lines: carry-over, overpayments, flags, open exceptions.
    func writeTail(_ emit: (String) -> Void) {
        let f = Self.text
        emit(Message("returns.reconcile.carry_over", ["figures": .text(f(carryOver))]).text())
        if !fees.isEmpty {
            emit(Message("returns.reconcile.fees").text())
            for x in fees {
                let rate = x.ratePercent.flatMap { FeeRate(percent: $0) }
                if let rate, let fee = x.fee {
                    emit("  " + Message("returns.reconcile.fee", ["name": .text(x.name), "rate": .text(Language.current == .vi ? rate.vietnamese : "\(rate.description)%"),
                                                                  "paid": .money(x.paidSum), "count": Self.count(x.paidCount), "fee": .money(fee)]).text())
                } else {
                    emit("  " + Message("returns.reconcile.fee_no_rate", ["name": .text(x.name), "paid": .money(x.paidSum)]).text())
                }
            }
            emit("  " + Message("returns.reconcile.fee_total", ["fee": .money(totalFee)]).text())
        }
        if !overpayments.isEmpty {
            emit(Message("returns.reconcile.overpayments", ["count": Self.count(overpayments.count)]).text())
            for o in overpayments {
                emit("  " + Message("returns.reconcile.overpayment", ["code": .text(o.code), "name": .text(o.name),
                                                                      "month": .text(YearMonth(o.forMonth)?.vietnamese ?? o.forMonth), "amount": .money(o.amount),
                                                                      "death": .text(CivilDate(o.deathDate)?.vietnamese ?? o.deathDate)]).text())
            }
        }
        if !flags.isEmpty {
            emit(Message("returns.reconcile.todo").text())
            for x in flags { emit("  " + x) }
        }
        if !openExceptions.isEmpty {
            emit(Message("returns.reconcile.open_exceptions", ["count": Self.count(openExceptions.count)]).text())
            for e in openExceptions {
                let lines = e.lines > 1 ? Message("returns.reconcile.exception_lines", ["lines": Self.count(e.lines)]).text() : ""
                emit("  #\(e.id) [\(e.kind.rawValue)] \(e.file) \(e.location.vietnamese)\(lines): \(e.detail)")
            }
        }
    }

    /// A CSV for the accountant: one line per payment with its outcome; UTF-8 BOM, Excel-safe cells.
    public static func accountantCSV(_ db: AppDatabase, batchID: Int64, taxonomy: ReasonTaxonomy? = nil) throws -> Data {
        var out = Data()
        try accountantCSV(db, batchID: batchID, taxonomy: taxonomy) { out.append($0) }
        return out
    }

    /// The accountant CSV written straight to a file (atomic, 0600), in chunks: memory does not
    /// grow with the batch.
    public static func writeAccountantCSV(_ db: AppDatabase, batchID: Int64, taxonomy: ReasonTaxonomy? = nil, to url: URL) throws {
        let w = try AtomicFileWriter(destination: url, mode: 0o600)
        do {
            try accountantCSV(db, batchID: batchID, taxonomy: taxonomy) { try w.write($0) }
            try w.commit()
        } catch {
            w.abandon()
            throw error
        }
    }

    /// The CSV's bytes, handed to `emit` about 1 MiB at a time.
    static func accountantCSV(_ db: AppDatabase, batchID: Int64, taxonomy: ReasonTaxonomy?, emit: (Data) throws -> Void) throws {
        var out = accountantCSVHeader
        try db.writer.read { db in
            // Cells appended straight to the chunk.
            try ReconciliationQueries.forEachAccountantLine(db, batchID: batchID) { r in
                appendCSVRow(reference: r.reference, code: r.beneficiaryCode, name: r.fullName, village: r.village, groupKey: r.groupKey, kind: r.kind,
                             forMonth: r.forMonth, amount: r.amount, settled: r.settled, reason: r.reason, date: r.resultDate, taxonomy: taxonomy, to: &out)
                if out.utf8.count >= 1 << 20 { try emit(Data(out.utf8)); out = "" }
            }
        }
        try emit(Data(out.utf8))
    }

    static let accountantCSVHeader = "\u{FEFF}" + CSVText.row(["Mã tham chiếu", "Mã đối tượng", "Họ và tên", "Thôn/tổ dân phố", "Nhóm chi trả", "Loại khoản", "Tháng",
                                                              "Số tiền (đồng)", "Kết quả", "Lý do", "Ngày chi trả"]) + "\r\n"

    /// One line of the accountant CSV (with its CRLF), appended to `out`.
    static func appendCSVRow(reference: String, code: String, name: String, village: String, groupKey: String, kind kindText: String,
                             forMonth: String, amount: Int64, settled: ReturnOutcome?, reason resultReason: String?, date: String?,
                             taxonomy: ReasonTaxonomy?, to out: inout String) {
        let result: String
        switch settled {
        case .paid: result = "Đã chi"
        case .rejected: result = "Chưa chi"
        case .pending: result = "Đang xử lý"
        case nil: result = "Chưa có kết quả"
        }
        let reason = resultReason.map { label($0, taxonomy) } ?? ""
        let kind = EntitlementKind(rawValue: kindText)?.vietnamese ?? kindText
        for (i, c) in [reference, code, name, village, groupKey, kind, forMonth, String(amount), result, reason, date ?? ""].enumerated() {
            if i > 0 { out += "," }
            AccountantCSVCell.append(c, to: &out)
        }
        out += "\r\n"
    }
}

/// `CSVText.cell`, without walking the characters of the cells that need no care.
///
/// `CSVText.cell` quotes a cell holding the *characters* `,` `"` LF or CR (so a CRLF pair or a comma
/// followed by a combining mark is one character that matches none of them) and prefixes `'` to a
/// cell whose first scalar is `=` `+` `-` `@` tab or CR. A cell without any of the bytes `,` `"` LF CR
/// can hold none of those characters: it is written as is, after the same prefix check on its first
/// byte (an ASCII scalar is its own byte). Any other cell goes through `CSVText.cell` itself.
enum AccountantCSVCell {
    static func append(_ s: String, to out: inout String) {
        let u = s.utf8
        if u.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }) {
            out += CSVText.cell(s)
            return
        }
        if let f = u.first, f == UInt8(ascii: "=") || f == UInt8(ascii: "+") || f == UInt8(ascii: "-") || f == UInt8(ascii: "@") || f == 0x09 {
            out += "'"
        }
        out += s
    }
}
