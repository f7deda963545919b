import ChiTraCore
/// Reading amounts of đồng from return files.
///
/// VND has no minor unit, so an amount is a whole number. `750000`, `750000.0` and `750000.00`
/// are the same amount; `750000.50` is not an amount of đồng and is refused.
public enum ReturnAmount {
    public enum Problem: Equatable, Sendable {
        case empty, notANumber, fraction, ambiguousSeparator, tooLarge

        /// The end of a sentence starting "the amount …" (`returns.json`).
        var message: Message {
            switch self {
            case .empty: return Message("returns.amount.empty")
            case .notANumber: return Message("returns.amount.not_a_number")
            case .fraction: return Message("returns.amount.fraction")
            case .ambiguousSeparator: return Message("returns.amount.separator")
            case .tooLarge: return Message("returns.amount.too_large")
            }
        }
    }

    /// Parses `digits[.digits]`. `strictSeparators` (CSV) refuses a fraction of exactly three
    /// digits, which in Vietnamese spreadsheets is a thousands separator (`750.000` = 750 000 đ),
    /// not a decimal; XML (`xs:decimal`) has no separators, so there `750.000` is 750.
    public static func parse(_ raw: String, strictSeparators: Bool) -> Result<Int64, ProblemBox> {
        let text = raw.trimmedCell
        if text.isEmpty { return .failure(ProblemBox(.empty)) }
        let utf8 = Array(text.utf8)
        if strictSeparators, utf8.contains(UInt8(ascii: ",")) { return .failure(ProblemBox(.ambiguousSeparator)) }
        let parts = utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count <= 2, let whole = parts.first, !whole.isEmpty,
              whole.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return .failure(ProblemBox(.notANumber)) }
        if parts.count == 2 {
            let fraction = parts[1]
            guard !fraction.isEmpty, fraction.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return .failure(ProblemBox(.notANumber)) }
            if strictSeparators && fraction.count == 3 { return .failure(ProblemBox(.ambiguousSeparator)) }
            guard fraction.allSatisfy({ $0 == 0x30 }) else { return .failure(ProblemBox(.fraction)) }
        }
        var value: Int64 = 0
        for b in whole {
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(Int64(b - 0x30))
            if o1 || o2 { return .failure(ProblemBox(.tooLarge)) }
            value = s
        }
        return .success(value)
    }

    /// `Result` needs an `Error`.
    public struct ProblemBox: Error, Equatable {
        let problem: Problem
        init(_ p: Problem) { problem = p }
    }
}
