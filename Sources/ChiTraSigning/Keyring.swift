import Foundation

/// The content of `keyring.json`: the list of keys and their states (no key bytes).
public struct Keyring: Codable, Sendable, Equatable, CustomStringConvertible {
    /// The format tag written in the file.
    public static let formatTag = "CHITRA-KEYRING-1"

    /// Always ``formatTag``.
    public var format: String
    /// Keys in creation order.
    public var keys: [KeyInfo]

    public init(keys: [KeyInfo] = []) {
        self.format = Self.formatTag
        self.keys = keys
    }

    /// The active key's entry, if any.
    public var active: KeyInfo? { keys.first { $0.state == .active } }

    /// The entry for `id`, if any.
    public func entry(id: String) -> KeyInfo? { keys.first { $0.id == id } }

    public var description: String {
        "Keyring(" + keys.map(\.description).joined(separator: "; ") + ")"
    }

    static func decode(_ data: Data, path: String) throws -> Keyring {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let keyring: Keyring
        do {
            keyring = try decoder.decode(Keyring.self, from: data)
        } catch {
            throw SigningError.malformedKeyring(path: path, reason: "it is not valid keyring JSON")
        }
        guard keyring.format == formatTag else {
            throw SigningError.malformedKeyring(path: path, reason: "its format is \"\(keyring.format.prefix(40))\", expected \(formatTag)")
        }
        guard keyring.keys.filter({ $0.state == .active }).count <= 1 else {
            throw SigningError.malformedKeyring(path: path, reason: "it lists more than one active key")
        }
        var seen = Set<String>()
        for key in keyring.keys {
            guard KeyID.isValid(key.id) else {
                throw SigningError.malformedKeyring(path: path, reason: "it lists an invalid key id")
            }
            guard seen.insert(key.id).inserted else {
                throw SigningError.malformedKeyring(path: path, reason: "it lists key \(key.id) twice")
            }
            guard Hex.isLowercaseHex(key.kcv, count: KeyCheckValue.byteCount * 2) else {
                throw SigningError.malformedKeyring(path: path, reason: "key \(key.id) has an invalid check value")
            }
        }
        return keyring
    }

    func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        var data = try encoder.encode(self)
        data.append(0x0a)
        return data
    }
}
