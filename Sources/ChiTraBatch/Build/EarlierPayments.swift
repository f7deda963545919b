import ChiTraStore
import ChiTraCore
import GRDB

/// What earlier batches left behind for one person, read per person as the roll walk reaches them
/// (the walk goes in personal-ID order, so these lookups run along the indexes), instead of
/// holding every failed line and every exclusion of the store in memory.
final class EarlierPayments {
    /// A failed payment that may be sent again.
    struct Failed {
        let id: Int64, slot: EntitlementKind, forMonth: YearMonth, amount: Int64, retryable: Bool, reason: String
        /// The batch it failed in.
        let batchID: Int64
    }

    private let sql: RawSQL
    private let batchID: Int64
    /// The person's lines that are no longer live (failed or cancelled): `payout_line_retired`.
    private let retired: Statement
    /// Whether a live line exists for a person, slot and month: `payout_line_one_live`.
    private let live: Statement

    private var retiredCount: [SlotMonth: Int] = [:]
    /// Slots and months the person has a failed line for (any reason): paid again only as a carry-over.
    private var failedSlots: Set<SlotMonth> = []
    private(set) var failed: [Failed] = []

    /// Slot and month as stored (the count compares them as SQL did: text equality).
    struct SlotMonth: Hashable { let slot: String; let month: String }

    init(_ db: Database, batchID: Int64) throws {
        sql = RawSQL(db: db)
        self.batchID = batchID
        retired = try db.makeStatement(sql: """
            SELECT id, batch_id, state, slot, for_month, amount, result_retryable, result_reason FROM payout_line
            WHERE person_key = ? AND state IN ('failed','cancelled')
            """)
        live = try db.makeStatement(sql: "SELECT batch_id FROM payout_line WHERE person_key = ? AND slot = ? AND for_month = ? AND state NOT IN ('failed','cancelled')")
    }

    /// Reads the retired lines of `personKey`: afterwards `failed` holds the failed payments not yet
    /// sent again (as the build always chose them: not of this batch, not for a deceased person or
    /// a duplicate, ordered as the store's failed-lines index returns them: by retryable flag,
    /// NULL first, then by id), and `attempts` counts earlier lines.
    func load(personKey: String) throws {
        retiredCount.removeAll(keepingCapacity: true)
        failedSlots.removeAll(keepingCapacity: true)
        failed.removeAll(keepingCapacity: true)
        try sql.bind(retired, 1, personKey)
        var retryableOrder: [Int64?] = []
        while try sql.step(retired) {
            typealias S = RawSQL
            let slotText = S.string(retired, 3), monthText = S.string(retired, 4)
            retiredCount[SlotMonth(slot: slotText, month: monthText), default: 0] += 1
            guard S.string(retired, 2) == "failed", S.int64(retired, 1) != batchID else { continue }
            failedSlots.insert(SlotMonth(slot: slotText, month: monthText))
            let reason = S.optionalString(retired, 7)
            if reason == "deceased" || reason == "duplicate" { continue }
            let retryable = S.optionalInt64(retired, 6)
            failed.append(Failed(id: S.int64(retired, 0), slot: EntitlementKind(rawValue: slotText)!, forMonth: YearMonth(monthText)!,
                                 amount: S.int64(retired, 5),
                                 retryable: retryable == 1, reason: reason ?? "", batchID: S.int64(retired, 1)))
            retryableOrder.append(retryable)
        }
        if failed.count > 1 {
            // The order the build met them in when it read all failed lines through
            // `payout_line_failed (state, result_retryable)`: NULL < 0 < 1, then by id.
            let keyed = zip(failed, retryableOrder).sorted { a, b in
                let ra = a.1 ?? Int64.min, rb = b.1 ?? Int64.min
                return ra != rb ? ra < rb : a.0.id < b.0.id
            }
            failed = keyed.map(\.0)
        }
    }

    /// How many lines the person already had for this slot and month (live or not), when none of
    /// them is live: the retired ones. (The build adds a line only where no live line exists.)
    func attempts(slot: EntitlementKind, forMonth: YearMonth) -> Int {
        retiredCount.isEmpty ? 0 : retiredCount[SlotMonth(slot: slot.rawValue, month: forMonth.description)] ?? 0
    }

    /// Whether a payment for this slot and month failed before: it is paid again only as a carry-over
    /// of the failed line (`CarryOverRule`), never as a new line of its own.
    func hasFailed(slot: EntitlementKind, forMonth: YearMonth) -> Bool {
        failedSlots.isEmpty ? false : failedSlots.contains(SlotMonth(slot: slot.rawValue, month: forMonth.description))
    }

    /// The batch of the live line (paid, being paid, or in another batch) that already covers this
    /// slot and month, if any.
    func liveBatch(personKey: String, slot: EntitlementKind, forMonth: YearMonth) throws -> Int64? {
        try sql.bind(live, 1, personKey)
        try sql.bind(live, 2, slot.rawValue)
        try sql.bind(live, 3, forMonth.description)
        if try sql.step(live) {
            let batch = RawSQL.int64(live, 0)
            sql.reset(live)
            return batch
        }
        return nil
    }
}

/// Months (up to 12 back) in which people were left out of a frozen batch, met in personal-ID
/// order alongside the roll walk (a merge: one sorted query, nothing kept but the current person's).
/// A draft can still be rebuilt with them in it, so its exclusions are not carried.
final class ExcludedEarlier {
    private let sql: RawSQL
    private let st: Statement
    private var pending: (personalID: String, code: String, month: YearMonth)?
    private var done = false

    init(_ db: Database, period: YearMonth) throws {
        sql = RawSQL(db: db)
        st = try db.makeStatement(sql: """
            SELECT be.personal_id, x.beneficiary_code, b.period FROM batch_exclusion x JOIN batch b ON b.id = x.batch_id
            JOIN beneficiary be ON be.code = x.beneficiary_code
            WHERE b.status IN ('approved','exported') AND b.period < ? AND b.period >= ?
            ORDER BY be.personal_id
            """)
        try sql.bind(st, 1, period.description)
        try sql.bind(st, 2, period.adding(months: -12).description)
        try advance()
    }

    private func advance() throws {
        if !done, try sql.step(st) {
            pending = (RawSQL.string(st, 0), RawSQL.string(st, 1), YearMonth(RawSQL.string(st, 2))!)
        } else {
            pending = nil
            done = true
        }
    }

    /// Stops the query (it may have rows left for people after the last one walked).
    func close() {
        sql.reset(st)
        pending = nil
        done = true
    }

    /// The months, in order, in which any of `codes` (all of one personal ID) was left out. Calls
    /// must come in increasing personal-ID order (SQLite's binary order, as the walk's).
    func months(personalID: String, codes: [String]) throws -> [YearMonth] {
        var out: [YearMonth] = []
        while let p = pending, p.personalID.utf8.lexicographicallyPrecedes(personalID.utf8) { try advance() }
        while let p = pending, p.personalID == personalID {
            if codes.contains(p.code) { out.append(p.month) }
            try advance()
        }
        return out.sorted()
    }
}
