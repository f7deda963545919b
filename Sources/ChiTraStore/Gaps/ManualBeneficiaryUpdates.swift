import GRDB

/// The manual updates of how a person is paid between two roll imports (`beneficiary set-account`
/// / `set-proxy`): the fields as stored, the history rows (source `manual`) and the change itself.
public enum ManualBeneficiaryUpdates {
    /// The fields a manual update may change (`RollQueries.paymentFields`).
    public static let fields = RollQueries.paymentFields

    /// A person as a manual update reads them first.
    public struct Current: Sendable {
        public var personalID: String
        /// The reason code the last returns rejected the account with, if any.
        public var accountFlag: String?
        /// Each of `fields` as stored (absent: NULL).
        public var values: [String: String]

        public func value(_ field: String) -> String? { values[field] }
    }

    /// The person of `code`, or nil when there is none.
    public static func current(_ db: Database, code: String) throws -> Current? {
        guard let r = try Row.fetchOne(db, sql: "SELECT * FROM beneficiary WHERE code = ?", arguments: [code]) else { return nil }
        var values: [String: String] = [:]
        for f in fields { if let v = r[f] as String? { values[f] = v } }
        return Current(personalID: r["personal_id"], accountFlag: r["account_flag"], values: values)
    }

    /// One history row of a manual change (`roll_change`, source `manual`, no file).
    public static func history(_ db: Database, code: String, field: String, old: String?, new: String?, at now: String, actor: Actor) throws {
        let history = try db.cachedStatement(sql: """
            INSERT INTO roll_change(code, category, field, old_value, new_value, file_id, source, changed_at, changed_by, changed_by_user)
            VALUES (?, NULL, ?, ?, ?, NULL, 'manual', ?, ?, ?)
            """)
        try history.execute(arguments: [code, field, old, new, now, actor.username, actor.userID])
    }

    /// Writes `changes` (fields of `fields` and their new values) into the person; `clearAccountFlag`
    /// also clears the account rejection flag.
    public static func apply(_ db: Database, code: String, changes: [(String, String?)], clearAccountFlag: Bool, at now: String) throws {
        precondition(changes.allSatisfy { fields.contains($0.0) })
        var sets = changes.map { "\($0.0) = ?" }.joined(separator: ", ")
        if clearAccountFlag { sets += ", account_flag = NULL, account_flag_at = NULL, account_flag_ref = NULL" }
        var args = StatementArguments(changes.map(\.1))
        args += [now, code]
        try db.execute(sql: "UPDATE beneficiary SET \(sets), updated_at = ? WHERE code = ?", arguments: args)
    }
}
