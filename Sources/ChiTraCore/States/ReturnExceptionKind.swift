/// Why a return line (or a whole return file) needs a person (stored as the raw value in
/// `return_exception.kind`).
public enum ReturnExceptionKind: String, Sendable, Codable, CaseIterable {
    /// A transaction or line that could not be read, or a message rejected as a whole.
    case malformed
    /// A reference that is none of our payout lines.
    case unknownReference = "unknown_reference"
    /// A payment of a cancelled batch.
    case cancelledBatch = "cancelled_batch"
    /// A payment of a batch not exported.
    case notExported = "not_exported"
    /// Another amount than we sent.
    case amountDiffers = "amount_differs"
    /// Another account than we sent to.
    case accountDiffers = "account_differs"
    /// The outcome the payment already has, reported again.
    case duplicateReturn = "duplicate_return"
    /// The opposite of the outcome the payment already has.
    case conflictingOutcome = "conflicting_outcome"
    /// A totals row that does not add up.
    case totalsDiffer = "totals_differ"

    /// The kinds that hold money (`OpenExceptions`): the outcome of one of our payments is in question.
    public static let holdingMoney: Set<ReturnExceptionKind> = [.conflictingOutcome, .amountDiffers, .accountDiffers]
}
