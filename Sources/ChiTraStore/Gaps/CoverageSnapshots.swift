import GRDB

/// The monthly coverage snapshots (`coverage_snapshot`): one figure per place and month.
public enum CoverageSnapshots {
    /// The latest month (`YYYY-MM`) before `month` that has a snapshot.
    public static func latestMonth(_ db: Database, before month: String) throws -> String? {
        try String.fetchOne(db, sql: "SELECT max(month) FROM coverage_snapshot WHERE month < ?", arguments: [month])
    }

    /// Every place's figure stored for `month`.
    public static func figures(_ db: Database, month: String) throws -> [CoveragePlaceCount] {
        try Row.fetchAll(db, sql: "SELECT * FROM coverage_snapshot WHERE month = ?", arguments: [month]).map {
            CoveragePlaceCount(commune: $0["commune"], village: $0["village"], noncash: $0["noncash"], total: $0["total"])
        }
    }

    /// Stores a place's figure for `month`, replacing an earlier one of the same month.
    public static func store(_ db: Database, month: String, commune: String, village: String, noncash: Int, total: Int, at: String) throws {
        let upsert = try db.cachedStatement(sql: """
            INSERT INTO coverage_snapshot(month, commune, village, noncash, total, taken_at) VALUES (?,?,?,?,?,?)
            ON CONFLICT(month, commune, village) DO UPDATE SET noncash = excluded.noncash, total = excluded.total, taken_at = excluded.taken_at
            """)
        try upsert.execute(arguments: [month, commune, village, noncash, total, at])
    }
}
