/// Deterministic randomness for fixtures: the same seed gives the same stream on every machine.
///
/// Only integer arithmetic is used (no `Double`, no Foundation), so the output does not depend on
/// the platform, the libc or the Swift version's `SystemRandomNumberGenerator`.

/// SplitMix64 (Steele, Lea, Flood 2014): seeds xoshiro and hashes keys.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public var state: UInt64
    public init(state: UInt64) { self.state = state }

    @inline(__always)
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return SplitMix64.mix(state)
    }

    /// The SplitMix64 finaliser: a good 64-bit mixing function.
    @inline(__always)
    public static func mix(_ x: UInt64) -> UInt64 {
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// xoshiro256** 1.0 (Blackman, Vigna), seeded through SplitMix64.
public struct Xoshiro256StarStar: RandomNumberGenerator, Sendable {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    public init(seed: UInt64) {
        var sm = SplitMix64(state: seed)
        s0 = sm.next(); s1 = sm.next(); s2 = sm.next(); s3 = sm.next()
    }

    @inline(__always)
    public mutating func next() -> UInt64 {
        let result = rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = rotl(s3, 45)
        return result
    }

    @inline(__always) private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// Uniform in `0..<n` (Lemire's multiply-high; bias below 2^-40 for the small n used here).
    @inline(__always)
    public mutating func below(_ n: Int) -> Int {
        precondition(n > 0)
        return Int(truncatingIfNeeded: next().multipliedFullWidth(by: UInt64(n)).high)
    }

    /// Uniform in `lo...hi` (inclusive).
    @inline(__always)
    public mutating func inRange(_ lo: Int, _ hi: Int) -> Int { hi <= lo ? lo : lo + below(hi - lo + 1) }

    /// True with probability `perTenThousand` / 10,000.
    @inline(__always)
    public mutating func chance(_ perTenThousand: Int) -> Bool { below(10_000) < perTenThousand }

    /// `min` of two uniform draws in `0..<n`: a falling (triangular) distribution, for ages.
    @inline(__always)
    public mutating func falling(_ n: Int) -> Int { Swift.min(below(n), below(n)) }
}

/// A keyed pseudo-random permutation of `0..<domain` (4-round Feistel network on the smallest
/// even bit width that covers the domain, with cycle walking). Used to turn counters into
/// random-looking but collision-free digit blocks (personal IDs, account numbers).
struct FeistelPermutation: Sendable {
    let domain: UInt64
    let halfBits: UInt64
    let mask: UInt64
    let key: UInt64

    init(domain: UInt64, key: UInt64) {
        precondition(domain > 1)
        var bits: UInt64 = 2
        while (UInt64(1) << bits) < domain { bits += 2 }
        self.domain = domain
        self.halfBits = bits / 2
        self.mask = (UInt64(1) << (bits / 2)) - 1
        self.key = key
    }

    @inline(__always)
    private func round(_ v: UInt64) -> UInt64 {
        var l = v >> halfBits, r = v & mask
        for i in 0..<4 as Range<UInt64> {
            let f = SplitMix64.mix(key &+ (i &* 0x9E37_79B9_7F4A_7C15) ^ r) & mask
            (l, r) = (r, l ^ f)
        }
        return (l << halfBits) | r
    }

    /// The image of `x` (`x < domain`), also `< domain`.
    @inline(__always)
    func apply(_ x: UInt64) -> UInt64 {
        precondition(x < domain)
        var v = round(x)
        while v >= domain { v = round(v) }
        return v
    }
}

/// Integer weights → an index, by a linear scan of the cumulative sums (tables are short).
struct WeightedTable: Sendable {
    let cumulative: [Int]
    let total: Int

    init(_ weights: [Int]) {
        var c: [Int] = []
        var t = 0
        for w in weights { precondition(w >= 0); t += w; c.append(t) }
        precondition(t > 0)
        cumulative = c
        total = t
    }

    @inline(__always)
    func pick(_ rng: inout Xoshiro256StarStar) -> Int {
        let r = rng.below(total)
        var i = 0
        while cumulative[i] <= r { i += 1 }
        return i
    }
}
