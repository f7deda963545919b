import Foundation

/// HMAC-SHA256 under one key, for many small messages: the keyed context is made once and each
/// message starts from a copy of it (`HMACSHA256.copy`), instead of fetching HMAC and setting the
/// key again per message. The seals of a national batch compute millions of these.
public final class KeyedHMAC: @unchecked Sendable {
    private let template: HMACSHA256
    private let lock = NSLock()

    public init(key: SigningKey) throws { template = try key.makeHMAC() }

    /// A fresh computation under the key, to feed piece by piece (the template copied under the lock).
    public func copyOfTemplate() throws -> HMACSHA256 {
        lock.lock()
        defer { lock.unlock() }
        return try template.copy()
    }

    /// HMAC-SHA256 of `bytes` into `out` (32 bytes), without allocating; safe from several threads
    /// (the template's context is only duplicated, under the lock).
    public func mac(bytes: UnsafeRawBufferPointer, into out: UnsafeMutablePointer<UInt8>) throws {
        lock.lock()
        defer { lock.unlock() }
        try template.macOfCopy(bytes, into: out)
    }

    /// HMAC-SHA256 of `data`; safe from several threads (the template is only copied, under a lock).
    public func mac(_ data: some ContiguousBytes) throws -> Data {
        lock.lock()
        let h: HMACSHA256
        do { h = try template.copy() } catch { lock.unlock(); throw error }
        lock.unlock()
        try h.update(data)
        return try h.finalize()
    }
}
