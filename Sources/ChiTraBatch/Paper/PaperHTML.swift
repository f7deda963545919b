import ChiTraCore

/// The parts every printed page shares: escaping, the A4 style, the state emblem lines (quốc
/// hiệu, tiêu ngữ) beside the issuing body, the place-and-date line and the signature blocks, as
/// Vietnamese administrative documents lay them out (Decree 30/2020/NĐ-CP on document form).
enum PaperHTML {
    /// Escapes `& < > " '` so that data never becomes markup (a name like `<script>` stays text).
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

    /// A4 in the given orientation, Times-like serif with Vietnamese glyphs, black on white,
    /// table headers repeated on every page, page numbers at the foot.
    static func style(landscape: Bool) -> String {
        """
        @page { size: A4 \(landscape ? "landscape" : "portrait"); margin: 14mm 12mm 16mm 16mm;
                @bottom-right { content: "Trang " counter(page) "/" counter(pages); font: 9pt "Times New Roman", "Liberation Serif", serif; } }
        * { box-sizing: border-box; }
        html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
        body { margin: 0; font-family: "Times New Roman", "Liberation Serif", "DejaVu Serif", serif; font-size: 11.5pt; color: #000; background: #fff; line-height: 1.25; }
        .head { display: flex; justify-content: space-between; align-items: flex-start; text-align: center; }
        .head .org { width: 42%; }
        .head .nation { width: 56%; }
        .head .org .upper { text-transform: none; }
        .head b { display: block; }
        .head .rule { display: block; width: 38%; margin: 2pt auto 0; border-top: 1px solid #000; }
        .head .motto { display: inline-block; font-weight: bold; font-size: 12.5pt; border-bottom: 1px solid #000; padding-bottom: 1pt; }
        .head .number { margin-top: 4pt; font-size: 10.5pt; }
        h1 { text-align: center; font-size: 14pt; margin: 14pt 0 2pt; }
        .sub { text-align: center; margin: 0 0 1pt; }
        .meta { margin: 8pt 0 6pt; }
        .meta p { margin: 1pt 0; }
        table.grid { width: 100%; border-collapse: collapse; font-size: 10.5pt; }
        table.grid.fixed { table-layout: fixed; }
        table.grid.report { font-size: 9.5pt; }
        table.grid.report th { font-size: 9pt; }
        table.grid th, table.grid td { border: 0.75pt solid #000; padding: 2pt 3pt; vertical-align: top; overflow-wrap: anywhere; }
        table.grid th { font-weight: bold; text-align: center; vertical-align: middle; }
        table.grid thead { display: table-header-group; }
        table.grid tr { break-inside: avoid; }
        table.grid .colno th { font-weight: normal; font-style: italic; font-size: 9pt; padding: 1pt; }
        td.c { text-align: center; }
        td.n { text-align: right; white-space: nowrap; }
        td.sign { width: 24mm; }
        tr.group td { font-weight: bold; }
        tr.total td { font-weight: bold; }
        .small { font-size: 9.5pt; }
        .nowrap { white-space: nowrap; }
        .words { margin: 6pt 0 0; }
        .closing { break-inside: avoid; }
        .place { text-align: right; font-style: italic; margin: 10pt 0 0; padding-right: 4mm; }
        .signs { display: flex; justify-content: space-between; text-align: center; margin-top: 4pt; break-inside: avoid; }
        .signs > div { flex: 1; padding: 0 2pt; }
        .signs b { display: block; font-size: 10.5pt; white-space: nowrap; }
        .signs i { display: block; font-size: 10pt; }
        .signs .space { height: 24mm; }
        .note { font-size: 9.5pt; font-style: italic; margin-top: 8pt; }
        .section { break-before: page; }
        """
    }

    /// The issuing body (left: `ỦY BAN NHÂN DÂN` over the commune, underlined) and the state
    /// emblem lines (right: `CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM` over the underlined motto).
    static func head(issuer: String, number: String?) -> String {
        let upper = issuer.uppercased()
        let prefix = "ỦY BAN NHÂN DÂN "
        let lines = upper.hasPrefix(prefix) ? ["ỦY BAN NHÂN DÂN", String(upper.dropFirst(prefix.count))] : [upper]
        return """
        <div class="head">
        <div class="org">\(lines.map { "<b>\(escape($0))</b>" }.joined())<span class="rule"></span>\(number.map { "<div class=\"number\">\(escape($0))</div>" } ?? "")</div>
        <div class="nation"><b>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</b><span class="motto">Độc lập - Tự do - Hạnh phúc</span></div>
        </div>
        """
    }

    /// `Phường Hương Trà, ngày …… tháng …… năm 2026`, left for the hand that signs.
    static func placeAndDate(_ place: String, year: Int) -> String {
        "<p class=\"place\">\(escape(place)), ngày …… tháng …… năm \(year)</p>"
    }

    /// Signature blocks side by side: title, what to write (`Ký, ghi rõ họ tên`), room to sign.
    static func signatures(_ blocks: [(title: [String], hint: String)]) -> String {
        "<div class=\"signs\">" + blocks.map { b in
            "<div>" + b.title.map { "<b>\(escape($0))</b>" }.joined() + "<i>(\(escape(b.hint)))</i><div class=\"space\"></div></div>"
        }.joined() + "</div>"
    }

    static func document(title: String, landscape: Bool, body: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="vi">
        <head>
        <meta charset="utf-8">
        <title>\(escape(title))</title>
        <style>
        \(style(landscape: landscape))
        </style>
        </head>
        <body>
        \(body)
        </body>
        </html>

        """
    }

    /// `1.250.000`.
    static func money(_ amount: Int64) -> String { Money.vietnamese(amount) }
}
