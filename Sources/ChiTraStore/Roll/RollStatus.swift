import ChiTraCore
import GRDB

/// A person's status (`PersonFacts.Status`) follows their grants.
public enum RollStatus {
    /// Derives again the status of the people whose grants the import `fileID` wrote: active if
    /// any grant is active, else suspended if any is, else stopped. A death reported by a return
    /// keeps the person suspended whatever the roll says, until an officer closes that flag.
    /// Each change is a history row (old → new), except for people the import created.
    public static func derive(_ db: Database, fileID: Int64, at now: String, actor: Actor) throws {
        let active = PersonFacts.Status.active.rawValue, suspended = PersonFacts.Status.suspended.rawValue, stopped = PersonFacts.Status.stopped.rawValue
        let derived = """
            CASE WHEN EXISTS (SELECT 1 FROM grant_record g WHERE g.code = b.code AND g.status = '\(active)')
                 THEN CASE WHEN EXISTS (SELECT 1 FROM beneficiary_flag f WHERE f.beneficiary_code = b.code
                                        AND f.kind = 'deceased_reported' AND f.closed_at IS NULL) THEN '\(suspended)' ELSE '\(active)' END
                 WHEN EXISTS (SELECT 1 FROM grant_record g WHERE g.code = b.code AND g.status = '\(suspended)') THEN '\(suspended)'
                 ELSE '\(stopped)' END
            """
        let touched = "b.code IN (SELECT code FROM grant_record WHERE last_file_id = ?)"
        // History first (old → new), then the change, for people whose derived status differs.
        try db.execute(sql: """
            INSERT INTO roll_change(code, category, field, old_value, new_value, file_id, source, changed_at, changed_by, changed_by_user)
            SELECT code, NULL, 'status', status, new_status, ?, 'import', ?, ?, ? FROM (
                SELECT b.code, b.status, \(derived) AS new_status, b.first_file_id FROM beneficiary b WHERE \(touched))
            WHERE new_status <> status AND first_file_id <> ?
            """, arguments: [fileID, now, actor.username, actor.userID, fileID, fileID])
        try db.execute(sql: "UPDATE beneficiary AS b SET status = \(derived) WHERE \(touched) AND status <> \(derived)", arguments: [fileID])
    }
}
