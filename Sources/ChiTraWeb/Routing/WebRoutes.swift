import ChiTraStore
import Foundation
import Hummingbird

/// Every route of `chitra serve`, registered through one of three doors — ``page(_:_:_:)``,
/// ``form(_:_:_:)``, ``upload(_:_:_:)`` — each of which checks the session and the role before the
/// handler runs (and the CSRF token of a form or upload). ``specs`` lists them all for the role
/// matrix test.
public struct WebRoutes {
    // Who may see each part. One place, shown in the navigation and checked on every route.
    public static let rollAccess: Access = .roles([.maker, .checker, .admin])
    public static let personAccess: Access = .anyAccount
    public static let batchAccess: Access = .roles([.maker, .checker, .clerk, .admin])
    public static let returnsAccess: Access = .roles([.clerk, .checker, .maker, .admin])
    public static let gapsAccess: Access = .roles([.officer, .maker, .checker, .admin])
    public static let auditAccess: Access = .roles([.admin, .checker])

    public typealias PageHandler = @Sendable (Request, WebContext, WebUser) async throws -> Response
    public typealias FormHandler = @Sendable (Request, WebContext, WebUser, FormFields) async throws -> Response
    public typealias UploadHandler = @Sendable (Request, WebContext, WebUser, UploadedForm) async throws -> Response
    public typealias OpenHandler = @Sendable (Request, WebContext) async throws -> Response

    public let env: WebEnvironment
    let router: Router<WebContext>
    public private(set) var specs: [RouteSpec] = []

    init(env: WebEnvironment, router: Router<WebContext>) { self.env = env; self.router = router }

    /// Every page group, in navigation order.
    mutating func registerAll() {
        LoginPages.register(&self)
        MonthPage.register(&self)
        RollPages.register(&self)
        PersonPages.register(&self)
        BatchPages.register(&self)
        ReturnsPages.register(&self)
        GapsPages.register(&self)
        AuditPages.register(&self)
    }

    // MARK: - The three doors

    /// A GET page for `access`.
    public mutating func page(_ path: String, _ access: Access, _ handler: @escaping PageHandler) {
        specs.append(RouteSpec(method: .get, path: path, access: access, kind: .page))
        router.get(RouterPath(path)) { request, context in
            try await Self.guarded(request, context, access) { user in try await handler(request, context, user) }
        }
    }

    /// A POST form for `access`; the CSRF token is checked before the handler runs.
    public mutating func form(_ path: String, _ access: Access, _ handler: @escaping FormHandler) {
        specs.append(RouteSpec(method: .post, path: path, access: access, kind: .form))
        router.post(RouterPath(path)) { request, context in
            try await Self.guarded(request, context, access) { user in
                let fields = try await FormFields.read(request)
                guard tokensMatch(fields["csrf"] ?? "", user.csrfToken) else { throw Self.csrfRefused }
                return try await handler(request, context, user, fields)
            }
        }
    }

    /// A POST upload for `access`: streamed to disk under the size limit, CSRF checked, and the
    /// files removed after the handler (it copies what it keeps).
    public mutating func upload(_ path: String, _ access: Access, _ handler: @escaping UploadHandler) {
        specs.append(RouteSpec(method: .post, path: path, access: access, kind: .upload))
        let receiver = UploadReceiver(limit: env.uploadLimit, uploadsRoot: env.workDirectory.appendingPathComponent("uploads"))
        router.post(RouterPath(path)) { request, context in
            try await Self.guarded(request, context, access) { user in
                let form = try await receiver.receive(request)
                defer { form.discard() }
                guard tokensMatch(form.fields["csrf"] ?? "", user.csrfToken) else { throw Self.csrfRefused }
                return try await handler(request, context, user, form)
            }
        }
    }

    /// A route that needs no account (login, static files).
    mutating func open(_ method: RouteSpec.Method, _ path: String, _ handler: @escaping OpenHandler) {
        specs.append(RouteSpec(method: method, path: path, access: .open, kind: method == .get ? .page : .form))
        let wrapped: @Sendable (Request, WebContext) async throws -> Response = { request, context in
            do { return try await handler(request, context) }
            catch { let e = WebError.from(error); return Pages.errorPage(status: e.status, message: e.message, user: context.identity) }
        }
        if method == .get { router.get(RouterPath(path), use: wrapped) } else { router.post(RouterPath(path), use: wrapped) }
    }

    static let csrfRefused = WebError(.forbidden,
        "Biểu mẫu này đã cũ hoặc không phải do trang ChiTra gửi (thiếu mã chống giả mạo). Chưa có gì thay đổi; mở lại trang rồi làm lại.")

    /// Signed in? Role allowed? Then the handler; its errors become a Vietnamese page.
    static func guarded(_ request: Request, _ context: WebContext, _ access: Access,
                        _ body: (WebUser) async throws -> Response) async throws -> Response {
        guard let user = context.identity else {
            // Not signed in (or the session ended): to the login page, which says why.
            var target = "/login"
            var query: [String] = []
            if request.method == .get { query.append("next=" + (request.uri.path.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? "/")) }
            if let why = context.endedSession { query.append("ended=\(why)") }
            if !query.isEmpty { target += "?" + query.joined(separator: "&") }
            return Pages.redirect(target)
        }
        guard access.allows(user.roles) else {
            return Pages.errorPage(status: .forbidden,
                message: "Trang này dành cho: \(Self.roleNames(access)). Tài khoản \(user.account.username) có vai trò: \(user.roles.map(\.vietnamese).joined(separator: ", ")).",
                user: user)
        }
        do { return try await body(user) }
        catch {
            let e = WebError.from(error)
            return Pages.errorPage(status: e.status, message: e.message, user: user)
        }
    }

    static func roleNames(_ access: Access) -> String {
        switch access {
        case .open, .anyAccount: "mọi tài khoản"
        case .roles(let r): r.map(\.vietnamese).joined(separator: ", ")
        }
    }
}
