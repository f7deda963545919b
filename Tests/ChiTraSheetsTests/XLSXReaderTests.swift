@testable import ChiTraSheets
import ChiTraCore
import Foundation
import Testing
import ZIPFoundation

/// Writes a workbook from parts (path → XML) with ZIPFoundation.
func makeWorkbook(_ parts: [String: String]) throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("xlsx-\(UUID())")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let url = dir.appendingPathComponent("book.xlsx")
    let archive = try Archive(url: url, accessMode: .create)
    for (path, xml) in parts.sorted(by: { $0.key < $1.key }) {
        let data = Data(xml.utf8)
        try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate) { pos, size in
            data.subdata(in: Int(pos)..<Int(pos) + size)
        }
    }
    return url
}

let mainNS = #"xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships""#
let relNS = #"xmlns="http://schemas.openxmlformats.org/package/2006/relationships""#

/// Two sheets ("Tổng hợp" first, "Danh sách" second), shared strings with a rich-text run, styles
/// with a built-in date (14), a custom dd/mm/yyyy and a custom mm/yyyy.
func sampleParts(date1904: Bool = false, sheet2: String) -> [String: String] {
    [
        "_rels/.rels": #"<?xml version="1.0" encoding="UTF-8"?><Relationships \#(relNS)><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
        "xl/workbook.xml": #"<?xml version="1.0" encoding="UTF-8"?><workbook \#(mainNS)><workbookPr\#(date1904 ? #" date1904="1""# : "")/><sheets><sheet name="Tổng hợp" sheetId="1" r:id="rId1"/><sheet name="Danh sách" sheetId="2" r:id="rId2"/></sheets></workbook>"#,
        "xl/_rels/workbook.xml.rels": #"<?xml version="1.0" encoding="UTF-8"?><Relationships \#(relNS)><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="/xl/worksheets/sheet2.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/><Relationship Id="rId4" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>"#,
        "xl/sharedStrings.xml": #"<?xml version="1.0" encoding="UTF-8"?><sst \#(mainNS) count="3" uniqueCount="3"><si><t>Mã đối tượng</t></si><si><r><t xml:space="preserve">Nguyễn </t></r><r><rPr><b/></rPr><t>Văn An</t></r><rPh><t>ignored</t></rPh></si><si><t>Đang hưởng</t></si></sst>"#,
        "xl/styles.xml": #"<?xml version="1.0" encoding="UTF-8"?><styleSheet \#(mainNS)><numFmts count="2"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/><numFmt numFmtId="165" formatCode="mm/yyyy;@"/></numFmts><cellStyleXfs count="1"><xf numFmtId="14"/></cellStyleXfs><cellXfs count="4"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/><xf numFmtId="165"/></cellXfs></styleSheet>"#,
        "xl/worksheets/sheet1.xml": #"<?xml version="1.0" encoding="UTF-8"?><worksheet \#(mainNS)><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>tổng</t></is></c></row></sheetData></worksheet>"#,
        "xl/worksheets/sheet2.xml": sheet2,
    ]
}

@Suite("XLSX reader")
struct XLSXReaderTests {
    @Test("Excel date serials: 1900 system with its 29 February 1900, and the 1904 system")
    func serials() {
        func d(_ s: Double, _ b: Bool = false) -> String? { XLSXReader.date(serial: s, date1904: b).map { "\($0.year)-\($0.month)-\($0.day)" } }
        #expect(d(1) == "1900-1-1")
        #expect(d(59) == "1900-2-28")
        #expect(d(60) == "1900-2-29")       // the day Excel counts and that never was
        #expect(d(61) == "1900-3-1")
        #expect(d(21_619) == "1959-3-10")   // 30 Dec 1899 + 21,619 days
        #expect(d(45_658) == "2025-1-1")
        #expect(d(45_658.75) == "2025-1-1") // the time of day is dropped
        #expect(d(0, true) == "1904-1-1")
        #expect(d(1, true) == "1904-1-2")
        #expect(d(0) == nil)
        #expect(d(-1) == nil)
    }

    @Test("Number formats: built-in 14–22 and custom codes with d/y are dates; mm/yyyy is a month; h:mm and 0.00 are not")
    func formats() {
        #expect(XLSXReader.kind(ofFormat: 14, custom: [:]) == .date)
        #expect(XLSXReader.kind(ofFormat: 17, custom: [:]) == .monthYear)
        #expect(XLSXReader.kind(ofFormat: 22, custom: [:]) == .date)
        #expect(XLSXReader.kind(ofFormat: 2, custom: [:]) == .general)
        #expect(XLSXReader.kind(ofCode: "dd/mm/yyyy") == .date)
        #expect(XLSXReader.kind(ofCode: "[$-42A]d mmmm yyyy") == .date)
        #expect(XLSXReader.kind(ofCode: "mm/yyyy") == .monthYear)
        #expect(XLSXReader.kind(ofCode: "h:mm") == .general)
        #expect(XLSXReader.kind(ofCode: "#,##0\" đồng\"") == .general)
        #expect(XLSXReader.kind(ofCode: "0.00") == .general)
    }

