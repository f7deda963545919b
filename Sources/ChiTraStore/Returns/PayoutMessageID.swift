import ChiTraCore
import ChiTraSigning
import Foundation
import GRDB

/// The id of one of our payout files: its pain.001 carries it as `MsgId` and `PmtInfId`; a bank's
/// return names it in `OrgnlMsgId` / `OrgnlPmtInfId`. The export writes it and the returns read
/// it back, so the rule lives in one place (here, beside the batch it names).
public enum PayoutMessageID {
    /// ≤ 35 characters: `CT202612-B000001-970405` for a bank, `CT202612-B000001-P1A2B3C4` for a post-office group.
    public static func make(period: YearMonth, batchID: Int64, groupKey: String) -> String {
        let suffix = groupKey.hasPrefix("BANK-") ? String(groupKey.dropFirst(5))
            : "P" + FileDigest.sha256Hex(Data(groupKey.utf8)).prefix(8).uppercased()
        return "CT\(period.compact)-B\(String(format: "%06lld", batchID))-\(suffix)"
    }

    /// The batch whose payout file carries `id`, or nil. `CT` + YYYYMM + `-B` + the batch id (six
    /// digits or more) + `-` + the group's suffix; an id is ours only when it is exactly the id of
    /// one of the batch's payout groups: anything else (another sender's file, a mistyped id) names
    /// no batch.
    public static func batch(_ db: Database, of id: String) throws -> Int64? {
        let parts = id.split(separator: "-", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].hasPrefix("CT"), parts[1].hasPrefix("B"), parts[1].count >= 7, parts[1].count <= 19,
              parts[1].dropFirst().allSatisfy({ $0.isASCII && $0.isNumber }), let batchID = Int64(parts[1].dropFirst()),
              let groups = try PayoutQueries.batchGroups(db, batchID: batchID), let period = YearMonth(groups.period) else { return nil }
        return groups.groupKeys.contains { make(period: period, batchID: batchID, groupKey: $0) == id } ? batchID : nil
    }
}
