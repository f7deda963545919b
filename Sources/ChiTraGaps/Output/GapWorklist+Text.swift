import ChiTraCore

extension GapWorklist {
    /// The worklist for the console, in Vietnamese, village by village.
    public var vietnameseLines: [String] {
        var out = ["DANH SÁCH ĐỐI TƯỢNG CHƯA CHI TRẢ KHÔNG DÙNG TIỀN MẶT — ngày \(asOfDate.vietnamese)"]
        out.append("\(Money.vietnamese(Int64(caseCount))) trường hợp cần xử lý trên \(Money.vietnamese(Int64(activeCount))) đối tượng đang hưởng\(latestBatch.map { "; danh sách chi trả gần nhất: đợt \($0)" } ?? "").")
        if villages.allSatisfy({ $0.cases.isEmpty }) {
            out.append("Không còn trường hợp nào: mọi đối tượng đang hưởng đều có tài khoản dùng được.")
            return out
        }
        for v in villages where !v.cases.isEmpty {
            out.append("")
            out.append("\(v.commune) — \(v.village): \(v.cases.count) trường hợp (\(v.atRiskCount) sắp lỡ kỳ chi trả), \(v.activeCount) đối tượng đang hưởng")
            for (i, c) in v.cases.enumerated() {
                out.append("\(i + 1). \(c.code) \(c.name), \(c.age) tuổi\(c.paymentAtRisk ? " [SẮP LỠ KỲ CHI TRẢ]" : "")")
                out.append("   Địa chỉ: \(c.address.isEmpty ? "không có" : c.address); điện thoại: \(c.phoneText); số định danh: \(c.personalIDMasked)")
                out.append("   Diện: \(c.categoryText.isEmpty ? "không có quyết định còn hiệu lực" : c.categoryText)")
                out.append("   Còn thiếu: \(c.missing)")
                out.append("   Cần mang: \(c.bring)")
                if let e = c.lastEvent {
                    out.append("   Theo dõi gần nhất: \(e.status.vietnamese) (\(String(e.recordedAt.prefix(10))), \(e.recordedBy))\(e.note.isEmpty ? "" : ": \(e.note)")")
                }
            }
        }
        return out
    }
}
