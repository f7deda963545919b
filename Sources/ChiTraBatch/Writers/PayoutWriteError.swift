/// Why a writer refused to produce a payout file.
///
/// Messages name the line (1-based position and reference) and the field, never the personal
/// data itself, so they can be logged and shown to finance staff.
public enum PayoutWriteError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Where a problem is: the document header, or one line.
    public enum Place: Sendable, Equatable, CustomStringConvertible {
        case document
        case line(number: Int, reference: String)
        public var description: String {
            switch self {
            case .document: return "document"
            case .line(let n, let ref): return "line \(n) (reference \(ref.isEmpty ? "empty" : ref))"
            }
        }
    }

    /// What is wrong with a field's value.
    public enum Problem: Sendable, Equatable, CustomStringConvertible {
        case missing
        case tooLong(max: Int, actual: Int)
        case controlCharacter(UInt32)
        case notASCII
        case notAllowed(allowed: String)
        case notMasked
        public var description: String {
            switch self {
            case .missing: return "is empty or missing"
            case .tooLong(let max, let actual): return "has \(actual) characters; at most \(max) are allowed"
            case .controlCharacter(let v): return "contains the control character U+\(String(v, radix: 16, uppercase: true).leftPadded(to: 4)); clean the source data"
            case .notASCII: return "contains characters outside ASCII after removing diacritics"
            case .notAllowed(let allowed): return "may only contain \(allowed)"
            case .notMasked: return "looks like an unmasked personal ID; pass PersonalID.masked(_:)"
            }
        }
    }

    case emptyDocument
    case invalidField(field: String, at: Place, problem: Problem)
    case nonPositiveAmount(at: Place)
    case amountTooLarge(at: Place)
    case duplicateReference(String, firstLine: Int, line: Int)
    case wrongInstitution(at: Place, reason: String)
    case totalOverflow
    case totalsMismatch(expected: PayoutTotals, written: PayoutTotals)

    public var description: String {
        switch self {
        case .emptyDocument:
            return "The payout document has no lines; no file is written for an institution with nothing to pay."
        case .invalidField(let field, let at, let problem):
            return "\(at): field \(field) \(problem)."
        case .nonPositiveAmount(let at):
            return "\(at): amount must be a positive number of đồng."
        case .amountTooLarge(let at):
            return "\(at): amount has more than 18 digits, which ISO 20022 does not allow."
        case .duplicateReference(let ref, let first, let line):
            return "line \(line): reference \(ref) already used on line \(first); each payment needs its own reference (a duplicate could pay twice)."
        case .wrongInstitution(let at, let reason):
            return "\(at): \(reason)."
        case .totalOverflow:
            return "The sum of the amounts overflows a 64-bit integer; the document is corrupt."
        case .totalsMismatch(let expected, let written):
            return "Control totals differ: expected \(expected), written \(written). The file was not produced."
        }
    }
}

extension String {
    fileprivate func leftPadded(to n: Int) -> String {
        count >= n ? self : String(repeating: "0", count: n - count) + self
    }
}
