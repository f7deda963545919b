import Foundation
import GRDB
@testable import ChiTraStore

/// A fresh temporary directory, removed when the value is dropped.
final class TempDir {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("chitra-harden-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(at: url) }
    func file(_ name: String) -> URL { url.appendingPathComponent(name) }
}

enum Paths {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let formats = packageRoot.appendingPathComponent("formats")
    static let fixtures = packageRoot.appendingPathComponent("fixtures")
}

/// File mode bits (permissions only).
func fileMode(_ path: String) -> mode_t {
    var st = stat()
    return stat(path, &st) == 0 ? st.st_mode & 0o777 : 0
}

/// A store as the last version before accounts made it (migrations up to v4), with `rows` written
/// in it, closed, in rollback-journal mode (as a backup file is).
func makePreAccountsStore(at path: String, _ rows: (Database) throws -> Void) throws {
    let queue = try DatabaseQueue(path: path)
    try AppDatabase.migrator.migrate(queue, upTo: "v4-payout-checks-without-in-lists")
    try queue.write(rows)
    try queue.writeWithoutTransaction { try $0.execute(sql: "PRAGMA journal_mode = DELETE") }
    try queue.close()
}
