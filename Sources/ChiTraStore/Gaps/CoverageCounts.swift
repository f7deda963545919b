import ChiTraCore
import GRDB

/// One place's non-cash count: people with a usable non-cash channel, of all active people.
public struct CoveragePlaceCount: Sendable {
    public var commune: String
    public var village: String
    public var noncash: Int
    public var total: Int
}

/// Non-cash coverage counted in the store, village by village.
public enum CoverageCounts {
    /// Condition: a usable non-cash channel (an account, not rejected by the last returns).
    static let usableNonCash = """
        channel IN ('bank','post_account') AND account_no IS NOT NULL AND account_no <> ''
        AND (channel <> 'bank' OR bank_bin IS NOT NULL) AND account_flag IS NULL
        """

    /// Per village (commune and village as stored): the people active on `asOf` (status active,
    /// not dead on that day) and how many of them have a usable non-cash channel.
    public static func activeByVillage(_ db: Database, asOf: CivilDate) throws -> [CoveragePlaceCount] {
        try Row.fetchAll(db, sql: """
            SELECT commune, village, count(*) AS total, sum(CASE WHEN \(usableNonCash) THEN 1 ELSE 0 END) AS noncash
            FROM beneficiary
            WHERE status = 'active' AND (death_date IS NULL OR death_date > ?)
            GROUP BY commune, village
            """, arguments: [asOf.description]).map {
                CoveragePlaceCount(commune: $0["commune"], village: $0["village"], noncash: $0["noncash"], total: $0["total"])
            }
    }
}
