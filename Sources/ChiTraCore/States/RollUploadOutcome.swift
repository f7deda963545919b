/// What became of a roll file uploaded in the browser (`roll_import_result.outcome`).
public enum RollUploadOutcome: String, Sendable, Codable, CaseIterable {
    /// Imported: its accepted lines are in the roll (the import has an `import_file` row).
    case applied
    /// `strict` was asked and some line was rejected: nothing was applied.
    case strictRefused = "strict_refused"
    /// Every line was rejected, or the file had none: nothing was applied.
    case nothingApplied = "nothing_applied"
    /// Refused whole before any line counted (dates written month first): nothing was applied.
    case fileRefused = "file_refused"
}
