import ChiTraCore

/// The payment reference (EndToEndId) of a payout line, made without Foundation.
///
/// `CT` + month paid for (`YYYYMM`) + kind letter + attempt + `-` + the first 20 hex digits (upper
/// case) of SHA-256(`code|kind|YYYY-MM|attempt`), and for a carry-over SHA-256(`code|kind|YYYY-MM|attempt|slot`):
/// a person whose allowance and care of one month both failed gets two carry-overs with the same
/// attempt number, which need two references (before the slot was added, the second one broke the
/// store's UNIQUE reference and January's build failed). Byte for byte what `FileDigest.sha256Hex` over
/// `Data` gave before (a test compares the two over many inputs); here the message is hashed on
/// the stack, because a national batch makes millions of references and OpenSSL's one-shot EVP
/// call costs more in setup (context, `Data`, hex `String`) than the hash itself.
enum PaymentReference {
    static func make(code: String, kind: EntitlementKind, forMonth: YearMonth, attempt: Int, slot: EntitlementKind? = nil) -> String {
        var message: [UInt8] = []
        message.reserveCapacity(64)
        message.append(contentsOf: code.utf8)
        message.append(0x7C)  // |
        message.append(contentsOf: kind.rawValue.utf8)
        message.append(0x7C)
        message.append(contentsOf: forMonth.description.utf8)
        message.append(0x7C)
        message.append(contentsOf: String(attempt).utf8)
        if kind == .carryOver, let slot {
            message.append(0x7C)
            message.append(contentsOf: slot.rawValue.utf8)
        }
        let h = SHA256.hash(message)

        var out: [UInt8] = []
        out.reserveCapacity(35)
        out.append(contentsOf: "CT".utf8)
        out.append(contentsOf: forMonth.compact.utf8)
        out.append(letter(kind))
        out.append(contentsOf: String(attempt).utf8)
        out.append(0x2D)  // -
        let hex: [UInt8] = Array("0123456789ABCDEF".utf8)
        for i in 0..<10 {
            out.append(hex[Int(h[i] >> 4)])
            out.append(hex[Int(h[i] & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    @inline(__always)
    static func letter(_ kind: EntitlementKind) -> UInt8 {
        switch kind {
        case .allowance: return UInt8(ascii: "A")
        case .care: return UInt8(ascii: "C")
        case .arrears: return UInt8(ascii: "R")
        case .careArrears: return UInt8(ascii: "Q")
        case .funeral: return UInt8(ascii: "F")
        case .carryOver: return UInt8(ascii: "O")
        }
    }
}

/// SHA-256 (FIPS 180-4) of a short message, for payment references only (files and signatures
/// keep using OpenSSL). Tested against OpenSSL over many inputs.
enum SHA256 {
    private static let k: [UInt32] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ]

    /// The 32-byte digest of `message`.
    static func hash(_ message: [UInt8]) -> [UInt8] {
        var h: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) =
            (0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19)
        // Padding: 0x80, zeros, then the bit length as a 64-bit big-endian integer.
        var padded = message
        padded.append(0x80)
        while padded.count % 64 != 56 { padded.append(0) }
        let bits = UInt64(message.count) &* 8
        for i in (0..<8).reversed() { padded.append(UInt8(truncatingIfNeeded: bits >> (UInt64(i) * 8))) }

        var w = [UInt32](repeating: 0, count: 64)
        k.withUnsafeBufferPointer { k in
            w.withUnsafeMutableBufferPointer { w in
                var block = 0
                while block < padded.count {
                    for t in 0..<16 {
                        let o = block + t * 4
                        w[t] = UInt32(padded[o]) << 24 | UInt32(padded[o + 1]) << 16 | UInt32(padded[o + 2]) << 8 | UInt32(padded[o + 3])
                    }
                    for t in 16..<64 {
                        let s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >> 3)
                        let s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >> 10)
                        w[t] = w[t - 16] &+ s0 &+ w[t - 7] &+ s1
                    }
                    var (a, b, c, d, e, f, g, hh) = h
                    for t in 0..<64 {
                        let S1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)
                        let ch = (e & f) ^ (~e & g)
                        let t1 = hh &+ S1 &+ ch &+ k[t] &+ w[t]
                        let S0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)
                        let maj = (a & b) ^ (a & c) ^ (b & c)
                        let t2 = S0 &+ maj
                        hh = g; g = f; f = e; e = d &+ t1; d = c; c = b; b = a; a = t1 &+ t2
                    }
                    h = (h.0 &+ a, h.1 &+ b, h.2 &+ c, h.3 &+ d, h.4 &+ e, h.5 &+ f, h.6 &+ g, h.7 &+ hh)
                    block += 64
                }
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(32)
        for v in [h.0, h.1, h.2, h.3, h.4, h.5, h.6, h.7] {
            out.append(UInt8(truncatingIfNeeded: v >> 24)); out.append(UInt8(truncatingIfNeeded: v >> 16))
            out.append(UInt8(truncatingIfNeeded: v >> 8)); out.append(UInt8(truncatingIfNeeded: v))
        }
        return out
    }

    @inline(__always)
    private static func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 - n)) }
}
