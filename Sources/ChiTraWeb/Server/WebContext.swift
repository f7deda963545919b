import ChiTraStore
import Foundation
import Hummingbird
import HummingbirdAuth

/// The signed-in person for one request: the account (with all its roles) and the session's
/// CSRF token. Handlers take an ``Actor`` from it for the one role their use case needs.
public struct WebUser: Sendable {
    public let user: AuthenticatedUser
    public let csrfToken: String
    /// The cookie's token (to end the session at logout).
    let token: String

    public var account: UserAccount { user.account }
    public var roles: [Role] { user.account.roles }
    public func has(_ role: Role) -> Bool { roles.contains(role) }
    public func acting(as role: Role) throws -> Actor { try user.acting(as: role) }
    public func acting(asAnyOf roles: [Role]) throws -> Actor { try user.acting(asAnyOf: roles) }
}

/// Each request's context: who is signed in (HummingbirdAuth's identity), and why a session the
/// browser sent is no longer live (the login page says so).
public struct WebContext: AuthRequestContext, RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var identity: WebUser?
    /// "idle", "logout" or "account" when the cookie named a session that has ended.
    public var endedSession: String?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        identity = nil
        endedSession = nil
    }

    /// Uploads are streamed to disk by ``UploadReceiver`` under its own limit; other bodies are small forms.
    public var maxUploadSize: Int { 64 * 1024 }
}
