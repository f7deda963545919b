import Foundation

/// Signing keys kept as files in one directory.
///
/// Layout (directory mode 0700):
/// - `<id>.key` (mode 0600): 32 random bytes as 64 lower-case hex digits and a newline;
///   usable as is with `openssl dgst -sha256 -mac HMAC -macopt hexkey:$(cat <id>.key) FILE`.
/// - `keyring.json` (mode 0600): ids, creation times, states and check values (see ``Keyring``).
///
/// Exactly one key is `active` and signs; after ``rotate(newID:now:)`` the previous key
/// becomes `verify-only`, so files signed before still verify, until it is ``retire(id:)``d.
/// All writes are atomic and mutations hold an exclusive `flock` on `.lock`.
///
/// ```swift
/// let store = KeyStore(directory: KeyStore.defaultDirectory())
/// try store.create()
/// let key = try store.activeKey()
/// ```
public struct KeyStore: Sendable, CustomStringConvertible {
    /// The name of the keyring file.
    public static let keyringFileName = "keyring.json"
    /// The environment variable naming the key directory.
    public static let environmentVariable = "CHITRA_KEYS"
    /// The directory used when neither `--keys` nor `CHITRA_KEYS` is given.
    public static let defaultDirectoryName = "chitra-keys"

    /// The key directory.
    public let directory: URL

    /// A store over `directory` (nothing is created until ``create(id:now:)``).
    public init(directory: URL) {
        self.directory = directory.standardizedFileURL
    }

