import ChiTraCore
import ChiTraSigning
import Foundation

extension GapWorklist {
    /// Page style: A4 portrait, printable, no external resources.
    static let pageCSS = """
    @page { size: A4; margin: 12mm 10mm; }
    * { box-sizing: border-box; }
    body { font-family: "Noto Sans", "DejaVu Sans", "Liberation Sans", Arial, sans-serif; font-size: 9.5pt; color: #000; padding: 8mm; max-width: 210mm; margin: 0 auto; }
    @media print { body { padding: 0; max-width: none; } a { color: #000; text-decoration: none; } }
    header h1 { font-size: 13pt; margin: 0 0 2mm 0; text-transform: uppercase; text-align: center; }
    header p { margin: 0.6mm 0; }
    .meta { display: flex; justify-content: space-between; flex-wrap: wrap; gap: 2mm 6mm; margin: 2mm 0 3mm 0; }
    table { width: 100%; border-collapse: collapse; table-layout: fixed; }
    thead { display: table-header-group; }
    tr { page-break-inside: avoid; break-inside: avoid; }
    th, td { border: 0.3mm solid #333; padding: 1.2mm 1.4mm; vertical-align: top; text-align: left; overflow-wrap: anywhere; }
    th { background: #e8e8e8; font-size: 8.5pt; }
    td.n { text-align: center; }
    tr.risk td:nth-child(2) { font-weight: bold; }
    .tag { display: inline-block; border: 0.2mm solid #000; padding: 0 1mm; font-size: 7.5pt; font-weight: bold; }
    .small { font-size: 8pt; color: #333; }
    col.stt { width: 6%; } col.who { width: 17%; } col.addr { width: 15%; } col.cat { width: 11%; }
    col.miss { width: 22%; } col.bring { width: 14%; } col.note { width: 15%; }
    footer { margin-top: 6mm; display: flex; justify-content: space-between; }
    footer div { width: 45%; text-align: center; }
    footer .sign { height: 18mm; }
    ul.villages li { margin: 1mm 0; }
    """

