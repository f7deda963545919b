import ChiTraStore
import ChiTraWeb
import Foundation
import GRDB
import Hummingbird
import HummingbirdTesting
import XCTest

/// Login, logout, CSRF, idle expiry and lockout through the application's routes.
final class SessionTests: XCTestCase {
    func testLoginOpensAStoreSessionWithAStrictHttpOnlyCookieAndANewIDEachTime() async throws {
        let h = try WebHarness()
        try await h.app.test(.router) { client in
            let b = Browser()
            let r = try await b.login(client, "test.maker")
            XCTAssertEqual(r.status, .seeOther)
            let cookie = r.headers[values: .setCookie].first { $0.hasPrefix("chitra_session=") } ?? ""
            XCTAssertTrue(cookie.contains("HttpOnly"), cookie)
            XCTAssertTrue(cookie.contains("SameSite=Strict"), cookie)
            XCTAssertFalse(cookie.contains("Secure"), "not behind TLS in this test")
            let first = b.cookies["chitra_session"]
            XCTAssertEqual(first?.count, 64)
            XCTAssertTrue(b.lastBody.contains("Tháng này"), b.lastBody)
            XCTAssertTrue(b.lastBody.contains("Người Thử Nghiệm"))
            // The store keeps a hash, never the cookie's token.
            let stored = try await h.db.writer.read { try String.fetchAll($0, sql: "SELECT token_hash FROM web_session") }
            XCTAssertEqual(stored.count, 1)
            XCTAssertFalse(stored.contains(first!))
            // Logging in again (same browser) gives a new session id and ends the old one.
            _ = try await b.login(client, "test.maker")
            XCTAssertNotEqual(b.cookies["chitra_session"], first)
            let old = Browser(); old.cookies["chitra_session"] = first
            let again = try await old.get(client, "/")
            XCTAssertEqual(again.status, .seeOther, "the session before the new login no longer opens pages")
        }
    }

    func testFormWithoutTheSessionsCSRFTokenIsRefusedAndChangesNothing() async throws {
        let h = try WebHarness()
        try await h.app.test(.router) { client in
            let b = Browser()
            _ = try await b.login(client, "test.maker")
            let r = try await b.post(client, "/logout", [:], csrf: String(repeating: "0", count: 64))
            XCTAssertEqual(r.status, .forbidden)
            XCTAssertTrue(b.lastBody.contains("mã chống giả mạo"), b.lastBody)
            // Still signed in: the forged logout did nothing.
            let r1 = try await b.get(client, "/")
            XCTAssertEqual(r1.status, .ok)
            let missing = try await b.post(client, "/logout", ["csrf": ""])
            XCTAssertEqual(missing.status, .forbidden)
            // With the page's token it works.
            let out = try await b.post(client, "/logout", [:])
            XCTAssertEqual(out.status, .seeOther)
            let r2 = try await b.get(client, "/")
            XCTAssertEqual(r2.status, .seeOther)
        }
    }

    func testSessionEndsAfterThirtyIdleMinutesAndTheLoginPageSaysWhy() async throws {
        let h = try WebHarness()
        try await h.app.test(.router) { client in
            let b = Browser()
            _ = try await b.login(client, "test.clerk")
            // 29 minutes idle: still open.
            try await h.db.writer.write { try $0.execute(sql: "UPDATE web_session SET last_seen_at = ?", arguments: [Timestamp.format(Date().addingTimeInterval(-29 * 60))]) }
            let r3 = try await b.get(client, "/")
            XCTAssertEqual(r3.status, .ok)
            // That request moved the last-seen time to now (a write after the page, off the request's path): wait for it.
            var touched = false
            for _ in 0..<100 where !touched {
                let seen = try await h.db.writer.read { try String.fetchOne($0, sql: "SELECT last_seen_at FROM web_session") }
                touched = (Timestamp.parse(seen).map { Date().timeIntervalSince($0) < 120 }) ?? false
                if !touched { try await Task.sleep(nanoseconds: 20_000_000) }
            }
            XCTAssertTrue(touched, "a page seen 29 minutes after the last one moves the session's last-seen time")
            // 31 minutes idle: ended, cookie cleared, and the login page says why.
            try await h.db.writer.write { try $0.execute(sql: "UPDATE web_session SET last_seen_at = ?", arguments: [Timestamp.format(Date().addingTimeInterval(-31 * 60))]) }
            let r = try await b.get(client, "/")
            XCTAssertEqual(r.status, .seeOther)
            XCTAssertEqual(r.headers[.location], "/login?next=/&ended=idle")
            XCTAssertNil(b.cookies["chitra_session"], "the cookie is cleared")
            try await b.get(client, "/login?ended=idle")
            XCTAssertTrue(b.lastBody.contains("30 phút không thao tác"), b.lastBody)
            let ended = try await h.db.writer.read { try String.fetchOne($0, sql: "SELECT ended_why FROM web_session") }
            XCTAssertEqual(ended, "idle")
        }
    }

    func testFiveWrongPasswordsLockTheAccountAndTheRightOneIsThenRefused() async throws {
        let h = try WebHarness()
        try await h.app.test(.router) { client in
            let b = Browser()
            for i in 1...4 {
                let r = try await b.login(client, "test.checker", password: "sai-mat-khau-\(i)")
                XCTAssertEqual(r.status, .unauthorized)
                XCTAssertTrue(b.lastBody.contains("Sai tên đăng nhập hoặc mật khẩu"), b.lastBody)
            }
            let fifth = try await b.login(client, "test.checker", password: "sai-mat-khau-5")
            XCTAssertEqual(fifth.status, .unauthorized)
            XCTAssertTrue(b.lastBody.contains("bị khoá"), b.lastBody)
            let right = try await b.login(client, "test.checker")
            XCTAssertEqual(right.status, .unauthorized, "locked: even the right password is refused")
            XCTAssertTrue(b.lastBody.contains("Thử lại sau 15 phút"), b.lastBody)
            XCTAssertNil(b.cookies["chitra_session"])
            let locks = try await h.db.writer.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM audit_log WHERE action = 'user.locked'") }
            XCTAssertEqual(locks, 1)
        }
    }

    func testLoginFormFromAnotherSiteIsRefused() async throws {
        let h = try WebHarness()
        try await h.app.test(.router) { client in
            let b = Browser()
            // No pre-session cookie: a form posted from elsewhere.
            let r = try await b.post(client, "/login", ["login_token": "abc", "username": "test.maker", "password": AppDatabase.testPassword("test.maker")])
            XCTAssertEqual(r.status, .forbidden)
            XCTAssertNil(b.cookies["chitra_session"])
        }
    }

    func testSecurityHeadersOnEveryPageAndNoCaching() async throws {
        let h = try WebHarness()
        try await h.app.test(.router) { client in
            let b = Browser()
            for path in ["/login", "/no-such-page"] {
                let r = try await b.get(client, path)
                XCTAssertEqual(r.headers[HTTPFields.Element.Name("Content-Security-Policy")!]?.contains("default-src 'none'"), true, path)
                XCTAssertEqual(r.headers[HTTPFields.Element.Name("Content-Security-Policy")!]?.contains("script-src"), false, "no script allowed at all: \(path)")
                XCTAssertEqual(r.headers[HTTPFields.Element.Name("X-Frame-Options")!], "DENY", path)
                XCTAssertEqual(r.headers[.cacheControl], "no-store", path)
            }
            let notFound = try await b.get(client, "/no-such-page")
            XCTAssertEqual(notFound.status, .notFound)
            XCTAssertTrue(b.lastBody.contains("Không tìm thấy"), b.lastBody)
        }
    }
}
