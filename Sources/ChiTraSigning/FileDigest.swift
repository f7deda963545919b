import Foundation

/// Size, SHA-256 and (optionally) HMAC-SHA256 of a file, computed in one pass of 1 MiB chunks.
struct FileDigest {
    var byteCount: UInt64
    var sha256: Data
    var mac: Data?

    static func compute(_ url: URL, key: SigningKey? = nil) throws -> FileDigest {
        let sha = try SHA256Digest()
        let hmac = try key?.makeHMAC()
        let count = try FileChunks.read(url) { chunk in
            try sha.update(bytes: chunk)
            try hmac?.update(bytes: chunk)
        }
        return FileDigest(byteCount: count, sha256: try sha.finalize(), mac: try hmac?.finalize())
    }
}
