/// What a return asks someone to follow up. The first four are a person's flags
/// (`beneficiary_flag.kind`, shown on the person's page and on the reconciliation); the last is
/// kept on the funeral claim itself (its organiser's account was refused), not as a flag.
public enum FlagKind: String, Sendable, Codable, CaseIterable {
    case accountRejected = "account_rejected"
    case deceasedReported = "deceased_reported"
    case funeralCase = "funeral_case"
    case suspendNotCollected = "suspend_not_collected"
    case funeralClaimAccountRejected = "funeral_claim_account_rejected"

    /// What happened and what to do, as a returns import lists it.
    public var vietnamese: String {
        switch self {
        case .accountRejected: return "tài khoản bị ngân hàng từ chối — cần cập nhật tài khoản"
        case .deceasedReported: return "đơn vị chi trả báo đã chết — tạm dừng chi, chờ quyết định thôi hưởng"
        case .funeralCase: return "lập hồ sơ hỗ trợ mai táng phí"
        case .suspendNotCollected: return "3 tháng liên tiếp không nhận tiền — đề nghị tạm dừng"
        case .funeralClaimAccountRejected: return "tài khoản của người lo mai táng bị từ chối — hồ sơ mai táng chờ tài khoản mới"
        }
    }

    public var english: String {
        switch self {
        case .accountRejected: return "account rejected by the bank — update the account"
        case .deceasedReported: return "reported dead by the payer — payment suspended until the stop decision"
        case .funeralCase: return "open a funeral support claim"
        case .suspendNotCollected: return "not collected three months running — propose a suspension"
        case .funeralClaimAccountRejected: return "the funeral organiser's account was rejected — the claim waits for a new account"
        }
    }

    public func text(in language: Language) -> String { language == .vi ? vietnamese : english }
}
