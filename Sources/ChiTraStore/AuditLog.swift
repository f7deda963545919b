import ChiTraCore
import Foundation
import GRDB

/// The append-only audit trail: who, when, what and why. Never holds keys or full personal IDs.
///
/// Every entry is sealed into a hash chain: `mac = HMAC-SHA256(auditKey, canonical(entry) ‖ prev_mac)`
/// where `prev_mac` is the previous entry's `mac` (32 zero bytes for the first). The key is the
/// store's ``AuditKey`` (a file beside the signing keys, never in the database), reached through
/// the SQL function `chitra_audit_mac` that ``AppDatabase`` registers on its connection. So an
/// attacker who can edit the SQLite file can change, delete or reorder rows, but ``verify(_:)``
/// names the first entry where that happened.
public enum AuditLog {
    /// `prev_mac` of the first entry.
    public static let genesis = Data(repeating: 0, count: 32)

    /// Appends one entry inside the caller's transaction and seals it into the chain: the
    /// account's id, login and the role it acted in are part of what the MAC covers.
    public static func append(_ db: Database, actor: Actor, action: String, entity: String, entityID: String, detail: String = "") throws {
        try append(db, userID: actor.userID, username: actor.username, role: actor.role.rawValue, action: action, entity: entity, entityID: entityID, detail: detail)
    }

    /// An entry about an account that is not acting in a role (a lock after wrong passwords).
    static func append(_ db: Database, account: UserAccount, role: Role?, action: String, entity: String, entityID: String, detail: String = "") throws {
        try append(db, userID: account.id, username: account.username, role: role?.rawValue ?? "", action: action, entity: entity, entityID: entityID, detail: detail)
    }

    private static func append(_ db: Database, userID: Int64, username: String, role: String, action: String, entity: String, entityID: String, detail: String) throws {
        let at = Timestamp.now()
        let prev = try Data.fetchOne(db, sql: "SELECT mac FROM audit_log ORDER BY id DESC LIMIT 1") ?? genesis
        let fields = Fields(at: at, actor: username, action: action, entity: entity, entityID: entityID, detail: detail, userID: userID, role: role)
        let mac = try seal(db, fields: fields, prevMac: prev)
        try db.execute(sql: "INSERT INTO audit_log(at, actor, action, entity, entity_id, detail, user_id, role, prev_mac, mac) VALUES (?,?,?,?,?,?,?,?,?,?)",
                       arguments: [at, username, action, entity, entityID, detail, userID, role, prev, mac])
    }

    /// The fields an entry's MAC covers (everything but `id`, `prev_mac` and `mac`).
    ///
    /// Entries written before accounts existed (v1) have no user id and no role; their MAC covers
    /// the six text fields under the tag `chitra-audit-v1`. Entries with a user id (v2) add the id
    /// and the role under the tag `chitra-audit-v2`: removing the id of a v2 entry to pass it off
    /// as v1 changes the tag, and the MAC no longer matches.
    public struct Fields: Equatable, Sendable {
        public var at, actor, action, entity, entityID, detail: String
        public var userID: Int64? = nil
        public var role: String? = nil

        /// Domain tag, then each field as a 4-byte big-endian length and its UTF-8 bytes, then `prev_mac`.
        public func canonical(prevMac: Data) -> Data {
            var out = Data((userID == nil ? "chitra-audit-v1" : "chitra-audit-v2").utf8)
            var list = [at, actor, action, entity, entityID, detail]
            if let userID { list += [String(userID), role ?? ""] }
            for field in list {
                let bytes = Data(field.utf8)
                var length = UInt32(bytes.count).bigEndian
                out.append(Data(bytes: &length, count: 4))
                out.append(bytes)
            }
            out.append(prevMac)
            return out
        }
    }

    static func seal(_ db: Database, fields: Fields, prevMac: Data) throws -> Data {
        guard let mac = try Data.fetchOne(db, sql: "SELECT \(AppDatabase.auditMacFunctionName)(?)",
                                          arguments: [fields.canonical(prevMac: prevMac)]) else {
            throw StoreError(Message("store.audit_key.no_mac"))
        }
        return mac
    }

    // MARK: - Verification

    /// One audit entry as stored.
    public struct Entry: Codable, Sendable, FetchableRecord {
        public var id: Int64
        public var at, actor, action, entity, entityID, detail: String
        /// The account that acted (nil for entries written before accounts existed: legacy names).
        public var userID: Int64?
        /// The role it acted in ("" for events about the account itself, such as a lock).
        public var role: String?
        var prevMac: Data?
        var mac: Data?

