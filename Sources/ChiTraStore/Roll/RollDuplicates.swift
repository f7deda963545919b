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
    ///
    /// One pass over the table in its own order, sorted by SQLite's sorter (`+personal_id` keeps
    /// the planner from walking the personal ID index instead, which reads the table in random
    /// order: 3× slower at a million people), grouped here.
    public static func sharedPersonalIDs(_ db: Database) throws -> [SharedID] {
        var out: [SharedID] = []
        var current: SharedID?
        let rows = try Row.fetchCursor(db, sql: """
            SELECT personal_id, code FROM beneficiary WHERE status <> 'stopped' ORDER BY +personal_id, code
            """)
        while let r = try rows.next() {
            let pid: String = r[0], code: String = r[1]
            if current?.personalID == pid {
                current!.codes.append(code)
                continue
            }
            if let c = current, c.codes.count > 1 { out.append(SharedID(personalID: c.personalID, codes: c.codes.sorted())) }
            current = SharedID(personalID: pid, codes: [code])
        }
        if let c = current, c.codes.count > 1 { out.append(SharedID(personalID: c.personalID, codes: c.codes.sorted())) }
        return out
    }

    /// Calls `body` with (personal ID, code, category) for every grant current in `month` (`YYYY-MM`:
    /// not ended before it) of people not stopped who have more than one such grant, by personal
    /// ID, code and category. Only those people can have two monthly categories: the others are
    /// not passed on (a national roll has millions of them).
    ///
    /// One pass: the grants in table order joined to their person by code, sorted by SQLite's
    /// sorter, and the groups of one row dropped here (the former `IN (… GROUP BY … HAVING)` walked
    /// the personal ID index and read both tables in random order, twice: 4× slower at a million).
    public static func forEachCurrentGrantOfPeopleWithSeveral(_ db: Database, month: String,
                                                              _ body: (_ personalID: String, _ code: String, _ category: String) throws -> Void) throws {
        let rows = try Row.fetchCursor(db, sql: """
            SELECT b.personal_id, g.code, g.category FROM grant_record g CROSS JOIN beneficiary b ON b.code = g.code
            WHERE b.status <> 'stopped' AND (g.end_month IS NULL OR g.end_month >= ?)
            ORDER BY +b.personal_id, g.code, g.category
            """, arguments: [month])
        var group: [(code: String, category: String)] = []
        var pid: String?
        func flush() throws {
            if let pid, group.count > 1 { for g in group { try body(pid, g.code, g.category) } }
            group.removeAll(keepingCapacity: true)
        }
        while let r = try rows.next() {
            let p: String = r[0]
            if p != pid { try flush(); pid = p }
            group.append((r[1], r[2]))
        }
        try flush()
    }
}
