import ChiTraCore
import ChiTraStore
import GRDB

/// Everything `batch show` prints, as data.
public struct BatchReport: Sendable, Codable {
    public struct Cell: Sendable, Codable {
        public var group: String
        public var kind: String
        public var count: Int
        public var sum: Int64
    }
    public struct Group: Sendable, Codable {
        public var key: String
        public var channel: String
        public var count: Int
        public var sum: Int64
    }
    public var id: Int64
    public var period: String
    public var supplementary: Bool
    public var status: BatchStatus
    public var builtBy: String
    public var builtAt: String
    public var approvedBy: String?
    public var approvedAt: String?
    public var exportedAt: String?
    public var cancelledBy: String?
    public var cancelReason: String?
    public var lineCount: Int
    public var controlSum: Int64
    public var groups: [Group]
    public var byGroupAndKind: [Cell]
    public var excluded: [BuildSummary.Excluded]
    public var excludedSum: Int64
    /// Accounts, channels and proxies changed since the batch before this one was built (for the
    /// checker: approval is a judgement, not a click), and that batch.
    public var paymentChanges: [PaymentChange]
    public var changesSinceBatch: Int64?
    /// Who built and approved, as accounts: `#2 an.nguyen (Nguyễn Văn An)`, or a legacy name.
    public var builtByAccount: String?
    public var approvedByAccount: String?
    /// Whether the lines still match the approval sealed by the checker (nil before approval).
    public var seal: ApprovalSeal.Finding?

    public static func load(_ db: AppDatabase, batchID: Int64) throws -> BatchReport {
        try db.writer.read { db in
            guard let b = try Batches.record(db, id: batchID) else {
                throw BatchError(Message("batch.missing", ["batch": .int(Int(batchID))]))
            }
            let groups = try PayoutLines.groupChannelTotals(db, batchID: batchID)
                .map { Group(key: $0.key, channel: $0.channel, count: $0.count, sum: $0.sum) }
            let cells = try PayoutLines.kindTotals(db, batchID: batchID)
                .map { Cell(group: $0.group, kind: $0.kind, count: $0.count, sum: $0.sum) }
            let excluded = try BuildSummary.Excluded.all(db, batchID: batchID)
            let previous = try PayoutQueries.previousBatch(db, before: batchID)
            // Up to the approval for an approved batch (what its checker saw), up to now for a draft.
            let changes = try RollQueries.paymentChanges(db, after: previous?.builtAt, until: b.approvedAt)
            let seal = b.status == .approved || b.status == .exported ? try ApprovalSeal.check(db, batchID: batchID) : nil
            let r = BatchReport(id: batchID, period: b.period, supplementary: b.supplementary, status: b.status,
                                builtBy: b.builtBy, builtAt: b.builtAt, approvedBy: b.approvedBy, approvedAt: b.approvedAt,
                                exportedAt: b.exportedAt, cancelledBy: b.cancelledBy, cancelReason: b.cancelReason,
                                lineCount: b.lineCount, controlSum: b.controlSum, groups: groups, byGroupAndKind: cells,
                                excluded: excluded, excludedSum: excluded.reduce(0) { $0 + $1.amountOwed },
                                paymentChanges: changes, changesSinceBatch: previous?.id,
                                builtByAccount: try Users.display(db, id: b.builtByUser).map { "#\(b.builtByUser!) \($0)" },
                                approvedByAccount: try Users.display(db, id: b.approvedByUser).map { "#\(b.approvedByUser!) \($0)" },
                                seal: seal)
            // The stored header totals must equal the lines, to the đồng.
            let n = groups.reduce(0) { $0 + $1.count }, s = groups.reduce(Int64(0)) { $0 + $1.sum }
            guard n == r.lineCount, s == r.controlSum else {
                throw BatchError(Message("batch.report.totals_differ", ["batch": .int(Int(batchID)), "lines": .int(r.lineCount), "sum": .money(r.controlSum), "n": .int(n), "s": .money(s)]))
            }
            return r
        }
    }

    static func fieldVietnamese(_ field: String) -> String {
        switch field {
        case "channel": "hình thức nhận"
        case "bank_bin": "ngân hàng"
        case "account_no": "số tài khoản"
        case "account_name": "tên chủ tài khoản"
        case "proxy_name": "người nhận thay"
        case "proxy_id": "số định danh người nhận thay"
        case "proxy_relation": "quan hệ người nhận thay"
        case "authorisation_until": "giấy ủy quyền đến ngày"
        default: field
        }
    }

