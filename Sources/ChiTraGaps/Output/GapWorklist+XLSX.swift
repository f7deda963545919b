import ChiTraCore
import ChiTraSheets
import Foundation

extension GapWorklist {
    /// The columns of the Excel worklist: the CSV's (`csvHeader`), with the last follow-up's date
    /// in a column of its own (a real date) and an empty column for the visit's notes.
    public static let xlsxColumns: [XLSXColumn] = [
        XLSXColumn("STT", width: 5), XLSXColumn("Mã đối tượng"), XLSXColumn("Họ và tên", maxWidth: 26),
        XLSXColumn("Tuổi", width: 6), XLSXColumn("Địa chỉ", wrap: true, maxWidth: 24), XLSXColumn("Số điện thoại"),
        XLSXColumn("Diện đối tượng", wrap: true, maxWidth: 22), XLSXColumn("Số định danh"),
        XLSXColumn("Mã lý do", wrap: true, maxWidth: 18), XLSXColumn("Lý do", wrap: true, maxWidth: 22), XLSXColumn("Còn thiếu", wrap: true, maxWidth: 32),
        XLSXColumn("Cần mang theo", wrap: true, maxWidth: 24), XLSXColumn("Sắp lỡ kỳ chi trả", width: 10),
        XLSXColumn("Điểm ưu tiên", width: 9), XLSXColumn("Theo dõi gần nhất", wrap: true, maxWidth: 26),
        XLSXColumn("Ngày theo dõi", width: 12), XLSXColumn("Ghi chú / Chữ ký", width: 18),
    ]

    /// The worklist as a workbook: one sheet per village with cases (the village's name, cut to
    /// Excel's 31 characters), in the worklist's order. The phone, the code and the (masked) personal
    /// ID are text; age, score and the follow-up date are numbers and a date.
    public func workbook() -> XLSXWorkbook {
        var taken = Set<String>()
        var sheets: [XLSXSheet] = []
        for v in villages where !v.cases.isEmpty {
            let rows: [[XLSXCell]] = v.cases.enumerated().map { i, c in
                let last = c.lastEvent.map { "\($0.status.vietnamese) (\($0.recordedBy))\($0.note.isEmpty ? "" : ": \($0.note)")" }
                let lastDate = c.lastEvent.flatMap { CivilDate(String($0.recordedAt.prefix(10))) }
                return [.integer(Int64(i + 1)), .text(c.code), .text(c.name), .integer(Int64(c.age)),
                        .text(c.address.isEmpty ? "không có" : c.address), .text(c.phoneText), .text(c.categoryText),
                        .text(c.personalIDMasked), .text(c.flags.map(\.reason.rawValue).joined(separator: " ")),
                        .text(c.flags.map(\.label).joined(separator: "; ")), .text(c.missing), .text(c.bring),
                        .text(c.paymentAtRisk ? "Có" : "Không"), .integer(Int64(c.score)), .optionalText(last),
                        lastDate.map(XLSXCell.date) ?? .empty, .empty]
            }
            sheets.append(XLSXSheet(
                name: XLSXWorkbook.sheetName(v.village, taken: &taken),
                title: ["DANH SÁCH ĐỐI TƯỢNG CẦN HỖ TRỢ CHI TRẢ KHÔNG DÙNG TIỀN MẶT",
                        "Xã/phường: \(v.commune) — Thôn/tổ dân phố: \(v.village) — Ngày lập: \(asOfDate.vietnamese)",
                        "Số trường hợp cần xử lý: \(v.cases.count) (sắp lỡ kỳ chi trả: \(v.atRiskCount)) trên \(v.activeCount) đối tượng đang hưởng"],
                columns: Self.xlsxColumns, rows: rows,
                notes: ["Xếp theo thứ tự cần làm trước: sắp lỡ kỳ chi trả, người cao tuổi và khuyết tật nặng nhất, không có điện thoại hoặc người nhận thay.",
                        "Người lập danh sách: ………………………        Cán bộ đi xác minh: ………………………"],
                landscape: true,
                printTitle: "Danh sách cần xử lý — \(v.village) — \(v.commune) — \(asOfDate.vietnamese)"))
        }
        if sheets.isEmpty {
            sheets.append(XLSXSheet(name: "Danh sách", title: ["DANH SÁCH ĐỐI TƯỢNG CẦN HỖ TRỢ CHI TRẢ KHÔNG DÙNG TIỀN MẶT",
                                                               "Ngày lập: \(asOfDate.vietnamese) — không còn trường hợp nào cần xử lý"],
                                    columns: Self.xlsxColumns, landscape: true))
        }
        return XLSXWorkbook(title: "Danh sách cần xử lý — \(asOfDate.vietnamese)", sheets: sheets)
    }

    /// The workbook as bytes (the web's download).
    public func xlsxData() throws -> Data {
        try XLSXWriter.data(workbook())
    }

    /// Writes the worklist as `.xlsx`, whole or not at all, mode 0600 (names, phones, addresses).
    public func writeXLSX(to url: URL) throws {
        try XLSXWriter.write(workbook(), to: url)
    }
}
