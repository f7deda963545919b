import Foundation

/// What the keyring records about one key: never the key bytes.
public struct KeyInfo: Codable, Sendable, Equatable, CustomStringConvertible {
    /// The key id; the key file is `<id>.key`.
    public var id: String
    /// Active, verify-only or retired.
    public var state: KeyState
    /// When the key was created.
    public var created: Date
    /// The key check value (12 hex digits); see ``KeyCheckValue``.
    public var kcv: String

    public init(id: String, state: KeyState, created: Date, kcv: String) {
        self.id = id
        self.state = state
        self.created = created
        self.kcv = kcv
    }

    public var description: String {
        "\(id) \(state.rawValue) created \(created.formatted(.iso8601)) kcv \(kcv)"
    }
}
