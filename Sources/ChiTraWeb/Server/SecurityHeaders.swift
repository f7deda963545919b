import Hummingbird

/// Headers on every response: a CSP with no inline script (none at all: the pages have no
/// JavaScript), no framing, no MIME sniffing, no referrer, and no caching of dynamic pages
/// (they show personal data); only /static/ may be cached.
struct SecurityHeadersMiddleware: RouterMiddleware {
    typealias Context = WebContext

    static let contentSecurityPolicy = [
        "default-src 'none'", "style-src 'self'", "img-src 'self' data:", "form-action 'self'",
        "frame-ancestors 'none'", "base-uri 'none'",
    ].joined(separator: "; ")

    func handle(_ request: Request, context: WebContext, next: (Request, WebContext) async throws -> Response) async throws -> Response {
        var response: Response
        do { response = try await next(request, context) }
        catch let error as HTTPError {
            // Errors thrown by Hummingbird itself (404 of an unknown path, 413): a Vietnamese page with the same headers.
            response = Pages.errorPage(status: error.status, message: error.body ?? Pages.statusSentence(error.status), user: context.identity)
        }
        typealias Name = HTTPFields.Element.Name
        let h = { (n: String) in Name(n) }
        response.headers[h("Content-Security-Policy")!] = Self.contentSecurityPolicy
        response.headers[h("X-Frame-Options")!] = "DENY"
        response.headers[h("X-Content-Type-Options")!] = "nosniff"
        response.headers[h("Referrer-Policy")!] = "no-referrer"
        response.headers[h("Cross-Origin-Opener-Policy")!] = "same-origin"
        response.headers[h("Permissions-Policy")!] = "camera=(), microphone=(), geolocation=()"
        if !request.uri.path.hasPrefix("/static/") {
            response.headers[.cacheControl] = "no-store"
            response.headers[h("Pragma")!] = "no-cache"
        }
        return response
    }
}
