import ChiTraCore

/// Why a beneficiary is on the gaps worklist. The raw value is the stable reason code (CSV, JSON,
/// `formats/gaps.json`); the Vietnamese label and weights live in `formats/gaps.json`.
public enum GapReason: String, Sendable, Codable, CaseIterable {
    /// Paid in cash (`post_cash`), or an account channel without an account number.
    case noAccount = "no_account"
    /// The last returns rejected the account (beneficiary.account_flag).
    case accountRejected = "account_rejected"
    /// A child in a guardian category, or someone recorded as unable to collect, has no proxy.
    case proxyMissing = "proxy_missing"
    /// A non-guardian proxy's authorisation ended before the as-of date (or has no end date).
    case authorisationExpired = "authorisation_expired"
    /// A non-guardian proxy's authorisation ends within the next N days.
    case authorisationExpiring = "authorisation_expiring"
    /// The proxy's personal ID is the beneficiary's own.
    case proxyIsSelf = "proxy_is_self"
    /// One proxy ID receives for more than M unrelated people (fraud signal).
    case proxyMany = "proxy_many"
    /// The proxy is recorded as deceased in the roll.
    case proxyDeceased = "proxy_deceased"
    /// Paid in cash in each of the last K monthly batches.
    case cashPaid = "cash_paid"
    /// No phone number on file.
    case noPhone = "no_phone"
    /// Left out of the most recent non-cancelled batch.
    case excludedLatestBatch = "excluded_latest_batch"
}

/// The reason codes the returns module writes in beneficiary.account_flag (a `CanonicalReason`
/// of `AccountRejection.reasons`), in Vietnamese.
public enum AccountFlag {
    public static func vietnamese(_ flag: String) -> String {
        switch CanonicalReason(rawValue: flag) {
        case .invalidAccount: return "số tài khoản không hợp lệ"
        case .closed: return "tài khoản đã đóng"
        case .blocked: return "tài khoản bị phong tỏa"
        case .nameMismatch: return "tên chủ tài khoản không khớp"
        case .deceased, .duplicate, .regulatory, .notCollected, .other, nil: return "bị từ chối (mã \(flag))"
        }
    }
}
