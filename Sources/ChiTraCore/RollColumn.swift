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
    case caredForBirthDate = "cared_for_birth_date"

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
        case .caredForBirthDate: return "Ngày sinh người được chăm sóc"
        }
    }
}

extension RollColumn {
    /// The column's position in `allCases` (a switch: no hashing in the per-line paths).
    @inline(__always)
    public var ordinal: Int {
        switch self {
        case .code: return 0
        case .fullName: return 1
        case .birthDate: return 2
        case .sex: return 3
        case .personalID: return 4
        case .commune: return 5
        case .village: return 6
        case .address: return 7
        case .phone: return 8
        case .category: return 9
        case .children: return 10
        case .decisionNo: return 11
        case .decisionDate: return 12
        case .startMonth: return 13
        case .endMonth: return 14
        case .deathDate: return 15
        case .status: return 16
        case .channel: return 17
        case .bankBIN: return 18
        case .accountNo: return 19
        case .accountName: return 20
        case .proxyName: return 21
        case .proxyID: return 22
        case .proxyRelation: return 23
        case .authorisationUntil: return 24
        case .needsProxy: return 25
        case .caredForBirthDate: return 26
        }
    }
}
