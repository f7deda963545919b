import ChiTraStore
import Foundation
import Hummingbird
import Logging

/// `chitra serve`: the application over the same use cases as the CLI.
public enum WebServer {
    /// The router with every route, its middleware, and the list of routes (for the role matrix).
    public static func router(_ env: WebEnvironment) -> (Router<WebContext>, [RouteSpec]) {
        let router = Router(context: WebContext.self)
        router.add(middleware: SecurityHeadersMiddleware())
        router.add(middleware: FileMiddleware(Pages.staticFolder.path, urlBasePath: "/static", cacheControl: .init([]),
                                              searchForIndexHtml: false))
        router.add(middleware: StoreSessionAuthenticator(sessions: WebSessions(db: env.db), cookies: env.cookies))
        router.add(middleware: RequestLogMiddleware())
        var routes = WebRoutes(env: env, router: router)
        routes.registerAll()
        return (router, routes.specs)
    }

    public static func application(_ env: WebEnvironment, host: String, port: Int, logger: Logger) -> some ApplicationProtocol {
        Application(router: router(env).0, configuration: .init(address: .hostname(host, port: port), serverName: nil), logger: logger)
    }
}

/// One line per request: method, path (never the query string: it may carry a search), status and time.
/// No cookie, form field, personal ID or account number is logged.
struct RequestLogMiddleware: RouterMiddleware {
    typealias Context = WebContext
    func handle(_ request: Request, context: WebContext, next: (Request, WebContext) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        func log(_ status: Int) {
            let d = (ContinuousClock.now - start).components
            let ms = Double(d.seconds) * 1000 + Double(d.attoseconds) / 1e15
            context.logger.info("\(request.method) \(Self.loggablePath(request.uri.path)) \(status) \(String(format: "%.1f", ms)) ms user=\(context.identity?.account.username ?? "-")")
        }
        do {
            let response = try await next(request, context)
            log(response.status.code)
            return response
        } catch let e as HTTPError {
            log(e.status.code)
            throw e
        }
    }

    /// Paths name beneficiary codes and batch ids, never personal IDs or accounts; a path segment
    /// of 9 or more digits (which could be one typed into the address bar) is masked.
    static func loggablePath(_ path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: false).map { seg in
            seg.count >= 9 && seg.allSatisfy(\.isNumber) ? "…" : String(seg)
        }.joined(separator: "/")
    }
}
