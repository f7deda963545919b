import ChiTraStore
import Foundation
import Hummingbird
import HummingbirdAuth
import Logging

/// Finds the session the `chitra_session` cookie names in the store (``WebSessions``) and makes
/// its account the request's identity. An ended session (idle 30 minutes, logged out, account
/// disabled or changed outside ChiTra) is marked ended and its cookie cleared.
struct StoreSessionAuthenticator: AuthenticatorMiddleware {
    typealias Context = WebContext
    let sessions: WebSessions
    let cookies: SessionCookies

    func authenticate(request: Request, context: WebContext) async throws -> WebUser? {
        guard let token = request.cookies[SessionCookies.name]?.value else { return nil }
        let sessions = self.sessions
        let lookup = try await Offload.run { try sessions.lookup(token: token) }
        switch lookup {
        case .live(let live):
            // The last-seen time is written at most once a minute, and never holds up the page:
            // a CLI command holding the store's write lock delays only this write.
            if Date().timeIntervalSince(live.lastSeen) >= WebSessions.touchInterval {
                Task.detached { try? sessions.touch(live) }
            }
            return WebUser(user: live.user, csrfToken: live.csrfToken, token: token)
        case .ended, .unknown:
            return nil
        }
    }

    func handle(_ request: Request, context: WebContext, next: (Request, WebContext) async throws -> Response) async throws -> Response {
        var context = context
        if let user = try await authenticate(request: request, context: context) {
            context.identity = user
            return try await next(request, context)
        }
        guard let token = request.cookies[SessionCookies.name]?.value else { return try await next(request, context) }
        let sessions = self.sessions
        if case .ended(let why) = try await Offload.run({ try sessions.lookup(token: token) }) {
            context.endedSession = why
            if why != "logout" { try? await Offload.run { try sessions.end(token: token, why: why) } }
        } else {
            context.endedSession = "unknown"
        }
        var response = try await next(request, context)
        response.setCookie(cookies.clearing())
        return response
    }
}

/// The session cookie: HttpOnly, SameSite=Strict, Path=/, Secure behind TLS; no Expires (it
/// ends with the browser; the server ends it after 30 idle minutes).
public struct SessionCookies: Sendable {
    public static let name = "chitra_session"
    public var secure: Bool

    func opening(_ token: String) -> Cookie {
        Cookie(name: Self.name, value: token, path: "/", secure: secure, httpOnly: true, sameSite: .strict)
    }

    func clearing() -> Cookie {
        Cookie(name: Self.name, value: "", expires: Date(timeIntervalSince1970: 0), maxAge: 0, path: "/", secure: secure, httpOnly: true, sameSite: .strict)
    }
}
