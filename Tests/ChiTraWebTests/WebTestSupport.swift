import ChiTraStore
import ChiTraTestSupport
import ChiTraWeb
import Foundation
import Hummingbird
import Logging
import HummingbirdTesting
import XCTest

/// A store with one account per role (`test.<role>`, scrypt's test cost), the application over
/// it, and a browser-like client that keeps the session cookie and the page's CSRF token.
struct WebHarness {
    let dir: URL
    let db: AppDatabase
    let env: WebEnvironment
    let specs: [RouteSpec]
    let app: Application<RouterResponder<WebContext>>

    static let formats = ChitraRun.packageRoot.appendingPathComponent("formats")

    init(uploadLimit: Int = 2 * 1024 * 1024, secureCookies: Bool = false, logger: Logger? = nil) throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("chitra-web-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        db = try AppDatabase(path: dir.appendingPathComponent("s.sqlite").path, auditKeyDirectory: dir.appendingPathComponent("keys"),
                             concurrentReads: true)
        for role in Role.allCases { _ = try db.actor(role) }
        env = try WebEnvironment(db: db, formatsDirectory: Self.formats, keysDirectory: dir.appendingPathComponent("keys"),
                                 workDirectory: dir.appendingPathComponent("web"), uploadLimit: uploadLimit,
                                 secureCookies: secureCookies)
        let (router, specs) = WebServer.router(env)
        self.specs = specs
        app = logger.map { Application(router: router, logger: $0) } ?? Application(router: router)
    }

    static func login(_ role: Role) -> String { role == .admin ? "test.admin" : "test.\(role.rawValue)" }
}

/// Cookies and the CSRF token of the last page, like a browser tab.
final class Browser: @unchecked Sendable {
    var cookies: [String: String] = [:]
    var csrf: String?
    var lastBody = ""

    var cookieHeader: HTTPFields {
        cookies.isEmpty ? [:] : [.cookie: cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")]
    }

    func remember(_ r: TestResponse) {
        for value in r.headers[values: .setCookie] {
            let pair = value.split(separator: ";")[0].split(separator: "=", maxSplits: 1)
            let name = String(pair[0]), v = pair.count > 1 ? String(pair[1]) : ""
            if v.isEmpty || value.contains("Max-Age=0") { cookies[name] = nil } else { cookies[name] = v }
        }
        lastBody = String(buffer: r.body)
        if let token = Self.field("csrf", in: lastBody) { csrf = token }
    }

    /// The value of the first hidden input `name` in `html`.
    static func field(_ name: String, in html: String) -> String? {
        guard let r = html.range(of: "name=\"\(name)\" value=\"") else { return nil }
        let rest = html[r.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
    }

    @discardableResult
    func get(_ client: some TestClientProtocol, _ path: String) async throws -> TestResponse {
        let r = try await client.execute(uri: path, method: .get, headers: cookieHeader)
        remember(r)
        return r
    }

    @discardableResult
    func post(_ client: some TestClientProtocol, _ path: String, _ fields: [String: String], csrf: String? = nil) async throws -> TestResponse {
        var all = fields
        if all["csrf"] == nil, let token = csrf ?? self.csrf { all["csrf"] = token }
        let body = all.map { "\(Self.encode($0.key))=\(Self.encode($0.value))" }.joined(separator: "&")
        var headers = cookieHeader
        headers[.contentType] = "application/x-www-form-urlencoded"
        let r = try await client.execute(uri: path, method: .post, headers: headers, body: ByteBuffer(string: body))
        remember(r)
        return r
    }

    /// A multipart upload: the text fields (CSRF first), then one file.
    @discardableResult
    func upload(_ client: some TestClientProtocol, _ path: String, fields: [String: String] = [:], fileField: String = "file",
                filename: String, data: Data) async throws -> TestResponse {
        let boundary = "----chitra-test-\(UUID().uuidString)"
        var body = Data()
        var all = fields
        if all["csrf"] == nil, let csrf { all["csrf"] = csrf }
        for (k, v) in all.sorted(by: { $0.key == "csrf" ? true : $1.key == "csrf" ? false : $0.key < $1.key }) {
            body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(k)\"\r\n\r\n\(v)\r\n".utf8))
        }
        body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(fileField)\"; filename=\"\(filename)\"\r\nContent-Type: application/octet-stream\r\n\r\n".utf8))
        body.append(data)
        body.append(Data("\r\n--\(boundary)--\r\n".utf8))
        var headers = cookieHeader
        headers[.contentType] = "multipart/form-data; boundary=\(boundary)"
        let r = try await client.execute(uri: path, method: .post, headers: headers, body: ByteBuffer(bytes: body))
        remember(r)
        return r
    }

    /// Signs in through the login page; fails the test unless it lands on a page.
    func login(_ client: some TestClientProtocol, _ login: String, password: String? = nil) async throws -> TestResponse {
        try await get(client, "/login")
        let token = Self.field("login_token", in: lastBody) ?? ""
        let r = try await post(client, "/login", ["login_token": token, "username": login,
                                                  "password": password ?? AppDatabase.testPassword(login), "next": "/"])
        if r.status == .seeOther { try await get(client, "/") }
        return r
    }

    static func encode(_ s: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s
    }
}
