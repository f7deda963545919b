import ChiTraCore
import ChiTraStore
import ChiTraTestSupport
import Foundation
import GRDB
import Testing

@Suite("Roll import fast paths")
struct RollFastPathTests {
    @Test("The roll tables' CHECK constraints still refuse what they refused (after v4-roll-checks-without-in-lists)")
    func checksStillRefuse() throws {
        let db = try AppDatabase.temporary()
        let maker = try db.actor(.maker)
        try db.writer.write { db in
            for table in ["beneficiary", "grant_record", "roll_change"] {
                let sql = try String.fetchOne(db, sql: "SELECT sql FROM sqlite_schema WHERE name = ?", arguments: [table]) ?? ""
                #expect(!sql.contains("status IN (") && !sql.contains("channel IN (") && !sql.contains("source IN ("))
            }
            try db.execute(sql: "INSERT INTO import_file(sha256, kind, name, imported_at, imported_by, imported_by_user, rows_total, rows_applied, rows_unchanged, rows_rejected) VALUES ('x','roll','f','t','u',?,0,0,0,0)", arguments: [maker.userID])
            func insertPerson(status: String, channel: String) throws {
                try db.execute(sql: """
                    INSERT INTO beneficiary(code, full_name, name_bank, birth_date, sex, personal_id, commune, village, status, channel, first_file_id, last_file_id, updated_at)
                    VALUES ('DT1','A','A','1950-01-01','M','001050000001','X','Y',?,?,1,1,'t')
                    """, arguments: [status, channel])
            }
            #expect(throws: DatabaseError.self) { try insertPerson(status: "gone", channel: "post_cash") }
            #expect(throws: DatabaseError.self) { try insertPerson(status: "active", channel: "cash") }
            try insertPerson(status: "active", channel: "post_cash")
            #expect(throws: DatabaseError.self) {
                try db.execute(sql: "INSERT INTO grant_record(code, category, decision_no, decision_date, start_month, status, last_file_id) VALUES ('DT1','C','1','2026-01-01','2026-01','over',1)")
            }
            #expect(throws: DatabaseError.self) {
                try db.execute(sql: "INSERT INTO roll_change(code, field, file_id, source, changed_at, changed_by, changed_by_user) VALUES ('DT1','f',1,'elsewhere','t','u',?)", arguments: [maker.userID])
            }
            try db.execute(sql: "INSERT INTO roll_change(code, field, file_id, source, changed_at, changed_by, changed_by_user) VALUES ('DT1','f',1,'manual','t','u',?)", arguments: [maker.userID])
        }
    }

    @Test("CSV records across the reader's 1 MiB chunks read the same as short ones")
    func csvAcrossChunks() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("csv-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appendingPathComponent("big.csv")
        var expected: [[String]] = []
        var text = ""
        for i in 0..<30_000 {
            let row = ["DT\(i)", "Nguyễn Văn \(i)", i % 3 == 0 ? "\"\(i), quoted\"" : "plain \(i)", "", "x"]
            text += row.joined(separator: ",") + (i % 2 == 0 ? "\r\n" : "\n")
            expected.append(row.map { $0.hasPrefix("\"") ? String($0.dropFirst().dropLast()) : $0 })
        }
        try Data(text.utf8).write(to: url)
        let reader = try CSVReader(url: url)
        var got: [[String]] = []
        var lines: [Int] = []
        while let r = try reader.next() { got.append(r.fields); lines.append(r.line) }
        #expect(got == expected)
        #expect(lines == Array(1...30_000))
    }
}

@Suite("CSV fields and UTF-8")
struct CSVUTF8Tests {
    func read(_ bytes: [UInt8]) throws -> [[String]] {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("csv-utf8-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appendingPathComponent("f.csv")
        try Data(bytes).write(to: url)
        let reader = try CSVReader(url: url)
        var out: [[String]] = []
        while let r = try reader.next() { out.append(r.fields) }
        return out
    }

    @Test("Valid UTF-8 comes back byte for byte: composed and decomposed Vietnamese, a 4-byte character, quoted or not")
    func validKeepsItsBytes() throws {
        let nfc = "Nguyễn Thị Hoà", nfd = "Nguyễn Thị Hoà".decomposedStringWithCanonicalMapping, four = "Bà 𠀀 Lan"
        let rows = try read(Array("\(nfc),\(nfd),\"\(four), x\"\r\n".utf8))
        #expect(rows.count == 1)
        #expect(rows[0].map { Array($0.utf8) } == [Array(nfc.utf8), Array(nfd.utf8), Array("\(four), x".utf8)])
    }

    @Test("Each kind of invalid UTF-8 is refused, naming the field: a stray continuation byte, a cut sequence, an overlong form, a surrogate, a byte over F4")
    func invalidIsRefused() throws {
        let bad: [[UInt8]] = [[0x80], [0x41, 0xE1, 0xBA], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80], [0xEF, 0xBF, 0xBD, 0xFF]]
        for b in bad {
            #expect(throws: CSVReader.Failure.self, "\(b)") { _ = try read(Array("ok,".utf8) + b + Array(",z\n".utf8)) }
            do { _ = try read(Array("ok,".utf8) + b + Array(",z\n".utf8)) } catch let f as CSVReader.Failure {
                #expect(f.message.contains("2"), "\(f.message)")
            }
        }
        // U+FFFD written in the file is valid UTF-8 and kept.
        #expect(try read([0xEF, 0xBF, 0xBD, 0x0A]) == [["\u{FFFD}"]])
    }
}
