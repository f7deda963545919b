import ChiTraCore
import GRDB

/// Every change to the `beneficiary` table — who is paid, how, and whether they may be — in one
/// file (issue 16), so that everything that can change where a person's money goes is read, and
/// audited, in one place. `StoreBoundaryTests` refuses a write to the table anywhere else; the one
/// exception is the payment seal (`PaymentMAC`), which writes only `payment_mac`, a MAC over these
/// fields, never a field itself.
///
/// Who writes:
/// - a roll import: a new person (`insertFromRollSQL`), the fields a line changed (`updateFromRoll`),
///   then the status their grants give them (`deriveStatusAfterImport`);
/// - an officer between two imports (`updateManually`, `beneficiary set-account` / `set-proxy`);
/// - a returns import: an account the bank rejected (`flagAccount`), a death reported by the
///   payer (`suspendForReportedDeath`).
public enum Beneficiaries {
    // MARK: the roll import

    /// The statement a roll import inserts a new person with (prepared once per import by
    /// `RollImportStatements`): `code`, `columns` in order, `status`, `first_file_id`,
    /// `last_file_id`, `updated_at`.
    static func insertFromRollSQL(columns: [String]) -> String {
        """
        INSERT INTO beneficiary(code, \(columns.joined(separator: ", ")), status, first_file_id, last_file_id, updated_at) \
        VALUES (?, \(columns.map { _ in "?" }.joined(separator: ", ")), ?, ?, ?, ?)
        """
    }

    /// Writes the values a roll line changed (`changes`: person columns of the roll and the line's
    /// values) and records the import `fileID` as the person's last; `clearAccountFlag` also clears
    /// the account rejection flag (a new account or bank closes that gap). The import seals every
    /// person it wrote at its end (`PaymentMAC.sealImported`).
    static func updateFromRoll(_ db: Database, code: String, changes: [(field: String, value: String?)], clearAccountFlag: Bool,
                               fileID: Int64, at now: String) throws {
        precondition(changes.allSatisfy { RollImportStatements.personColumns.contains($0.field) })
        try update(db, code: code, changes: changes, clearAccountFlag: clearAccountFlag, fileID: fileID, at: now)
    }

    /// Derives again the status of the people whose grants the import `fileID` wrote: active if
    /// any grant is active, else suspended if any is, else stopped. A death reported by a return
    /// keeps the person suspended whatever the roll says, until an officer closes that flag.
    /// Each change is a history row (old → new), except for people the import created.
    public static func deriveStatusAfterImport(_ db: Database, fileID: Int64, at now: String, actor: Actor) throws {
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

    // MARK: an officer, between two imports

    /// Writes how the person is paid (`changes`: fields of `ManualBeneficiaryUpdates.fields` and
    /// their new values), clearing the account rejection flag when `clearAccountFlag`, and seals
    /// the person's payment fields again (`PaymentMAC`), inside the caller's transaction.
    public static func updateManually(_ db: Database, code: String, changes: [(field: String, value: String?)], clearAccountFlag: Bool,
                                      at now: String) throws {
        precondition(changes.allSatisfy { ManualBeneficiaryUpdates.fields.contains($0.field) })
        try update(db, code: code, changes: changes, clearAccountFlag: clearAccountFlag, fileID: nil, at: now)
        try PaymentMAC.seal(db, code: code)
    }

    // MARK: a returns import

    /// Flags the person's account as rejected for `reason`, by payout line `lineID`: the gaps
    /// worklist shows them until a new account arrives (by roll or by an officer).
    public static func flagAccount(_ db: Database, code: String, reason: CanonicalReason, lineID: Int64, at now: String) throws {
        try db.cachedStatement(sql: "UPDATE beneficiary SET account_flag = ?, account_flag_at = ?, account_flag_ref = ? WHERE code = ?")
            .execute(arguments: [reason.rawValue, now, String(lineID), code])
    }

    /// Suspends the person whose death the payer reported, and seals the payment columns again
    /// (`PaymentMAC`): nothing more is paid until an officer decides.
    public static func suspendForReportedDeath(_ db: Database, code: String, at now: String) throws {
        try db.cachedStatement(sql: "UPDATE beneficiary SET status = ?, updated_at = ? WHERE code = ?")
            .execute(arguments: [PersonFacts.Status.suspended.rawValue, now, code])
        try PaymentMAC.seal(db, code: code)
    }

    // MARK: -

    /// The one UPDATE of a person's fields, by a roll import (`fileID`) or an officer (nil).
    private static func update(_ db: Database, code: String, changes: [(field: String, value: String?)], clearAccountFlag: Bool,
                               fileID: Int64?, at now: String) throws {
        var sets = changes.map { "\($0.field) = ?" }.joined(separator: ", ")
        if clearAccountFlag { sets += ", account_flag = NULL, account_flag_at = NULL, account_flag_ref = NULL" }
        var args = StatementArguments(changes.map(\.value))
        if let fileID {
            sets += ", last_file_id = ?"
            args += [fileID]
        }
        args += [now, code]
        try db.execute(sql: "UPDATE beneficiary SET \(sets), updated_at = ? WHERE code = ?", arguments: args)
    }
}
