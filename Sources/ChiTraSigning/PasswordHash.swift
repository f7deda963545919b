import COpenSSL
import Foundation

/// Slow, salted password hashes: scrypt through OpenSSL's `EVP_PBE_scrypt` (RFC 7914).
///
/// A hash is stored as one self-describing string, `scrypt$ln$r$p$SALT$HASH` (SALT and HASH in
/// base64, `ln` = log2 of the CPU/memory cost N), so a later change of cost still verifies old
/// hashes and ``needsRehash(_:cost:)`` tells when to upgrade one at the next login.
///
/// ```swift
/// let stored = try PasswordHash.make(password: "correct horse battery")
/// try PasswordHash.verify(password: "correct horse battery", against: stored)   // true
/// ```
///
/// The password and the derived key are never logged or put in an error message.
public enum PasswordHash {
    /// scrypt's parameters.
    public struct Cost: Sendable, Equatable {
        /// log2(N): the CPU and memory cost (memory ≈ 128 · r · N bytes).
        public var logN: Int
        public var r: Int
        public var p: Int
        public init(logN: Int, r: Int, p: Int) { self.logN = logN; self.r = r; self.p = p }

        /// N = 2^15, r = 8, p = 1: 32 MiB and about a tenth of a second a login on this project's
        /// 2-core machine (README, "Passwords").
        public static let standard = Cost(logN: 15, r: 8, p: 1)
        /// N = 2^10: only for tests, which create hundreds of accounts.
        public static let testing = Cost(logN: 10, r: 8, p: 1)
    }

    static let saltBytes = 16
    static let keyBytes = 32
    static let prefix = "scrypt"

    /// A new hash of `password` with a fresh random salt.
    public static func make(password: String, cost: Cost = .standard) throws -> String {
        var salt = [UInt8](repeating: 0, count: saltBytes)
        guard RAND_bytes(&salt, Int32(saltBytes)) == 1 else { throw SigningError.fromOpenSSL("RAND_bytes") }
        let key = try derive(password: password, salt: salt, cost: cost)
        return [prefix, String(cost.logN), String(cost.r), String(cost.p),
                Data(salt).base64EncodedString(), Data(key).base64EncodedString()].joined(separator: "$")
    }

    /// True when `password` matches `stored`; false for a wrong password or an unreadable hash.
    /// The comparison takes the same time wherever the first difference is (`CRYPTO_memcmp`).
    public static func verify(password: String, against stored: String) throws -> Bool {
        guard let parsed = parse(stored) else { return false }
        let key = try derive(password: password, salt: parsed.salt, cost: parsed.cost)
        guard key.count == parsed.key.count else { return false }
        return key.withUnsafeBytes { a in parsed.key.withUnsafeBytes { b in CRYPTO_memcmp(a.baseAddress, b.baseAddress, a.count) == 0 } }
    }

    /// True when `stored` was made with another cost than `cost` (rehash it at the next good login).
    public static func needsRehash(_ stored: String, cost: Cost = .standard) -> Bool {
        parse(stored)?.cost != cost
    }

    /// Spends the time of one verification with nothing to compare: for unknown user names, so
    /// that the answer's timing does not tell which names exist.
    public static func spendVerificationTime(cost: Cost = .standard) {
        _ = try? derive(password: "", salt: [UInt8](repeating: 0, count: saltBytes), cost: cost)
    }

    static func parse(_ stored: String) -> (cost: Cost, salt: [UInt8], key: [UInt8])? {
        let parts = stored.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == prefix,
              let logN = Int(parts[1]), let r = Int(parts[2]), let p = Int(parts[3]),
              (1...24).contains(logN), (1...64).contains(r), (1...16).contains(p),
              let salt = Data(base64Encoded: String(parts[4])), let key = Data(base64Encoded: String(parts[5])),
              salt.count >= 8, key.count == keyBytes else { return nil }
        return (Cost(logN: logN, r: r, p: p), [UInt8](salt), [UInt8](key))
    }

    static func derive(password: String, salt: [UInt8], cost: Cost) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: keyBytes)
        // NFC, so that a password typed as decomposed Vietnamese still matches; a trailing NUL so
        // that the pointer is never NULL for an empty password (its length is passed apart).
        var pass = Array(password.precomposedStringWithCanonicalMapping.utf8CString)
        let length = pass.count - 1
        defer { for i in pass.indices { pass[i] = 0 } }
        let n = UInt64(1) << UInt64(cost.logN)
        // Memory bound: 128·r·N plus headroom (OpenSSL refuses above maxmem; its default is 32 MiB).
        let maxmem = UInt64(129 * cost.r) * n + 1 << 20
        OpenSSLErrorQueue.clear()
        let ok = pass.withUnsafeBufferPointer { pw in
            EVP_PBE_scrypt(pw.baseAddress, length, salt, salt.count, n, UInt64(cost.r), UInt64(cost.p), maxmem, &out, out.count)
        }
        guard ok == 1 else { throw SigningError.fromOpenSSL("EVP_PBE_scrypt") }
        return out
    }
}
