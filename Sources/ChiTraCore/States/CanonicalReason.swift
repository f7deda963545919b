/// The canonical reasons a payment can fail for, whatever the code in the file (stored as the raw
/// value in `return_line.reason` and `payout_line.result_reason`).
public enum CanonicalReason: String, Sendable, Codable, CaseIterable {
    case invalidAccount = "invalid_account", closed, blocked, nameMismatch = "name_mismatch", deceased,
         duplicate, regulatory, notCollected = "not_collected", other
}
