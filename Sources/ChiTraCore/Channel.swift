/// Payment channel of a beneficiary.
public enum Channel: String, Sendable, Codable, CaseIterable {
    case bank, postAccount = "post_account", postCash = "post_cash"

    public var vietnamese: String {
        switch self {
        case .bank: return "Tài khoản ngân hàng"
        case .postAccount: return "Tài khoản bưu điện"
        case .postCash: return "Tiền mặt tại bưu điện"
        }
    }
    /// Non-cash channels count towards the Resolution 124/NQ-CP target.
    public var isNonCash: Bool { self != .postCash }
}
