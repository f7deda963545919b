import COpenSSL
import Foundation

/// SHA-256 through OpenSSL's `EVP_Digest*`, one-shot or streaming.
public final class SHA256Digest {
    /// Length of a digest in bytes.
    public static let byteCount = 32

    private let context: OpaquePointer
    private var finalized = false

    /// Starts a digest computation.
    public init() throws {
        OpenSSLRuntime.prepare()
        OpenSSLErrorQueue.clear()
        guard let context = EVP_MD_CTX_new() else { throw SigningError.fromOpenSSL("EVP_MD_CTX_new") }
        guard EVP_DigestInit_ex(context, EVP_sha256(), nil) == 1 else {
            EVP_MD_CTX_free(context)
            throw SigningError.fromOpenSSL("EVP_DigestInit_ex(SHA256)")
        }
        self.context = context
    }

    deinit {
        EVP_MD_CTX_free(context)
    }

    /// Feeds raw bytes into the digest.
    public func update(bytes: UnsafeRawBufferPointer) throws {
        precondition(!finalized, "SHA256Digest.update called after finalize")
        guard bytes.count > 0 else { return }
        guard EVP_DigestUpdate(context, bytes.baseAddress, bytes.count) == 1 else {
            throw SigningError.fromOpenSSL("EVP_DigestUpdate")
        }
    }

    /// Returns the 32-byte digest. Call once.
    public func finalize() throws -> Data {
        precondition(!finalized, "SHA256Digest.finalize called twice")
        finalized = true
        var out = [UInt8](repeating: 0, count: Self.byteCount)
        var length: UInt32 = 0
        guard EVP_DigestFinal_ex(context, &out, &length) == 1, length == UInt32(Self.byteCount) else {
            throw SigningError.fromOpenSSL("EVP_DigestFinal_ex")
        }
        return Data(out)
    }

    /// The digest as lower-case hex (what `FileDigest.sha256Hex` returns). Call once.
    public func finalizeHex() throws -> String { Hex.encode(try finalize()) }

    /// SHA-256 of `data` in one call (`EVP_Digest`).
    public static func hash(_ data: some ContiguousBytes) throws -> Data {
        var out = [UInt8](repeating: 0, count: byteCount)
        var length: UInt32 = 0
        let ok = data.withUnsafeBytes { bytes in
            var empty: UInt8 = 0
            return withUnsafePointer(to: &empty) { emptyPtr in
                EVP_Digest(bytes.count > 0 ? bytes.baseAddress : UnsafeRawPointer(emptyPtr), bytes.count,
                           &out, &length, EVP_sha256(), nil)
            }
        }
        guard ok == 1 else { throw SigningError.fromOpenSSL("EVP_Digest(SHA256)") }
        return Data(out)
    }
}
