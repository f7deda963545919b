import GRDB

/// What the import's summary reports after a roll import: one personal ID under several codes,
/// and the current grants of people who hold more than one.
public enum RollDuplicates {
    /// A personal ID held by more than one code not stopped.
    public struct SharedID: Sendable {
        public var personalID: String
        /// The codes, sorted.
        public var codes: [String]
    }

    /// Every personal ID held by more than one code not stopped, by personal ID.
    public static func sharedPersonalIDs(_ db: Database) throws -> [SharedID] {
        try Row.fetchAll(db, sql: """
            SELECT personal_id, group_concat(code, ' ') AS codes FROM beneficiary
            WHERE status <> 'stopped' GROUP BY personal_id HAVING count(*) > 1 ORDER BY personal_id
            """).map { r in
                SharedID(personalID: r["personal_id"], codes: (r["codes"] as String).split(separator: " ").map(String.init).sorted())
            }
    }

    /// Calls `body` with (personal ID, code, category) for every grant current in `month` (`YYYY-MM`:
    /// not ended before it) of people not stopped who have more than one such grant, by personal
    /// ID, code and category. Only those people can have two monthly categories: the others are
    /// left in the store (a national roll has millions of them).
    public static func forEachCurrentGrantOfPeopleWithSeveral(_ db: Database, month: String,
                                                              _ body: (_ personalID: String, _ code: String, _ category: String) throws -> Void) throws {
        let rows = try Row.fetchCursor(db, sql: """
            SELECT b.personal_id, g.code, g.category FROM grant_record g JOIN beneficiary b ON b.code = g.code
            WHERE b.status <> 'stopped' AND (g.end_month IS NULL OR g.end_month >= ?)
              AND b.personal_id IN (
                SELECT b2.personal_id FROM grant_record g2 JOIN beneficiary b2 ON b2.code = g2.code
                WHERE b2.status <> 'stopped' AND (g2.end_month IS NULL OR g2.end_month >= ?)
                GROUP BY b2.personal_id HAVING count(*) > 1)
            ORDER BY b.personal_id, g.code, g.category
            """, arguments: [month, month])
        while let r = try rows.next() {
            try body(r["personal_id"], r["code"], r["category"])
        }
    }
}