    /// The Vietnamese report for finance staff.
    public func vietnameseLines(banks: BankDirectory) -> [String] {
        var out: [String] = []
        let st = status.vietnamese
        out.append("Danh sách chi trả #\(id) — tháng \(YearMonth(period)?.vietnamese ?? period)\(supplementary ? " (bổ sung)" : "") — \(st)")
        out.append("Người lập: \(builtByAccount ?? builtBy) lúc \(builtAt)")
        if let a = approvedBy { out.append("Người duyệt: \(approvedByAccount ?? a) lúc \(approvedAt ?? "")") }
        if let seal {
            out.append(seal.ok ? "Niêm phong phê duyệt: khớp — các khoản chi đúng như người duyệt đã duyệt."
                               : "CẢNH BÁO — niêm phong phê duyệt không khớp: \(seal.message). Không gửi tệp; báo ngay.")
        }
        if let e = exportedAt { out.append("Đã xuất tệp lúc \(e)") }
        if let c = cancelledBy { out.append("Đã hủy bởi \(c): \(cancelReason ?? "")") }
        out.append("Tổng cộng: \(lineCount) khoản, \(Money.vietnamese(controlSum)) đồng")
        for g in groups {
            let name = g.key.hasPrefix("BANK-") ? "Ngân hàng \(banks.bank(String(g.key.dropFirst(5)))?.short ?? g.key)" : "Bưu điện \(g.key.dropFirst(7))"
            out.append("  \(name) [\(g.key)]: \(g.count) khoản, \(Money.vietnamese(g.sum)) đồng")
            for c in byGroupAndKind where c.group == g.key {
                let kind = EntitlementKind(rawValue: c.kind)?.vietnamese ?? c.kind
                out.append("      \(kind): \(c.count) khoản, \(Money.vietnamese(c.sum)) đồng")
            }
        }
        let since = changesSinceBatch.map { "từ khi lập danh sách #\($0)" } ?? "từ đầu"
        if paymentChanges.isEmpty {
            out.append("Thay đổi tài khoản, hình thức nhận hoặc người nhận thay \(since): không có.")
        } else {
            let people = Set(paymentChanges.map(\.code)).count
            out.append("Thay đổi tài khoản, hình thức nhận hoặc người nhận thay \(since) (\(paymentChanges.count) thay đổi, \(people) người) — người duyệt kiểm tra trước khi duyệt:")
            for c in paymentChanges.prefix(200) {
                let source = c.source == "import" ? "từ tệp danh sách" : c.source == "manual" ? "sửa tay" : "theo trả về của ngân hàng"
                func value(_ v: String?) -> String {
                    guard let v else { return "(trống)" }
                    return c.field == "channel" ? Channel(rawValue: v)?.vietnamese ?? v : v
                }
                out.append("  \(c.code) \(c.name): \(Self.fieldVietnamese(c.field)) \(value(c.oldValue)) → \(value(c.newValue)) (\(source), \(c.changedBy), \(c.changedAt))")
            }
            if paymentChanges.count > 200 { out.append("  … còn \(paymentChanges.count - 200) thay đổi: chitra batch show \(id) --json") }
        }
        if !excluded.isEmpty {
            out.append("Chưa đưa vào danh sách (\(excluded.count) người, \(Money.vietnamese(excludedSum)) đồng còn nợ) — chuyển sang danh sách cần xử lý:")
            for x in excluded {
                out.append("  \(x.code) \(x.name) (\(x.village)): \(x.reasonVi) — \(Money.vietnamese(x.amountOwed)) đồng")
            }
        }
        return out
    }
}

/// One line per batch, newest first.
public struct BatchListing: Sendable, Codable {
    public var id: Int64
    public var period: String
    public var status: BatchStatus
    public var supplementary: Bool
    public var lineCount: Int
    public var controlSum: Int64
    public var builtBy: String
    public var approvedBy: String?

    public static func all(_ db: AppDatabase) throws -> [BatchListing] {
        try db.writer.read { db in
            try Batches.all(db).map {
                BatchListing(id: $0.id, period: $0.period, status: $0.status, supplementary: $0.supplementary,
                             lineCount: $0.lineCount, controlSum: $0.controlSum, builtBy: $0.builtBy, approvedBy: $0.approvedBy)
            }
        }
    }
}

extension BuildSummary.Excluded {
    /// The people left out of a batch, by village, with the reason and what they are owed.
    static func all(_ db: Database, batchID: Int64) throws -> [BuildSummary.Excluded] {
        try BatchExclusions.all(db, batchID: batchID).map {
            BuildSummary.Excluded(code: $0.code, name: $0.fullName, village: $0.village,
                                  reason: ExclusionReason(rawValue: $0.reasonCode)?.english ?? $0.reasonCode,
                                  reasonVi: $0.reason, amountOwed: $0.amountOwed)
        }
    }
}
