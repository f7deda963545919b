/// The columns of the beneficiary roll CSV (`formats/roll-csv.md`), in export order.
///
/// Each column is recognised by its Vietnamese header or its short English key.
public enum RollColumn: String, CaseIterable, Sendable {
    case code, fullName = "full_name", birthDate = "birth_date", sex, personalID = "personal_id"
    case commune, village, address, phone, category, children
    case decisionNo = "decision_no", decisionDate = "decision_date"
    case startMonth = "start_month", endMonth = "end_month", deathDate = "death_date"
    case status, channel, bankBIN = "bank_bin", accountNo = "account_no", accountName = "account_name"
    case proxyName = "proxy_name", proxyID = "proxy_id", proxyRelation = "proxy_relation"
    case authorisationUntil = "authorisation_until"
    case needsProxy = "needs_proxy"

    /// The header a Vietnamese export writes.
    public var vietnameseHeader: String {
        switch self {
        case .code: return "Mã đối tượng"
        case .fullName: return "Họ và tên"
        case .birthDate: return "Ngày sinh"
        case .sex: return "Giới tính"
        case .personalID: return "Số định danh"
        case .commune: return "Xã/phường"
        case .village: return "Thôn/tổ dân phố"
        case .address: return "Địa chỉ"
        case .phone: return "Số điện thoại"
        case .category: return "Diện đối tượng"
        case .children: return "Số con/người được chăm sóc"
        case .decisionNo: return "Số quyết định"
        case .decisionDate: return "Ngày quyết định"
        case .startMonth: return "Tháng bắt đầu hưởng"
        case .endMonth: return "Tháng kết thúc"
        case .deathDate: return "Ngày mất"
        case .status: return "Trạng thái"
        case .channel: return "Hình thức chi trả"
        case .bankBIN: return "Mã ngân hàng (BIN)"
        case .accountNo: return "Số tài khoản"
        case .accountName: return "Tên chủ tài khoản"
        case .proxyName: return "Người nhận thay"
        case .proxyID: return "Số định danh người nhận thay"
        case .proxyRelation: return "Quan hệ"
        case .authorisationUntil: return "Ủy quyền đến ngày"
        case .needsProxy: return "Không tự nhận được"
        }
    }
}