        public init(row: Row) {
            id = row["id"]; at = row["at"]; actor = row["actor"]; action = row["action"]
            entity = row["entity"]; entityID = row["entity_id"]; detail = row["detail"]
            userID = row["user_id"]; role = row["role"]
            prevMac = row["prev_mac"]; mac = row["mac"]
        }
        enum CodingKeys: String, CodingKey { case id, at, actor, action, entity, entityID = "entity_id", detail, userID = "user_id", role }
        var fields: Fields { Fields(at: at, actor: actor, action: action, entity: entity, entityID: entityID, detail: detail, userID: userID, role: role) }

        /// Who, as a person reads it: `#3 an.nguyen as maker`, or `"Nguyễn Văn An" (legacy name)`.
        public var who: String {
            guard let userID else { return "\"\(actor)\" (legacy name, not an account)" }
            return "#\(userID) \(actor)" + ((role ?? "").isEmpty ? "" : " as \(role!)")
        }
    }

    /// What is wrong with the chain at an entry.
    public enum Problem: String, Codable, Sendable {
        /// The entry's fields no longer match its MAC.
        case changed
        /// One or more entries before this one were deleted.
        case removed
        /// The entry is out of its original place (rows swapped or moved).
        case reordered
        /// The entry was inserted without a MAC (outside ChiTra).
        case unsealed
        /// The newest entries are gone: the head anchored outside the store is no longer there.
        case headRemoved
        /// The head anchor outside the store is missing, or belongs to another store.
        case unanchored
    }

    /// The outcome of ``verify(_:)``.
    public struct ChainReport: Codable, Sendable {
        public var entries: Int
        public var ok: Bool { problem == nil }
        /// The first broken entry's id (for `removed` at the end: the last id still present, or 0).
        public var entryID: Int64?
        public var problem: Problem?
        public var message: String
    }

    /// Walks the chain in id order and reports the first entry that was changed, removed,
    /// reordered or added without a seal.
    public static func verify(_ db: Database) throws -> ChainReport {
        let entries = try Entry.fetchAll(db, sql: "SELECT * FROM audit_log ORDER BY id")
        var indexByMac: [Data: Int] = [:]
        for (i, e) in entries.enumerated() { if let m = e.mac { indexByMac[m] = i } }
        var expectedPrev = genesis
        var previousID: Int64 = 0
        var seenV2 = false
        func report(_ id: Int64, _ p: Problem, _ m: Message) -> ChainReport {
            ChainReport(entries: entries.count, entryID: id, problem: p, message: m.text())
        }
        for (i, e) in entries.enumerated() {
            guard let mac = e.mac, let prev = e.prevMac else {
                return report(e.id, .unsealed, Message("store.chain.unsealed", ["id": .text("\(e.id)")]))
            }
            if e.userID != nil { seenV2 = true } else if seenV2 {
                return report(e.id, .changed, Message("store.chain.actor_changed", ["id": .text("\(e.id)")]))
            }
            let recomputed = try seal(db, fields: e.fields, prevMac: prev)
            if recomputed != mac {
                // Fields moved from a neighbouring row (rows swapped but not their seals)?
                for j in [i - 1, i + 1] where entries.indices.contains(j) {
                    if let pm = entries[j].prevMac, let m = entries[j].mac, try seal(db, fields: e.fields, prevMac: pm) == m {
                        return report(e.id, .reordered, Message("store.chain.holds_other", ["id": .text("\(e.id)"), "other": .text("\(entries[j].id)")]))
                    }
                }
                return report(e.id, .changed, Message("store.chain.changed", ["id": .text("\(e.id)"), "action": .text(e.action), "entity": .text("\(e.entity) \(e.entityID)")]))
            }
            if prev != expectedPrev {
                if let j = indexByMac[prev], j > i {
                    return report(e.id, .reordered, Message("store.chain.belongs_after", ["id": .text("\(e.id)"), "other": .text("\(entries[j].id)")]))
                }
                if indexByMac[prev] == nil {
                    let gap = e.id - previousID - 1
                    let args: [String: MessageArg] = ["id": .text("\(e.id)"), "previous": .text("\(previousID)"), "first": .text("\(previousID + 1)"), "last": .text("\(e.id - 1)")]
                    return report(e.id, .removed, gap > 0 ? (gap == 1 ? Message("store.chain.removed_one", args) : Message("store.chain.removed_many", args))
                                                          : Message("store.chain.removed_before", args))
                }
                return report(e.id, .reordered, Message("store.chain.out_of_order", ["id": .text("\(e.id)"), "previous": .text("\(previousID)")]))
            }
            expectedPrev = mac
            previousID = e.id
        }
        // Deleted entries at the end: AUTOINCREMENT remembers the highest id ever used.
        let sequence = try Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'") ?? 0
        if sequence > previousID {
            let first = previousID + 1
            return report(previousID, .removed,
                          sequence == first ? Message("store.chain.removed_last", ["id": .text("\(first)")]) : Message("store.chain.removed_last_many", ["first": .text("\(first)"), "last": .text("\(sequence)")]))
        }
        return ChainReport(entries: entries.count, entryID: nil, problem: nil,
                           message: (entries.count == 1 ? Message("store.chain.intact_one") : Message("store.chain.intact", ["n": .int(entries.count)])).text())
    }

