/// A percentage of an amount, as a province sets the payment fee (chi phí chi trả, Circular
/// 76/2021/TT-BTC Art. 3.7): written as decimal text with up to four decimals (`"0.55"` is
/// 0,55 %), held exactly as millionths of the amount (no floating point).
///
/// The fee on an amount is `amount × rate`, rounded to the nearest whole đồng, a half đồng
/// upwards: 0,55 % of 1.234.567 đồng is 6.790,1185 → 6.790 đồng; 0,5 % of 1.001 đồng is
/// 5,005 → 5 đồng; 0,5 % of 1.100 đồng is 5,5 → 6 đồng.
public struct FeeRate: Sendable, Equatable, Hashable, Codable, CustomStringConvertible {
    /// The rate in millionths: 0,55 % = 5_500.
    public let millionths: Int64

    public init(millionths: Int64) { self.millionths = millionths }

    /// `"0.55"`, `"1"`, `"0,5"`: 0 to 100 with at most four decimals; nil otherwise.
    public init?(percent text: String) {
        let parts = text.replacingOccurrences(of: ",", with: ".").split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 1 || parts.count == 2,
              let whole = parts.first, !whole.isEmpty, whole.count <= 3, whole.allSatisfy(\.isASCIIDigit)
        else { return nil }
        var fraction = parts.count == 2 ? String(parts[1]) : ""
        guard fraction.count <= 4, fraction.allSatisfy(\.isASCIIDigit), parts.count == 1 || !fraction.isEmpty else { return nil }
        fraction += String(repeating: "0", count: 4 - fraction.count)
        let value = Int64(whole)! * 10_000 + Int64(fraction)!
        guard value <= 1_000_000 else { return nil }
        millionths = value
    }

    /// The fee on `amount` (≥ 0) in whole đồng, rounded half up; exact for every Int64 amount.
    public func fee(on amount: Int64) -> Int64 {
        precondition(amount >= 0, "a fee is computed on a paid total, never negative")
        // amount × millionths < 2^63 × 2^20: multiply in 128 bits, then divide.
        let product = amount.multipliedFullWidth(by: millionths)
        let (q, r) = Int64(1_000_000).dividingFullWidth(product)
        return r * 2 >= 1_000_000 ? q + 1 : q
    }

    /// `0,55%` — Vietnamese decimal comma, trailing zeros dropped.
    public var vietnamese: String {
        let whole = millionths / 10_000
        var fraction = String(millionths % 10_000)
        fraction = String(repeating: "0", count: 4 - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return fraction.isEmpty ? "\(whole)%" : "\(whole),\(fraction)%"
    }

    /// `0.55` — as written in payer.json.
    public var description: String { vietnamese.replacingOccurrences(of: ",", with: ".").replacingOccurrences(of: "%", with: "") }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let rate = FeeRate(percent: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: "\"\(SafeText.clean(text, limit: 20))\" is not a percentage from 0 to 100 with at most four decimals, written as text (\"0.55\")"))
        }
        self = rate
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

private extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
