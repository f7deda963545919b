/// Rejections that mean the account itself is wrong (invalid, closed, blocked, name mismatch):
/// the person is flagged as needing an account, and the money is paid again only to a corrected
/// account, or through the post office where `payer.json` says so. These are the reasons whose
/// retry policy is `after_correction` in `formats/return-reasons.json`.
public enum AccountRejection {
    public static let reasons: Set<String> = ["invalid_account", "closed", "blocked", "name_mismatch"]
}