    static func page(title: String, body: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="vi">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(HTMLText.escape(title))</title>
        <style>
        \(pageCSS)
        </style>
        </head>
        <body>
        \(body)
        </body>
        </html>

        """
    }

    /// The printable page of one village: header with commune, village, date and counts, then one
    /// row per case with an empty "Ghi chú / Chữ ký" column for the visit. All data HTML-escaped.
    public func villagePage(_ v: GapVillage) -> String {
        let e = HTMLText.escape
        var rows = ""
        for (i, c) in v.cases.enumerated() {
            let risk = c.paymentAtRisk ? #"<br><span class="tag">SẮP LỠ KỲ CHI TRẢ</span>"# : ""
            let followUp = c.lastEvent.map { #"<br><span class="small">Gần nhất: "# + e("\($0.status.vietnamese) \(String($0.recordedAt.prefix(10)))") + "</span>" } ?? ""
            rows += """
            <tr\(c.paymentAtRisk ? #" class="risk""# : "")>
            <td class="n">\(i + 1)</td>
            <td>\(e(c.name))<br><span class="small">Mã: \(e(c.code)) · \(c.age) tuổi<br>Số định danh: \(e(c.personalIDMasked))</span>\(risk)</td>
            <td>\(e(c.address.isEmpty ? "không có" : c.address))<br><span class="small">ĐT: \(e(c.phoneText))</span></td>
            <td>\(e(c.categoryText))</td>
            <td>\(e(c.missing))\(followUp)</td>
            <td>\(e(c.bring))</td>
            <td></td>
            </tr>

            """
        }
        let body = """
        <header>
        <h1>Danh sách đối tượng cần hỗ trợ chi trả không dùng tiền mặt</h1>
        <div class="meta">
        <p><b>Xã/phường:</b> \(e(v.commune))</p>
        <p><b>Thôn/tổ dân phố:</b> \(e(v.village))</p>
        <p><b>Ngày lập:</b> \(asOfDate.vietnamese)</p>
        </div>
        <p><b>Số trường hợp cần xử lý:</b> \(v.cases.count) (sắp lỡ kỳ chi trả: \(v.atRiskCount)) trên \(v.activeCount) đối tượng đang hưởng.</p>
        <p class="small">Xếp theo thứ tự cần làm trước: sắp lỡ kỳ chi trả, người cao tuổi và khuyết tật nặng nhất, không có điện thoại hoặc người nhận thay.</p>
        </header>
        <table>
        <colgroup><col class="stt"><col class="who"><col class="addr"><col class="cat"><col class="miss"><col class="bring"><col class="note"></colgroup>
        <thead><tr><th>STT</th><th>Họ và tên</th><th>Địa chỉ, điện thoại</th><th>Diện</th><th>Còn thiếu</th><th>Cần mang theo</th><th>Ghi chú / Chữ ký</th></tr></thead>
        <tbody>
        \(rows)</tbody>
        </table>
        <footer>
        <div><b>Người lập danh sách</b><div class="sign"></div>(Ký, ghi rõ họ tên)</div>
        <div><b>Cán bộ đi xác minh</b><div class="sign"></div>(Ký, ghi rõ họ tên)</div>
        </footer>
        """
        return Self.page(title: "\(v.village) — \(v.commune) — \(asOfDate.vietnamese)", body: body)
    }

    /// File names for the village pages, unique and ASCII (`phuong-huong-tra--to-dan-pho-4.html`).
    public func pageFileNames() -> [String] {
        var used = Set<String>(["index.html"])
        var names: [String] = []
        for v in villages {
            let stem = HTMLText.slug(v.commune) + "--" + HTMLText.slug(v.village)
            var name = stem + ".html"
            var n = 2
            while used.contains(name) { name = "\(stem)-\(n).html"; n += 1 }
            used.insert(name)
            names.append(name)
        }
        return names
    }

    /// The index page: every village with its counts and a link to its page.
    public func indexPage(fileNames: [String]) -> String {
        let e = HTMLText.escape
        var items = ""
        var lastCommune: String?
        for (v, f) in zip(villages, fileNames) where !v.cases.isEmpty {
            if v.commune != lastCommune {
                if lastCommune != nil { items += "</ul>\n" }
                items += "<h2>\(e(v.commune))</h2>\n<ul class=\"villages\">\n"
                lastCommune = v.commune
            }
            items += "<li><a href=\"\(e(f))\">\(e(v.village))</a>: \(v.cases.count) trường hợp (sắp lỡ kỳ chi trả: \(v.atRiskCount)) trên \(v.activeCount) đối tượng đang hưởng</li>\n"
        }
        if lastCommune != nil { items += "</ul>\n" }
        let body = """
        <header>
        <h1>Danh sách đối tượng cần hỗ trợ chi trả không dùng tiền mặt</h1>
        <p><b>Ngày lập:</b> \(asOfDate.vietnamese)</p>
        <p><b>Tổng số:</b> \(caseCount) trường hợp trên \(activeCount) đối tượng đang hưởng.</p>
        </header>
        \(items.isEmpty ? "<p>Không còn trường hợp nào.</p>" : items)
        """
        return Self.page(title: "Danh sách cần xử lý — \(asOfDate.vietnamese)", body: body)
    }

    /// Writes one page per village with cases, and `index.html`, into `directory` (created if
    /// needed, mode 0700: the pages hold names and addresses); each file atomically, mode 0600.
    /// Returns the files written, index first.
    @discardableResult
    public func writeHTML(to directory: URL) throws -> [URL] {
        if !FileManager.default.fileExists(atPath: directory.path) {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        let names = pageFileNames()
        var written: [URL] = []
        let index = directory.appendingPathComponent("index.html")
        try AtomicFile.write(Data(indexPage(fileNames: names).utf8), to: index)
        written.append(index)
        for (v, name) in zip(villages, names) where !v.cases.isEmpty {
            let url = directory.appendingPathComponent(name)
            try AtomicFile.write(Data(villagePage(v).utf8), to: url)
            written.append(url)
        }
        return written
    }
}
