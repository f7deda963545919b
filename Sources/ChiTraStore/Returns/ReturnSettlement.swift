import ChiTraCore
import GRDB

/// A return's outcome written onto a payout line: the line's state and its `result_*` columns.
public enum ReturnSettlement {
    /// The payout line state an outcome settles a line to: `paid`, `failed`, `pending`.
    public static func lineState(_ outcome: ReturnOutcome) -> PayoutLineState {
        switch outcome {
        case .paid: return .paid
        case .rejected: return .failed
        case .pending: return .pending
        }
    }

    /// The outcome a payout line state records, nil for a line no return has settled.
    public static func outcome(ofLineState state: String) -> ReturnOutcome? {
        switch state {
        case "paid": return .paid
        case "failed": return .rejected
        case "pending": return .pending
        default: return nil
        }
    }

    /// A settlement is written by two statements with the same arguments (`?1` the state, `?9` the
    /// line), the first one always, the second only when the first changed no row:
    /// - `settleKeepingRetiredSQL` when the line's `retired` flag already agrees with the new state
    ///   (a live line paid or pending, a failed line failed again): it does not name `retired`;
    /// - `settleRetiringSQL` when the flag changes with it (a live line failed, a failed line found
    ///   paid after all).
    /// Why two: SQLite rewrites a partial index's entry whenever an UPDATE names a column the
    /// index's WHERE reads, even to the same value. The one-live-line index reads `retired`
    /// (`Schema.v8RetiredLines`), so a statement naming it would delete and reinsert every paid
    /// line's entry; the first statement never names it, and the store's CHECK refuses any state
    /// written without its flag. Both write the line's outcome seal (`sealSQL`).
    static let settleKeepingRetiredSQL = """
        UPDATE payout_line SET state = ?1, result_reason = ?2, result_reason_code = ?3, result_retryable = ?4,
               result_receiver = ?5, result_date = ?6, result_return_line = ?7, result_at = ?8, \(sealSQL)
        WHERE id = ?9 AND retired = (?1 = 'failed')
        """
    static let settleRetiringSQL = """
        UPDATE payout_line SET state = ?1, retired = (?1 = 'failed'), result_reason = ?2, result_reason_code = ?3, result_retryable = ?4,
               result_receiver = ?5, result_date = ?6, result_return_line = ?7, result_at = ?8, \(sealSQL) WHERE id = ?9
        """
    /// A failed line's outcome sealed (`OutcomeSeal`), over the values written (`?1` the state,
    /// `?2` `?3` `?4` the reason, its code and the retryable flag, `?7` the return line); a paid
    /// or pending line is live and has none.
    private static let sealSQL = "retired_seal = CASE WHEN ?1 = 'failed' THEN \(OutcomeSeal.expression(outcome: ["?1", "?2", "?3", "?4", "?7"])) END"

    /// Applies recorded return line `returnLineID` to payout line `lineID` (an exception resolved
    /// with `apply`), and marks the return line applied.
    public static func apply(_ db: Database, returnLine rl: ReturnLines.Recorded, toLine lineID: Int64, at now: String) throws {
        let arguments: StatementArguments = [lineState(rl.outcome).rawValue, rl.reason, rl.reasonCode, rl.retryable, rl.receiver,
                                             rl.date, rl.id, now, lineID]
        try db.execute(sql: settleKeepingRetiredSQL, arguments: arguments)
        if db.changesCount == 0 { try db.execute(sql: settleRetiringSQL, arguments: arguments) }
        try ReturnLines.setResult(db, id: rl.id, .applied)
    }
}

/// The recorded lines of return files (`return_line`).
public enum ReturnLines {
    /// A return line as recorded, with the columns applying it needs (as stored).
    public struct Recorded: Sendable {
        public var id: Int64
        public var outcome: ReturnOutcome
        /// The canonical reason's raw value, as stored.
        public var reason: String?
        public var reasonCode: String?
        public var retryable: Int?
        public var receiver: String?
        public var date: String?
    }

    public static func recorded(_ db: Database, id: Int64) throws -> Recorded? {
        try Row.fetchOne(db, sql: "SELECT id, outcome, reason, reason_code, retryable, receiver, date FROM return_line WHERE id = ?", arguments: [id]).map {
            Recorded(id: $0["id"], outcome: ReturnOutcome(rawValue: $0["outcome"]) ?? .pending, reason: $0["reason"], reasonCode: $0["reason_code"],
                     retryable: $0["retryable"], receiver: $0["receiver"], date: $0["date"])
        }
    }

    /// Sets what became of a return line.
    public static func setResult(_ db: Database, id: Int64, _ result: ReturnLineResult) throws {
        try db.cachedStatement(sql: "UPDATE return_line SET result = ? WHERE id = ?").execute(arguments: [result.rawValue, id])
    }

    /// Up to three names of the earlier return files (not `fileID`) whose lines were applied to
    /// these payout lines, in file order.
    public static func earlierFiles(_ db: Database, payoutLines: [Int64], except fileID: Int64) throws -> [String] {
        var names: [String] = []
        for id in payoutLines {
            for n in try String.fetchAll(db.cachedStatement(sql: """
                SELECT DISTINCT f.name FROM return_line r JOIN import_file f ON f.id = r.file_id
                WHERE r.payout_line_id = ? AND r.file_id <> ? AND r.result = 'applied' ORDER BY f.id
                """), arguments: [id, fileID]) where !names.contains(n) {
                names.append(n)
            }
            if names.count >= 3 { break }
        }
        return Array(names.prefix(3))
    }
}
