import Foundation
import GRDB

/// Rewrites `x IN ('a','b','c')` CHECK constraints as `x = 'a' OR x = 'b' OR x = 'c'`.
///
/// Why: for an IN list of three or more constants in a CHECK constraint, SQLite (3.40) builds a
/// temporary b-tree of the list, with its own pager, for every row written. A roll import writes
/// four such rows per new person (beneficiary status and channel, grant status, history source):
/// that was about a third of the import's instructions (migration v4-roll-checks-without-in-lists).
/// Every payout line written or updated paid the same four times over (kind, slot, channel, state:
/// about half of an INSERT's instructions), and every return line twice (migration
/// v4-payout-checks-without-in-lists). The OR of equalities accepts and refuses
/// exactly the same values (the column's affinity and collation apply to each comparison, as to
/// the IN list; NULL passes both), so no stored row and no rule changes.
///
/// How: the CHECK text is part of the table's `CREATE TABLE` statement in `sqlite_schema`, and
/// changing a CHECK constraint does not change the file format, so it is edited in place
/// (`PRAGMA writable_schema`, the schema version bumped so every connection reloads it), as the
/// SQLite documentation describes for such changes (https://www.sqlite.org/lang_altertable.html,
/// section 7). A table whose text is not found as expected is left alone.
enum CheckRewrite {
    typealias Rewrite = (table: String, old: String, new: String)

    /// The roll tables (v4-roll-checks-without-in-lists).
    static let roll: [Rewrite] = [
        ("beneficiary", "CHECK (status IN ('active','suspended','stopped'))",
         "CHECK (status = 'active' OR status = 'suspended' OR status = 'stopped')"),
        ("beneficiary", "CHECK (channel IN ('bank','post_account','post_cash'))",
         "CHECK (channel = 'bank' OR channel = 'post_account' OR channel = 'post_cash')"),
        ("grant_record", "CHECK (status IN ('active','suspended','stopped'))",
         "CHECK (status = 'active' OR status = 'suspended' OR status = 'stopped')"),
        ("roll_change", "CHECK (source IN ('import','manual','returns'))",
         "CHECK (source = 'import' OR source = 'manual' OR source = 'returns')"),
    ]

    /// The payout and return lines (v4-payout-checks-without-in-lists).
    static let payoutAndReturns: [Rewrite] = [
        ("payout_line", "CHECK (kind IN ('allowance','care','arrears','care_arrears','funeral','carry_over'))",
         "CHECK (kind = 'allowance' OR kind = 'care' OR kind = 'arrears' OR kind = 'care_arrears' OR kind = 'funeral' OR kind = 'carry_over')"),
        ("payout_line", "CHECK (slot IN ('allowance','care','arrears','care_arrears','funeral'))",
         "CHECK (slot = 'allowance' OR slot = 'care' OR slot = 'arrears' OR slot = 'care_arrears' OR slot = 'funeral')"),
        ("payout_line", "CHECK (channel IN ('bank','post_account','post_cash'))",
         "CHECK (channel = 'bank' OR channel = 'post_account' OR channel = 'post_cash')"),
        ("payout_line", "CHECK (state IN ('draft','approved','exported','paid','failed','pending','cancelled'))",
         "CHECK (state = 'draft' OR state = 'approved' OR state = 'exported' OR state = 'paid' OR state = 'failed' OR state = 'pending' OR state = 'cancelled')"),
        ("return_line", "CHECK (outcome IN ('paid','rejected','pending'))",
         "CHECK (outcome = 'paid' OR outcome = 'rejected' OR outcome = 'pending')"),
        ("return_line", "CHECK (result IN ('applied','exception','unchanged'))",
         "CHECK (result = 'applied' OR result = 'exception' OR result = 'unchanged')"),
    ]

    /// Returns how many tables were rewritten.
    @discardableResult
    static func apply(_ db: Database, _ rewrites: [Rewrite]) throws -> Int {
        var changed: [String: String] = [:]
        for r in rewrites {
            let current: String?
            if let c = changed[r.table] { current = c } else {
                current = try String.fetchOne(db, sql: "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?", arguments: [r.table])
            }
            guard let sql = current, sql.components(separatedBy: r.old).count == 2 else { continue }
            changed[r.table] = sql.replacingOccurrences(of: r.old, with: r.new)
        }
        if changed.isEmpty { return 0 }
        let version = try Int.fetchOne(db, sql: "PRAGMA schema_version") ?? 0
        try db.execute(sql: "PRAGMA writable_schema = ON")
        for (table, sql) in changed.sorted(by: { $0.key < $1.key }) {
            try db.execute(sql: "UPDATE sqlite_schema SET sql = ? WHERE type = 'table' AND name = ?", arguments: [sql, table])
        }
        try db.execute(sql: "PRAGMA schema_version = \(version + 1)")
        try db.execute(sql: "PRAGMA writable_schema = OFF")
        // Reading the tables makes SQLite parse the new schema now (a bad edit fails here and the
        // migration's transaction rolls back).
        for table in changed.keys.sorted() { _ = try Row.fetchOne(db, sql: "SELECT * FROM \(table) LIMIT 0") }
        return changed.count
    }
}
