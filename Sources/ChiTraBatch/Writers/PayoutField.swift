import ChiTraCore

/// The fixed vocabulary of values a descriptor-driven CSV column can hold
/// (`formats/payout-formats.md` lists them with examples).
public enum PayoutField: String, Sendable, CaseIterable, Equatable {
    /// 1, 2, 3… in output order (after sorting).
    case sequence
    case reference, beneficiaryCode, beneficiaryName, payeeName, payeeNameASCII
    /// The payee's name when a proxy, guardian or carer receives; empty otherwise.
    case proxyName
    case proxyRelation, personalIDMasked
    /// `bank`, `post_account`, `post_cash`.
    case channel
    /// `Tài khoản ngân hàng`, `Tài khoản bưu điện`, `Tiền mặt tại bưu điện`.
    case channelVietnamese
    /// `allowance`, `care`, `funeral`, `arrears`, `carry_over`.
    case kind
    case kindVietnamese
    case bankBIN, accountNo
    /// Whole đồng, plain digits.
    case amount
    /// Always `VND`.
    case currency
    /// `MM/YYYY`.
    case forMonth
    /// `YYYY-MM`.
    case forMonthISO
    case commune, village, address, phone
    case remittance
    /// The remittance text without diacritics (`đ` → `d`).
    case remittanceASCII
    /// An empty cell, e.g. for a signature (`Ký nhận`).
    case blank

    /// The cell text for a line: a view of the line's own bytes, or of `scratch` (reset here) for
    /// values made on the fly (numbers, labels, folded text). `sequence` is the 1-based position in the file.
    @inline(__always)
    func value(of line: PayoutLineBytes, sequence: Int, at place: () -> PayoutWriteError.Place,
               scratch: ByteArena) throws(PayoutWriteError) -> ByteView {
        switch self {
        case .sequence: return Self.decimal(Int64(sequence), in: scratch)
        case .reference: return line.reference
        case .beneficiaryCode: return line.beneficiaryCode
        case .beneficiaryName: return line.beneficiaryName
        case .payeeName: return line.payeeName
        case .payeeNameASCII: return line.payeeNameASCII
        case .proxyName: return line.proxyRelation == nil ? .empty : line.payeeName
        case .proxyRelation: return line.proxyRelation ?? .empty
        case .personalIDMasked:
            let v = line.personalIDMasked
            // `String.contains("*")` looks for the Character; bytes decide it only for ASCII text.
            let masked = v.isASCII ? v.contains(UInt8(ascii: "*")) : v.string.contains("*")
            if !v.isEmpty && !masked { throw .invalidField(field: rawValue, at: place(), problem: .notMasked) }
            return v
        case .channel: return Self.text(line.channel.rawValue, in: scratch)
        case .channelVietnamese: return Self.text(line.channel.vietnamese, in: scratch)
        case .kind: return Self.text(line.kind.rawValue, in: scratch)
        case .kindVietnamese: return Self.text(line.kind.vietnamese, in: scratch)
        case .bankBIN: return line.bankBIN ?? .empty
        case .accountNo: return line.accountNo ?? .empty
        case .amount: return Self.decimal(line.amount, in: scratch)
        case .currency: return Self.text("VND", in: scratch)
        case .forMonth: return line.forMonthVietnamese
        case .forMonthISO: return line.forMonthISO
        case .commune: return line.commune
        case .village: return line.village
        case .address: return line.address
        case .phone: return line.phone ?? .empty
        case .remittance: return line.remittance
        case .remittanceASCII:
            guard let folded = TextRules.asciiFold(line.remittance, arena: scratch) else {
                throw .invalidField(field: rawValue, at: place(), problem: .notASCII)
            }
            return folded
        case .blank: return .empty
        }
    }

    private static func text(_ s: String, in scratch: ByteArena) -> ByteView {
        scratch.reset(minimumCapacity: s.utf8.count)
        return scratch.append(s)
    }

    /// `String(n)` as bytes.
    private static func decimal(_ n: Int64, in scratch: ByteArena) -> ByteView {
        n >= 0 ? scratch.decimal(n) : text(String(n), in: scratch)
    }

    /// A key that orders lines: numbers numerically, months chronologically, text in Vietnamese alphabetical order.
    func sortKey(of line: PayoutLineBytes, scratch: ByteArena) -> [UInt32] {
        switch self {
        case .amount: return [UInt32(truncatingIfNeeded: line.amount >> 32), UInt32(truncatingIfNeeded: line.amount)]
        case .forMonth, .forMonthISO: return [UInt32(line.forMonth.index)]
        default:
            let text = (try? value(of: line, sequence: 0, at: { .document }, scratch: scratch)) ?? .empty
            return VietnameseCollation.key(text)
        }
    }

