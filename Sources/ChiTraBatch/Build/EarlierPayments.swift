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

    private let batchID: Int64
    /// The person's retired lines and live-line lookups (`PersonPayoutLines`).
    private let lines: PersonPayoutLines

    private var retiredCount: [SlotMonth: Int] = [:]
    /// Slots and months the person has a failed line for (any reason): paid again only as a carry-over.
    private var failedSlots: Set<SlotMonth> = []
    private(set) var failed: [Failed] = []

    /// Slot and month as stored (the count compares them as SQL did: text equality).
    struct SlotMonth: Hashable { let slot: String; let month: String }

    /// Retired lines read so far whose outcome seal does not hold (changed outside ChiTra): how
    /// many, and the first 20 (reference and code).
    var unsealedCount: Int { lines.unsealedCount }
    var unsealed: [String] { lines.unsealed }

    init(_ db: Database, batchID: Int64) throws {
        self.batchID = batchID
        lines = try PersonPayoutLines(db)
    }

    /// Reads the retired lines of `personKey`: afterwards `failed` holds the failed payments not yet
    /// sent again (as the build always chose them: not of this batch, not for a deceased person or
    /// a duplicate, ordered as the store's failed-lines index returns them: by retryable flag,
    /// NULL first, then by id), and `attempts` counts earlier lines.
    func load(personKey: String) throws {
        retiredCount.removeAll(keepingCapacity: true)
        failedSlots.removeAll(keepingCapacity: true)
        failed.removeAll(keepingCapacity: true)
        var retryableOrder: [Int64?] = []
        try lines.forEachRetired(personKey: personKey) { r in
            retiredCount[SlotMonth(slot: r.slot, month: r.forMonth), default: 0] += 1
            guard r.state == .failed, r.batchID != batchID else { return }
            failedSlots.insert(SlotMonth(slot: r.slot, month: r.forMonth))
            switch r.reason.flatMap(CanonicalReason.init(rawValue:)) {
            case .deceased?, .duplicate?: return
            case .invalidAccount?, .closed?, .blocked?, .nameMismatch?, .regulatory?, .notCollected?, .other?, nil: break
            }
            failed.append(Failed(id: r.id, slot: EntitlementKind(rawValue: r.slot)!, forMonth: YearMonth(r.forMonth)!, amount: r.amount,
                                 retryable: r.retryable == 1, reason: r.reason ?? "", batchID: r.batchID))
            retryableOrder.append(r.retryable)
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
        try lines.liveBatch(personKey: personKey, slot: slot.rawValue, forMonth: forMonth.description)
    }
}

/// Months (up to 12 back) in which people were left out of a frozen batch, met in personal-ID
/// order alongside the roll walk (a merge: one sorted query, nothing kept but the current person's).
/// A draft can still be rebuilt with them in it, so its exclusions are not carried.
final class ExcludedEarlier {
    private let cursor: BatchExclusions.EarlierCursor
    private var pending: (personalID: String, code: String, month: YearMonth)?

    init(_ db: Database, period: YearMonth) throws {
        cursor = try BatchExclusions.EarlierCursor(db, from: period.adding(months: -12), until: period)
        try advance()
    }

    private func advance() throws {
        pending = try cursor.next()
    }

    /// Stops the query (it may have rows left for people after the last one walked).
    func close() {
        cursor.close()
        pending = nil
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
