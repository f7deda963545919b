import ChiTraCore

/// How a payout line's state is stored, and how the state every reader sees
/// (`PayoutLineState`) is read from it.
///
/// A line's own row changes state only when something happens to the line itself: a return
/// settles it (`paid`, `failed`, `pending`) or its batch is cancelled (`cancelled`, which takes it
/// out of the one-live-line index). Until then it stores `draft` and is wherever its batch is:
/// draft, approved or exported (`batch.status`). So approving a batch writes each line's seal but
/// not its state, and exporting it writes one row, the batch's: before, both rewrote every line and
/// its entry in the one-live-line index (issue 16, "a line's state follows its batch").
///
/// Stores written before 7 Dec 2026 hold `approved` and `exported` on lines no return has settled.
/// Those were always written in the transaction that gave the batch the same status, so they equal
/// it, and they are read the same way as `draft`: no migration rewrites a national store's lines.
public enum LineState {
    /// The SQL expression of the state of line `l` whose batch row is `b`, as `PayoutLineState`'s
    /// raw value.
    public static func sql(line l: String = "l", batch b: String = "b") -> String {
        "(CASE WHEN \(l).state IN ('draft','approved','exported') THEN \(b).status ELSE \(l).state END)"
    }

    /// The same, for a query on `payout_line` alone (`l`): the batch's status is looked up by id.
    public static func sqlLookingUpBatch(line l: String = "l") -> String {
        "(CASE WHEN \(l).state IN ('draft','approved','exported') THEN (SELECT status FROM batch WHERE id = \(l).batch_id) ELSE \(l).state END)"
    }
}
