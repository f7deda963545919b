import ChiTraCore
import ChiTraStore
import GRDB

/// The follow-up history of gap cases: append-only (`gap_case_event`), each entry also in the audit log.
///
/// The history outlives the case: when a roll import or a manual update clears the flags the
/// person leaves the worklist, and `history` still shows what was done.
public enum GapCaseLog {
    /// Appends one follow-up entry and its audit line in one transaction.
    @discardableResult
    public static func record(_ db: AppDatabase, code: String, status: GapFollowUpStatus, note: String, by actor: Actor) throws -> GapEvent {
        try actor.require(.officer)
        let by = actor.username
        return try db.writer.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM beneficiary WHERE code = ?", arguments: [code]) != nil else {
                throw GapsError(Message("gaps.unknown_code_worklist", ["code": .text(code)]))
            }
            let at = Timestamp.now()
            try db.execute(sql: "INSERT INTO gap_case_event(code, status, note, recorded_by, recorded_by_user, recorded_at) VALUES (?,?,?,?,?,?)",
                           arguments: [code, status.rawValue, note, by, actor.userID, at])
            let id = db.lastInsertedRowID
            try AuditLog.append(db, actor: actor, action: "gaps.record", entity: "beneficiary", entityID: code,
                                detail: "status=\(status.rawValue) event=\(id)")
            return GapEvent(id: id, code: code, status: status, note: note, recordedBy: by, recordedAt: at)
        }
    }

    /// Every follow-up entry for a code, oldest first.
    public static func history(_ db: AppDatabase, code: String) throws -> [GapEvent] {
        try db.writer.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM gap_case_event WHERE code = ? ORDER BY id", arguments: [code]).map(event)
        }
    }

    /// The latest entry per code.
    static func lastEvents(_ db: Database) throws -> [String: GapEvent] {
        let rows = try Row.fetchAll(db, sql: "SELECT * FROM gap_case_event WHERE id IN (SELECT max(id) FROM gap_case_event GROUP BY code)")
        return Dictionary(rows.map { let e = event($0); return (e.code, e) }, uniquingKeysWith: { a, _ in a })
    }

    static func event(_ r: Row) -> GapEvent {
        GapEvent(id: r["id"], code: r["code"], status: GapFollowUpStatus(rawValue: r["status"]) ?? .contacted,
                 note: r["note"], recordedBy: r["recorded_by"], recordedAt: r["recorded_at"])
    }
}
