import ChiTraCore

/// HTML escaping and file names for the printable pages.
enum HTMLText {
    /// Escapes `& < > " '` so data can never become markup (a name like `<script>` stays text).
    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for ch in s {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(ch)
            }
        }
        return out
    }

    /// An ASCII file-name stem: `Tổ dân phố 4` → `to-dan-pho-4`.
    static func slug(_ s: String) -> String {
        var out = ""
        for ch in VietnameseText.bankForm(s).lowercased() {
            if ch.isASCII && (ch.isLetter || ch.isNumber) { out.append(ch) }
            else if !out.hasSuffix("-") { out.append("-") }
        }
        while out.hasSuffix("-") { out.removeLast() }
        while out.hasPrefix("-") { out.removeFirst() }
        return out.isEmpty ? "x" : out
    }
}
