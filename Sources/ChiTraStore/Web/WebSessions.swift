import ChiTraSigning
import Foundation
import GRDB

/// The browser's sessions, kept server-side in the store (`chitra serve`).
///
/// The cookie carries a random 256-bit token; the store keeps only its SHA-256, so a copy of the
/// store file opens no session. Each session has its own CSRF token, ends after 30 minutes
/// without a request (``idleLimit``), and is ended at logout or when the account is disabled,
/// changes outside ChiTra, or loses the session's account. A login always opens a new session
/// (a new id), never reuses the one the browser sent.
public struct WebSessions: Sendable {
    public static let idleLimit: TimeInterval = 30 * 60
    /// A session's last-seen time is written at most this often (pages read; they don't write).
    public static let touchInterval: TimeInterval = 60

    static let schema = """
    CREATE TABLE web_session (
        -- SHA-256 of the cookie's token, hex; the token itself is never stored.
        token_hash TEXT PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES app_user(id),
        csrf_token TEXT NOT NULL,
        created_at TEXT NOT NULL,
        last_seen_at TEXT NOT NULL,
        ended_at TEXT,
        ended_why TEXT CHECK (ended_why IS NULL OR ended_why = 'logout' OR ended_why = 'idle' OR ended_why = 'account')
    ) WITHOUT ROWID;
    CREATE INDEX web_session_user ON web_session(user_id);
    """

    public let db: AppDatabase
    public init(db: AppDatabase) { self.db = db }

    /// What the browser gets at login: the cookie's token and the forms' CSRF token.
    public struct Ticket: Sendable {
        public let token: String
        public let csrfToken: String
    }

    /// A live session: who, with which CSRF token.
    public struct Live: Sendable {
        public let user: AuthenticatedUser
        public let csrfToken: String
        public let lastSeen: Date
        /// The hash under which the session is stored (for touch and close).
        public let key: String
    }

    public enum Lookup: Sendable {
        case live(Live)
        /// The session existed but ended (idle, logout, account change): the login page says so.
        case ended(why: String)
        case unknown
    }

    /// Opens a new session for an account that just gave its password; audited.
    public func open(for user: AuthenticatedUser, now: Date = Date()) throws -> Ticket {
        let token = Self.randomHex(32)
        let csrf = Self.randomHex(32)
        let at = Timestamp.format(now)
        try db.writer.write { d in
            try d.execute(sql: "INSERT INTO web_session(token_hash, user_id, csrf_token, created_at, last_seen_at) VALUES (?, ?, ?, ?, ?)",
                          arguments: [Self.hash(token), user.account.id, csrf, at, at])
            try AuditLog.append(d, account: user.account, role: nil, action: "session.open", entity: "app_user",
                                entityID: String(user.account.id), detail: "web")
        }
        return Ticket(token: token, csrfToken: csrf)
    }

    /// The session a cookie names, if it is live. Reads only: an idle or dead session is
    /// reported as ended here and marked so by ``end(_:why:)``.
    public func lookup(token: String, now: Date = Date()) throws -> Lookup {
        guard token.count == 64, token.allSatisfy(\.isHexDigit) else { return .unknown }
        let key = Self.hash(token)
        return try db.writer.read { d -> Lookup in
            guard let row = try Row.fetchOne(d, sql: "SELECT user_id, csrf_token, last_seen_at, ended_at, ended_why FROM web_session WHERE token_hash = ?", arguments: [key])
            else { return .unknown }
            if row["ended_at"] as String? != nil { return .ended(why: row["ended_why"] ?? "logout") }
            let lastSeen = Timestamp.parse(row["last_seen_at"]) ?? .distantPast
            if now.timeIntervalSince(lastSeen) > Self.idleLimit { return .ended(why: "idle") }
            guard let account = try Users.account(d, id: row["user_id"]), account.isActive,
                  try AccountSeal.holds(d, id: account.id) else { return .ended(why: "account") }
            return .live(Live(user: AuthenticatedUser(account: account), csrfToken: row["csrf_token"], lastSeen: lastSeen, key: key))
        }
    }

    /// Records that the session was used now (at most once a ``touchInterval``).
    public func touch(_ live: Live, now: Date = Date()) throws {
        guard now.timeIntervalSince(live.lastSeen) >= Self.touchInterval else { return }
        try db.writer.write { d in
            try d.execute(sql: "UPDATE web_session SET last_seen_at = ? WHERE token_hash = ? AND ended_at IS NULL",
                          arguments: [Timestamp.format(now), live.key])
        }
    }

    /// Ends the session a cookie names (logout, idle, account); the logout is audited.
    public func end(token: String, why: String, now: Date = Date()) throws {
        guard token.count == 64, token.allSatisfy(\.isHexDigit) else { return }
        let key = Self.hash(token)
        try db.writer.write { d in
            guard let userID = try Int64.fetchOne(d, sql: "SELECT user_id FROM web_session WHERE token_hash = ? AND ended_at IS NULL", arguments: [key]) else { return }
            try d.execute(sql: "UPDATE web_session SET ended_at = ?, ended_why = ? WHERE token_hash = ?", arguments: [Timestamp.format(now), why, key])
            if why == "logout", let account = try Users.account(d, id: userID) {
                try AuditLog.append(d, account: account, role: nil, action: "session.close", entity: "app_user", entityID: String(userID), detail: "web")
            }
        }
    }

    /// How many sessions are live now (for tests and the runbook).
    public func liveCount(now: Date = Date()) throws -> Int {
        let cutoff = Timestamp.format(now.addingTimeInterval(-Self.idleLimit))
        return try db.writer.read { d in
            try Int.fetchOne(d, sql: "SELECT count(*) FROM web_session WHERE ended_at IS NULL AND last_seen_at >= ?", arguments: [cutoff]) ?? 0
        }
    }

    static func hash(_ token: String) -> String { FileDigest.sha256Hex(Data(token.utf8)) }

    /// `bytes` random bytes (the system's CSPRNG: getrandom on Linux), hex.
    public static func randomHex(_ bytes: Int) -> String {
        var rng = SystemRandomNumberGenerator()
        return (0..<bytes).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &rng)) }.joined()
    }
}