    @Test("Cells: shared and rich strings, inline strings, formula text, booleans, numbers, dates; sparse and empty rows")
    func cells() throws {
        let sheet = #"""
        <?xml version="1.0" encoding="UTF-8"?><worksheet \#(mainNS)><sheetData>
        <row r="1"><c r="A1" t="s"><v>0</v></c><c r="C1" t="inlineStr"><is><t>Ngày sinh</t></is></c></row>
        <row r="2" spans="1:3"/>
        <row r="3"><c r="B3" s="1"/></row>
        <row r="4"><c r="A4" t="s"><v>1</v></c><c r="B4"><v>46159233478</v></c><c r="C4" s="1"><v>21619</v></c><c r="D4" s="2"><v>45658</v></c><c r="E4" s="3"><v>45658</v></c><c t="b"><v>1</v></c><c r="H4" t="str"><f>A4</f><v>Nguyễn Văn An</v></c><c r="I4"><v>1.5</v></c><c r="J4"><v>4.09124E+12</v></c></row>
        <row><c r="A5" t="s"><v>2</v></c></row>
        </sheetData></worksheet>
        """#
        let reader = try XLSXReader(url: try makeWorkbook(sampleParts(sheet2: sheet)), sheet: "Danh sách")
        #expect(reader.sheetNames == ["Tổng hợp", "Danh sách"])
        let rows = try reader.rows()
        #expect(rows.map(\.number) == [1, 4, 5])   // rows 2 and 3 hold no value; row 5 follows row 4
        #expect(rows[0].cells == ["Mã đối tượng", "", "Ngày sinh"])
        #expect(rows[1].cells == ["Nguyễn Văn An", "46159233478", "10/03/1959", "01/01/2025", "01/2025", "TRUE", "", "Nguyễn Văn An", "1.5", "4091240000000"])
        #expect(rows[1].numericColumns == [1, 8, 9])
        #expect(rows[2].cells == ["Đang hưởng"])
        // The first sheet by default.
        #expect(try XLSXReader(url: try makeWorkbook(sampleParts(sheet2: sheet))).rows().map(\.cells) == [["tổng"]])
    }

    @Test("The 1904 date system moves dates by 1,462 days")
    func date1904() throws {
        let sheet = #"<?xml version="1.0" encoding="UTF-8"?><worksheet \#(mainNS)><sheetData><row r="1"><c r="A1" s="2"><v>44196</v></c></row></sheetData></worksheet>"#
        // 44196 in 1904 = 44196 + 1462 = 45658 in 1900: 1 January 2025.
        let rows = try XLSXReader(url: try makeWorkbook(sampleParts(date1904: true, sheet2: sheet)), sheet: "Danh sách").rows()
        #expect(rows.first?.cells == ["01/01/2025"])
    }

    @Test("An unknown sheet names the sheets there are; a DOCTYPE anywhere is refused before parsing")
    func refusals() throws {
        let ok = #"<?xml version="1.0" encoding="UTF-8"?><worksheet \#(mainNS)><sheetData/></worksheet>"#
        #expect { _ = try XLSXReader(url: try makeWorkbook(sampleParts(sheet2: ok)), sheet: "Sheet1") } throws: {
            ($0 as? MessageError)?.text(in: .vi) == "book.xlsx: không có trang tính \"Sheet1\"; các trang tính trong tệp: \"Tổng hợp\", \"Danh sách\". Hãy chọn lại bằng --sheet"
        }
        var parts = sampleParts(sheet2: ok)
        parts["xl/sharedStrings.xml"] = #"<?xml version="1.0"?><!DOCTYPE sst SYSTEM "file:///etc/passwd"><sst \#(mainNS)/>"#
        #expect { _ = try XLSXReader(url: try makeWorkbook(parts)) } throws: {
            ($0 as? MessageError)?.message == Message("xlsx.read.doctype", ["file": "book.xlsx", "part": "xl/sharedStrings.xml"])
        }
    }

    @Test("Limits are counted while extracting: too many entries, a part larger than allowed, a ratio above the limit")
    func limits() throws {
        let big = #"<?xml version="1.0" encoding="UTF-8"?><worksheet \#(mainNS)><sheetData>"# + String(repeating: " ", count: 3 << 20) + "</sheetData></worksheet>"
        let url = try makeWorkbook(sampleParts(sheet2: big))
        #expect { _ = try XLSXReader(url: url, sheet: "Danh sách", limits: XLSXLimits(maxEntries: 5)) } throws: {
            ($0 as? MessageError)?.message.key == "xlsx.read.too_many_entries"
        }
        #expect { _ = try XLSXReader(url: url, sheet: "Danh sách", limits: XLSXLimits(maxEntryBytes: 2 << 20, maxRatio: 100_000)) } throws: {
            ($0 as? MessageError)?.message.key == "xlsx.read.entry_too_large"
        }
        // 3 MiB of blanks deflate to a few KiB: far above 200×.
        #expect { _ = try XLSXReader(url: url, sheet: "Danh sách") } throws: {
            ($0 as? MessageError)?.message == Message("xlsx.read.zip_bomb", ["file": "book.xlsx", "part": "xl/worksheets/sheet2.xml", "ratio": 200])
        }
    }
}
