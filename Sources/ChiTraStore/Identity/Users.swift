import ChiTraCore
import ChiTraSigning
import Foundation
import GRDB

/// One account as an administrator sees it (never its password hash).
public struct UserAccount: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable { case person, legacy }
    public var id: Int64
    public var username: String
    public var fullName: String
    public var kind: Kind
    public var roles: [Role]
    public var disabledAt: String?
    public var failedLogins: Int
    public var lockedUntil: String?
    public var createdAt: String

    public var isActive: Bool { kind == .person && disabledAt == nil }

    /// How the account is shown next to what it did: `an.nguyen (Nguyễn Văn An)`, or for a name
    /// typed before accounts existed `"Nguyễn Văn An" (tên cũ, không phải tài khoản)`.
    public var display: String {
        kind == .legacy ? "\"\(fullName)\" (tên cũ, không phải tài khoản)" : "\(username) (\(fullName))"
    }
}

/// A person who gave the right password: may act in any of their roles.
public struct AuthenticatedUser: Sendable {
    public let account: UserAccount

    /// The actor for one action; refused when the account lacks `role`.
    public func acting(as role: Role) throws -> Actor {
        guard account.roles.contains(role) else {
            throw IdentityError.missingRole(username: account.username, needed: [role], has: account.roles)
        }
        return Actor(userID: account.id, username: account.username, role: role)
    }

    /// The actor for an action any of `roles` may take (the first the account holds, in `roles`' order).
    public func acting(asAnyOf roles: [Role]) throws -> Actor {
        guard let role = roles.first(where: account.roles.contains) else {
            throw IdentityError.missingRole(username: account.username, needed: roles, has: account.roles)
        }
        return Actor(userID: account.id, username: account.username, role: role)
    }
}

/// Why an account could not act. Never carries a password or a hash.
public enum IdentityError: Error, CustomStringConvertible, Equatable {
    case wrongCredentials
    case disabled(username: String)
    case locked(username: String, until: String, minutesLeft: Int)
    case missingRole(username: String, needed: [Role], has: [Role])
    case changedOutsideChiTra(username: String)
    case invalid(Message)

    /// The sentence a person reads (`formats/messages/store.json`).
    public var message: Message {
        switch self {
        case .wrongCredentials:
            return Message("store.login.wrong", ["max": .int(Users.maxFailedLogins), "minutes": .int(Users.lockMinutes)])
        case .disabled(let u):
            return Message("store.login.disabled", ["user": .text(u)])
        case .locked(let u, let until, let left):
            return Message("store.login.locked", ["user": .text(u), "max": .int(Users.maxFailedLogins), "until": .text(until), "minutes": .int(left)])
        case .missingRole(let u, let needed, let has):
            let need = needed.map { "\($0.rawValue) (\($0.vietnamese))" }.joined(separator: " / ")
            return Message("store.role.missing", ["user": .text(u), "needed": .text(need), "has": .text(has.map(\.rawValue).joined(separator: ", "))])
        case .changedOutsideChiTra(let u):
            return Message("store.account.changed_outside", ["user": .text(u)])
        case .invalid(let m):
            return m
        }
    }

    public var description: String { message.text() }
}

/// The store's accounts: adding, changing and authenticating them. Every change is audited.
public struct Users: Sendable {
    public static let maxFailedLogins = 5
    public static let lockMinutes = 15
    public static let minimumPasswordLength = 10

    public let db: AppDatabase
    /// scrypt's cost for new hashes (``PasswordHash/Cost/standard``; tests pass `.testing`).
    public var cost: PasswordHash.Cost

    public init(db: AppDatabase, cost: PasswordHash.Cost = .standard) { self.db = db; self.cost = cost }

    /// A login folded for lookup: no diacritics, lower case, no spaces. `An.Nguyen`, ` an.nguyen`
    /// and `AN.NGUYỄN` are one login.
    public static func loginKey(_ typed: String) -> String {
        VietnameseText.bankForm(typed).lowercased().filter { !$0.isWhitespace }
    }

