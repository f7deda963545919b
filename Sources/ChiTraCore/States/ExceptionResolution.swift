/// How a return exception was resolved (stored as the raw value in `return_exception.resolution`).
public enum ExceptionResolution: String, Sendable, Codable, CaseIterable {
    /// The return line's outcome was applied to the payment after checking with the bank.
    case applied
    /// Nothing changed; the note says why.
    case dismissed
}
