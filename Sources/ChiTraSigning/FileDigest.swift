import Foundation

/// Size, SHA-256 and (optionally) HMAC-SHA256 of a file, computed in one pass of 1 MiB chunks.
public struct FileDigest: Sendable {
    public var byteCount: UInt64
    public var sha256: Data
    public var mac: Data?

    static func compute(_ url: URL, key: SigningKey? = nil) throws -> FileDigest {
        let sha = try SHA256Digest()
        let hmac = try key?.makeHMAC()
        let count = try FileChunks.read(url) { chunk in
            try sha.update(bytes: chunk)
            try hmac?.update(bytes: chunk)
        }
        return FileDigest(byteCount: count, sha256: try sha.finalize(), mac: try hmac?.finalize())
    }

    /// Lower-case hex SHA-256 of a file's bytes (fixed memory), e.g. to recognise a file imported before.
    public static func sha256Hex(of url: URL) throws -> String {
        Hex.encode(try compute(url).sha256)
    }

    /// Lower-case hex SHA-256 of bytes in memory.
    public static func sha256Hex(_ data: Data) -> String {
        // SHA-256 through EVP cannot fail short of memory exhaustion; trap rather than return a wrong digest.
        Hex.encode(try! SHA256Digest.hash(data))
    }
}
