import Foundation
import GRDB

/// The audit trails for the web's Audit pages: ``AuditLog``'s trails and latest entries, each
/// entry with the account that acted shown as a person reads it.
public enum AuditQueries {
    public struct Line: Sendable {
        public let entry: AuditLog.Entry
        /// `an.nguyen (Nguyễn Văn An)`, or the name written before accounts existed.
        public let account: String
    }

    /// The entries about one batch (the batch and the return files imported against it), oldest first.
    public static func batchTrail(_ db: AppDatabase, batchID: Int64) throws -> [Line] {
        try db.writer.read { d in try lines(d, try AuditLog.trail(d, batchID: batchID)) }
    }

    /// The entries about one beneficiary, oldest first.
    public static func personTrail(_ db: AppDatabase, code: String) throws -> [Line] {
        try db.writer.read { d in try lines(d, try AuditLog.trail(d, beneficiary: code)) }
    }

    /// The latest `limit` entries, newest first.
    public static func recent(_ db: AppDatabase, limit: Int) throws -> [Line] {
        try db.writer.read { d in try lines(d, try AuditLog.recent(d, limit: limit).reversed()) }
    }

    public static func batchExists(_ db: AppDatabase, id: Int64) throws -> Bool {
        try db.writer.read { try Bool.fetchOne($0, sql: "SELECT EXISTS (SELECT 1 FROM batch WHERE id = ?)", arguments: [id]) ?? false }
    }

    public static func beneficiaryExists(_ db: AppDatabase, code: String) throws -> Bool {
        try db.writer.read { try Bool.fetchOne($0, sql: "SELECT EXISTS (SELECT 1 FROM beneficiary WHERE code = ?)", arguments: [code]) ?? false }
    }

    private static func lines(_ d: Database, _ entries: [AuditLog.Entry]) throws -> [Line] {
        var names: [Int64: String] = [:]
        return try entries.map { e in
            guard let id = e.userID else { return Line(entry: e, account: "\"\(e.actor)\" (tên cũ, không phải tài khoản)") }
            if names[id] == nil { names[id] = try Users.display(d, id: id) ?? e.actor }
            return Line(entry: e, account: names[id]!)
        }
    }
}