    /// `explicit` if given, else `$CHITRA_KEYS`, else `./chitra-keys`.
    public static func defaultDirectory(
        explicit: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> URL {
        if let explicit, !explicit.isEmpty { return URL(fileURLWithPath: explicit) }
        if let fromEnvironment = environment[environmentVariable], !fromEnvironment.isEmpty {
            return URL(fileURLWithPath: fromEnvironment)
        }
        return URL(fileURLWithPath: defaultDirectoryName)
    }

    public var description: String { "KeyStore(\(directory.path))" }

    /// The keyring file.
    public var keyringURL: URL { directory.appendingPathComponent(Self.keyringFileName) }

    /// The key file for `id`.
    public func keyFileURL(id: String) -> URL { directory.appendingPathComponent("\(id).key") }

    // MARK: - Operations

    /// Creates the first key (and the directory, mode 0700) and makes it active.
    ///
    /// - Parameter id: the key id; default `k` + UTC `yyyyMMdd'T'HHmmss` of `now`.
    /// - Throws: ``SigningError/activeKeyExists(_:)`` if a key is already active: rotate instead.
    @discardableResult
    public func create(id: String? = nil, now: Date = Date()) throws -> KeyInfo {
        try ensureDirectory()
        return try withLock {
            var keyring = try readKeyring()
            if let active = keyring.active { throw SigningError.activeKeyExists(active.id) }
            let info = try addKey(id: id ?? KeyID.defaultID(at: now), to: &keyring, now: now)
            try writeKeyring(keyring)
            return info
        }
    }

    /// All keys with id, state, creation time and check value; never key bytes. Empty if no keyring exists.
    public func list() throws -> [KeyInfo] {
        try keyring().keys
    }

    /// The keyring as stored (empty if none exists yet).
    public func keyring() throws -> Keyring {
        guard FileManager.default.fileExists(atPath: keyringURL.path) else { return Keyring() }
        try checkDirectory()
        return try readKeyring()
    }

    /// Creates a new active key; the previous active key becomes verify-only.
    ///
    /// - Throws: ``SigningError/noActiveKey(directory:)`` if there is nothing to rotate: create instead.
    @discardableResult
    public func rotate(newID: String? = nil, now: Date = Date()) throws -> KeyInfo {
        try checkDirectory()
        return try withLock {
            var keyring = try readKeyring()
            guard let oldIndex = keyring.keys.firstIndex(where: { $0.state == .active }) else {
                throw SigningError.noActiveKey(directory: directory.path)
            }
            let info = try addKey(id: newID ?? KeyID.defaultID(at: now), to: &keyring, now: now)
            keyring.keys[oldIndex].state = .verifyOnly
            try writeKeyring(keyring)
            return info
        }
    }

    /// Marks a verify-only key retired: files signed with it are no longer accepted.
    ///
    /// The key file is kept, so the retirement can be undone by hand if needed.
    /// - Throws: ``SigningError/cannotRetireActiveKey(_:)`` for the active key.
    @discardableResult
    public func retire(id: String) throws -> KeyInfo {
        try KeyID.validate(id)
        try checkDirectory()
        return try withLock {
            var keyring = try readKeyring()
            guard let index = keyring.keys.firstIndex(where: { $0.id == id }) else {
                throw SigningError.unknownKey(id)
            }
            if keyring.keys[index].state == .active { throw SigningError.cannotRetireActiveKey(id) }
            keyring.keys[index].state = .retired
            try writeKeyring(keyring)
            return keyring.keys[index]
        }
    }

    /// The active key, loaded from its file.
    public func activeKey() throws -> SigningKey {
        guard let active = try keyring().active else { throw SigningError.noActiveKey(directory: directory.path) }
        return try loadKey(active)
    }

    /// The key `id` (active or verify-only), loaded from its file.
    ///
    /// - Throws: ``SigningError/unknownKey(_:)``, ``SigningError/retiredKey(_:)``,
    ///   ``SigningError/insecurePermissions(path:mode:required:)`` if the file is wider than 0600.
    public func key(id: String) throws -> SigningKey {
        try KeyID.validate(id)
        guard let info = try keyring().entry(id: id) else { throw SigningError.unknownKey(id) }
        if info.state == .retired { throw SigningError.retiredKey(id) }
        return try loadKey(info)
    }

    // MARK: - Files

    private func addKey(id: String, to keyring: inout Keyring, now: Date) throws -> KeyInfo {
        try KeyID.validate(id)
        let file = keyFileURL(id: id)
        if keyring.entry(id: id) != nil || FileManager.default.fileExists(atPath: file.path) {
            throw SigningError.duplicateKeyID(id)
        }
        let key = try SigningKey.generate(id: id)
        try AtomicFile.write(Data((key.hex + "\n").utf8), to: file, mode: 0o600)
        // Whole seconds, so the value survives the ISO 8601 round trip unchanged.
        let created = Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down))
        let info = KeyInfo(id: id, state: .active, created: created, kcv: try key.checkValue)
        keyring.keys.append(info)
        return info
    }

    private func loadKey(_ info: KeyInfo) throws -> SigningKey {
        try checkDirectory()
        let path = keyFileURL(id: info.id).path
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { throw SigningError.io(operation: "open the key file", path: path, errno: errno) }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0 else { throw SigningError.io(operation: "stat", path: path, errno: errno) }
        guard status.st_mode & S_IFMT == S_IFREG else {
            throw SigningError.malformedKeyFile(path: path, reason: "it is not a regular file")
        }
        guard status.st_mode & 0o177 == 0 else {
            throw SigningError.insecurePermissions(path: path, mode: status.st_mode, required: 0o600)
        }
        var buffer = [UInt8](repeating: 0, count: 256)
        var count = 0
        while count < buffer.count {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress! + count, $0.count - count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw SigningError.io(operation: "read", path: path, errno: errno)
            }
            if n == 0 { break }
            count += n
        }
        defer { for i in buffer.indices { buffer[i] = 0 } }
        var text = buffer[0..<count]
        if text.last == 0x0a { text = text.dropLast() }
        guard text.count == SigningKey.byteCount * 2, let bytes = Hex.decode(String(decoding: text, as: UTF8.self)) else {
            throw SigningError.malformedKeyFile(path: path, reason: "it must hold exactly 64 hex digits")
        }
        let key = try SigningKey(id: info.id, bytes: bytes)
        guard try key.checkValue == info.kcv else {
            throw SigningError.malformedKeyFile(
                path: path, reason: "its check value differs from the one in \(Self.keyringFileName); the file was replaced")
        }
        return key
    }

    private func ensureDirectory() throws {
        let path = directory.path
        if !FileManager.default.fileExists(atPath: path) {
            do {
                try FileManager.default.createDirectory(
                    at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw SigningError.io(operation: "create the key directory", path: path, errno: EACCES)
            }
            guard chmod(path, 0o700) == 0 else { throw SigningError.io(operation: "chmod", path: path, errno: errno) }
        }
        try checkDirectory()
    }

    private func checkDirectory() throws {
        let path = directory.path
        var status = stat()
        guard stat(path, &status) == 0 else {
            throw SigningError.io(operation: "open the key directory", path: path, errno: errno)
        }
        guard status.st_mode & S_IFMT == S_IFDIR else {
            throw SigningError.io(operation: "use as key directory", path: path, errno: ENOTDIR)
        }
        guard status.st_mode & 0o077 == 0 else {
            throw SigningError.insecurePermissions(path: path, mode: status.st_mode, required: 0o700)
        }
    }

    private func readKeyring() throws -> Keyring {
        let path = keyringURL.path
        guard FileManager.default.fileExists(atPath: path) else { return Keyring() }
        var status = stat()
        if stat(path, &status) == 0, status.st_mode & 0o177 != 0 {
            throw SigningError.insecurePermissions(path: path, mode: status.st_mode, required: 0o600)
        }
        let data: Data
        do {
            data = try Data(contentsOf: keyringURL)
        } catch {
            throw SigningError.io(operation: "read", path: path, errno: EIO)
        }
        return try Keyring.decode(data, path: path)
    }

    private func writeKeyring(_ keyring: Keyring) throws {
        try AtomicFile.write(try keyring.encoded(), to: keyringURL, mode: 0o600)
    }

    private func withLock<T>(_ body: () throws -> T) throws -> T {
        let path = directory.appendingPathComponent(".lock").path
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw SigningError.io(operation: "open the lock file", path: path, errno: errno) }
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 {
            guard errno == EINTR else { throw SigningError.io(operation: "lock", path: path, errno: errno) }
        }
        defer { flock(fd, LOCK_UN) }
        return try body()
    }
}
