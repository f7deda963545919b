import ChiTraCore
import GRDB

/// The batch's new payout lines, collected in a temporary table while the roll is walked and then
/// inserted into `payout_line` by one `INSERT … SELECT`, in payout group then reference order.
///
/// Why that order (issue 16, 8 Dec 2026): it is the order every later stage reads a batch in. The
/// export writes each group's file in reference order, the bank's return answers in the order of
/// that file, and the reconciliation lists the lines by group and reference. Inserted in the order
/// of the roll walk (by personal ID), a group's lines were spread over the whole table: each of
/// those stages read its lines from all over a table of millions of rows, every page many times.
/// Stored in the order they are read, a batch's lines come off the table page after page. The
/// order is also the order of the ids (a batch's ids are consecutive), so approval's seals, the
/// returns' settlements and the batch's totals, which go by id, follow it too. Nothing reads
/// meaning into a line's id: a line is known outside the store by its reference.
///
/// Why not one INSERT per line: `payout_line` has a trigger that can abort an insert (the frozen
/// batch check), so SQLite wraps every INSERT statement in a statement journal and copies each
/// page that the statement changes (the table's last page and a leaf of each of its indexes) to a
/// temporary file first: about six 4 KiB page writes for every line, a quarter of the build's CPU
/// time. One statement for the whole batch journals each page at most once. The temporary table
/// has no index, trigger or constraint; it lives in SQLite's temp store (a temporary file, not
/// this process's memory) and only until the end of the build's transaction.
public final class PayoutLineStaging {
    /// The statement the lines used to be inserted with, one by one: a failure of the batch insert
    /// is reported as the same SQLite error for this statement, as before.
    static let lineInsertSQL = """
        INSERT INTO payout_line(batch_id, reference, beneficiary_code, person_key, kind, slot, for_month, amount, group_key, channel,
                                bank_bin, account_no, account_name, payee_name, payee_relation, category, state, carried_from)
        VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,'draft',?)
        """
    private static let columns = "reference, beneficiary_code, person_key, kind, slot, for_month, amount, group_key, channel, bank_bin, account_no, account_name, payee_name, payee_relation, category"

    private let db: Database
    private let sql: RawSQL
    private let stage: Statement
    public private(set) var count = 0

    public init(_ db: Database) throws {
        self.db = db
        sql = RawSQL(db: db)
        // Columns without a declared type keep each value exactly as bound (no affinity conversion).
        try db.execute(sql: "CREATE TEMP TABLE chitra_build_line(\(Self.columns), carried_from)")
        stage = try db.makeStatement(sql: "INSERT INTO temp.chitra_build_line(\(Self.columns), carried_from) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")
    }

    // swiftlint:disable:next function_parameter_count
    public func add(reference: String, code: String, personKey: String, kind: EntitlementKind, slot: EntitlementKind, forMonth: String, amount: Int64,
             groupKey: String, channel: Channel, bankBIN: String?, accountNo: String?, accountName: String?,
             payee: String, payeeRelation: String?, category: String, carriedFrom: Int64?) throws {
        try sql.bind(stage, 1, reference)
        try sql.bind(stage, 2, code)
        try sql.bind(stage, 3, personKey)
        try sql.bind(stage, 4, kind.rawValue)
        try sql.bind(stage, 5, slot.rawValue)
        try sql.bind(stage, 6, forMonth)
        try sql.bind(stage, 7, amount)
        try sql.bind(stage, 8, groupKey)
        try sql.bind(stage, 9, channel.rawValue)
        try sql.bind(stage, 10, bankBIN)
        try sql.bind(stage, 11, accountNo)
        try sql.bind(stage, 12, accountName)
        try sql.bind(stage, 13, payee)
        try sql.bind(stage, 14, payeeRelation)
        try sql.bind(stage, 15, category)
        try sql.bind(stage, 16, carriedFrom)
        try sql.execute(stage)
        count += 1
    }

    /// Inserts the staged lines into `payout_line` for `batchID`, by group then reference, and drops the
    /// temporary table (`drop`: no other statement may be running then). Returns the largest
    /// payout line id before the insert: the batch's lines are exactly those above it.
    public func insertAll(batchID: Int64, drop: Bool = true) throws -> Int64 {
        let before = try Int64.fetchOne(db, sql: "SELECT max(id) FROM payout_line") ?? 0
        let insert = try db.makeStatement(sql: """
            INSERT INTO payout_line(batch_id, \(Self.columns), state, carried_from)
            SELECT ?, \(Self.columns), 'draft', carried_from FROM temp.chitra_build_line ORDER BY group_key, reference
            """)
        try sql.bind(insert, 1, batchID)
        // The frozen-batch trigger asks, for every row, whether the row's batch is a draft: a
        // fifth of this statement's time at a million lines. Every row here goes to `batchID`, so
        // the question is asked once, before, with the trigger's own answer; the trigger is set
        // aside for this statement only — dropped and created again from its own stored text,
        // inside the build's transaction, so no other connection ever sees the store without it
        // and a crash rolls the drop back. Only when no other statement is running (`drop`): a
        // schema change would stop a running one.
        var trigger: String?
        if drop {
            // (The trigger lets a row through when its batch does not exist, as `nil` does here.)
            if let status = try Batches.status(db, id: batchID), status != .draft {
                throw DatabaseError(resultCode: .SQLITE_CONSTRAINT_TRIGGER, message: "this batch is frozen: no line can be added", sql: Self.lineInsertSQL)
            }
            trigger = try String.fetchOne(db, sql: "SELECT sql FROM sqlite_schema WHERE type = 'trigger' AND name = 'payout_line_frozen_insert'")
            if trigger != nil { try db.execute(sql: "DROP TRIGGER payout_line_frozen_insert") }
        }
        do {
            try sql.execute(insert)
        } catch let e as DatabaseError {
            if let trigger { try? db.execute(sql: trigger) }
            // SQLite's message names the constraint, not the row, so it is the one the line-by-line
            // insert gave; name the statement that used to run.
            throw DatabaseError(resultCode: e.extendedResultCode, message: e.message, sql: Self.lineInsertSQL)
        }
        if let trigger { try db.execute(sql: trigger) }
        if drop { try db.execute(sql: "DROP TABLE temp.chitra_build_line") }
        return before
    }
}
