import ChiTraCore
import ChiTraSigning
import ChiTraStore
import Foundation
import GRDB

/// What a build did.
public struct BuildSummary: Sendable, Codable {
    public struct Group: Sendable, Codable {
        public var key: String
        public var name: String
        public var count: Int
        public var sum: Int64
    }
    public struct Excluded: Sendable, Codable {
        public var code: String
        public var name: String
        public var village: String
        public var reason: String
        public var reasonVi: String
        public var amountOwed: Int64
    }
    public var id: Int64
    public var period: String
    public var status: BatchStatus
    public var rebuilt: Bool
    public var supplementary: Bool
    public var builtBy: String
    public var lineCount: Int
    public var controlSum: Int64
    public var byKind: [String: Int64]
    public var groups: [Group]
    public var excluded: [Excluded]
    public var alreadyLive: Int
    /// Where those amounts already are, per batch (most first).
    public struct LiveElsewhere: Sendable, Codable, Equatable {
        public var batchID: Int64
        public var period: String
        public var status: BatchStatus
        public var supplementary: Bool
        public var count: Int
        public init(batchID: Int64, period: String, status: BatchStatus, supplementary: Bool, count: Int) {
            self.batchID = batchID; self.period = period; self.status = status; self.supplementary = supplementary; self.count = count
        }
    }
    public var alreadyLiveIn: [LiveElsewhere]
    public var sharedIDs: Int
    public var inputDigest: String
    /// Why a supplementary batch was built (recorded in the audit entry of the build).
    public var reason: String?
    /// Failed payments not carried over because an open return exception holds them.
    public var heldCount: Int
    public var heldSum: Int64
    /// Every open return exception of the store, with its amount (`OpenExceptions`).
    public var openExceptions: [OpenException]
    /// Funeral claims not paid: rejected on the organiser's account and waiting for a new one
    /// (`chitra funeral set-account`), or whose date of death the roll no longer records.
    public var funeralClaimsWaiting: Int = 0
}

/// Builds (or rebuilds) the draft batch for a month from the roll and the tariff.
public struct BatchBuilder {
    public let db: AppDatabase
    public let tariff: Tariff
    public let banks: BankDirectory
    public let payer: Payer

    /// The current month, for the period check; nil: today in Vietnam (UTC+7). Tests and
    /// `chitra batch build --as-of` set it; when set it is recorded in the audit entry.
    public var today: YearMonth?
    /// Told how many roll lines (grants) the walk has read, of all (the CLI's progress line); nil: nobody watches.
    public var progress: ProgressReport?

    public init(db: AppDatabase, tariff: Tariff, banks: BankDirectory, payer: Payer) {
        self.db = db; self.tariff = tariff; self.banks = banks; self.payer = payer
    }

