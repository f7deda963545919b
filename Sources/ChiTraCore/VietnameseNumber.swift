/// Vietnamese numbers read out in words, as accountants write them on payment lists and
/// vouchers ("Bằng chữ: …"): `VietnameseNumber.words(1_250_000)` →
/// `"một triệu hai trăm năm mươi nghìn"`.
///
/// The conventional reading (Northern, as in official documents):
/// - groups of three digits: nghìn (10³), triệu (10⁶), tỷ (10⁹); above a tỷ the count of tỷ is
///   itself read (`một nghìn tỷ`, `một triệu tỷ`);
/// - a group after a higher one is read with all three places: `không trăm` for a zero hundreds
///   digit, `linh` for a zero tens digit before a units digit (1.001 → `một nghìn không trăm linh
///   một`); a group that is all zeros is left out (1.000.500 → `một triệu năm trăm`);
/// - tens: `mười` for 1, `… mươi` otherwise;
/// - units after the tens: `mốt` for 1 after `mươi` (21 → `hai mươi mốt`, but 11 → `mười một`,
///   101 → `một trăm linh một`); `lăm` for 5 after `mười`/`mươi` (15 → `mười lăm`, 25 → `hai mươi
///   lăm`, but 105 → `một trăm linh năm`); `tư` for 4 after `mươi` (24 → `hai mươi tư`, but
///   14 → `mười bốn`, 104 → `một trăm linh bốn`).
public enum VietnameseNumber {
    private static let digits = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"]
    private static let billion: Int64 = 1_000_000_000

    /// The number in lower-case words; `âm …` for a negative number, `không` for zero.
    public static func words(_ n: Int64) -> String {
        if n == 0 { return "không" }
        let magnitude = n.magnitude   // UInt64: Int64.min has no positive Int64
        let text = read(magnitude, leading: true).joined(separator: " ")
        return n < 0 ? "âm " + text : text
    }

    /// Words of `n` (> 0). `leading`: nothing is read before it, so a short first group is read
    /// as it is (`năm`, not `không trăm linh năm`).
    private static func read(_ n: UInt64, leading: Bool) -> [String] {
        let b = UInt64(billion)
        if n >= b {
            var out = read(n / b, leading: leading) + ["tỷ"]
            let rest = n % b
            if rest > 0 { out += read(rest, leading: false) }
            return out
        }
        // Below a tỷ: up to three groups, millions, thousands, units.
        let groups: [(value: UInt64, name: String?)] = [(n / 1_000_000, "triệu"), (n / 1_000 % 1_000, "nghìn"), (n % 1_000, nil)]
        var out: [String] = []
        var first = leading
        for (value, name) in groups {
            if value == 0 { continue }
            out += triple(Int(value), full: !first)
            if let name { out.append(name) }
            first = false
        }
        return out
    }

    /// One group of three digits (1–999). `full`: read every place (`không trăm linh năm`).
    private static func triple(_ n: Int, full: Bool) -> [String] {
        let h = n / 100, t = n / 10 % 10, u = n % 10
        var out: [String] = []
        if h > 0 || full { out += [digits[h], "trăm"] }
        switch t {
        case 0:
            if u > 0 {
                if !out.isEmpty { out.append("linh") }
                out.append(digits[u])
            }
        case 1:
            out.append("mười")
            if u == 5 { out.append("lăm") } else if u > 0 { out.append(digits[u]) }
        default:
            out += [digits[t], "mươi"]
            switch u {
            case 0: break
            case 1: out.append("mốt")
            case 4: out.append("tư")
            case 5: out.append("lăm")
            default: out.append(digits[u])
            }
        }
        return out
    }
}

extension Money {
    /// The amount in words for "Bằng chữ:", capitalised, with the currency:
    /// `Money.inWords(1_250_000)` → `"Một triệu hai trăm năm mươi nghìn đồng"`.
    public static func inWords(_ amount: Int64) -> String {
        let text = VietnameseNumber.words(amount) + " đồng"
        return text.prefix(1).uppercased() + text.dropFirst()
    }
}
