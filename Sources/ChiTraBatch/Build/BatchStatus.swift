/// A batch's life: draft (rebuildable) → approved (frozen) → exported; or cancelled before export.
public enum BatchStatus: String, Sendable, Codable {
    case draft, approved, exported, cancelled

    public var vietnamese: String {
        switch self {
        case .draft: return "Dự thảo"
        case .approved: return "Đã duyệt"
        case .exported: return "Đã xuất tệp"
        case .cancelled: return "Đã hủy"
        }
    }
}

/// Why someone owed money was left out of the file.
public enum ExclusionReason: String, Sendable, Codable, CaseIterable {
    case noAccount = "no_account"
    case accountRejected = "account_rejected"
    case authorisationExpired = "authorisation_expired"
    case guardianMissing = "guardian_missing"
    case deceasedNoRecipient = "deceased_no_recipient"

    public var vietnamese: String {
        switch self {
        case .noAccount: return "Chưa có tài khoản nhận"
        case .accountRejected: return "Tài khoản bị ngân hàng từ chối, cần cập nhật"
        case .authorisationExpired: return "Giấy ủy quyền đã hết hạn"
        case .guardianMissing: return "Trẻ em chưa có người giám hộ/nhận thay"
        case .deceasedNoRecipient: return "Đối tượng đã mất, chưa có người nhận thay (người lo mai táng)"
        }
    }
    public var english: String {
        switch self {
        case .noAccount: return "no account to pay into"
        case .accountRejected: return "account rejected by the bank; needs updating"
        case .authorisationExpired: return "proxy authorisation expired"
        case .guardianMissing: return "child without a guardian or proxy on file"
        case .deceasedNoRecipient: return "deceased; no proxy or funeral organiser on file to receive"
        }
    }
}