    /// Builds (or rebuilds) the draft for `period`.
    ///
    /// A regular batch is refused for a month more than one month after the current one, or earlier
    /// than the last month whose regular batch was exported. A supplementary batch (for a month whose
    /// regular batch is approved) skips that check but needs a `reason`, recorded in the audit log.
    /// Carry-overs follow `CarryOverRule`.
    public func build(period: YearMonth, by actor: Actor, supplementary: Bool = false, reason: String? = nil) throws -> BuildSummary {
        try actor.require(.maker)
        let engineRef = EntitlementEngine(tariff: tariff)
        let reason = reason.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.flatMap { $0.isEmpty ? nil : $0 }
        if supplementary && reason == nil {
            throw BatchError(Message("batch.build.supplementary_reason", ["period": .text(period.description)]))
        }
        let current = today ?? CivilDate.today().yearMonth
        return try db.writer.write { db in
            if !supplementary { try checkRegularPeriod(db, period: period, current: current) }
            // Who is paid and how much is written only by the roll import, the manual updates and a
            // reported death, which seal it: a person whose details or grants no longer match their
            // seal was changed outside ChiTra.
            let tampered = try PaymentMAC.mismatches(db)
            guard tampered.isEmpty else {
                throw BatchError(Message("batch.build.tampered_people", ["n": .text(tampered.count == 1000 ? "≥ 1000" : String(tampered.count)), "codes": .text(tampered.prefix(20).joined(separator: ", ") + (tampered.count > 20 ? ", …" : ""))]))
            }
            let tamperedClaims = try FuneralClaims.mismatches(db)
            guard tamperedClaims.isEmpty else {
                throw BatchError(Message("batch.build.tampered_claims", ["claims": .text(tamperedClaims.prefix(20).map { "#\($0)" }.joined(separator: ", "))]))
            }
            // 1. The batch row: rebuild a draft in place, refuse to touch a frozen one.
            let live = try Batches.live(db, period: period.description, supplementary: supplementary)
            var batchID: Int64
            var rebuilt = false
            if supplementary {
                guard let regular = try Batches.regular(db, period: period.description), regular.status != .draft else {
                    throw BatchError(Message("batch.build.nothing_to_supplement", ["period": .text(period.description)]))
                }
            }
            if let draft = live.first(where: { $0.status == .draft }) {
                batchID = draft.id
                rebuilt = true
                try Batches.clearDraft(db, id: batchID, builtBy: actor.username, builtByUser: actor.userID, at: Timestamp.now())
            } else if let frozen = live.first, !supplementary {
                throw BatchError(Message("batch.build.frozen", ["batch": .int(Int(frozen.id)), "period": .text(period.description), "status": .text(frozen.status.rawValue)]))
            } else {
                batchID = try Batches.createDraft(db, period: period.description, supplementary: supplementary, builtBy: actor.username,
                                                  builtByUser: actor.userID, at: Timestamp.now())
            }

            // 2. Walk the roll person by person (one personal ID, perhaps several codes).
            let run = try BuildRun(db, builder: self, engine: engineRef, period: period, batchID: batchID, supplementary: supplementary)
            var counter = ProgressCounter(progress, total: progress == nil ? nil : try RollQueries.grantCount(db))
            try RollWalk.forEachPerson(db) { try run.person($0); counter.advance(by: $0.count) }
            counter.finish()
            run.finishWalk()
            // Funeral support, to the organisers of the burials (`FuneralClaims`).
            try run.funeralClaims()
            // A failed or cancelled line is what lets a month be paid again: one whose outcome no
            // longer matches its seal was changed outside ChiTra (a paid line set to failed or
            // cancelled would be paid twice). Nothing is written: the transaction rolls back.
            let unsealed = run.unsealedOutcomes
            guard unsealed.count == 0 else {
                throw BatchError(Message("batch.build.tampered_outcomes", ["n": .int(unsealed.count),
                    "lines": .text(unsealed.lines.joined(separator: ", ") + (unsealed.count > unsealed.lines.count ? ", …" : ""))]))
            }

            // 3. Control totals, checked against the store to the đồng.
            let firstID = try run.staging.insertAll(batchID: batchID) + 1
            // The batch's lines are exactly those inserted above (its earlier lines were deleted
            // first): read them in id order from the first one, not through the batch index in
            // group order (random reads at national scale). The totals per group are the summary's.
            let groupRows = try PayoutLines.groupTotals(db, batchID: batchID, fromID: firstID)
            let storedCount = groupRows.reduce(0) { $0 + $1.count }
            let storedSum = groupRows.reduce(Int64(0)) { $0 + $1.sum }
            guard storedCount == run.lineCount, storedSum == run.controlSum else {
                throw BatchError(Message("batch.build.totals_differ", ["lines": .int(run.lineCount), "sum": .money(run.controlSum)]))
            }
            let lineCount = run.lineCount, controlSum = run.controlSum
            let digest = try run.finalizeDigest()
            try Batches.setTotals(db, id: batchID, lineCount: lineCount, controlSum: controlSum, inputDigest: digest)
            var detail = "period=\(period) lines=\(lineCount) sum=\(controlSum) excluded=\(run.exclusionCount) digest=\(digest)"
            if supplementary { detail += " supplementary=1" }
            if let today { detail += " as_of=\(today)" }
            if run.heldCount > 0 { detail += " held=\(run.heldCount):\(run.heldSum)" }
            if let reason { detail += " reason=\(reason)" }
            try AuditLog.append(db, actor: actor, action: rebuilt ? "batch.rebuild" : "batch.build", entity: "batch", entityID: String(batchID),
                                detail: detail)
            let groups = groupRows
                .map { BuildSummary.Group(key: $0.key, name: run.groupNames[$0.key] ?? $0.key, count: $0.count, sum: $0.sum) }
            let excluded = try BuildSummary.Excluded.all(db, batchID: batchID)
            var elsewhere: [BuildSummary.LiveElsewhere] = []
            for (other, count) in run.alreadyLiveByBatch {
                guard let b = try Batches.record(db, id: other) else { continue }
                elsewhere.append(.init(batchID: other, period: b.period, status: b.status, supplementary: b.supplementary, count: count))
            }
            elsewhere.sort { $0.count != $1.count ? $0.count > $1.count : $0.batchID < $1.batchID }
            return BuildSummary(id: batchID, period: period.description, status: .draft, rebuilt: rebuilt, supplementary: supplementary,
                                builtBy: actor.username, lineCount: lineCount, controlSum: controlSum, byKind: run.byKind, groups: groups,
                                excluded: excluded, alreadyLive: run.alreadyLive, alreadyLiveIn: elsewhere, sharedIDs: run.sharedIDs,
                                inputDigest: digest, reason: reason, heldCount: run.heldCount, heldSum: run.heldSum,
                                openExceptions: try OpenExceptions.all(db), funeralClaimsWaiting: run.funeralWaiting)
        }
    }

