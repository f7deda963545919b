/// What became of one return line (stored as the raw value in `return_line.result`).
public enum ReturnLineResult: String, Sendable, Codable, CaseIterable {
    /// Its outcome was written onto the payout line.
    case applied
    /// It repeated a pending outcome the payout line already had.
    case unchanged
    /// It waits for a person (`return_exception`).
    case exception
}
