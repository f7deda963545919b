import ChiTraReturns
/// The deterministic fate of one payout line in a simulation: it depends only on the seed and
/// the line's reference, so re-running gives the same bytes and adding a line does not change
/// the others.
struct SimulatedFate: Equatable {
    var outcome: ReturnRecord.Outcome
    var reasonCode: String?
    var reasonText: String?
    var receiver: ReturnRecord.Receiver?

    /// Failure reasons of a bank, with weights (out of 100) and the bank's English wording.
    static let bankReasons: [(code: String, weight: Int, text: String)] = [
        ("AC01", 25, "Incorrect account number"),
        ("AC04", 20, "Closed account number"),
        ("BE01", 20, "Creditor name does not match the account holder"),
        ("MS03", 12, "Reason not specified"),
        ("AC06", 10, "Blocked account"),
        ("MD07", 10, "End customer deceased"),
        ("AM05", 3, "Duplication"),
    ]
    /// Failure reasons of the post office (codes of return-reasons.json), with weights.
    static let postReasons: [(code: String, weight: Int)] = [
        ("VANG_MAT", 30), ("KHONG_NHAN", 30), ("CHUYEN_DI", 15), ("DA_MAT", 15), ("TU_CHOI", 10),
    ]
    /// Share of pending lines (`PDNG`) in a simulated pain.002.
    static let pendingRate = 0.01

    /// A uniform number in [0, 1) from (seed, reference, salt): FNV-1a over the reference, mixed
    /// with the seed by SplitMix64.
    static func uniform(seed: UInt64, reference: String, salt: UInt64) -> Double {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in reference.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        var z = h ^ (seed &* 0x9e37_79b9_7f4a_7c15) ^ (salt &* 0xbf58_476d_1ce4_e5b9)
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        z ^= z >> 31
        return Double(z >> 11) / Double(UInt64(1) << 53)
    }

    private static func pick<T>(_ items: [T], weight: (T) -> Int, u: Double) -> T {
        let total = items.reduce(0) { $0 + weight($1) }
        var x = u * Double(total)
        for item in items {
            x -= Double(weight(item))
            if x < 0 { return item }
        }
        return items[items.count - 1]
    }

    /// A bank's answer. `allowPending` for pain.002 (≈ 1% PDNG among the lines that do not fail).
    static func bank(seed: UInt64, reference: String, failRate: Double, allowPending: Bool) -> SimulatedFate {
        if uniform(seed: seed, reference: reference, salt: 1) < failRate {
            let r = pick(bankReasons, weight: { $0.weight }, u: uniform(seed: seed, reference: reference, salt: 2))
            return SimulatedFate(outcome: .rejected, reasonCode: r.code, reasonText: r.text)
        }
        if allowPending && uniform(seed: seed, reference: reference, salt: 3) < pendingRate {
            return SimulatedFate(outcome: .pending)
        }
        return SimulatedFate(outcome: .paid)
    }

    /// The post office's answer: not paid with one of its reasons, or paid to the beneficiary or,
    /// when the line names a proxy, to the proxy (most of the time).
    static func post(seed: UInt64, reference: String, failRate: Double, hasProxy: Bool) -> SimulatedFate {
        if uniform(seed: seed, reference: reference, salt: 1) < failRate {
            let r = pick(postReasons, weight: { $0.weight }, u: uniform(seed: seed, reference: reference, salt: 2))
            return SimulatedFate(outcome: .rejected, reasonCode: r.code)
        }
        let proxy = hasProxy && uniform(seed: seed, reference: reference, salt: 4) < 0.8
        return SimulatedFate(outcome: .paid, receiver: proxy ? .proxy : .beneficiary)
    }
}
