/// The state of a key in the keyring.
public enum KeyState: String, Codable, Sendable, CaseIterable {
    /// Signs new files. Exactly one key is active.
    case active
    /// A previous key, kept after rotation to verify files signed before.
    case verifyOnly = "verify-only"
    /// No longer accepted: files signed with it do not verify.
    case retired
}
