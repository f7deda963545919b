import ChiTraCore

import GRDB

/// An open return exception as the build and the approval show it: what it is about and how much.
public struct OpenException: Sendable, Codable, Equatable {
    public var id: Int64
    public var kind: ReturnExceptionKind
    /// The batch of the payment it is about (nil for a line that matched nothing).
    public var batchID: Int64?
    public var payoutLineID: Int64?
    /// Our reference (the payout line's), else the one the return line gave.
    public var reference: String?
    public var beneficiaryCode: String?
    /// The payout line's amount (what we sent), else the return line's, else nil.
    public var amount: Int64?
    /// True when it holds money (`OpenExceptions.holdingKinds`, about a payment of ours): the
    /// payment is neither carried over nor paid again, and no batch is approved, until it is resolved
    /// (or the checker accepts it with a note).
    public var holdsMoney: Bool
    public var detail: String
}

/// The open return exceptions of the store, and the payments they hold.
///
/// An exception **holds money** when its kind leaves the outcome of one of our payments in
/// question — when a person may still apply the return line to the payment
/// (`chitra exceptions resolve ID --resolution apply`):
/// - `conflicting_outcome`: the payment was settled one way (paid / not paid) and another return
///   says the opposite — e.g. a forged or mistaken file said "rejected" and the bank's real file
///   says "paid";
/// - `amount_differs`, `account_differs`: a return reports an outcome for the payment, but for
///   another amount or account; the outcome was not applied and may yet be.
///
/// The other kinds do not hold money: `duplicate_return` repeats the outcome the payment already
/// has (counted once; a second "rejected" does not make a carry-over wrong, a second "paid" does
/// not make one due); `unknown_reference`, `malformed` and `totals_differ` are about no payment
/// of ours; `cancelled_batch` and `not_exported` are about a payment that was never sent, whose
/// line is not live and is never carried over. They are still listed at build and approval.
public enum OpenExceptions {
    /// `ReturnExceptionKind.holdingMoney`, as stored.
    public static let holdingKinds: Set<String> = Set(ReturnExceptionKind.holdingMoney.map(\.rawValue))

    /// Every open exception, oldest first.
    public static func all(_ db: Database) throws -> [OpenException] {
        try Row.fetchAll(db, sql: """
            SELECT e.id, e.kind, e.batch_id, e.payout_line_id, e.detail, l.reference AS line_ref, r.reference AS return_ref,
                   l.beneficiary_code, l.amount AS line_amount, r.amount AS return_amount
            FROM return_exception e
            LEFT JOIN payout_line l ON l.id = e.payout_line_id
            LEFT JOIN return_line r ON r.id = e.return_line_id
            WHERE e.status = 'open' ORDER BY e.id
            """).map { r in
                let kind: ReturnExceptionKind = try StoredValue.decode(r["kind"], "return_exception.kind")
                let lineID: Int64? = r["payout_line_id"]
                return OpenException(id: r["id"], kind: kind, batchID: r["batch_id"], payoutLineID: lineID,
                                     reference: (r["line_ref"] as String?) ?? (r["return_ref"] as String?),
                                     beneficiaryCode: r["beneficiary_code"],
                                     amount: (r["line_amount"] as Int64?) ?? (r["return_amount"] as Int64?),
                                     holdsMoney: lineID != nil && ReturnExceptionKind.holdingMoney.contains(kind), detail: r["detail"])
            }
    }

    /// The payout lines held by an open exception (a few, usually none: read whole).
    public static func heldLineIDs(_ db: Database) throws -> Set<Int64> {
        let kinds = holdingKinds.sorted()
        return Set(try Int64.fetchAll(db, sql: """
            SELECT payout_line_id FROM return_exception
            WHERE status = 'open' AND payout_line_id IS NOT NULL AND kind IN (\(kinds.map { _ in "?" }.joined(separator: ",")))
            """, arguments: StatementArguments(kinds)))
    }

    /// Open exceptions that hold a payment this batch carries over: raised after the batch was built
    /// (say the bank's real "paid" came after a forged "rejected"), so the carry-over may pay twice.
    public static func heldCarryOvers(_ db: Database, batchID: Int64) throws -> [OpenException] {
        let held = try PayoutQueries.openExceptionsOnCarriedLines(db, batchID: batchID, kinds: holdingKinds)
        guard !held.isEmpty else { return [] }
        let ids = Set(held)
        return try all(db).filter { ids.contains($0.id) }
    }

    /// The payments the open exceptions hold, each counted once (several exceptions may be about one payment).
    public static func heldTotals(_ exceptions: [OpenException]) -> (count: Int, sum: Int64) {
        var seen = Set<Int64>()
        var sum: Int64 = 0
        for e in exceptions where e.holdsMoney {
            guard let id = e.payoutLineID, seen.insert(id).inserted else { continue }
            sum += e.amount ?? 0
        }
        return (seen.count, sum)
    }

    /// One line per exception for a person to read (English, like the rest of the command output).
    public static func sentence(_ e: OpenException) -> String {
        let batch = e.batchID.map { Message("store.open_exception.batch", ["batch": .int(Int($0))]).text() } ?? ""
        let place: MessageArg = .text(batch + (e.reference.map { " \($0)" } ?? "") + (e.beneficiaryCode.map { " \($0)" } ?? ""))
        if let amount = e.amount {
            return Message("store.open_exception.with_amount", ["id": .int(Int(e.id)), "kind": .text(e.kind.rawValue), "where": place, "amount": .money(amount)]).text()
        }
        return Message("store.open_exception.no_amount", ["id": .int(Int(e.id)), "kind": .text(e.kind.rawValue), "where": place]).text()
    }
}
