import Foundation
import GRDB

/// The append-only audit trail: who, when, what and why. Never holds keys or full personal IDs.
public enum AuditLog {
    public static func append(_ db: Database, actor: String, action: String, entity: String, entityID: String, detail: String = "") throws {
        try db.execute(sql: "INSERT INTO audit_log(at, actor, action, entity, entity_id, detail) VALUES (?,?,?,?,?,?)",
                       arguments: [Timestamp.now(), actor, action, entity, entityID, detail])
    }
}

public enum Timestamp {
    /// ISO 8601 UTC with seconds, the store's time format.
    public static func now() -> String { format(Date()) }
    public static func format(_ d: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: d)
    }
}

/// The OS user, the default actor for `--by`.
public func defaultActor() -> String {
    ProcessInfo.processInfo.environment["USER"] ?? ProcessInfo.processInfo.environment["LOGNAME"] ?? "unknown"
}
