import ChiTraCore
import GRDB

/// People owed money but left out of a batch (`batch_exclusion`), and why.
public enum BatchExclusions {
    /// One person left out, with what the batch report shows of them.
    public struct Entry: Sendable {
        public var code: String
        public var fullName: String
        public var village: String
        /// As stored (an `ExclusionReason` raw value in a store ChiTra wrote).
        public var reasonCode: String
        /// The Vietnamese reason as recorded at the build.
        public var reason: String
        public var amountOwed: Int64
    }

    /// The people left out of a batch, by village, then code.
    public static func all(_ db: Database, batchID: Int64) throws -> [Entry] {
        try Row.fetchAll(db, sql: """
            SELECT x.beneficiary_code, b.full_name, b.village, x.reason_code, x.reason, x.amount_owed FROM batch_exclusion x
            JOIN beneficiary b ON b.code = x.beneficiary_code WHERE x.batch_id = ? ORDER BY b.village, x.beneficiary_code
            """, arguments: [batchID]).map {
                Entry(code: $0[0], fullName: $0[1], village: $0[2], reasonCode: $0[3], reason: $0[4], amountOwed: $0[5])
            }
    }

    /// How many people a batch left out.
    public static func count(_ db: Database, batchID: Int64) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT count(*) FROM batch_exclusion WHERE batch_id = ?", arguments: [batchID]) ?? 0
    }

    /// Records the people a build leaves out, one at a time as the roll walk meets them (one
    /// prepared statement for the whole build).
    public struct Recorder {
        private let sql: RawSQL
        private let insert: Statement
        private let batchID: Int64

        public init(_ db: Database, batchID: Int64) throws {
            sql = RawSQL(db: db)
            self.batchID = batchID
            insert = try db.makeStatement(sql: "INSERT INTO batch_exclusion(batch_id, beneficiary_code, reason_code, reason, amount_owed) VALUES (?,?,?,?,?)")
        }

        /// `code` left out for `reason` (its Vietnamese text recorded with it), owed `amountOwed`.
        public func record(code: String, reason: ExclusionReason, amountOwed: Int64) throws {
            try sql.bind(insert, 1, batchID)
            try sql.bind(insert, 2, code)
            try sql.bind(insert, 3, reason.rawValue)
            try sql.bind(insert, 4, reason.vietnamese)
            try sql.bind(insert, 5, amountOwed)
            try sql.execute(insert)
        }
    }

    /// The people left out of frozen (approved or exported) batches of the months `from..<until`,
    /// in personal-ID order (SQLite's binary order): one sorted query, stepped as the roll walk goes.
    public final class EarlierCursor {
        private let sql: RawSQL
        private let st: Statement
        private var done = false

        public init(_ db: Database, from: YearMonth, until: YearMonth) throws {
            sql = RawSQL(db: db)
            st = try db.makeStatement(sql: """
                SELECT be.personal_id, x.beneficiary_code, b.period FROM batch_exclusion x JOIN batch b ON b.id = x.batch_id
                JOIN beneficiary be ON be.code = x.beneficiary_code
                WHERE b.status IN ('approved','exported') AND b.period < ? AND b.period >= ?
                ORDER BY be.personal_id
                """)
            try sql.bind(st, 1, until.description)
            try sql.bind(st, 2, from.description)
        }

        /// The next person left out and the month, or nil at the end.
        public func next() throws -> (personalID: String, code: String, month: YearMonth)? {
            guard !done else { return nil }
            if try sql.step(st) {
                return (RawSQL.string(st, 0), RawSQL.string(st, 1), YearMonth(RawSQL.string(st, 2))!)
            }
            done = true
            return nil
        }

        /// Stops the query (it may have rows left).
        public func close() {
            sql.reset(st)
            done = true
        }
    }
}