    /// Whether the field can order lines (`sequence` and `blank` cannot).
    var isSortable: Bool { self != .sequence && self != .blank }
}

/// Vietnamese alphabetical order: a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y,
/// then tones (none, huyền, hỏi, ngã, sắc, nặng), then case. Works on NFC or NFD input.
enum VietnameseCollation {
    static func key(_ text: String) -> [UInt32] {
        if let scalars = decomposedFast(text.unicodeScalars) { return key(decomposed: scalars) }
        return key(decomposed: text.decomposedStringWithCanonicalMapping.unicodeScalars.map(\.value))
    }

    /// ``key(_:)`` of UTF-8 bytes (valid UTF-8).
    static func key(_ text: ByteView) -> [UInt32] {
        var decoded: [Unicode.Scalar] = []
        decoded.reserveCapacity(text.count)
        var iterator = text.buffer.makeIterator()
        var utf8 = UTF8()
        while case .scalarValue(let scalar) = utf8.decode(&iterator) { decoded.append(scalar) }
        if let scalars = decomposedFast(decoded) { return key(decomposed: scalars) }
        return key(text.string)
    }

    /// The canonical decomposition of text made of ASCII and precomposed Latin letters
    /// (U+0080–U+024F, U+1E00–U+1EFF: all Vietnamese), scalar by scalar from a table made once
    /// with Foundation; nil for anything else (a combining mark, another script), which then
    /// goes through `decomposedStringWithCanonicalMapping` itself. Without combining marks in the
    /// input, decomposing scalar by scalar is the whole decomposition: canonical reordering only
    /// moves marks within one letter's own, already ordered, decomposition.
    private static func decomposedFast<S: Sequence>(_ scalars: S) -> [UInt32]? where S.Element == Unicode.Scalar {
        var out: [UInt32] = []
        out.reserveCapacity(scalars.underestimatedCount + 8)
        for scalar in scalars {
            let v = scalar.value
            if v < 0x80 { out.append(v); continue }
            guard let parts = latinDecomposition(v) else { return nil }
            out.append(contentsOf: parts)
        }
        return out
    }

    private static func latinDecomposition(_ v: UInt32) -> [UInt32]? {
        switch v {
        case 0x80...0x24F: return latin[Int(v - 0x80)]
        case 0x1E00...0x1EFF: return latinExtended[Int(v - 0x1E00)]
        default: return nil
        }
    }

    private static func table(_ range: ClosedRange<UInt32>) -> [[UInt32]] {
        range.map { v in
            String(Character(Unicode.Scalar(v)!)).decomposedStringWithCanonicalMapping.unicodeScalars.map(\.value)
        }
    }
    private static let latin = table(0x80...0x24F)
    private static let latinExtended = table(0x1E00...0x1EFF)

    private static func key(decomposed scalars: [UInt32]) -> [UInt32] {
        var primary: [UInt32] = []
        var secondary: [UInt32] = []
        var tertiary: [UInt32] = []
        primary.reserveCapacity(scalars.count)
        secondary.reserveCapacity(scalars.count)
        tertiary.reserveCapacity(scalars.count)
        for v in scalars {
            switch v {
            case 0x41...0x5A, 0x61...0x7A, 0x110, 0x111:
                let upper = v <= 0x5A || v == 0x110
                let letter: UInt32 = (v == 0x110 || v == 0x111) ? 3 : (upper ? v - 0x41 : v - 0x61)
                primary.append(1_000 + letter * 4 + (v >= 0x110 ? 1 : 0))
                secondary.append(0)
                tertiary.append(upper ? 1 : 0)
            case 0x306, 0x302, 0x31B:                                 // ă, â/ê/ô, ơ/ư
                if let last = primary.last, last >= 1_000, (last - 1_000) % 4 == 0 {
                    primary[primary.count - 1] = last + (v == 0x306 ? 1 : v == 0x302 ? 2 : 3)
                }
            case 0x300, 0x309, 0x303, 0x301, 0x323:                   // tones
                if !secondary.isEmpty {
                    secondary[secondary.count - 1] = v == 0x300 ? 1 : v == 0x309 ? 2 : v == 0x303 ? 3 : v == 0x301 ? 4 : 5
                }
            case 0x30...0x39: primary.append(500 + v); secondary.append(0); tertiary.append(0)
            case 0..<0x80: primary.append(v + 1); secondary.append(0); tertiary.append(0)
            default: primary.append(100_000 + v); secondary.append(0); tertiary.append(0)
            }
        }
        return primary + [0] + secondary + [0] + tertiary
    }
}
