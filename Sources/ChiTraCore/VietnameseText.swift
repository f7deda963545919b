import Foundation

/// Vietnamese names as they arrive from different systems (NFC or NFD) and as banks hold them.
public enum VietnameseText {
    /// Canonical storage form: NFC, single spaces, trimmed.
    public static func normalizedName(_ s: String) -> String {
        FastText.normalizedName(s)
    }

    /// Upper case without diacritics, Đ → D: the form banks hold account names in
    /// ("Nguyễn Thị Hoà" → "NGUYEN THI HOA").
    public static func bankForm(_ s: String) -> String {
        if let fast = FastText.asciiBankForm(s) { return fast }
        var out = ""
        out.reserveCapacity(s.utf8.count)
        let decomposed = FastText.strippedDecomposition(s) ?? Array(s.decomposedStringWithCanonicalMapping.unicodeScalars)
        for scalar in decomposed {
            switch scalar.value {
            case 0x0300...0x036F: continue            // combining diacritics
            case 0x0110, 0x0111: out.append("D")      // Đ đ
            default:
                // ASCII: White_Space is exactly tab…CR and space (no property lookup per letter).
                let isWhitespace = scalar.value < 0x80 ? (scalar.value == 0x20 || (scalar.value >= 0x09 && scalar.value <= 0x0D))
                                                       : scalar.properties.isWhitespace
                if isWhitespace { if !out.hasSuffix(" ") && !out.isEmpty { out.append(" ") } }
                else { out.unicodeScalars.append(scalar) }
            }
        }
        if out.hasSuffix(" ") { out.removeLast() }
        return FastText.uppercased(out)
    }

    /// Key for comparing headers and labels: NFC, lower case, single spaces.
    public static func key(_ s: String) -> String {
        normalizedName(s).lowercased()
    }
}