    /// Seals entries written before the chain existed (migration v3), in id order.
    static func sealUnsealed(_ db: Database) throws {
        var prev = genesis
        for e in try Entry.fetchAll(db, sql: "SELECT * FROM audit_log ORDER BY id") {
            let mac = try seal(db, fields: e.fields, prevMac: prev)
            try db.execute(sql: "UPDATE audit_log SET prev_mac = ?, mac = ? WHERE id = ?", arguments: [prev, mac, e.id])
            prev = mac
        }
    }

    // MARK: - Trails

    /// The entries about one batch (the batch itself and the files imported against it), oldest first.
    public static func trail(_ db: Database, batchID: Int64) throws -> [Entry] {
        try Entry.fetchAll(db, sql: """
            SELECT * FROM audit_log
            WHERE (entity = 'batch' AND entity_id = ?)
               OR (entity = 'import_file' AND entity_id IN (SELECT DISTINCT CAST(r.file_id AS TEXT) FROM return_line r
                    JOIN payout_line p ON p.id = r.payout_line_id WHERE p.batch_id = ?))
            ORDER BY id
            """, arguments: [String(batchID), batchID])
    }

    /// The entries about one beneficiary (manual updates, follow-up), oldest first.
    public static func trail(_ db: Database, beneficiary code: String) throws -> [Entry] {
        try Entry.fetchAll(db, sql: "SELECT * FROM audit_log WHERE entity = 'beneficiary' AND entity_id = ? ORDER BY id", arguments: [code])
    }

    /// The account of the newest entry with one of `actions` about `entity` `entityID` (nil: no
    /// such entry, or one written before accounts existed).
    public static func lastAccount(_ db: Database, actions: [String], entity: String, entityID: String) throws -> Int64? {
        try Int64.fetchOne(db, sql: """
            SELECT user_id FROM audit_log WHERE entity = ? AND entity_id = ? AND action IN (\(actions.map { _ in "?" }.joined(separator: ",")))
            ORDER BY id DESC LIMIT 1
            """, arguments: StatementArguments([entity, entityID] + actions))
    }

    /// The last `limit` entries, oldest first.
    public static func recent(_ db: Database, limit: Int) throws -> [Entry] {
        try Entry.fetchAll(db, sql: "SELECT * FROM (SELECT * FROM audit_log ORDER BY id DESC LIMIT ?) ORDER BY id", arguments: [limit])
    }
}

public enum Timestamp {
    /// ISO 8601 UTC with seconds, the store's time format.
    public static func now() -> String { format(Date()) }
    /// `20261128T081500Z`: UTC, for file names (safety copies, kept anchors).
    public static func compact(_ d: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return f.string(from: d)
    }

    /// The store's time format back to a date (nil when it is not one).
    /// Reads `YYYY-MM-DDTHH:MM:SSZ` directly (a page reads a session's time on every request:
    /// a formatter per call cost a sixth of the server's time); anything else goes to ISO8601DateFormatter.
    public static func parse(_ text: String?) -> Date? {
        guard let text else { return nil }
        let b = Array(text.utf8)
        func n(_ from: Int, _ count: Int) -> Int? {
            var v = 0
            for i in from..<(from + count) { let c = b[i]; guard c >= 48 && c <= 57 else { return nil }; v = v * 10 + Int(c - 48) }
            return v
        }
        if b.count == 20, b[4] == 45, b[7] == 45, b[10] == 84, b[13] == 58, b[16] == 58, b[19] == 90,
           let y = n(0, 4), let mo = n(5, 2), let d = n(8, 2), let h = n(11, 2), let mi = n(14, 2), let s = n(17, 2),
           (1...12).contains(mo), (1...31).contains(d), h < 24, mi < 60, s < 61 {
            // Days from the civil date (Howard Hinnant's days_from_civil), UTC.
            let yy = mo <= 2 ? y - 1 : y
            let era = (yy >= 0 ? yy : yy - 399) / 400
            let yoe = yy - era * 400
            let doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1
            let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
            let days = era * 146097 + doe - 719468
            return Date(timeIntervalSince1970: TimeInterval(days * 86400 + h * 3600 + mi * 60 + s))
        }
        return ISO8601DateFormatter().date(from: text)
    }

    public static func format(_ d: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: d)
    }
}

/// The OS user (recorded beside the account when personal data is shown).
public func osUser() -> String {
    ProcessInfo.processInfo.environment["USER"] ?? ProcessInfo.processInfo.environment["LOGNAME"] ?? "unknown"
}
