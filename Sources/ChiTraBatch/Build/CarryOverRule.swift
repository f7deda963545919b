import ChiTraCore
import ChiTraStore
import GRDB

/// Which failed payments a build sends again (carries over). The rule, also in README.md
/// ("Carry-overs") and ops/runbook.md:
///
/// A payment that failed (retryably, or on an account since corrected) in a batch for month M is
/// carried into the **first regular batch after M that can still take it**: a regular build for
/// month P takes it when M < P and no other regular draft exists for a month between M and P (that
/// earlier draft takes it when it is built or rebuilt). A supplementary batch never takes a
/// carry-over (it only pays people who became payable for its own month), and a regular batch is
/// never built more than one month ahead (`BatchBuilder.build`), so a far-future batch cannot
/// take them either. Once a carry-over is in a frozen batch it is live and is not carried again;
/// if the failure is reported after the next month's batch was approved, the month after takes it.
///
/// A payment held by an open return exception (`OpenExceptions.holdingKinds`) is not carried
/// until the exception is resolved; the build reports it as held.
struct CarryOverRule {
    enum Verdict { case carry, held, notHere }

    let period: YearMonth
    let supplementary: Bool
    /// The month of every batch: a failed line belongs to the month of the batch it failed in.
    private let batchPeriods: [Int64: YearMonth]
    /// The latest other regular draft for a month before `period`.
    let earlierDraft: YearMonth?
    /// Payout lines held by an open exception.
    private let held: Set<Int64>

    init(_ db: Database, period: YearMonth, batchID: Int64, supplementary: Bool) throws {
        self.period = period
        self.supplementary = supplementary
        var periods: [Int64: YearMonth] = [:]
        var earlier: YearMonth?
        for r in try PayoutQueries.batchPeriods(db) {
            let id = r.id
            guard let p = YearMonth(r.period) else { continue }
            periods[id] = p
            if id != batchID, r.status == .draft, !r.supplementary, p < period, earlier.map({ p > $0 }) ?? true {
                earlier = p
            }
        }
        batchPeriods = periods
        earlierDraft = earlier
        held = supplementary ? [] : try OpenExceptions.heldLineIDs(db)
    }

    /// What this build does with a failed line that could be sent again.
    func verdict(lineID: Int64, failedInBatch batch: Int64) -> Verdict {
        guard !supplementary, let m = batchPeriods[batch], m < period else { return .notHere }
        if let d = earlierDraft, d > m { return .notHere }
        return held.contains(lineID) ? .held : .carry
    }
}
