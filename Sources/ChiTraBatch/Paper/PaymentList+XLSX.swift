import ChiTraCore
import ChiTraSheets
import Foundation

extension PaymentList {
    /// The columns of a village's sheet: the CSV's, without the village (it is the sheet).
    public static let xlsxColumns: [XLSXColumn] = [
        XLSXColumn("STT", width: 5), XLSXColumn("Mã đối tượng"), XLSXColumn("Họ và tên", minWidth: 18, maxWidth: 26),
        XLSXColumn("Năm sinh", width: 7), XLSXColumn("Địa chỉ", wrap: true, maxWidth: 22),
        XLSXColumn("Người nhận thay", maxWidth: 22), XLSXColumn("Quan hệ", maxWidth: 12), XLSXColumn("Hình thức nhận", wrap: true, maxWidth: 14),
        XLSXColumn("Số tài khoản"), XLSXColumn("Nội dung chi trả", wrap: true, maxWidth: 30), XLSXColumn("Số khoản", width: 7),
        XLSXColumn("Số tiền (đồng)", minWidth: 11), XLSXColumn("Ký nhận", width: 16),
    ]

    /// The list as a workbook: one sheet per village, one line per person (amount in đồng as a
    /// number, the signature column empty), a totals row (SUM with its cached value, checked against
    /// the village's total), the total in words and the signature blocks under the table.
    public func workbook() -> XLSXWorkbook {
        var taken = Set<String>()
        let sheets = villages.map { v -> XLSXSheet in
            let rows: [[XLSXCell]] = v.rows.enumerated().map { n, r in
                [.integer(Int64(n + 1)), .text(r.code), .text(r.name), Int64(r.birthYear).map(XLSXCell.integer) ?? .optionalText(r.birthYear),
                 .optionalText(r.address), .optionalText(r.payee), .optionalText(r.relation), .text(r.channel),
                 .optionalText(r.account), .text(r.content), .integer(Int64(r.payments)), .money(r.amount), .empty]
            }
            return XLSXSheet(
                name: XLSXWorkbook.sheetName(v.village, taken: &taken),
                title: ["DANH SÁCH CHI TRẢ CHẾ ĐỘ TRỢ GIÚP XÃ HỘI",
                        "Tháng \(period.month) năm \(period.year)\(supplementary ? " (đợt chi bổ sung)" : "") — \(issuer)",
                        "Thôn/tổ dân phố: \(v.village) — \(v.commune)",
                        "Tổ chức dịch vụ chi trả: \(postOffice) (tiền mặt và tài khoản bưu điện) — danh sách số \(v.fileID), đợt chi #\(batchID)"],
                columns: Self.xlsxColumns, rows: rows,
                totals: XLSXTotals(label: "Tổng cộng: \(v.people) người", labelColumn: 2, sums: [10: Int64(v.payments), 11: v.total],
                                   integerColumns: [10]),
                notes: ["Tổng số tiền: \(Money.vietnamese(v.total)) đồng (\(v.people) người, \(v.payments) khoản).",
                        "Bằng chữ: \(v.totalInWords)",
                        "\(v.commune), ngày …… tháng …… năm \(period.year)",
                        "NGƯỜI LẬP DANH SÁCH          KẾ TOÁN          ĐẠI DIỆN BƯU ĐIỆN          TM. ỦY BAN NHÂN DÂN — CHỦ TỊCH",
                        "(Ký, ghi rõ họ tên)               (Ký, ghi rõ họ tên)          (Ký, ghi rõ họ tên)               (Ký tên, đóng dấu)"],
                landscape: true,
                printTitle: "Danh sách chi trả tháng \(period.vietnamese) — \(v.village)")
        }
        return XLSXWorkbook(title: "Danh sách chi trả tháng \(period.vietnamese)" + (villages.count == 1 ? " — \(villages[0].village)" : ""),
                            sheets: sheets)
    }

    /// Writes the list as `.xlsx`, whole or not at all, mode 0600 (names and amounts).
    public func writeXLSX(to url: URL) throws {
        try XLSXWriter.write(workbook(), to: url)
    }
}
