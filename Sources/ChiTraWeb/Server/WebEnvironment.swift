import ChiTraCore
import ChiTraStore
import Foundation

/// What the server's pages work with: the store, the formats folder, the signing keys, and a
/// working folder for uploads and exports (0700).
public struct WebEnvironment: Sendable {
    public let db: AppDatabase
    public let formatsDirectory: URL
    public let keysDirectory: URL
    /// Uploads in flight (`uploads/`), exported batches (`exports/`).
    public let workDirectory: URL
    public let uploadLimit: Int
    public let cookies: SessionCookies

    public init(db: AppDatabase, formatsDirectory: URL, keysDirectory: URL, workDirectory: URL,
                uploadLimit: Int = 50 * 1024 * 1024, secureCookies: Bool = false) throws {
        self.db = db
        self.formatsDirectory = formatsDirectory
        self.keysDirectory = keysDirectory
        self.workDirectory = workDirectory
        self.uploadLimit = uploadLimit
        self.cookies = SessionCookies(secure: secureCookies)
        for sub in ["", "uploads", "exports"] {
            try FileManager.default.createDirectory(at: workDirectory.appendingPathComponent(sub), withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        }
    }

    public func tariff() throws -> Tariff { try Tariff.load(from: formatsDirectory.appendingPathComponent("tariff.json")) }
}

extension WebEnvironment {
    public func banks() throws -> BankDirectory { try BankDirectory.load(from: formatsDirectory.appendingPathComponent("banks.json")) }
}
