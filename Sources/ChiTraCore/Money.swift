/// Money is whole đồng in `Int64`; VND has no minor unit. These helpers format it for people.
public enum Money {
    /// `1.500.000` — Vietnamese grouping with dots.
    public static func vietnamese(_ amount: Int64) -> String { grouped(amount, separator: ".") }
    /// `1,500,000` — English grouping.
    public static func english(_ amount: Int64) -> String { grouped(amount, separator: ",") }

    static func grouped(_ amount: Int64, separator: Character) -> String {
        let digits = String(amount.magnitude)
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(separator) }
            out.append(ch)
        }
        return amount < 0 ? "-" + out : out
    }

    /// Adds, trapping with a clear message instead of wrapping (totals must be exact).
    public static func sum<S: Sequence>(_ amounts: S) throws -> Int64 where S.Element == Int64 {
        var total: Int64 = 0
        for a in amounts {
            let (r, o) = total.addingReportingOverflow(a)
            if o { throw MoneyError.overflow }
            total = r
        }
        return total
    }
}

public enum MoneyError: Error, CustomStringConvertible {
    case overflow
    public var description: String { "a total exceeded the range of whole đồng (Int64); the input is not credible" }
}
