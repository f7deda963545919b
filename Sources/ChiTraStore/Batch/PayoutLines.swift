import ChiTraCore
import GRDB

/// A batch's payout lines, as a batch sees them: totals, state changes, and the lines a file is made of.
public enum PayoutLines {
    /// A payout group's number of lines and sum (one payout file).
    public struct GroupTotal: Sendable, Equatable {
        public var key: String
        public var count: Int
        public var sum: Int64
    }

    /// A batch's just-inserted lines (ids from `firstID` on) counted and summed per group, in group
    /// order. They are read in id order, not through the batch index in group order (random reads
    /// at national scale).
    public static func groupTotals(_ db: Database, batchID: Int64, fromID firstID: Int64) throws -> [GroupTotal] {
        try Row.fetchAll(db, sql: """
            SELECT group_key, count(*) AS n, sum(amount) AS s FROM payout_line WHERE id >= ? AND +batch_id = ?
            GROUP BY group_key ORDER BY group_key
            """, arguments: [firstID, batchID]).map { GroupTotal(key: $0["group_key"], count: $0["n"], sum: $0["s"]) }
    }

    /// Every group of the batch with its totals, in group order; nil when SQLite cannot add the
    /// amounts up (an integer overflow).
    public static func groupTotalsIfSummable(_ db: Database, batchID: Int64) throws -> [GroupTotal]? {
        do {
            return try Row.fetchAll(db, sql: """
                SELECT group_key, count(*), sum(amount) FROM payout_line WHERE batch_id = ? GROUP BY group_key ORDER BY group_key
                """, arguments: [batchID]).map { GroupTotal(key: $0[0], count: $0[1], sum: $0[2]) }
        } catch let error as DatabaseError where error.resultCode == .SQLITE_ERROR {
            return nil
        }
    }

    /// A group's totals with its channel (the smallest channel name of its lines).
    public struct GroupChannelTotal: Sendable {
        public var key: String
        public var channel: String
        public var count: Int
        public var sum: Int64
    }

    public static func groupChannelTotals(_ db: Database, batchID: Int64) throws -> [GroupChannelTotal] {
        try Row.fetchAll(db, sql: "SELECT group_key, min(channel) AS channel, count(*) AS n, sum(amount) AS s FROM payout_line WHERE batch_id = ? GROUP BY group_key ORDER BY group_key",
                         arguments: [batchID])
            .map { GroupChannelTotal(key: $0["group_key"], channel: $0["channel"], count: $0["n"], sum: $0["s"]) }
    }

    /// Totals per group and kind of line, in that order.
    public struct KindTotal: Sendable {
        public var group: String
        public var kind: String
        public var count: Int
        public var sum: Int64
    }

    public static func kindTotals(_ db: Database, batchID: Int64) throws -> [KindTotal] {
        try Row.fetchAll(db, sql: "SELECT group_key, kind, count(*) AS n, sum(amount) AS s FROM payout_line WHERE batch_id = ? GROUP BY group_key, kind ORDER BY group_key, kind",
                         arguments: [batchID])
            .map { KindTotal(group: $0["group_key"], kind: $0["kind"], count: $0["n"], sum: $0["s"]) }
    }

    /// The batch's lines counted by state, as every reader sees it (`LineState`): a line of an
    /// exported batch that no return has settled counts as exported.
    public static func stateCounts(_ db: Database, batchID: Int64) throws -> [PayoutLineState: Int] {
        var counts: [PayoutLineState: Int] = [:]
        for r in try Row.fetchAll(db, sql: """
            SELECT \(LineState.sql()) AS state, count(*) AS n FROM payout_line l JOIN batch b ON b.id = l.batch_id
            WHERE l.batch_id = ? GROUP BY 1
            """, arguments: [batchID]) {
            counts[try StoredValue.decode(r["state"], "payout_line.state")] = r["n"]
        }
        return counts
    }

    /// The state of the line with `reference`, as every reader sees it (`LineState`); nil when no
    /// line has it.
    public static func state(_ db: Database, reference: String) throws -> PayoutLineState? {
        try String.fetchOne(db, sql: "SELECT \(LineState.sql()) FROM payout_line l JOIN batch b ON b.id = l.batch_id WHERE l.reference = ?",
                            arguments: [reference]).map { try StoredValue.decode($0, "payout_line.state") }
    }

    /// Whether the batch has any line.
    public static func exist(_ db: Database, batchID: Int64) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM payout_line WHERE batch_id = ?)", arguments: [batchID]) ?? false
    }

    /// The ids of the batch's lines, lowest to highest (nil: no line). A batch's lines were
    /// inserted together, so they lie in this one range: a pass over `id BETWEEN lo AND hi AND
    /// +batch_id = ?` reads them in table order, where the batch index would visit them group by
    /// group, all over the table. (Lines of another batch inside the range are skipped by the
    /// batch test, so the range is only a speed-up, never a condition.)
    public static func idRange(_ db: Database, batchID: Int64) throws -> ClosedRange<Int64>? {
        let range = try Row.fetchOne(db, sql: "SELECT min(id) AS lo, max(id) AS hi FROM payout_line WHERE batch_id = ?", arguments: [batchID])!
        guard let lo = range["lo"] as Int64?, let hi = range["hi"] as Int64? else { return nil }
        return lo...hi
    }

    /// The commune of the person on a group's first line (by reference), or nil for an empty group.
    public static func firstCommune(_ db: Database, batchID: Int64, groupKey: String) throws -> String? {
        try String.fetchOne(db, sql: """
            SELECT b.commune FROM payout_line l JOIN beneficiary b ON b.code = l.beneficiary_code
            WHERE l.batch_id = ? AND l.group_key = ? ORDER BY l.reference LIMIT 1
            """, arguments: [batchID, groupKey])
    }

    /// A payout line with what the payout files need of its beneficiary.
    public struct FileLine: Sendable {
        public var reference: String
        public var beneficiaryCode: String
        public var kind: String
        public var slot: String
        public var forMonth: String
        public var amount: Int64
        public var channel: String
        public var bankBIN: String?
        public var accountNo: String?
        public var accountName: String?
        public var payeeName: String
        public var payeeRelation: String?
        public var fullName: String
        public var personalID: String
        public var commune: String
        public var village: String
        public var address: String
        public var phone: String
    }

    /// A group's lines in reference order, with their beneficiaries; one at a time.
    public static func forEachFileLine(_ db: Database, batchID: Int64, groupKey: String, _ body: (FileLine) throws -> Void) throws {
        let rows = try Row.fetchCursor(db, sql: """
            SELECT l.reference, l.beneficiary_code, l.kind, l.slot, l.for_month, l.amount, l.channel, l.bank_bin,
                   l.account_no, l.account_name, l.payee_name, l.payee_relation,
                   b.full_name, b.personal_id, b.commune, b.village, b.address, b.phone
            FROM payout_line l JOIN beneficiary b ON b.code = l.beneficiary_code
            WHERE l.batch_id = ? AND l.group_key = ? ORDER BY l.reference
            """, arguments: [batchID, groupKey])
        while let r = try rows.next() {
            try body(FileLine(reference: r[0], beneficiaryCode: r[1], kind: r[2], slot: r[3], forMonth: r[4], amount: r[5],
                              channel: r[6], bankBIN: r[7], accountNo: r[8], accountName: r[9], payeeName: r[10], payeeRelation: r[11],
                              fullName: r[12], personalID: r[13], commune: r[14], village: r[15], address: r[16], phone: r[17]))
        }
    }
}
