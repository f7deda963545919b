import ChiTraCore
import ChiTraSigning

/// The payment reference (EndToEndId) of a payout line.
///
/// `CT` + month paid for (`YYYYMM`) + kind letter + attempt + `-` + the first 20 hex digits (upper
/// case) of SHA-256(`code|kind|YYYY-MM|attempt`), and for a carry-over SHA-256(`code|kind|YYYY-MM|attempt|slot`):
/// a person whose allowance and care of one month both failed gets two carry-overs with the same
/// attempt number, which need two references (before the slot was added, the second one broke the
/// store's UNIQUE reference and January's build failed). The hash is OpenSSL's, through one
/// digest context reused for every reference of a build (`SHA256Hasher`), with the message and
/// the digest in buffers kept from one reference to the next.
final class PaymentReference {
    private let hasher: SHA256Hasher
    private var message: [UInt8] = []
    private var digest = [UInt8](repeating: 0, count: SHA256Hasher.byteCount)
    private var out: [UInt8] = []

    init() throws {
        hasher = try SHA256Hasher()
        message.reserveCapacity(64)
        out.reserveCapacity(35)
    }

    /// One reference made with a hasher of its own (outside a build).
    static func make(code: String, kind: EntitlementKind, forMonth: YearMonth, attempt: Int, slot: EntitlementKind? = nil) throws -> String {
        try PaymentReference().make(code: code, kind: kind, forMonth: forMonth, attempt: attempt, slot: slot)
    }

    func make(code: String, kind: EntitlementKind, forMonth: YearMonth, attempt: Int, slot: EntitlementKind? = nil) throws -> String {
        message.removeAll(keepingCapacity: true)
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
        try message.withUnsafeBytes { m in try digest.withUnsafeMutableBytes { try hasher.hash(m, into: $0) } }

        out.removeAll(keepingCapacity: true)
        out.append(contentsOf: "CT".utf8)
        out.append(contentsOf: forMonth.compact.utf8)
        out.append(Self.letter(kind))
        out.append(contentsOf: String(attempt).utf8)
        out.append(0x2D)  // -
        for i in 0..<10 {
            out.append(Self.hex[Int(digest[i] >> 4)])
            out.append(Self.hex[Int(digest[i] & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static let hex: [UInt8] = Array("0123456789ABCDEF".utf8)

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
