/// What a return file says happened to one payment (stored as the raw value in
/// `return_line.outcome`). A payout line it is applied to becomes `paid`, `failed` or `pending`.
public enum ReturnOutcome: String, Sendable, Codable, CaseIterable {
    case paid, rejected, pending
}
