import ChiTraCore
import GRDB

/// A person's earlier payout lines, asked per person as the build's roll walk reaches them (the
/// walk goes in personal-ID order, so these lookups run along the indexes). Two prepared
/// statements stepped through the C API for the whole build.
public final class PersonPayoutLines {
    /// One of the person's lines that is no longer live (failed or cancelled).
    public struct Retired {
        public let id: Int64
        public let batchID: Int64
        public let state: PayoutLineState
        /// Slot and month as stored.
        public let slot: String
        public let forMonth: String
        public let amount: Int64
        public let retryable: Int64?
        public let reason: String?
    }

    /// Retired lines read whose outcome seal does not hold (`OutcomeSeal`: changed outside
    /// ChiTra): how many, and the first 20 (reference and code). The build refuses when any.
    public private(set) var unsealedCount = 0
    public private(set) var unsealed: [String] = []

    private let sql: RawSQL
    /// The person's lines that are no longer live: `payout_line_retired`.
    private let retired: Statement
    /// Whether a live line exists for a person, slot and month: `payout_line_one_live`.
    private let live: Statement

    public init(_ db: Database) throws {
        sql = RawSQL(db: db)
        retired = try db.makeStatement(sql: """
            SELECT id, batch_id, state, slot, for_month, amount, result_retryable, result_reason,
                   retired_seal IS \(OutcomeSeal.storedExpression), reference, beneficiary_code
            FROM payout_line WHERE person_key = ? AND retired = 1
            """)
        live = try db.makeStatement(sql: "SELECT batch_id FROM payout_line WHERE person_key = ? AND slot = ? AND for_month = ? AND retired = 0")
    }

    /// Calls `body` with each retired line of `personKey`, in the order the index gives them;
    /// counts those whose outcome seal does not hold (`unsealed`).
    public func forEachRetired(personKey: String, _ body: (Retired) throws -> Void) throws {
        typealias S = RawSQL
        try sql.bind(retired, 1, personKey)
        while try sql.step(retired) {
            if RawSQL.int64(retired, 8) == 0 {
                unsealedCount += 1
                if unsealed.count < 20 { unsealed.append("\(S.string(retired, 9)) (\(S.string(retired, 10)))") }
            }
            // The schema's CHECK holds the state to the enum's values.
            try body(Retired(id: S.int64(retired, 0), batchID: S.int64(retired, 1),
                             state: S.string(retired, 2) == "failed" ? .failed : .cancelled,
                             slot: S.string(retired, 3), forMonth: S.string(retired, 4), amount: S.int64(retired, 5),
                             retryable: S.optionalInt64(retired, 6), reason: S.optionalString(retired, 7)))
        }
    }

    /// The batch of the live line (paid, being paid, or in another batch) that already covers
    /// this person, slot and month, if any.
    public func liveBatch(personKey: String, slot: String, forMonth: String) throws -> Int64? {
        try sql.bind(live, 1, personKey)
        try sql.bind(live, 2, slot)
        try sql.bind(live, 3, forMonth)
        if try sql.step(live) {
            let batch = RawSQL.int64(live, 0)
            sql.reset(live)
            return batch
        }
        return nil
    }
}
