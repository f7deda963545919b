import Foundation
import GRDB

/// Each account sealed with the audit key (never in the store): its login, name, kind, password
/// hash, whether it is disabled, and its roles. Written only by `Users` (adding, disabling,
/// enabling, setting a password); checked at every login and by `audit verify`. Someone who can
/// write the SQLite file can compute a scrypt hash of their own, but not this seal: an account
/// inserted, given a role, re-enabled or given a new password in the file is refused.
enum AccountSeal {
    static let tag = "chitra-account-v1"

    static func value(_ db: Database, id: Int64) throws -> Data? {
        guard let r = try Row.fetchOne(db, sql: "SELECT id, username, login_key, full_name, kind, password_hash, disabled_at FROM app_user WHERE id = ?",
                                       arguments: [id]) else { return nil }
        let roles = try String.fetchAll(db, sql: "SELECT role FROM user_role WHERE user_id = ? ORDER BY role", arguments: [id]).joined(separator: ",")
        let values: [DatabaseValue] = [r["id"], r["username"], r["login_key"], r["full_name"], r["kind"], r["password_hash"], r["disabled_at"],
                                       roles.databaseValue]
        return try Data.fetchOne(db, sql: "SELECT \(AppDatabase.auditMacFunctionName)(?)", arguments: [SealEncoding.encode(tag: tag, values)])
    }

    /// Seals account `id` as it is now (inside the transaction that changed it).
    static func seal(_ db: Database, id: Int64) throws {
        try db.execute(sql: "UPDATE app_user SET account_seal = ? WHERE id = ?", arguments: [try value(db, id: id), id])
    }

    /// True when account `id` is as ChiTra last wrote it.
    static func holds(_ db: Database, id: Int64) throws -> Bool {
        let stored = try Data.fetchOne(db, sql: "SELECT account_seal FROM app_user WHERE id = ?", arguments: [id])
        guard let stored else { return false }
        return stored == (try value(db, id: id))
    }

    /// The logins (or legacy names) of accounts changed outside ChiTra.
    static func mismatches(_ db: Database) throws -> [String] {
        try Row.fetchAll(db, sql: "SELECT id, username FROM app_user ORDER BY id").compactMap { r in
            try holds(db, id: r["id"]) ? nil : r["username"] as String
        }
    }

    /// Seals every account as it stands (migration).
    static func sealAll(_ db: Database) throws {
        for id in try Int64.fetchAll(db, sql: "SELECT id FROM app_user") { try seal(db, id: id) }
    }
}
