import ChiTraCore
import GRDB

/// One follow-up entry of a gap case (`gap_case_event`: append-only).
public struct GapCaseEvent: Sendable {
    public var id: Int64
    public var code: String
    public var status: GapFollowUpStatus
    public var note: String
    public var recordedBy: String
    public var recordedAt: String
}

/// The follow-up history of gap cases.
public enum GapCaseEvents {
    /// Whether a beneficiary with this code exists.
    public static func beneficiaryExists(_ db: Database, code: String) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT 1 FROM beneficiary WHERE code = ?", arguments: [code]) != nil
    }

    /// Appends one entry; returns its id.
    public static func append(_ db: Database, code: String, status: GapFollowUpStatus, note: String, at: String, actor: Actor) throws -> Int64 {
        try db.execute(sql: "INSERT INTO gap_case_event(code, status, note, recorded_by, recorded_by_user, recorded_at) VALUES (?,?,?,?,?,?)",
                       arguments: [code, status.rawValue, note, actor.username, actor.userID, at])
        return db.lastInsertedRowID
    }

    /// Every entry for a code, oldest first.
    public static func history(_ db: Database, code: String) throws -> [GapCaseEvent] {
        try Row.fetchAll(db, sql: "SELECT * FROM gap_case_event WHERE code = ? ORDER BY id", arguments: [code]).map(event)
    }

    /// The latest entry of each code that has one.
    public static func latestPerCode(_ db: Database) throws -> [GapCaseEvent] {
        try Row.fetchAll(db, sql: "SELECT * FROM gap_case_event WHERE id IN (SELECT max(id) FROM gap_case_event GROUP BY code)").map(event)
    }

    static func event(_ r: Row) -> GapCaseEvent {
        GapCaseEvent(id: r["id"], code: r["code"], status: GapFollowUpStatus(rawValue: r["status"]) ?? .contacted,
                     note: r["note"], recordedBy: r["recorded_by"], recordedAt: r["recorded_at"])
    }
}
