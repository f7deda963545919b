import ChiTraCore
import ChiTraSigning
import Foundation

/// The HMAC key that seals the audit log's hash chain, kept as a file beside the signing keys.
///
/// `audit.key` (mode 0600) in the key directory holds 32 random bytes as 64 hex digits. It is
/// created on first use and never stored in the database: someone who can write the SQLite
/// file but not read the key directory cannot forge or re-seal audit entries. The store keeps
/// only the key's check value (`audit_chain.key_kcv`), so opening a store with the wrong key
/// is refused instead of silently starting a second chain.
///
/// ```swift
/// let key = try AuditKey.loadOrCreate(directory: URL(fileURLWithPath: "chitra-keys"))
/// let db = try AppDatabase(path: "ward.sqlite", auditKey: key)
/// ```
public struct AuditKey: Sendable, CustomStringConvertible {
    /// The file name inside the key directory.
    public static let fileName = "audit.key"

    let key: SigningKey
    /// Where the key was read from (for messages).
    public let path: String
    /// The keyed HMAC the seals and the chain use (one keyed context, copied per message).
    let hmac: KeyedHMAC

    init(key: SigningKey, path: String) throws {
        self.key = key; self.path = path
        hmac = try KeyedHMAC(key: key)
    }

    /// The key check value: first 6 bytes of HMAC(key, "CHITRA-KCV-V1"), hex. Not secret.
    public var checkValue: String { (try? key.checkValue) ?? "?" }

    public var description: String { "AuditKey(\(path), kcv \(checkValue))" }

    /// HMAC-SHA256 of `message` under the audit key.
    public func mac(_ message: Data) throws -> Data { try hmac.mac(message) }

    static let memoryPath = "(memory)"

    /// A key held in memory only, for tests.
    public static func ephemeral() throws -> AuditKey {
        try AuditKey(key: try SigningKey.generate(id: "audit"), path: memoryPath)
    }

    /// Reads `audit.key` in `directory`, creating the directory (0700) and the key (0600) if
    /// `create` is true and the file does not exist.
    public static func loadOrCreate(directory: URL, create: Bool = true) throws -> AuditKey {
        let file = directory.appendingPathComponent(fileName)
        let path = file.path
        if !FileManager.default.fileExists(atPath: path) {
            guard create else {
                throw StoreError(Message("store.audit_key.missing", ["path": .text(path)]))
            }
            if !FileManager.default.fileExists(atPath: directory.path) {
                do {
                    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true,
                                                            attributes: [.posixPermissions: 0o700])
                } catch {
                    throw StoreError(Message("store.key_dir.create_failed", ["path": .text(directory.path)]))
                }
            }
            try createKeyFile(at: path)
        }
        return try load(path: path)
    }

    /// Reads an existing key file; refuses a file readable by others.
    public static func load(path: String) throws -> AuditKey {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { throw StoreError(Message("store.audit_key.open_failed", ["path": .text(path), "detail": .text(String(cString: strerror(errno)))])) }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0, status.st_mode & S_IFMT == S_IFREG else {
            throw StoreError(Message("store.audit_key.not_file", ["path": .text(path)]))
        }
        guard status.st_mode & 0o177 == 0 else {
            throw StoreError(Message("store.audit_key.readable", ["path": .text(path), "mode": .text(String(status.st_mode & 0o777, radix: 8))]))
        }
        var buffer = [UInt8](repeating: 0, count: 256)
        let n = read(fd, &buffer, buffer.count)
        defer { for i in buffer.indices { buffer[i] = 0 } }
        var text = n > 0 ? Array(buffer[0..<n]) : []
        if text.last == 0x0a { text.removeLast() }
        guard text.count == 64, let bytes = decodeHex(text) else {
            throw StoreError(Message("store.audit_key.malformed", ["path": .text(path)]))
        }
        return try AuditKey(key: try SigningKey(id: "audit", bytes: bytes), path: path)
    }

    /// Writes 32 random bytes (getrandom) as hex to a private temporary file, then links it into
    /// place: `link` fails if another process created the key meanwhile, and that key is kept.
    static func createKeyFile(at path: String) throws {
        var rng = SystemRandomNumberGenerator()
        var bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) }
        defer { for i in bytes.indices { bytes[i] = 0 } }
        let hex = bytes.map { String(format: "%02x", $0) }.joined() + "\n"
        let temp = path + ".tmp-\(getpid())"
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw StoreError(Message("store.audit_key.create_failed", ["path": .text(path), "detail": .text(String(cString: strerror(errno)))])) }
        defer { unlink(temp) }
        let ok = hex.utf8CString.withUnsafeBufferPointer { p in write(fd, p.baseAddress!, p.count - 1) == p.count - 1 }
        guard ok, fsync(fd) == 0 else { close(fd); throw StoreError(Message("store.audit_key.write_failed", ["path": .text(path)])) }
        close(fd)
        if link(temp, path) != 0 && errno != EEXIST {
            throw StoreError(Message("store.audit_key.create_failed", ["path": .text(path), "detail": .text(String(cString: strerror(errno)))]))
        }
    }

    static func decodeHex(_ text: [UInt8]) -> [UInt8]? {
        func v(_ c: UInt8) -> UInt8? {
            switch c {
            case 0x30...0x39: c - 0x30
            case 0x61...0x66: c - 0x61 + 10
            case 0x41...0x46: c - 0x41 + 10
            default: nil
            }
        }
        var out: [UInt8] = []
        var i = 0
        while i + 1 < text.count {
            guard let h = v(text[i]), let l = v(text[i + 1]) else { return nil }
            out.append(h << 4 | l); i += 2
        }
        return out
    }
}
