import Foundation
import Testing
import ChiTraSigning

@Suite("Key store")
struct KeyStoreTests {
    let dir: TemporaryDirectory
    let store: KeyStore

    init() throws {
        dir = try TemporaryDirectory()
        store = KeyStore(directory: dir.file("keys"))
    }

    /// The hex text of a key file, as a bank would hold it.
    func keyHex(_ id: String) throws -> String {
        try String(contentsOf: store.keyFileURL(id: id), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test("create makes the directory 0700, the key file 0600 and the keyring 0600")
    func permissionsAfterCreate() throws {
        try store.create(id: "k1")
        #expect(try permissions(of: store.directory) == 0o700)
        #expect(try permissions(of: store.keyFileURL(id: "k1")) == 0o600)
        #expect(try permissions(of: store.keyringURL) == 0o600)
        #expect(try keyHex("k1").count == 64)
    }

    @Test("a key file made readable by others (0644) is refused with chmod advice")
    func wideKeyFileRefused() throws {
        try store.create(id: "k1")
        let path = store.keyFileURL(id: "k1").path
        #expect(chmod(path, 0o644) == 0)
        let error = #expect(throws: SigningError.self) { try store.activeKey() }
        #expect(String(describing: error!).contains("chmod 600 \(path)"))
    }

    @Test("a key directory readable by others is refused with chmod advice")
    func wideDirectoryRefused() throws {
        try store.create(id: "k1")
        #expect(chmod(store.directory.path, 0o755) == 0)
        let error = #expect(throws: SigningError.self) { try store.activeKey() }
        #expect(String(describing: error!).contains("chmod 700"))
    }

    @Test("key bytes appear in no description of the key, the keyring or an error")
    func keyBytesRedacted() throws {
        try store.create(id: "k1")
        let hex = try keyHex("k1")
        let key = try store.activeKey()
        var dumped = ""
        dump(key, to: &dumped)
        let texts = [
            String(describing: key), String(reflecting: key), dumped,
            String(describing: try store.keyring()), String(describing: try store.list()),
            String(describing: store),
        ]
        for text in texts {
            #expect(!text.lowercased().contains(hex), "key bytes leaked in \(text)")
            #expect(!text.lowercased().contains(hex.prefix(16)), "key bytes leaked in \(text)")
        }
    }

    @Test("errors about a key file never contain its content")
    func errorsRedacted() throws {
        try store.create(id: "k1")
        let hex = try keyHex("k1")
        var errors: [SigningError] = []
        // Permissions too wide.
        chmod(store.keyFileURL(id: "k1").path, 0o640)
        do { _ = try store.activeKey() } catch let e as SigningError { errors.append(e) }
        chmod(store.keyFileURL(id: "k1").path, 0o600)
        // Key file replaced by a truncated key.
        try Data((String(hex.dropLast(2)) + "\n").utf8).write(to: store.keyFileURL(id: "k1"))
        chmod(store.keyFileURL(id: "k1").path, 0o600)
        do { _ = try store.activeKey() } catch let e as SigningError { errors.append(e) }
        // Key file replaced by another valid key.
        try Data((String(hex.reversed()) + "\n").utf8).write(to: store.keyFileURL(id: "k1"))
        do { _ = try store.activeKey() } catch let e as SigningError { errors.append(e) }
        // Create while active.
        do { try store.create(id: "k2") } catch let e as SigningError { errors.append(e) }

        #expect(errors.count == 4)
        for error in errors {
            let text = String(describing: error) + String(reflecting: error)
            #expect(!text.contains(hex.prefix(16)))
            #expect(!text.contains(String(hex.reversed()).prefix(16)))
        }
    }

    @Test("the key check value is stable for one key and differs between keys")
    func checkValue() throws {
        try store.create(id: "k1")
        let first = try store.activeKey()
        #expect(try first.checkValue == first.checkValue)
        #expect(try store.activeKey().checkValue == first.checkValue)
        #expect(try first.checkValue.count == 12)
        try store.rotate(newID: "k2")
        #expect(try store.activeKey().checkValue != first.checkValue)
        #expect(try store.list().map(\.kcv) == [first.checkValue, store.activeKey().checkValue])
    }

    @Test("the KCV is the first 6 bytes of HMAC-SHA256(key, \"CHITRA-KCV-V1\")")
    func checkValueDefinition() throws {
        try store.create(id: "k1")
        let mac = try HMACSHA256.mac(key: hexBytes(try keyHex("k1")), data: Array("CHITRA-KCV-V1".utf8))
        #expect(try store.activeKey().checkValue == hexString(mac.prefix(6)))
    }

    @Test("creating a second key while one is active is refused, pointing to rotate")
    func createTwiceRefused() throws {
        try store.create(id: "k1")
        #expect(throws: SigningError.activeKeyExists("k1")) { try store.create(id: "k2") }
        #expect(String(describing: SigningError.activeKeyExists("k1")).contains("rotate"))
    }

    @Test("rotate makes the new key active and the old one verify-only")
    func rotate() throws {
        try store.create(id: "k1")
        try store.rotate(newID: "k2")
        let states = try store.list().map { "\($0.id)=\($0.state.rawValue)" }
        #expect(states == ["k1=verify-only", "k2=active"])
        #expect(try store.activeKey().id == "k2")
    }

    @Test("the active key cannot be retired")
    func retireActiveRefused() throws {
        try store.create(id: "k1")
        #expect(throws: SigningError.cannotRetireActiveKey("k1")) { try store.retire(id: "k1") }
    }

    @Test("a retired key cannot be loaded")
    func retiredNotLoaded() throws {
        try store.create(id: "k1")
        try store.rotate(newID: "k2")
        try store.retire(id: "k1")
        #expect(try store.list().first?.state == .retired)
        #expect(throws: SigningError.retiredKey("k1")) { try store.key(id: "k1") }
    }

    @Test("a duplicate key id is refused on rotate")
    func duplicateID() throws {
        try store.create(id: "k1")
        #expect(throws: SigningError.duplicateKeyID("k1")) { try store.rotate(newID: "k1") }
    }

    @Test("invalid key ids are refused", arguments: ["", "a/b", "..", "k 1", String(repeating: "a", count: 41), "ké"])
    func invalidIDs(_ id: String) throws {
        #expect(throws: SigningError.invalidKeyID(id)) { try store.create(id: id) }
    }

    @Test("the default key id is k + UTC yyyyMMdd'T'HHmmss")
    func defaultID() throws {
        let date = Date(timeIntervalSince1970: 1_794_981_600) // 2026-11-18T06:00:00Z
        #expect(KeyID.defaultID(at: date) == "k20261118T060000")
        let info = try store.create(now: date)
        #expect(info.id == "k20261118T060000")
    }

    @Test("the key directory comes from --keys, else CHITRA_KEYS, else ./chitra-keys")
    func defaultDirectory() {
        #expect(KeyStore.defaultDirectory(explicit: "/x", environment: ["CHITRA_KEYS": "/y"]).path == "/x")
        #expect(KeyStore.defaultDirectory(explicit: nil, environment: ["CHITRA_KEYS": "/y"]).path == "/y")
        #expect(KeyStore.defaultDirectory(explicit: nil, environment: [:]).lastPathComponent == "chitra-keys")
    }

    @Test("listing an empty store gives no keys")
    func listEmpty() throws {
        #expect(try store.list().isEmpty)
    }
}
