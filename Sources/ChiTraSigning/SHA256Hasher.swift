import COpenSSL

/// SHA-256 of many short messages, one after the other, through one OpenSSL digest context (and
/// one fetched SHA-256 implementation) reused for every message: what the batch build needs for
/// the millions of payment references of a national batch, where `SHA256Digest.hash` would set up
/// a context per message. Not for use from several threads at once (one per build).
public final class SHA256Hasher {
    /// Length of a digest in bytes.
    public static let byteCount = 32

    private let context: OpaquePointer
    private let md: OpaquePointer

    public init() throws {
        OpenSSLRuntime.prepare()
        OpenSSLErrorQueue.clear()
        guard let md = EVP_MD_fetch(nil, "SHA256", nil) else { throw SigningError.fromOpenSSL("EVP_MD_fetch(SHA256)") }
        guard let context = EVP_MD_CTX_new() else {
            EVP_MD_free(md)
            throw SigningError.fromOpenSSL("EVP_MD_CTX_new")
        }
        self.md = md
        self.context = context
    }

    deinit {
        EVP_MD_CTX_free(context)
        EVP_MD_free(md)
    }

    /// Writes the 32-byte digest of `message` to `out`.
    public func hash(_ message: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer) throws {
        precondition(out.count >= Self.byteCount, "SHA256Hasher.hash: the output needs 32 bytes")
        guard EVP_DigestInit_ex(context, md, nil) == 1 else { throw SigningError.fromOpenSSL("EVP_DigestInit_ex(SHA256)") }
        if message.count > 0 {
            guard EVP_DigestUpdate(context, message.baseAddress, message.count) == 1 else { throw SigningError.fromOpenSSL("EVP_DigestUpdate") }
        }
        var length: UInt32 = 0
        guard EVP_DigestFinal_ex(context, out.baseAddress!.assumingMemoryBound(to: UInt8.self), &length) == 1,
              length == UInt32(Self.byteCount) else {
            throw SigningError.fromOpenSSL("EVP_DigestFinal_ex")
        }
    }

    /// The 32-byte digest of `message`.
    public func hash(_ message: [UInt8]) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Self.byteCount)
        try message.withUnsafeBytes { m in try out.withUnsafeMutableBytes { try hash(m, into: $0) } }
        return out
    }
}
