import ChiTraCore
import GRDB

/// What the official paper is printed from (the post office's payment list, the periodic report
/// sent up): SQL stays in the store.
public enum PaperQueries {
    /// A batch's header as the paper names it.
    public struct BatchHeader: Sendable {
        public var id: Int64
        public var period: String
        public var status: BatchStatus
        public var supplementary: Bool
        public var lineCount: Int
        public var controlSum: Int64

        public init(id: Int64, period: String, status: BatchStatus, supplementary: Bool, lineCount: Int, controlSum: Int64) {
            self.id = id; self.period = period; self.status = status; self.supplementary = supplementary
            self.lineCount = lineCount; self.controlSum = controlSum
        }
    }

    /// One post-office payment (cash or post account) with what the list prints of its person.
    public struct PostLine: Sendable {
        public var reference: String
        public var groupKey: String
        public var code: String
        public var fullName: String
        /// `YYYY-MM-DD`, or a year alone for people whose roll gives only the year.
        public var birthDate: String
        public var commune: String
        public var village: String
        public var address: String
        public var channel: Channel
        public var accountNo: String?
        public var payeeName: String
        public var payeeRelation: String?
        public var kind: String
        public var slot: String
        public var forMonth: String
        public var amount: Int64

        public init(reference: String, groupKey: String, code: String, fullName: String, birthDate: String, commune: String,
                    village: String, address: String, channel: Channel, accountNo: String?, payeeName: String, payeeRelation: String?,
                    kind: String, slot: String, forMonth: String, amount: Int64) {
            self.reference = reference; self.groupKey = groupKey; self.code = code; self.fullName = fullName; self.birthDate = birthDate
            self.commune = commune; self.village = village; self.address = address; self.channel = channel; self.accountNo = accountNo
            self.payeeName = payeeName; self.payeeRelation = payeeRelation; self.kind = kind; self.slot = slot; self.forMonth = forMonth
            self.amount = amount
        }
    }

    public static func batch(_ db: Database, id: Int64) throws -> BatchHeader? {
        try Row.fetchOne(db, sql: "SELECT id, period, status, supplementary, line_count, control_sum FROM batch WHERE id = ?", arguments: [id]).map {
            BatchHeader(id: $0[0], period: $0[1], status: try StoredValue.decode($0[2], "batch.status"), supplementary: ($0[3] as Int) == 1, lineCount: $0[4], controlSum: $0[5])
        }
    }

    /// The batch's post-office payments (channels `post_cash` and `post_account`), every one,
    /// whatever the returns later said: the list is what was sent to be paid.
    public static func postLines(_ db: Database, batchID: Int64) throws -> [PostLine] {
        try Row.fetchAll(db, sql: """
            SELECT l.reference, l.group_key, l.beneficiary_code, b.full_name, b.birth_date, b.commune, b.village, b.address,
                   l.channel, l.account_no, l.payee_name, l.payee_relation, l.kind, l.slot, l.for_month, l.amount
            FROM payout_line l JOIN beneficiary b ON b.code = l.beneficiary_code
            WHERE l.batch_id = ? AND l.channel <> 'bank'
            ORDER BY l.reference
            """, arguments: [batchID]).map {
                PostLine(reference: $0[0], groupKey: $0[1], code: $0[2], fullName: $0[3], birthDate: $0[4], commune: $0[5], village: $0[6],
                         address: $0[7], channel: try StoredValue.decode($0[8], "payout_line.channel"), accountNo: $0[9], payeeName: $0[10], payeeRelation: $0[11], kind: $0[12],
                         slot: $0[13], forMonth: $0[14], amount: $0[15])
            }
    }

    /// Lines of exported batches whose month paid is in `from…to` (`YYYY-MM`), added up per
    /// person, category, slot, channel and outcome (`paid`, `failed`, `pending`, `exported` =
    /// no answer yet).
    public struct PeriodCell: Sendable {
        public var code: String
        public var category: String
        public var slot: String
        public var channel: Channel
        public var state: PayoutLineState
        public var count: Int
        public var sum: Int64
    }

    public static func periodCells(_ db: Database, from: String, to: String) throws -> [PeriodCell] {
        try Row.fetchAll(db, sql: """
            SELECT l.beneficiary_code, l.category, l.slot, l.channel, \(LineState.sql()) AS state, count(*), sum(l.amount)
            FROM payout_line l JOIN batch b ON b.id = l.batch_id
            WHERE b.status = 'exported' AND b.period >= ? AND b.period <= ?
            GROUP BY l.beneficiary_code, l.category, l.slot, l.channel, state
            ORDER BY l.beneficiary_code, l.category, l.slot, l.channel, state
            """, arguments: [from, to]).map {
                PeriodCell(code: $0[0], category: $0[1], slot: $0[2], channel: try StoredValue.decode($0[3], "payout_line.channel"),
                           state: try StoredValue.decode($0[4], "payout_line.state"), count: $0[5], sum: $0[6])
            }
    }

    /// The exported batches of the months `from…to`: how many, their lines and their total (the
    /// batch headers, which the report's figures must add up to).
    public static func periodBatches(_ db: Database, from: String, to: String) throws -> (batches: Int, lines: Int, sum: Int64) {
        let r = try Row.fetchOne(db, sql: """
            SELECT count(*), coalesce(sum(line_count), 0), coalesce(sum(control_sum), 0) FROM batch
            WHERE status = 'exported' AND period >= ? AND period <= ?
            """, arguments: [from, to])!
        return (r[0], r[1], r[2])
    }

    /// The roll's communes (the store serves one commune or ward; the paper names it).
    public static func communes(_ db: Database) throws -> [String] {
        try String.fetchAll(db, sql: "SELECT DISTINCT commune FROM beneficiary ORDER BY commune")
    }
}