    /// The login a new account gets, or why the typed one cannot be one.
    public static func validLogin(_ typed: String) throws -> String {
        let key = loginKey(typed)
        // Created as typed (case aside): no spaces, no diacritics. Lookups fold more freely.
        let asTyped = typed.trimmingCharacters(in: .whitespaces).lowercased()
        let allowed = asTyped == key && key.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "." || $0 == "_" || $0 == "-" }
        guard (3...32).contains(key.count), allowed, key.first?.isLetter == true else {
            throw IdentityError.invalid(Message("store.user.login_format"))
        }
        return key
    }

    static func checkPassword(_ password: String, login: String) throws {
        guard password.count >= minimumPasswordLength else {
            throw IdentityError.invalid(Message("store.user.password_short", ["n": .int(minimumPasswordLength)]))
        }
        guard loginKey(password) != login else { throw IdentityError.invalid(Message("store.user.password_is_login")) }
        guard !password.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw IdentityError.invalid(Message("store.user.password_control"))
        }
    }

    /// True when the store has an active account with the admin role (`chitra init` makes the first).
    public func hasActiveAdmin() throws -> Bool {
        try db.writer.read { try Self.activeAdminExists($0) }
    }

    /// Creates the first administrator of a store that has none (`chitra init`).
    @discardableResult
    public func addFirstAdmin(username: String, fullName: String, password: String) throws -> UserAccount {
        try db.writer.write { db in
            guard try !Self.activeAdminExists(db) else {
                throw IdentityError.invalid(Message("store.user.admin_exists"))
            }
            let account = try insert(db, username: username, fullName: fullName, roles: [.admin], password: password, createdBy: nil)
            try AuditLog.append(db, actor: Actor(userID: account.id, username: account.username, role: .admin),
                                action: "user.add", entity: "app_user", entityID: String(account.id), detail: "roles=admin first-admin")
            return account
        }
    }

    /// Adds an account (admin only).
    @discardableResult
    public func add(username: String, fullName: String, roles: [Role], password: String, by actor: Actor) throws -> UserAccount {
        try Self.require(actor, .admin)
        return try db.writer.write { db in
            let account = try insert(db, username: username, fullName: fullName, roles: roles, password: password, createdBy: actor.userID)
            try AuditLog.append(db, actor: actor, action: "user.add", entity: "app_user", entityID: String(account.id),
                                detail: "login=\(account.username) roles=\(roles.sorted().map(\.rawValue).joined(separator: ","))")
            return account
        }
    }

    private func insert(_ db: Database, username: String, fullName: String, roles: [Role], password: String, createdBy: Int64?) throws -> UserAccount {
        let login = try Self.validLogin(username)
        let name = VietnameseText.normalizedName(fullName)
        guard !name.isEmpty, name.count <= 100, !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control || $0.properties.generalCategory == .format }) else {
            throw IdentityError.invalid(Message("store.user.full_name"))
        }
        guard !roles.isEmpty else { throw IdentityError.invalid(Message("store.user.roles_required", ["roles": .text(Role.allCases.map(\.rawValue).joined(separator: ", "))])) }
        try Self.checkPassword(password, login: login)
        if try Bool.fetchOne(db, sql: "SELECT 1 FROM app_user WHERE login_key = ?", arguments: [login]) == true {
            throw IdentityError.invalid(Message("store.user.exists", ["login": .text(login)]))
        }
        let hash = try PasswordHash.make(password: password, cost: cost)
        try db.execute(sql: """
            INSERT INTO app_user(username, login_key, full_name, kind, password_hash, created_at, created_by)
            VALUES (?, ?, ?, 'person', ?, ?, ?)
            """, arguments: [login, login, name, hash, Timestamp.now(), createdBy])
        let id = db.lastInsertedRowID
        for role in Set(roles).sorted() {
            try db.execute(sql: "INSERT INTO user_role(user_id, role) VALUES (?, ?)", arguments: [id, role.rawValue])
        }
        try AccountSeal.seal(db, id: id)
        return try Self.account(db, id: id)!
    }

    /// Accounts (or legacy names) changed outside ChiTra: their seal no longer matches.
    public func changedOutsideChiTra() throws -> [String] {
        try db.writer.read { try AccountSeal.mismatches($0) }
    }

    /// Every account and legacy name, logins first.
    public func list() throws -> [UserAccount] {
        try db.writer.read { db in
            try Int64.fetchAll(db, sql: "SELECT id FROM app_user ORDER BY kind DESC, username").compactMap { try Self.account(db, id: $0) }
        }
    }

    /// The account with this login (any spelling), or nil.
    public func find(_ login: String) throws -> UserAccount? {
        try db.writer.read { db in try Self.find(db, login) }
    }

    /// Disables an account: it can no longer log in or act. The last active admin cannot be disabled.
    public func disable(_ login: String, by actor: Actor) throws {
        try change(login, by: actor, action: "user.disable") { db, account in
            guard account.disabledAt == nil else { throw IdentityError.invalid(Message("store.user.already_disabled", ["user": .text(account.username)])) }
            if account.roles.contains(.admin), try Int.fetchOne(db, sql: """
                SELECT count(*) FROM app_user u JOIN user_role r ON r.user_id = u.id AND r.role = 'admin' WHERE u.disabled_at IS NULL
                """) ?? 0 <= 1 {
                throw IdentityError.invalid(Message("store.user.last_admin", ["user": .text(account.username)]))
            }
            try db.execute(sql: "UPDATE app_user SET disabled_at = ? WHERE id = ?", arguments: [Timestamp.now(), account.id])
            try AccountSeal.seal(db, id: account.id)
            return ""
        }
    }

    /// Enables a disabled account again.
    public func enable(_ login: String, by actor: Actor) throws {
        try change(login, by: actor, action: "user.enable") { db, account in
            guard account.disabledAt != nil else { throw IdentityError.invalid(Message("store.user.not_disabled", ["user": .text(account.username)])) }
            try db.execute(sql: "UPDATE app_user SET disabled_at = NULL, failed_logins = 0, locked_until = NULL WHERE id = ?", arguments: [account.id])
            try AccountSeal.seal(db, id: account.id)
            return ""
        }
    }

    /// Ends a lock after wrong passwords before its 15 minutes are over.
    public func unlock(_ login: String, by actor: Actor) throws {
        try change(login, by: actor, action: "user.unlock") { db, account in
            try db.execute(sql: "UPDATE app_user SET failed_logins = 0, locked_until = NULL WHERE id = ?", arguments: [account.id])
            return "was-locked-until=\(account.lockedUntil ?? "-")"
        }
    }

    /// Sets a new password: an administrator for anyone, or the account itself.
    public func setPassword(_ login: String, newPassword: String, by user: AuthenticatedUser) throws {
        let target = try find(login)
        let isSelf = target?.id == user.account.id
        let actor = isSelf ? try user.acting(asAnyOf: user.account.roles.sorted()) : try user.acting(as: .admin)
        try change(login, by: actor, action: "user.passwd") { db, account in
            try Self.checkPassword(newPassword, login: account.username)
            let hash = try PasswordHash.make(password: newPassword, cost: cost)
            try db.execute(sql: "UPDATE app_user SET password_hash = ?, failed_logins = 0, locked_until = NULL WHERE id = ?", arguments: [hash, account.id])
            try AccountSeal.seal(db, id: account.id)
            return isSelf ? "own" : ""
        }
    }

    private func change(_ login: String, by actor: Actor, action: String, _ body: (Database, UserAccount) throws -> String) throws {
        if action != "user.passwd" { try Self.require(actor, .admin) }
        try db.writer.write { db in
            guard let account = try Self.find(db, login), account.kind == .person else {
                throw IdentityError.invalid(Message("store.user.unknown", ["login": .text(Self.loginKey(login))]))
            }
            guard try AccountSeal.holds(db, id: account.id) else { throw IdentityError.changedOutsideChiTra(username: account.username) }
            let detail = try body(db, account)
            try AuditLog.append(db, actor: actor, action: action, entity: "app_user", entityID: String(account.id),
                                detail: (["login=\(account.username)"] + (detail.isEmpty ? [] : [detail])).joined(separator: " "))
        }
    }

    /// Checks a login and password. Five wrong passwords in a row lock the account for 15 minutes
    /// (audited); while locked even the right password is refused. A disabled account is refused.
    /// An unknown login costs the same time as a wrong password and gets the same answer.
    public func authenticate(_ login: String, password: String, now: Date = Date()) throws -> AuthenticatedUser {
        let key = Self.loginKey(login)
        let row = try db.writer.read { db in
            try Row.fetchOne(db, sql: "SELECT id, password_hash, locked_until FROM app_user WHERE login_key = ? AND kind = 'person'", arguments: [key])
        }
        guard let row, let id = row["id"] as Int64?, let hash = row["password_hash"] as String? else {
            PasswordHash.spendVerificationTime(cost: cost)
            throw IdentityError.wrongCredentials
        }
        let nowText = Timestamp.format(now)
        if let until = row["locked_until"] as String?, until > nowText {
            throw IdentityError.locked(username: key, until: until, minutesLeft: Self.minutesLeft(until: until, now: now))
        }
        let good = try PasswordHash.verify(password: password, against: hash)
        enum Outcome { case user(AuthenticatedUser), wrong, lockedNow(String) }
        let outcome = try db.writer.write { db -> Outcome in
            guard var account = try Self.account(db, id: id) else { return .wrong }
            // An account inserted, given a role or a password, or re-enabled in the file itself.
            guard try AccountSeal.holds(db, id: id) else { throw IdentityError.changedOutsideChiTra(username: account.username) }
            // Another process may have locked it meanwhile.
            if let until = account.lockedUntil, until > nowText {
                throw IdentityError.locked(username: key, until: until, minutesLeft: Self.minutesLeft(until: until, now: now))
            }
            guard good else {
                // A lock that has ended starts the count again.
                let failures = (account.lockedUntil == nil ? account.failedLogins : 0) + 1
                if failures >= Self.maxFailedLogins {
                    let until = Timestamp.format(now.addingTimeInterval(TimeInterval(Self.lockMinutes * 60)))
                    try db.execute(sql: "UPDATE app_user SET failed_logins = ?, locked_until = ? WHERE id = ?", arguments: [failures, until, id])
                    try AuditLog.append(db, account: account, role: nil, action: "user.locked", entity: "app_user", entityID: String(id),
                                        detail: "failed-logins=\(failures) until=\(until)")
                    return .lockedNow(until)
                }
                try db.execute(sql: "UPDATE app_user SET failed_logins = ?, locked_until = NULL WHERE id = ?", arguments: [failures, id])
                return .wrong
            }
            guard account.disabledAt == nil else { throw IdentityError.disabled(username: account.username) }
            if account.failedLogins != 0 || account.lockedUntil != nil {
                try db.execute(sql: "UPDATE app_user SET failed_logins = 0, locked_until = NULL WHERE id = ?", arguments: [id])
                account.failedLogins = 0; account.lockedUntil = nil
            }
            if PasswordHash.needsRehash(hash, cost: cost) {
                try db.execute(sql: "UPDATE app_user SET password_hash = ? WHERE id = ?", arguments: [try PasswordHash.make(password: password, cost: cost), id])
                try AccountSeal.seal(db, id: id)
            }
            return .user(AuthenticatedUser(account: account))
        }
        switch outcome {
        case .user(let u): return u
        case .wrong: throw IdentityError.wrongCredentials
        case .lockedNow(let until): throw IdentityError.locked(username: key, until: until, minutesLeft: Self.lockMinutes)
        }
    }

    static func minutesLeft(until: String, now: Date) -> Int {
        let f = ISO8601DateFormatter()
        guard let end = f.date(from: until) else { return lockMinutes }
        return max(1, Int((end.timeIntervalSince(now) / 60).rounded(.up)))
    }

    static func require(_ actor: Actor, _ role: Role) throws {
        guard actor.role == role else { throw IdentityError.missingRole(username: actor.username, needed: [role], has: [actor.role]) }
    }

    static func activeAdminExists(_ db: Database) throws -> Bool {
        try Bool.fetchOne(db, sql: """
            SELECT EXISTS (SELECT 1 FROM app_user u JOIN user_role r ON r.user_id = u.id AND r.role = 'admin' WHERE u.disabled_at IS NULL)
            """) ?? false
    }

    static func find(_ db: Database, _ login: String) throws -> UserAccount? {
        guard let id = try Int64.fetchOne(db, sql: "SELECT id FROM app_user WHERE login_key = ?", arguments: [loginKey(login)]) else { return nil }
        return try account(db, id: id)
    }

    static func account(_ db: Database, id: Int64) throws -> UserAccount? {
        guard let r = try Row.fetchOne(db, sql: "SELECT * FROM app_user WHERE id = ?", arguments: [id]) else { return nil }
        let roles = try String.fetchAll(db, sql: "SELECT role FROM user_role WHERE user_id = ?", arguments: [id]).compactMap(Role.init).sorted()
        return UserAccount(id: id, username: r["username"], fullName: r["full_name"], kind: UserAccount.Kind(rawValue: r["kind"]) ?? .legacy,
                           roles: roles, disabledAt: r["disabled_at"], failedLogins: r["failed_logins"], lockedUntil: r["locked_until"],
                           createdAt: r["created_at"])
    }

    /// How the account `id` is shown next to what it did (``UserAccount/display``), or "?".
    public static func display(_ db: Database, id: Int64?) throws -> String? {
        guard let id else { return nil }
        return try account(db, id: id)?.display
    }
}
