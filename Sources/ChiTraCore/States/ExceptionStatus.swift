/// Where a return exception stands (stored as the raw value in `return_exception.status`).
public enum ExceptionStatus: String, Sendable, Codable, CaseIterable {
    /// Waiting for a person.
    case open
    /// Resolved with a note (applied or dismissed).
    case resolved
}
