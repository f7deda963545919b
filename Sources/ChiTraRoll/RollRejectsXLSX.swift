import ChiTraCore
import ChiTraSheets
import Foundation

/// The roll import's rejected lines as an Excel workbook (`chitra roll import FILE --xlsx REJECTS.xlsx`).
///
/// Made from the rejects CSV the import wrote (`RollImporter.rejectsURL`): the same columns — the
/// roll's, as the file had them, then `Lý do từ chối` — every cell as text, exactly as the line
/// had it (a personal ID keeps its leading zero, an account number all its digits, a wrong date
/// stays as it was typed), so the clerk corrects the lines and sends them again.
public enum RollRejectsXLSX {
    /// The workbook of the rejects CSV at `rejectsCSV`; the sheet's title names the imported file.
    public static func workbook(rejectsCSV: URL, importedFile: String) throws -> XLSXWorkbook {
        let reader = try CSVReader(url: rejectsCSV)
        guard let header = try reader.next() else { throw MessageError("sheets.no_rejects", ["file": .text(rejectsCSV.lastPathComponent)]) }
        var rows: [[XLSXCell]] = []
        while let r = try reader.next() {
            rows.append(r.fields.prefix(header.fields.count).map { XLSXCell.optionalText(uncsv($0)) })
        }
        let reasonColumn = header.fields.count - 1
        let columns = header.fields.enumerated().map { i, h in
            i == reasonColumn ? XLSXColumn(h, wrap: true, maxWidth: 60) : XLSXColumn(h, maxWidth: 30)
        }
        let sheet = XLSXSheet(name: "Dòng bị từ chối",
                              title: ["CÁC DÒNG BỊ TỪ CHỐI KHI NHẬP DANH SÁCH",
                                      "Tệp: \(importedFile) — \(rows.count) dòng; sửa các dòng theo lý do ở cột cuối rồi nhập lại"],
                              columns: columns, rows: rows, landscape: true,
                              printTitle: "Các dòng bị từ chối — \(importedFile)")
        return XLSXWorkbook(title: "Các dòng bị từ chối — \(importedFile)", sheets: [sheet])
    }

    /// Writes the workbook to `url` (whole or not at all, mode 0600: the lines hold personal data).
    public static func write(rejectsCSV: URL, importedFile: String, to url: URL) throws {
        try XLSXWriter.write(try workbook(rejectsCSV: rejectsCSV, importedFile: importedFile), to: url)
    }

    /// A cell as the roll had it: the CSV's `'` before `=`, `+`, `-`, `@`, tab or CR
    /// (`CSVText.cell`, there for spreadsheets opening the CSV) is taken off again; in the workbook
    /// the cell is text and cannot run as a formula anyway.
    static func uncsv(_ s: String) -> String {
        let u = s.unicodeScalars
        guard u.count >= 2, u.first == "'", "=+-@\t\r".unicodeScalars.contains(u[u.index(after: u.startIndex)]) else { return s }
        return String(s.unicodeScalars.dropFirst())
    }
}
