import ChiTraStore
import ChiTraWeb
import Foundation
import Hummingbird
import HummingbirdTesting
import XCTest

/// Every route × every role: allowed or 403, from the same list the server registers
/// (``WebServer/router(_:)``), so no route can be added without being checked here.
final class RoleMatrixTests: XCTestCase {
    /// A value for each path parameter (the pages answer 404 or 400 for ones that do not exist:
    /// what matters here is that the role check comes first).
    static func concrete(_ path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: false).map { seg -> String in
            guard seg.hasPrefix(":") else { return String(seg) }
            switch seg {
            case ":code": return "BTXH-000001"
            case ":period": return "2026-12"
            case ":village": return "Thon-1"
            default: return "1"
            }
        }.joined(separator: "/")
    }

    func testEveryRouteAllowsExactlyItsRolesAndSendsOthersA403() async throws {
        let h = try WebHarness()
        XCTAssertGreaterThan(h.specs.count, 3)
        try await h.app.test(.router) { client in
            var browsers: [Role: Browser] = [:]
            for role in Role.allCases {
                let b = Browser()
                _ = try await b.login(client, WebHarness.login(role))
                XCTAssertNotNil(b.cookies["chitra_session"], "\(role) signed in")
                browsers[role] = b
            }
            var checked = 0
            for spec in h.specs where spec.access != .open && spec.path != "/logout" {
                let path = Self.concrete(spec.path)
                for role in Role.allCases {
                    let b = browsers[role]!
                    _ = try await b.get(client, "/")  // a fresh CSRF token
                    let r: TestResponse
                    switch spec.kind {
                    case .page: r = try await b.get(client, path)
                    case .form: r = try await b.post(client, path, [:])
                    case .upload: r = try await b.upload(client, path, filename: "x.csv", data: Data("x\n".utf8))
                    }
                    if spec.access.allows([role]) {
                        XCTAssertNotEqual(r.status, .forbidden, "\(spec) as \(role): allowed, got 403: \(b.lastBody.prefix(300))")
                        XCTAssertNotEqual(r.status.code / 100, 5, "\(spec) as \(role): \(r.status)")
                    } else {
                        XCTAssertEqual(r.status, .forbidden, "\(spec) as \(role): must be refused")
                        XCTAssertTrue(b.lastBody.contains("Không có quyền"), "\(spec) as \(role): the 403 page is the Vietnamese one")
                    }
                    checked += 1
                }
            }
            XCTAssertEqual(checked, (h.specs.filter { $0.access != .open && $0.path != "/logout" }.count) * Role.allCases.count)
        }
    }

    func testEveryRouteSendsAVisitorWithoutASessionToTheLoginPage() async throws {
        let h = try WebHarness()
        try await h.app.test(.router) { client in
            for spec in h.specs where spec.access != .open {
                let path = Self.concrete(spec.path)
                let r = try await client.execute(uri: path, method: spec.method == .get ? .get : .post,
                                                 headers: [.contentType: "application/x-www-form-urlencoded"], body: ByteBuffer(string: "csrf=x"))
                XCTAssertEqual(r.status, .seeOther, "\(spec)")
                XCTAssertTrue(r.headers[.location]?.hasPrefix("/login") ?? false, "\(spec)")
            }
        }
    }
}
