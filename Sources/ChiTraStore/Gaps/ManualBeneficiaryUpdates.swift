import GRDB

/// The manual updates of how a person is paid between two roll imports (`beneficiary set-account`
/// / `set-proxy`): the fields as stored and the history rows (source `manual`); the change itself
/// is `Beneficiaries.updateManually`.
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
}
