import ChiTraCore
import Foundation
import Testing

/// Fees worked out by hand: amount × percent / 100, then rounded to the đồng, halves up.
@Suite("Payment fee rate")
struct FeeRateTests {
    @Test("Percent text reads exactly, in millionths", arguments: [
        ("0.55", 5_500), ("1", 10_000), ("1.5", 15_000), ("0,5", 5_000), ("0.0001", 1), ("100", 1_000_000), ("0", 0),
    ] as [(String, Int64)])
    func parses(text: String, millionths: Int64) {
        #expect(FeeRate(percent: text)?.millionths == millionths)
    }

    @Test("Anything else is refused", arguments: ["", ".5", "1.", "0.12345", "100.01", "-1", "1e-2", "0.5%", "abc", "1.2.3"])
    func refuses(text: String) {
        #expect(FeeRate(percent: text) == nil)
    }

    @Test("The fee is rounded to the nearest đồng, a half đồng upwards", arguments: [
        // 0.55 % of 1,234,567 = 6,790.1185 → 6,790
        ("0.55", 1_234_567, 6_790),
        // 0.5 % of 1,001 = 5.005 → 5; of 1,100 = 5.5 → 6; of 1,099 = 5.495 → 5
        ("0.5", 1_001, 5), ("0.5", 1_100, 6), ("0.5", 1_099, 5),
        // 1.5 % of 1,000,000 = 15,000 exactly; 0.1 % of 11,250,000 = 11,250
        ("1.5", 1_000_000, 15_000), ("0.1", 11_250_000, 11_250),
        // 0.1 % of 750,000 = 750; 0 đồng paid, no fee
        ("0.1", 750_000, 750), ("1.5", 0, 0),
        // 100 % of Int64.max is Int64.max: no overflow on the way
        ("100", Int64.max, Int64.max),
        // 0.0001 % of 5,000,000 = 5; of 4,999,999 = 4.999999 → 5; of 4,500,000 = 4.5 → 5; of 4,499,999 → 4
        ("0.0001", 5_000_000, 5), ("0.0001", 4_999_999, 5), ("0.0001", 4_500_000, 5), ("0.0001", 4_499_999, 4),
    ] as [(String, Int64, Int64)])
    func fee(rate: String, amount: Int64, expected: Int64) {
        #expect(FeeRate(percent: rate)!.fee(on: amount) == expected)
    }

    @Test("Shown with a decimal comma in Vietnamese, read back from JSON text")
    func text() throws {
        #expect(FeeRate(percent: "0.55")!.vietnamese == "0,55%")
        #expect(FeeRate(percent: "1.50")!.vietnamese == "1,5%")
        #expect(FeeRate(percent: "2")!.vietnamese == "2%")
        let decoded = try JSONDecoder().decode([FeeRate].self, from: Data("[\"0.1\"]".utf8))
        #expect(decoded == [FeeRate(millionths: 1_000)])
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([FeeRate].self, from: Data("[0.1]".utf8)) }
    }
}
