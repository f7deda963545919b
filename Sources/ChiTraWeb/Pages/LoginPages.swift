import ChiTraCore
import ChiTraStore
import Foundation
import Hummingbird

/// Login and logout. The login form carries a pre-session token (a cookie and a hidden field
/// that must match), so another site cannot sign a browser into an account of its choosing;
/// a successful login always opens a new session (new id) and ends the one the browser had.
enum LoginPages {
    static let preSessionCookie = "chitra_login"

    struct Model {
        let loginToken: String
        let username: String
        let message: String?
        let next: String
    }

    static func register(_ routes: inout WebRoutes) {
        let env = routes.env
        routes.open(.get, "/login") { request, context in
            let q = request.uri.queryParameters
            let message: String? = switch q["ended"].map(String.init) {
            case "idle": "Phiên làm việc đã kết thúc sau 30 phút không thao tác. Đăng nhập lại để tiếp tục."
            case "logout": "Bạn đã đăng xuất."
            case "account": "Tài khoản đã bị khoá, vô hiệu hoá hoặc thay đổi; phiên làm việc đã kết thúc."
            case .some: "Phiên làm việc không còn hiệu lực. Đăng nhập lại."
            case nil: context.identity.map { "Bạn đang đăng nhập với tài khoản \($0.account.username). Đăng nhập lại (kể cả tài khoản khác) sẽ kết thúc phiên hiện tại." }
            }
            return loginForm(env, username: "", message: message, next: safeNext(q["next"].map(String.init)), status: .ok)
        }
        routes.open(.post, "/login") { request, context in
            let fields = try await FormFields.read(request)
            let next = safeNext(fields["next"])
            let username = (fields["username"] ?? "").trimmingCharacters(in: .whitespaces)
            guard let cookie = request.cookies[preSessionCookie]?.value, tokensMatch(fields["login_token"] ?? "", String(cookie)) else {
                return loginForm(env, username: username, message: "Trang đăng nhập đã cũ. Nhập lại tên đăng nhập và mật khẩu.", next: next, status: .forbidden)
            }
            let password = fields["password"] ?? ""
            let db = env.db
            do {
                let user = try await Offload.run { try Users(db: db).authenticate(username, password: password) }
                let ticket = try await Offload.run { try WebSessions(db: db).open(for: user) }
                if let old = context.identity { try? await Offload.run { try WebSessions(db: db).end(token: old.token, why: "logout") } }
                var response = Pages.redirect(next)
                response.setCookie(env.cookies.opening(ticket.token))
                response.setCookie(Cookie(name: preSessionCookie, value: "", maxAge: 0, path: "/login", secure: env.cookies.secure, httpOnly: true, sameSite: .strict))
                return response
            } catch let e as IdentityError {
                return loginForm(env, username: username, message: sentence(e), next: next, status: .unauthorized)
            }
        }
        routes.form("/logout", .anyAccount) { _, _, user, _ in
            let db = env.db
            try await Offload.run { try WebSessions(db: db).end(token: user.token, why: "logout") }
            var response = Pages.redirect("/login?ended=logout")
            response.setCookie(env.cookies.clearing())
            return response
        }
    }

    static func loginForm(_ env: WebEnvironment, username: String, message: String?, next: String, status: HTTPResponse.Status) -> Response {
        let token = WebSessions.randomHex(16)
        var response = Pages.page("login", Model(loginToken: token, username: username, message: message, next: next),
                                  title: "Đăng nhập", user: nil, path: "/login", status: status)
        response.setCookie(Cookie(name: preSessionCookie, value: token, path: "/login", secure: env.cookies.secure, httpOnly: true, sameSite: .strict))
        return response
    }

    /// Only a path on this site (no scheme, no `//host`): an open redirect is not possible.
    static func safeNext(_ next: String?) -> String {
        guard let next, next.hasPrefix("/"), !next.hasPrefix("//"), !next.contains("\\"), !next.hasPrefix("/login") else { return "/" }
        return next
    }

    static func sentence(_ e: IdentityError) -> String {
        switch e {
        case .wrongCredentials: Message("web.login.wrong", ["max": .int(Users.maxFailedLogins), "minutes": .int(Users.lockMinutes)]).text()
        case .locked(_, _, let minutes): Message("web.login.locked", ["minutes": .int(minutes)]).text()
        case .disabled: Message("web.login.disabled").text()
        case .changedOutsideChiTra: Message("web.login.changed_outside").text()
        default: Message("web.login.failed", ["detail": .text(e.description)]).text()
        }
    }
}
