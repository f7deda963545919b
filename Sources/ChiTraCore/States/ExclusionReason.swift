/// Why someone owed money was left out of the file.
public enum ExclusionReason: String, Sendable, Codable, CaseIterable {
    case noAccount = "no_account"
    case accountRejected = "account_rejected"
    case authorisationExpired = "authorisation_expired"
    case guardianMissing = "guardian_missing"
    case deceasedNoRecipient = "deceased_no_recipient"
    /// Suspended (a bank or post office reported the person dead, or payment is paused pending a
    /// check): what failed earlier is not sent to them; it waits, still failed, for the decision.
    case suspended = "suspended"

    public var vietnamese: String {
        switch self {
        case .noAccount: return "Chưa có tài khoản nhận"
        case .accountRejected: return "Tài khoản bị ngân hàng từ chối, cần cập nhật"
        case .authorisationExpired: return "Giấy ủy quyền đã hết hạn"
        case .guardianMissing: return "Trẻ em chưa có người giám hộ/nhận thay"
        case .deceasedNoRecipient: return "Đối tượng đã mất, chưa có người nhận thay (người lo mai táng)"
        case .suspended: return "Đang tạm dừng chi (ví dụ đơn vị chi trả báo đã mất): khoản chưa chi được giữ lại đến khi có quyết định"
        }
    }
    public var english: String {
        switch self {
        case .noAccount: return "no account to pay into"
        case .accountRejected: return "account rejected by the bank; needs updating"
        case .authorisationExpired: return "proxy authorisation expired"
        case .guardianMissing: return "child without a guardian or proxy on file"
        case .deceasedNoRecipient: return "deceased; no proxy or funeral organiser on file to receive"
        case .suspended: return "suspended (e.g. reported dead by the bank or post office): earlier unpaid amounts wait for the decision"
        }
    }
}
