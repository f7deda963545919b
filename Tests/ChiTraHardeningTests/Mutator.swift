import ChiTraFixtures
import Foundation

// SplitMix64 is ChiTraFixtures' (the generator's), so every fuzz failure replays from its seed.

/// Random mutations of a valid file: what a hostile or broken export looks like.
enum Mutator {
    static let kinds = ["flip", "truncate", "hugeField", "invalidUTF8", "nul", "lineEndings", "quote", "duplicate", "delete", "legacy", "angle"]

    static func mutate(_ input: [UInt8], rng: inout SplitMix64, rounds: Int = 3) -> (bytes: [UInt8], what: [String]) {
        var b = input
        var what: [String] = []
        for _ in 0..<Int.random(in: 1...rounds, using: &rng) {
            let kind = kinds.randomElement(using: &rng)!
            what.append(kind)
            let at = b.isEmpty ? 0 : Int.random(in: 0..<b.count, using: &rng)
            switch kind {
            case "flip" where !b.isEmpty:
                for _ in 0..<Int.random(in: 1...8, using: &rng) { b[Int.random(in: 0..<b.count, using: &rng)] ^= UInt8.random(in: 1...255, using: &rng) }
            case "truncate":
                b = Array(b.prefix(at))
            case "hugeField":
                b.insert(contentsOf: [UInt8](repeating: UInt8(ascii: "A"), count: Int.random(in: 10_000...300_000, using: &rng)), at: at)
            case "invalidUTF8":
                b.insert(contentsOf: [[0xC3, 0x28], [0xFF, 0xFE], [0xE2, 0x82], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80]].randomElement(using: &rng)!, at: at)
            case "nul":
                b.insert(contentsOf: [UInt8](repeating: 0, count: Int.random(in: 1...64, using: &rng)), at: at)
            case "lineEndings":
                var out: [UInt8] = []
                for c in b {
                    if c == 0x0A && Bool.random(using: &rng) { out += [0x0D, 0x0A] } else if c == 0x0D && Bool.random(using: &rng) { continue } else { out.append(c) }
                }
                b = out
            case "quote":
                b.insert(contentsOf: [[0x22], [0x22, 0x22], [0x22, 0x2C, 0x22], [0x2C, 0x2C, 0x2C]].randomElement(using: &rng)!, at: at)
            case "duplicate" where !b.isEmpty:
                let len = min(b.count - at, Int.random(in: 1...4096, using: &rng))
                b.insert(contentsOf: b[at..<(at + len)], at: Int.random(in: 0...b.count, using: &rng))
            case "delete" where !b.isEmpty:
                b.removeSubrange(at..<min(b.count, at + Int.random(in: 1...512, using: &rng)))
            case "legacy":
                // Windows-1258 / TCVN3-like single bytes for Vietnamese letters.
                b.insert(contentsOf: (0..<Int.random(in: 1...20, using: &rng)).map { _ in UInt8.random(in: 0xA0...0xFF, using: &rng) }, at: at)
            case "angle":
                b.insert(contentsOf: Array(["<", "</", ">", "<!--", "]]>", "&amp", "&#0;", "<a>", "<?xml"].randomElement(using: &rng)!.utf8), at: at)
            default:
                break
            }
        }
        return (b, what)
    }
}
