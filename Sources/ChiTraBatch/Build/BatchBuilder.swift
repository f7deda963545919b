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
    public var status: String
    public var rebuilt: Bool
    public var supplementary: Bool
    public var builtBy: String
    public var lineCount: Int
    public var controlSum: Int64
    public var byKind: [String: Int64]
    public var groups: [Group]
    public var excluded: [Excluded]
    public var alreadyLive: Int
    public var sharedIDs: Int
    public var inputDigest: String
}

/// Builds (or rebuilds) the draft batch for a month from the roll and the tariff.
public struct BatchBuilder {
    public let db: AppDatabase
    public let tariff: Tariff
    public let banks: BankDirectory
    public let payer: Payer

    public init(db: AppDatabase, tariff: Tariff, banks: BankDirectory, payer: Payer) {
        self.db = db; self.tariff = tariff; self.banks = banks; self.payer = payer
    }

    public func build(period: YearMonth, by actor: Actor, supplementary: Bool = false) throws -> BuildSummary {
        try actor.require(.maker)
        let engineRef = EntitlementEngine(tariff: tariff)
        return try db.writer.write { db in
            // 1. The batch row: rebuild a draft in place, refuse to touch a frozen one.
            let live = try Row.fetchAll(db, sql: "SELECT * FROM batch WHERE period = ? AND status <> 'cancelled' AND supplementary = ? ORDER BY id",
                                        arguments: [period.description, supplementary ? 1 : 0])
            var batchID: Int64
            var rebuilt = false
            if supplementary {
                let regular = try Row.fetchOne(db, sql: "SELECT id, status FROM batch WHERE period = ? AND status <> 'cancelled' AND supplementary = 0", arguments: [period.description])
                guard let regular, (regular["status"] as String) != "draft" else {
                    throw BatchError("there is no approved batch for \(period) to supplement", remedy: "build the regular batch first: chitra batch build --period \(period)")
                }
            }
            if let draft = live.first(where: { ($0["status"] as String) == "draft" }) {
                batchID = draft["id"]
                rebuilt = true
                try db.execute(sql: "DELETE FROM payout_line WHERE batch_id = ?", arguments: [batchID])
                try db.execute(sql: "DELETE FROM batch_exclusion WHERE batch_id = ?", arguments: [batchID])
                try db.execute(sql: "UPDATE batch SET built_by = ?, built_by_user = ?, built_at = ? WHERE id = ?", arguments: [actor.username, actor.userID, Timestamp.now(), batchID])
            } else if let frozen = live.first, !supplementary {
                let st: String = frozen["status"]
                let id: Int64 = frozen["id"]
                throw BatchError("batch #\(id) for \(period) is already \(st) and frozen; building again would risk paying people twice",
                                 remedy: "to add people who became payable since, build a supplementary batch: chitra batch build --period \(period) --supplementary; to start over, cancel #\(id) first (only before export)")
            } else {
                try db.execute(sql: "INSERT INTO batch(period, supplementary, status, built_by, built_by_user, built_at) VALUES (?, ?, 'draft', ?, ?, ?)",
                               arguments: [period.description, supplementary ? 1 : 0, actor.username, actor.userID, Timestamp.now()])
                batchID = db.lastInsertedRowID
            }

            // 2. Walk the roll person by person (one personal ID, perhaps several codes).
            let run = try BuildRun(db, builder: self, engine: engineRef, period: period, batchID: batchID)
            try RollWalk.forEachPerson(db) { try run.person($0) }
            run.finishWalk()

            // 3. Control totals, checked against the store to the đồng.
            let firstID = try run.staging.insertAll(batchID: batchID) + 1
            // The batch's lines are exactly those inserted above (its earlier lines were deleted
            // first): read them in id order from the first one, not through the batch index in
            // group order (random reads at national scale). The totals per group are the summary's.
            let groupRows = try Row.fetchAll(db, sql: """
                SELECT group_key, count(*) AS n, sum(amount) AS s FROM payout_line WHERE id >= ? AND +batch_id = ?
                GROUP BY group_key ORDER BY group_key
                """, arguments: [firstID, batchID])
            let storedCount = groupRows.reduce(0) { $0 + ($1["n"] as Int) }
            let storedSum = groupRows.reduce(Int64(0)) { $0 + ($1["s"] as Int64) }
            guard storedCount == run.lineCount, storedSum == run.controlSum else {
                throw BatchError("control totals differ between the build (\(run.lineCount) lines, \(run.controlSum) đồng) and the store; nothing was saved")
            }
            let lineCount = run.lineCount, controlSum = run.controlSum
            let digest = try run.finalizeDigest()
            try db.execute(sql: "UPDATE batch SET line_count = ?, control_sum = ?, input_digest = ? WHERE id = ?",
                           arguments: [lineCount, controlSum, digest, batchID])
            try AuditLog.append(db, actor: actor, action: rebuilt ? "batch.rebuild" : "batch.build", entity: "batch", entityID: String(batchID),
                                detail: "period=\(period) lines=\(lineCount) sum=\(controlSum) excluded=\(run.exclusionCount) digest=\(digest)")
            let groups = groupRows
                .map { BuildSummary.Group(key: $0["group_key"], name: run.groupNames[$0["group_key"] as String] ?? $0["group_key"], count: $0["n"], sum: $0["s"]) }
            let excluded = try BuildSummary.Excluded.all(db, batchID: batchID)
            return BuildSummary(id: batchID, period: period.description, status: "draft", rebuilt: rebuilt, supplementary: supplementary,
                                builtBy: actor.username, lineCount: lineCount, controlSum: controlSum, byKind: run.byKind, groups: groups,
                                excluded: excluded, alreadyLive: run.alreadyLive, sharedIDs: run.sharedIDs, inputDigest: digest)
        }
    }

    /// A reference unique for ever and stable across rebuilds: derived from the beneficiary code,
    /// the kind, the month paid for and how many earlier lines that person-kind-month had
    /// (a payment sent again after a failure gets a new one); a carry-over also hashes the slot it
    /// carries (allowance and care of one month can both be carried). ≤ 35 characters, [A-Z0-9-].
    public static func reference(code: String, kind: EntitlementKind, forMonth: YearMonth, attempt: Int, slot: EntitlementKind? = nil) -> String {
        PaymentReference.make(code: code, kind: kind, forMonth: forMonth, attempt: attempt, slot: slot)
    }

    /// ASCII slug of a commune name for group keys: "Phường Hương Trà" → "PHUONG-HUONG-TRA".
    public static func slug(_ s: String) -> String {
        VietnameseText.bankForm(s).map { $0.isLetter || $0.isNumber ? String($0) : "-" }.joined()
            .split(separator: "-").joined(separator: "-")
    }
}
