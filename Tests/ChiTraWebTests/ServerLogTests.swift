import ChiTraStore
import Foundation
import GRDB
import Hummingbird
import HummingbirdTesting
import Logging
import NIOConcurrencyHelpers
import XCTest

/// What the server writes to its log: one line per request, and never a password, a session
/// token, a personal ID or an account number.
final class ServerLogTests: XCTestCase {
    /// Keeps every log line in memory.
    final class Capture: LogHandler, @unchecked Sendable {
        let lines = NIOLockedValueBox<[String]>([])
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? { get { metadata[key] } set { metadata[key] = newValue } }
        func log(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String, file: String, function: String, line: UInt) {
            let all = self.metadata.merging(metadata ?? [:]) { $1 }
            lines.withLockedValue { $0.append("\(level) \(message) \(all)") }
        }
    }

    func testNoPasswordTokenPersonalIDOrAccountReachesTheLog() async throws {
        let capture = Capture()
        let h = try WebHarness(logger: Logger(label: "test") { _ in capture })
        try await h.app.test(.router) { client in
            let b = Browser()
            _ = try await b.login(client, "test.maker")
            _ = try await b.login(client, "test.checker", password: "sai-079912345678")
            // A personal ID and an account number typed into the address bar and a search.
            try await b.get(client, "/person/079912345678")
            try await b.get(client, "/person?q=0123456789012")
        }
        let log = capture.lines.withLockedValue { $0 }.joined(separator: "\n")
        XCTAssertTrue(log.contains("POST /login"), log)
        XCTAssertTrue(log.contains("GET /person/… "), "a long digit path segment is masked: \(log)")
        for secret in [AppDatabase.testPassword("test.maker"), "sai-079912345678", "079912345678", "0123456789012"] {
            XCTAssertFalse(log.contains(secret), "\(secret) in the log")
        }
        let tokens = try await h.db.writer.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM web_session") ?? 0 }
        XCTAssertEqual(tokens, 1)
    }

    func testBehindATLSProxyTheSessionCookieIsSecure() async throws {
        let h = try WebHarness(secureCookies: true)
        try await h.app.test(.router) { client in
            let b = Browser()
            let r = try await b.login(client, "test.clerk")
            let cookie = r.headers[values: .setCookie].first { $0.hasPrefix("chitra_session=") } ?? ""
            XCTAssertTrue(cookie.contains("Secure"), cookie)
            XCTAssertTrue(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), cookie)
        }
    }
}