    /// A regular batch is for this month or the next, and never for a month before the last one
    /// whose regular batch was exported (what failed since would be carried back in time).
    private func checkRegularPeriod(_ db: Database, period: YearMonth, current: YearMonth) throws {
        let draft = try Batches.regularDraft(db, period: period.description)
        let cancelDraft: MessageArg = .text(draft.map { Message("batch.build.cancel_draft_hint", ["batch": .int(Int($0))]).text() } ?? "")
        if period > current.next {
            throw BatchError(Message("batch.build.period_too_far", ["period": .text(period.description), "months": .int(current.months(to: period)), "current": .text(current.description), "next": .text(current.next.description), "hint": cancelDraft]))
        }
        if let last = try Batches.lastExportedRegular(db), let lastMonth = YearMonth(last.period), period < lastMonth {
            throw BatchError(Message("batch.build.period_in_past", ["batch": .int(Int(last.id)), "last": .text(lastMonth.description), "period": .text(period.description), "hint": cancelDraft]))
        }
    }

    /// A reference unique for ever and stable across rebuilds: derived from the beneficiary code,
    /// the kind, the month paid for and how many earlier lines that person-kind-month had
    /// (a payment sent again after a failure gets a new one); a carry-over also hashes the slot it
    /// carries (allowance and care of one month can both be carried). ≤ 35 characters, [A-Z0-9-].
    public static func reference(code: String, kind: EntitlementKind, forMonth: YearMonth, attempt: Int, slot: EntitlementKind? = nil) throws -> String {
        try PaymentReference.make(code: code, kind: kind, forMonth: forMonth, attempt: attempt, slot: slot)
    }

    /// ASCII slug of a commune name for group keys: "Phường Hương Trà" → "PHUONG-HUONG-TRA".
    public static func slug(_ s: String) -> String {
        VietnameseText.bankForm(s).map { $0.isLetter || $0.isNumber ? String($0) : "-" }.joined()
            .split(separator: "-").joined(separator: "-")
    }
}
