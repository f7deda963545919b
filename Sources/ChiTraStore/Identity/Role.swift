/// What an account may do. A person may hold several roles; each command and page needs one.
///
/// | role | may |
/// |---|---|
/// | `admin` | manage accounts, keys, backup and restore |
/// | `maker` | import the roll, build / cancel / export batches, manual updates |
/// | `checker` | approve a batch built by someone else |
/// | `clerk` | import returns, resolve exceptions, reconcile |
/// | `officer` | follow up the gaps worklist, set accounts and proxies |
public enum Role: String, CaseIterable, Codable, Sendable, Comparable {
    case admin, maker, checker, clerk, officer

    /// The role's name in Vietnamese, as staff call it.
    public var vietnamese: String {
        switch self {
        case .admin: "quản trị"
        case .maker: "người lập"
        case .checker: "người duyệt"
        case .clerk: "kế toán đối soát"
        case .officer: "cán bộ chính sách"
        }
    }

    public static func < (a: Role, b: Role) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// An authenticated account acting in one of its roles: what every use case that changes money
/// or personal data takes instead of a typed name. Only ``AuthenticatedUser/acting(as:)`` makes one.
public struct Actor: Sendable, Equatable, Codable, CustomStringConvertible {
    /// `app_user.id`: what the store records.
    public let userID: Int64
    /// The login, for messages and the text columns kept beside the ids.
    public let username: String
    public let role: Role

    init(userID: Int64, username: String, role: Role) {
        self.userID = userID; self.username = username; self.role = role
    }

    public var description: String { "\(username) (#\(userID), \(role.rawValue))" }
}

extension Actor {
    /// Refuses an actor acting in another role than the one this use case needs.
    public func require(_ needed: Role...) throws {
        guard needed.contains(role) else { throw IdentityError.missingRole(username: username, needed: needed, has: [role]) }
    }
}
