import COpenSSL
import Foundation

/// HMAC-SHA256 through OpenSSL 3's `EVP_MAC` interface.
///
/// Use the one-shot ``mac(key:data:)`` for small inputs, or create an instance, feed it with
/// ``update(_:)`` and call ``finalize()`` once: a multi-gigabyte file is then signed in fixed
/// memory (see ``mac(key:contentsOf:)``, which reads 1 MiB chunks).
///
/// ```swift
/// let tag = try HMACSHA256.mac(key: keyBytes, data: Data("Hi There".utf8))
/// ```
///
/// The low-level `HMAC_CTX_*` API is deprecated in OpenSSL 3 and is not used.
public final class HMACSHA256 {
    /// Length of a tag in bytes.
    public static let byteCount = 32

    private let mac: OpaquePointer
    private let context: OpaquePointer
    private var finalized = false

    /// Starts a MAC computation under `key`.
    ///
    /// - Throws: ``SigningError/openSSL(operation:reason:)`` when OpenSSL cannot provide HMAC-SHA256.
    public init(key: some ContiguousBytes) throws {
        OpenSSLRuntime.prepare()
        OpenSSLErrorQueue.clear()
        guard let mac = EVP_MAC_fetch(nil, "HMAC", nil) else {
            throw SigningError.fromOpenSSL("EVP_MAC_fetch(HMAC)")
        }
        guard let context = EVP_MAC_CTX_new(mac) else {
            EVP_MAC_free(mac)
            throw SigningError.fromOpenSSL("EVP_MAC_CTX_new")
        }
        self.mac = mac
        self.context = context

        // The OSSL_PARAM array points into these buffers, so they must outlive EVP_MAC_init.
        var name = Array("digest".utf8CString)   // OSSL_MAC_PARAM_DIGEST
        var digest = Array("SHA256".utf8CString)
        let ok: Int32 = name.withUnsafeMutableBufferPointer { namePtr in
            digest.withUnsafeMutableBufferPointer { digestPtr in
                var params = [
                    OSSL_PARAM_construct_utf8_string(namePtr.baseAddress, digestPtr.baseAddress, 0),
                    OSSL_PARAM_construct_end(),
                ]
                return key.withUnsafeBytes { keyBytes in
                    // A zero-length key still needs a non-NULL pointer: NULL means "keep the old key".
                    var empty: UInt8 = 0
                    return withUnsafePointer(to: &empty) { emptyPtr in
                        let keyPtr = keyBytes.count > 0
                            ? keyBytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
                            : emptyPtr
                        return params.withUnsafeMutableBufferPointer { paramsPtr in
                            EVP_MAC_init(context, keyPtr, keyBytes.count, paramsPtr.baseAddress)
                        }
                    }
                }
            }
        }
        guard ok == 1 else {
            EVP_MAC_CTX_free(context)
            EVP_MAC_free(mac)
            throw SigningError.fromOpenSSL("EVP_MAC_init(HMAC-SHA256)")
        }
    }

    private init(mac: OpaquePointer, context: OpaquePointer) {
        self.mac = mac
        self.context = context
    }

    /// A new computation that starts where this one is (keyed, with whatever was fed so far):
    /// `EVP_MAC_CTX_dup`, far cheaper than fetching HMAC and setting the key again.
    public func copy() throws -> HMACSHA256 {
        precondition(!finalized, "HMACSHA256.copy called after finalize")
        OpenSSLErrorQueue.clear()
        guard let dup = EVP_MAC_CTX_dup(context) else { throw SigningError.fromOpenSSL("EVP_MAC_CTX_dup") }
        guard EVP_MAC_up_ref(mac) == 1 else { EVP_MAC_CTX_free(dup); throw SigningError.fromOpenSSL("EVP_MAC_up_ref") }
        return HMACSHA256(mac: mac, context: dup)
    }

    /// The MAC of `bytes` computed on a copy of this context (keyed, nothing fed yet), written
    /// into `out` (32 bytes): one `EVP_MAC_CTX_dup`, one update, one final, no Swift allocation.
    /// This instance is left as it was.
    public func macOfCopy(_ bytes: UnsafeRawBufferPointer, into out: UnsafeMutablePointer<UInt8>) throws {
        precondition(!finalized, "HMACSHA256.macOfCopy called after finalize")
        guard let dup = EVP_MAC_CTX_dup(context) else { throw SigningError.fromOpenSSL("EVP_MAC_CTX_dup") }
        defer { EVP_MAC_CTX_free(dup) }
        if bytes.count > 0 {
            guard EVP_MAC_update(dup, bytes.baseAddress!.assumingMemoryBound(to: UInt8.self), bytes.count) == 1 else {
                throw SigningError.fromOpenSSL("EVP_MAC_update")
            }
        }
        var length = 0
        guard EVP_MAC_final(dup, out, &length, Self.byteCount) == 1, length == Self.byteCount else {
            throw SigningError.fromOpenSSL("EVP_MAC_final")
        }
    }

    deinit {
        EVP_MAC_CTX_free(context)
        EVP_MAC_free(mac)
    }

    /// Feeds `data` into the MAC.
    public func update(_ data: some ContiguousBytes) throws {
        try data.withUnsafeBytes { try update(bytes: $0) }
    }

    /// Feeds raw bytes into the MAC (no copy).
    public func update(bytes: UnsafeRawBufferPointer) throws {
        precondition(!finalized, "HMACSHA256.update called after finalize")
        guard bytes.count > 0 else { return }
        let ok = EVP_MAC_update(context, bytes.baseAddress!.assumingMemoryBound(to: UInt8.self), bytes.count)
        guard ok == 1 else { throw SigningError.fromOpenSSL("EVP_MAC_update") }
    }

    /// Returns the 32-byte tag. Call once; the instance cannot be used afterwards.
    public func finalize() throws -> Data {
        precondition(!finalized, "HMACSHA256.finalize called twice")
        finalized = true
        var out = [UInt8](repeating: 0, count: Self.byteCount)
        var length = 0
        let ok = EVP_MAC_final(context, &out, &length, out.count)
        guard ok == 1, length == Self.byteCount else { throw SigningError.fromOpenSSL("EVP_MAC_final") }
        return Data(out)
    }

    /// HMAC-SHA256 of `data` under `key`, in one call.
    public static func mac(key: some ContiguousBytes, data: some ContiguousBytes) throws -> Data {
        let hmac = try HMACSHA256(key: key)
        try hmac.update(data)
        return try hmac.finalize()
    }

    /// HMAC-SHA256 of a file's exact bytes, read in 1 MiB chunks (fixed memory).
    public static func mac(key: some ContiguousBytes, contentsOf url: URL) throws -> Data {
        let hmac = try HMACSHA256(key: key)
        _ = try FileChunks.read(url) { try hmac.update(bytes: $0) }
        return try hmac.finalize()
    }

    /// Compares two byte strings in time independent of their content (`CRYPTO_memcmp`).
    ///
    /// Lengths are not secret: different lengths return false at once.
    public static func constantTimeEqual(_ a: some ContiguousBytes, _ b: some ContiguousBytes) -> Bool {
        a.withUnsafeBytes { left in
            b.withUnsafeBytes { right in
                guard left.count == right.count else { return false }
                guard left.count > 0 else { return true }
                return CRYPTO_memcmp(left.baseAddress, right.baseAddress, left.count) == 0
            }
        }
    }
}
