import ChiTraCore
import ChiTraSheets
import Foundation

extension Reconciliation {
    /// The reconciliation as a workbook, the text report's sections as sheets:
    /// - `Đối chiếu`: per bank / post office, sent = paid + not paid + pending + awaiting (count and
    ///   đồng) and the payment fee, a totals row checked against the batch's totals, whether it
    ///   balances and what carries over;
    /// - `Khoản chưa chi` (the failed lines with reason and what happens next), `Chi phí chi trả`,
    ///   and when there are any, `Chi sau ngày mất`, `Ngoại lệ chưa xử lý`, `Việc cần làm`.
    ///
    /// Needs `failures` (a reconciliation from `build`, not `writeReport`).
    public func workbook() -> XLSXWorkbook {
        let month = YearMonth(period)?.vietnamese ?? period
        let heading = "ĐỐI CHIẾU DANH SÁCH CHI TRẢ #\(batchID) — THÁNG \(month)"
        var sheets: [XLSXSheet] = []

        // Per organisation.
        var feeByGroup: [String: PaymentFee] = [:]
        for f in fees { for g in f.groups { feeByGroup[g] = f } }
        let summaryRows: [[XLSXCell]] = groups.map { g in
            let fee = feeByGroup[g.key]
            // The fee is the organisation's; with several groups under one organisation it is shown once.
            let feeCell: XLSXCell = fee.flatMap { f in f.groups.first == g.key ? f.fee.map(XLSXCell.money) : nil } ?? .empty
            return [.text(g.key), .optionalText(fee?.name),
                    .integer(Int64(g.sent.count)), .money(g.sent.sum), .integer(Int64(g.paid.count)), .money(g.paid.sum),
                    .integer(Int64(g.failed.count)), .money(g.failed.sum), .integer(Int64(g.pending.count)), .money(g.pending.sum),
                    .integer(Int64(g.awaiting.count)), .money(g.awaiting.sum), feeCell]
        }
        let t = total
        sheets.append(XLSXSheet(
            name: "Đối chiếu",
            title: [heading, "Trạng thái đợt chi: \(Self.statusVietnamese(status))",
                    balanced ? "Khớp: đã gửi = đã chi + chưa chi + đang xử lý + chưa có kết quả (đến từng đồng)."
                             : "KHÔNG KHỚP: tổng các phần không bằng số đã gửi — dừng lại và kiểm tra dữ liệu."],
            columns: [XLSXColumn("Nhóm chi trả"), XLSXColumn("Tổ chức chi trả", wrap: true, maxWidth: 30),
                      XLSXColumn("Đã gửi (khoản)", width: 9), XLSXColumn("Đã gửi (đồng)", minWidth: 11),
                      XLSXColumn("Đã chi (khoản)", width: 9), XLSXColumn("Đã chi (đồng)", minWidth: 11),
                      XLSXColumn("Chưa chi (khoản)", width: 9), XLSXColumn("Chưa chi (đồng)", minWidth: 11),
                      XLSXColumn("Đang xử lý (khoản)", width: 9), XLSXColumn("Đang xử lý (đồng)", minWidth: 11),
                      XLSXColumn("Chưa có kết quả (khoản)", width: 9), XLSXColumn("Chưa có kết quả (đồng)", minWidth: 11),
                      XLSXColumn("Chi phí chi trả (đồng)", minWidth: 11)],
            rows: summaryRows,
            totals: XLSXTotals(label: "Tổng cộng", sums: [2: Int64(t.sent.count), 3: t.sent.sum, 4: Int64(t.paid.count), 5: t.paid.sum,
                                                         6: Int64(t.failed.count), 7: t.failed.sum, 8: Int64(t.pending.count), 9: t.pending.sum,
                                                         10: Int64(t.awaiting.count), 11: t.awaiting.sum, 12: totalFee],
                               integerColumns: [2, 4, 6, 8, 10]),
            notes: ["Chuyển sang đợt chi sau: \(carryOver.count) khoản, \(Money.vietnamese(carryOver.sum)) đồng.",
                    "Chi phí chi trả: tỷ lệ do tỉnh quy định, tính trên số đã chi, làm tròn đến đồng (trang \"Chi phí chi trả\")."],
            landscape: true))

        // The failed lines.
        sheets.append(XLSXSheet(
            name: "Khoản chưa chi",
            title: [heading, "Các khoản chưa chi (bị trả lại): \(failures.count) khoản"],
            columns: [XLSXColumn("STT", width: 5), XLSXColumn("Mã tham chiếu"), XLSXColumn("Mã đối tượng"), XLSXColumn("Họ và tên", maxWidth: 26),
                      XLSXColumn("Thôn/tổ dân phố", maxWidth: 20), XLSXColumn("Tháng", width: 9), XLSXColumn("Số tiền (đồng)", minWidth: 11),
                      XLSXColumn("Lý do", wrap: true, maxWidth: 30), XLSXColumn("Chi lại được", width: 8),
                      XLSXColumn("Xử lý tiếp", wrap: true, maxWidth: 40)],
            rows: failures.enumerated().map { i, x in
                [.integer(Int64(i + 1)), .text(x.reference), .text(x.code), .text(x.name), .text(x.village),
                 .text(YearMonth(x.forMonth)?.vietnamese ?? x.forMonth), .money(x.amount), .text(x.reasonVi),
                 .text(x.retryable ? "Có" : "Không"), .text(x.next)]
            },
            totals: XLSXTotals(label: "Tổng cộng", labelColumn: 1, sums: [6: t.failed.sum], texts: [2: "\(t.failed.count) khoản"]),
            landscape: true))

        // The payment fee each organisation is owed.
        if !fees.isEmpty {
            sheets.append(XLSXSheet(
                name: "Chi phí chi trả",
                title: [heading, "Chi phí chi trả (tỷ lệ do tỉnh quy định, tính trên số đã chi, làm tròn đến đồng)"],
                columns: [XLSXColumn("Tổ chức chi trả", maxWidth: 34), XLSXColumn("Nhóm chi trả", wrap: true, maxWidth: 24),
                          XLSXColumn("Đã chi (khoản)", width: 9), XLSXColumn("Đã chi (đồng)", minWidth: 11), XLSXColumn("Tỷ lệ", width: 9),
                          XLSXColumn("Chi phí (đồng)", minWidth: 11), XLSXColumn("Ghi chú", wrap: true, maxWidth: 30)],
                rows: fees.map { f in
                    let rate = f.ratePercent.flatMap { FeeRate(percent: $0) }
                    return [.text(f.name), .text(f.groups.joined(separator: ", ")), .integer(Int64(f.paidCount)), .money(f.paidSum),
                            .optionalText(rate?.vietnamese), f.fee.map(XLSXCell.money) ?? .empty,
                            f.fee == nil ? .text("chưa có tỷ lệ chi phí trong payer.json") : .empty]
                },
                totals: XLSXTotals(label: "Tổng cộng", sums: [2: Int64(t.paid.count), 3: t.paid.sum, 5: totalFee], integerColumns: [2])))
        }

        if !overpayments.isEmpty {
            let sum = overpayments.reduce(Int64(0)) { $0 &+ $1.amount }
            sheets.append(XLSXSheet(
                name: "Chi sau ngày mất",
                title: [heading, "Chi sau ngày mất — cần truy thu: \(overpayments.count) khoản"],
                columns: [XLSXColumn("STT", width: 5), XLSXColumn("Mã đối tượng"), XLSXColumn("Họ và tên", maxWidth: 26), XLSXColumn("Mã tham chiếu"),
                          XLSXColumn("Tháng", width: 9), XLSXColumn("Số tiền (đồng)", minWidth: 11), XLSXColumn("Ngày mất", width: 12)],
                rows: overpayments.enumerated().map { i, o in
                    [.integer(Int64(i + 1)), .text(o.code), .text(o.name), .text(o.reference), .text(YearMonth(o.forMonth)?.vietnamese ?? o.forMonth),
                     .money(o.amount), CivilDate(o.deathDate).map(XLSXCell.date) ?? .text(o.deathDate)]
                },
                totals: XLSXTotals(label: "Tổng cộng", labelColumn: 1, sums: [5: sum])))
        }

        if !openExceptions.isEmpty {
            sheets.append(XLSXSheet(
                name: "Ngoại lệ chưa xử lý",
                title: [heading, "Ngoại lệ chưa xử lý: \(openExceptions.count) — không tự thay đổi tiền; xử lý bằng: chitra exceptions resolve ID"],
                columns: [XLSXColumn("Số ngoại lệ", width: 9), XLSXColumn("Loại"), XLSXColumn("Tệp trả về", maxWidth: 34),
                          XLSXColumn("Vị trí", maxWidth: 26), XLSXColumn("Số giao dịch", width: 9), XLSXColumn("Chi tiết", wrap: true, maxWidth: 50)],
                rows: openExceptions.map { e in
                    [.integer(e.id), .text(e.kind.rawValue), .text(e.file), .text(e.location.vietnamese), .integer(Int64(e.lines)), .text(e.detail)]
                },
                landscape: true))
        }

        if !flags.isEmpty {
            sheets.append(XLSXSheet(
                name: "Việc cần làm",
                title: [heading, "Việc cần làm: \(flags.count)"],
                columns: [XLSXColumn("STT", width: 5), XLSXColumn("Việc cần làm", wrap: true, maxWidth: 90)],
                rows: flags.enumerated().map { i, f in [.integer(Int64(i + 1)), .text(f)] }))
        }
        return XLSXWorkbook(title: "Đối chiếu danh sách chi trả #\(batchID) — tháng \(month)", sheets: sheets)
    }

    /// A batch's status as the clerk reads it.
    static func statusVietnamese(_ status: BatchStatus) -> String {
        switch status {
        case .draft: return "bản nháp"
        case .approved: return "đã duyệt"
        case .exported: return "đã xuất tệp chi trả"
        case .cancelled: return "đã hủy"
        }
    }

    /// Writes the workbook, whole or not at all, mode 0600 (names and amounts).
    public func writeXLSX(to url: URL) throws {
        try XLSXWriter.write(workbook(), to: url)
    }

    /// The same workbook as bytes (the web's download).
    public func xlsxData() throws -> Data {
        try XLSXWriter.data(workbook())
    }
}
