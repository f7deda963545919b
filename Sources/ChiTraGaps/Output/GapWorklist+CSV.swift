import ChiTraCore
import ChiTraSigning
import Foundation

extension GapWorklist {
    /// The CSV header, in Vietnamese.
    public static let csvHeader = ["STT", "Xã/phường", "Thôn/tổ dân phố", "Mã đối tượng", "Họ và tên", "Tuổi", "Địa chỉ",
                                   "Số điện thoại", "Diện đối tượng", "Số định danh", "Mã lý do", "Lý do", "Còn thiếu",
                                   "Cần mang theo", "Sắp lỡ kỳ chi trả", "Điểm ưu tiên", "Theo dõi gần nhất"]

    /// The worklist as CSV for Excel: UTF-8 with BOM, CRLF line ends, every cell through
    /// `CSVText.cell` (quoted when needed, formulas neutralised), personal IDs masked.
    public func csvData() -> Data {
        var text = CSVText.row(Self.csvHeader) + "\r\n"
        for v in villages {
            for (i, c) in v.cases.enumerated() {
                let last = c.lastEvent.map { "\($0.status.vietnamese) \(String($0.recordedAt.prefix(10))) (\($0.recordedBy))\($0.note.isEmpty ? "" : ": \($0.note)")" } ?? ""
                text += CSVText.row([String(i + 1), c.commune, c.village, c.code, c.name, String(c.age), c.address, c.phoneText,
                                     c.categoryText, c.personalIDMasked, c.flags.map(\.reason.rawValue).joined(separator: " "),
                                     c.flags.map(\.label).joined(separator: "; "), c.missing, c.bring,
                                     c.paymentAtRisk ? "Có" : "Không", String(c.score), last]) + "\r\n"
            }
        }
        return Data([0xEF, 0xBB, 0xBF]) + Data(text.utf8)
    }

    /// Writes the CSV atomically (temporary file, fsync, rename; mode 0600).
    public func writeCSV(to url: URL) throws {
        try AtomicFile.write(csvData(), to: url)
    }
}
