import ChiTraStore

/// Who may use a route. Every route names its access in ``WebRoutes``; the role matrix test
/// walks that same list, so a route cannot be added without being tested.
public enum Access: Sendable, Equatable, CustomStringConvertible {
    /// No account needed: the login page, static files.
    case open
    /// Any signed-in account (pages that show no more than any role sees).
    case anyAccount
    /// Accounts holding at least one of these roles.
    case roles([Role])

    public func allows(_ roles: [Role]) -> Bool {
        switch self {
        case .open, .anyAccount: true
        case .roles(let needed): needed.contains(where: roles.contains)
        }
    }

    public var description: String {
        switch self {
        case .open: "open"
        case .anyAccount: "any account"
        case .roles(let r): r.map(\.rawValue).joined(separator: "|")
        }
    }
}

/// One route as the matrix sees it.
public struct RouteSpec: Sendable, CustomStringConvertible {
    public enum Method: String, Sendable { case get = "GET", post = "POST" }
    public let method: Method
    /// Hummingbird's path, `:id` for parameters.
    public let path: String
    public let access: Access
    /// A form post (CSRF token checked) or an upload (multipart, streamed to disk, CSRF checked).
    public let kind: Kind
    public enum Kind: Sendable { case page, form, upload }

    public var description: String { "\(method.rawValue) \(path) [\(access)]" }
}
