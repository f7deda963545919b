import ChiTraBatch
import ChiTraCore
import ChiTraStore
import Foundation
import GRDB

/// Which of our batches a payout message id names. Our pain.001 files carry the same id as
/// `MsgId` and `PmtInfId` (`BatchExporter.messageID`: `CT202612-B000001-970418` for batch 1 of
/// 12/2026 to BIDV); a bank's return names it in `OrgnlMsgId` / `OrgnlPmtInfId`. An id is ours
/// only when it is exactly the id of one of the batch's payout groups: anything else (another
/// sender's file, a mistyped id) names no batch.
struct OriginalBatches {
    let db: Database
    private var known: [String: Int64?] = [:]

    init(db: Database) { self.db = db }

    mutating func batch(of id: String) throws -> Int64? {
        if let hit = known[id] { return hit }
        let found = try Self.lookup(db, id)
        known[id] = .some(found)
        return found
    }

    /// `CT` + YYYYMM + `-B` + the batch id (six digits or more) + `-` + the group's suffix.
    private static func lookup(_ db: Database, _ id: String) throws -> Int64? {
        let parts = id.split(separator: "-", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].hasPrefix("CT"), parts[1].hasPrefix("B"), parts[1].count >= 7, parts[1].count <= 19,
              parts[1].dropFirst().allSatisfy({ $0.isASCII && $0.isNumber }), let batchID = Int64(parts[1].dropFirst()),
              let groups = try PayoutQueries.batchGroups(db, batchID: batchID), let period = YearMonth(groups.period) else { return nil }
        return groups.groupKeys.contains { BatchExporter.messageID(period: period, batchID: batchID, groupKey: $0) == id } ? batchID : nil
    }
}
