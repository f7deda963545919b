import ChiTraCore
import ChiTraStore
import GRDB   // only to open transactions and name them (`Database`)

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
            guard try GapCaseEvents.beneficiaryExists(db, code: code) else {
                throw GapsError(Message("gaps.unknown_code_worklist", ["code": .text(code)]))
            }
            let at = Timestamp.now()
            let id = try GapCaseEvents.append(db, code: code, status: status, note: note, at: at, actor: actor)
            try AuditLog.append(db, actor: actor, action: "gaps.record", entity: "beneficiary", entityID: code,
                                detail: "status=\(status.rawValue) event=\(id)")
            return GapEvent(id: id, code: code, status: status, note: note, recordedBy: by, recordedAt: at)
        }
    }

    /// Every follow-up entry for a code, oldest first.
    public static func history(_ db: AppDatabase, code: String) throws -> [GapEvent] {
        try db.writer.read { db in try GapCaseEvents.history(db, code: code).map(event) }
    }

    /// The latest entry per code.
    static func lastEvents(_ db: Database) throws -> [String: GapEvent] {
        Dictionary(try GapCaseEvents.latestPerCode(db).map { let e = event($0); return (e.code, e) }, uniquingKeysWith: { a, _ in a })
    }

    static func event(_ e: GapCaseEvent) -> GapEvent {
        GapEvent(id: e.id, code: e.code, status: e.status, note: e.note, recordedBy: e.recordedBy, recordedAt: e.recordedAt)
    }
}
