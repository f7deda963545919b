import COpenSSL
import Foundation

/// SHA-256 of a file's bytes through OpenSSL, read in 1 MiB chunks (fixed memory).
public enum FileDigest {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public static func sha256Hex(of url: URL) throws -> String {
        guard let h = FileHandle(forReadingAtPath: url.path) else {
            throw Failure(description: "cannot read \(url.lastPathComponent) to compute its digest")
        }
        defer { try? h.close() }
        guard let ctx = EVP_MD_CTX_new() else { throw Failure(description: "OpenSSL could not allocate a digest context") }
        defer { EVP_MD_CTX_free(ctx) }
        guard EVP_DigestInit_ex(ctx, EVP_sha256(), nil) == 1 else { throw Failure(description: "OpenSSL SHA-256 init failed") }
        while true {
            let chunk = h.readData(ofLength: 1 << 20)
            if chunk.isEmpty { break }
            let ok = chunk.withUnsafeBytes { EVP_DigestUpdate(ctx, $0.baseAddress, $0.count) }
            guard ok == 1 else { throw Failure(description: "OpenSSL SHA-256 update failed") }
        }
        var out = [UInt8](repeating: 0, count: 32)
        var len: UInt32 = 0
        guard EVP_DigestFinal_ex(ctx, &out, &len) == 1 else { throw Failure(description: "OpenSSL SHA-256 final failed") }
        return out.map { String(format: "%02x", $0) }.joined()
    }

    public static func sha256Hex(_ data: some DataProtocol) -> String {
        var out = [UInt8](repeating: 0, count: 32)
        var len: UInt32 = 0
        let bytes = Array(data)
        _ = bytes.withUnsafeBytes { EVP_Digest($0.baseAddress, $0.count, &out, &len, EVP_sha256(), nil) }
        return out.map { String(format: "%02x", $0) }.joined()
    }
}
