import ChiTraSigning
import ChiTraStore

/// Accounts for tests, made through the real path (first admin, `Users.add`, authentication) with
/// scrypt's test cost. Only test targets depend on this module.
extension AppDatabase {
    /// The password of a test account (`test-password-` + login).
    public static func testPassword(_ login: String) -> String { "test-password-\(login)" }

    /// An authenticated actor with `role` (`test.<role>` unless `login` says otherwise), created on
    /// first use together with the store's first administrator `test.admin`.
    /// `roles`: what the account holds when it is created (default: just `role`).
    public func actor(_ role: Role, login: String? = nil, roles: [Role]? = nil, fullName: String = "Người Thử Nghiệm") throws -> Actor {
        let users = Users(db: self, cost: .testing)
        let adminLogin = "test.admin"
        if try !users.hasActiveAdmin() {
            try users.addFirstAdmin(username: adminLogin, fullName: "Quản Trị Thử", password: Self.testPassword(adminLogin))
        }
        let name = login ?? "test.\(role.rawValue)"
        if name == adminLogin { return try users.authenticate(name, password: Self.testPassword(name)).acting(as: role) }
        if try users.find(name) == nil {
            let admin = try users.authenticate(adminLogin, password: Self.testPassword(adminLogin)).acting(as: .admin)
            try users.add(username: name, fullName: fullName, roles: roles ?? [role], password: Self.testPassword(name), by: admin)
        }
        return try users.authenticate(name, password: Self.testPassword(name)).acting(as: role)
    }
}
