import COpenSSL
import Foundation

/// A 32-byte HMAC-SHA256 key with its id.
///
/// The key bytes are not public and never printed: `description`, `debugDescription` and the
/// mirror used by `dump` show only the id and the key check value.
public struct SigningKey: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// Length of a key in bytes.
    public static let byteCount = 32

    /// The key's id, e.g. `k20261123T120000`.
    public let id: String
    let bytes: [UInt8]

    /// A key from raw bytes (exactly 32).
    public init(id: String, bytes: some Sequence<UInt8>) throws {
        try KeyID.validate(id)
        let bytes = Array(bytes)
        guard bytes.count == Self.byteCount else {
            throw SigningError.malformedKeyFile(path: id, reason: "a key must be \(Self.byteCount) bytes, not \(bytes.count)")
        }
        self.id = id
        self.bytes = bytes
    }

    /// A new key of 32 bytes from OpenSSL's `RAND_bytes`.
    public static func generate(id: String) throws -> SigningKey {
        var bytes = [UInt8](repeating: 0, count: byteCount)
        OpenSSLErrorQueue.clear()
        guard RAND_bytes(&bytes, Int32(byteCount)) == 1 else { throw SigningError.fromOpenSSL("RAND_bytes") }
        return try SigningKey(id: id, bytes: bytes)
    }

    /// The key check value: first 6 bytes of HMAC-SHA256(key, "CHITRA-KCV-V1"), as 12 hex digits.
    ///
    /// It is published in every `.sig` so a wrong key is told apart from a changed file,
    /// without revealing the key.
    public var checkValue: String {
        get throws {
            let tag = try HMACSHA256.mac(key: bytes, data: Array(KeyCheckValue.input.utf8))
            return Hex.encode(tag.prefix(KeyCheckValue.byteCount))
        }
    }

    /// HMAC-SHA256 of `data` under this key.
    public func mac(_ data: some ContiguousBytes) throws -> Data {
        try HMACSHA256.mac(key: bytes, data: data)
    }

    /// A streaming HMAC-SHA256 under this key.
    public func makeHMAC() throws -> HMACSHA256 {
        try HMACSHA256(key: bytes)
    }

    /// The key as 64 lower-case hex digits, the content of a key file. Only for writing key files.
    var hex: String { Hex.encode(bytes) }

    public var description: String { "SigningKey(id: \(id), bytes: <redacted>)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["id": id, "bytes": "<redacted>"]) }
}
