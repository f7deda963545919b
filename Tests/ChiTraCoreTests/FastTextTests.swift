@testable import ChiTraCore
import Foundation
import Testing

/// The fast paths must give exactly what the Foundation calls they replace give.
@Suite("Fast text paths agree with Foundation")
struct FastTextTests {
    static let samples: [String] = [
        "", " ", "  ", "a", " a", "a ", " a ", "a  b", "a\tb", "\ta", "a\t", "a\u{A0}b", "\u{A0}", "a\u{85}b", "a\r\nb",
        "Nguyễn Văn An", "Trần  Thị Bình", " Lê Thị Cúc ", "Phường Hương Trà", "Tổ dân phố 3", "ĐẶNG THỊ HOÀ",
        "Nguye\u{0302}\u{0303}n Va\u{0306}n An", "Hoa\u{0300}", "Ho\u{00E0}", "\u{1EA0}\u{0301}", "e\u{0301}\u{0323}",
        "Ω", "\u{2126}", "Å", "A\u{030A}", "ﬁ", "\u{2003}x\u{2003}", "x\u{3000}y", "\u{1680}", "Σ σ ς", "日本語",
        "12 Lê Lợi, Tổ dân phố 3", "Gần chợ \"Bến Ngự\"", "ǅ", "ǈ", "\u{0340}", "\u{0958}", "ı", "ß", "İ",
    ]

    @Test("trimmedWhitespaces == trimmingCharacters(in: .whitespaces)")
    func trim() {
        for s in Self.samples { #expect(FastText.trimmedWhitespaces(s) == s.trimmingCharacters(in: .whitespaces), "\(s.debugDescription)") }
        for v in UInt32(0)..<0x3100 {
            guard let u = Unicode.Scalar(v) else { continue }
            let s = String(Character(u)) + "x" + String(Character(u))
            #expect(FastText.trimmedWhitespaces(s).unicodeScalars.elementsEqual(s.trimmingCharacters(in: .whitespaces).unicodeScalars), "U+\(String(v, radix: 16))")
        }
    }

    static func slowNormalized(_ s: String) -> String {
        s.precomposedStringWithCanonicalMapping.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    @Test("normalizedName == NFC + whitespace runs collapsed, for every Latin and Vietnamese scalar")
    func normalized() {
        for s in Self.samples {
            #expect(VietnameseText.normalizedName(s).unicodeScalars.elementsEqual(Self.slowNormalized(s).unicodeScalars), "\(s.debugDescription)")
        }
        for v in UInt32(0)..<0x2100 {
            guard let u = Unicode.Scalar(v) else { continue }
            for s in [String(Character(u)), "a" + String(Character(u)) + "b", "Ơ" + String(Character(u)), String(Character(u)) + " x"] {
                #expect(VietnameseText.normalizedName(s).unicodeScalars.elementsEqual(Self.slowNormalized(s).unicodeScalars), "U+\(String(v, radix: 16))")
                #expect(FastText.nfc(s).unicodeScalars.elementsEqual(s.precomposedStringWithCanonicalMapping.unicodeScalars), "U+\(String(v, radix: 16))")
            }
        }
    }

    static func slowBankForm(_ s: String) -> String {
        var out = ""
        for scalar in s.decomposedStringWithCanonicalMapping.unicodeScalars {
            switch scalar.value {
            case 0x0300...0x036F: continue
            case 0x0110, 0x0111: out.append("D")
            default:
                if scalar.properties.isWhitespace { if !out.hasSuffix(" ") && !out.isEmpty { out.append(" ") } }
                else { out.unicodeScalars.append(scalar) }
            }
        }
        if out.hasSuffix(" ") { out.removeLast() }
        return out.uppercased()
    }

    @Test("bankForm == NFD without diacritics, upper case, for every Latin and Vietnamese scalar")
    func bankForm() {
        for s in Self.samples { #expect(VietnameseText.bankForm(s) == Self.slowBankForm(s), "\(s.debugDescription)") }
        for v in UInt32(0)..<0x2100 {
            guard let u = Unicode.Scalar(v) else { continue }
            for s in [String(Character(u)), "a" + String(Character(u)) + "\u{0323}b"] {
                #expect(VietnameseText.bankForm(s).unicodeScalars.elementsEqual(Self.slowBankForm(s).unicodeScalars), "U+\(String(v, radix: 16))")
            }
        }
    }

    @Test("dates and months print as String(format:) did")
    func padding() {
        for y in [0, 5, 99, 1850, 1941, 2026, 2999, 12345] {
            for m in [1, 9, 10, 12] {
                #expect(FastText.padded(y, width: 4) + "-" + FastText.padded(m, width: 2) == String(format: "%04d-%02d", y, m))
            }
        }
        #expect(FastText.padded(-5, width: 4) == String(format: "%04d", -5))
        #expect(CivilDate(year: 1941, month: 3, day: 7)!.description == "1941-03-07")
        #expect(YearMonth(year: 2026, month: 12)!.compact == "202612")
        #expect(YearMonth(year: 2026, month: 1)!.description == "2026-01")
    }
}
