/// What an officer did about a case (`chitra gaps record --status`).
public enum GapFollowUpStatus: String, Sendable, Codable, CaseIterable {
    case contacted
    case visitPlanned = "visit-planned"
    case accountOpened = "account-opened"
    case authorisationSigned = "authorisation-signed"
    case unreachable

    public var vietnamese: String {
        switch self {
        case .contacted: return "Đã liên hệ"
        case .visitPlanned: return "Đã hẹn đến nhà"
        case .accountOpened: return "Đã mở tài khoản"
        case .authorisationSigned: return "Đã ký giấy ủy quyền"
        case .unreachable: return "Không liên lạc được"
        }
    }
}
