import ChiTraCore
import ChiTraFixtures
@testable import ChiTraRoll
import ChiTraStore
import Foundation
import GRDB
import Testing

/// The roll's lines are read and validated on a second thread (`RollLinePipeline`), several
/// chunks ahead of the writer: what the import does must not depend on it.
@Suite("Roll import reading ahead on a second thread")
struct RollLinePipelineTests {
    /// A generated roll of `size` people (every line valid), as its lines (header first).
    func roll(size: Int) throws -> (url: URL, lines: [String]) {
        let url = try writeTemp("", name: "roll.csv")
        _ = try RollGenerator.generate(size: size, seed: 7, to: url)
        let text = try String(contentsOf: url, encoding: .utf8)
        return (url, text.components(separatedBy: "\n").filter { !$0.isEmpty })
    }

    func write(_ lines: [String], _ extra: (inout [UInt8]) -> Void = { _ in }) throws -> URL {
        let url = try writeTemp("", name: "roll-edited.csv")
        var bytes = Array(lines.joined(separator: "\n").utf8) + [0x0A]
        extra(&bytes)
        try Data(bytes).write(to: url)
        return url
    }

    @Test("A line the reader cannot read (over 1 MiB) on line 2,801 of 3,001, three chunks ahead: every line before it comes, in order, then the error with its line")
    func readingErrorAtItsPlace() throws {
        let (_, lines) = try roll(size: 3_000)
        var edited = lines
        var cells = edited[2_800].components(separatedBy: ",")
        cells[7] = String(repeating: "x", count: (1 << 20) + 10)   // Địa chỉ
        edited[2_800] = cells.joined(separator: ",")
        let input = try RollInput(url: try write(edited))
        let header = try RollHeader(cells: try #require(try input.next()).fields, file: "roll-edited.csv")
        let pipeline = RollLinePipeline(reader: input, validator: try validator(), header: header, file: "roll-edited.csv", chunkSize: 256, depth: 2)
        defer { pipeline.stop() }
        var seen: [Int] = []
        do {
            while let line = try pipeline.next() { seen.append(line.record.line) }
            Issue.record("the line over 1 MiB was read")
        } catch let e as CSVReader.Failure {
            #expect(e.line == 2_801, "\(e)")
        }
        #expect(seen == Array(2...2_800))
    }

    @Test("Stopped early, the reading thread stops and is waited for, whatever it was doing")
    func stoppedEarly() throws {
        let (url, _) = try roll(size: 3_000)
        for taken in [0, 1, 300] {
            let input = try RollInput(url: url)
            let header = try RollHeader(cells: try #require(try input.next()).fields, file: "roll.csv")
            let pipeline = RollLinePipeline(reader: input, validator: try validator(), header: header, file: "roll.csv", chunkSize: 64, depth: 2)
            for _ in 0..<taken { _ = try pipeline.next() }
            pipeline.stop()   // returns: the reader, blocked on a full queue, was woken and has ended
        }
    }

    @Test("A month-first date on line 11 of 3,001: the writer stops at once, the reader is stopped, the file refused whole")
    func writerStopsEarly() throws {
        let (_, lines) = try roll(size: 3_000)
        var edited = lines
        var cells = edited[10].components(separatedBy: ",")
        cells[2] = "12/25/1950"   // Ngày sinh: only reads month-first
        edited[10] = cells.joined(separator: ",")
        let db = try AppDatabase.temporary()
        do {
            _ = try importer(db).importFile(try write(edited))
            Issue.record("a roll with a month-first date was imported")
        } catch let e as RollFileRefused {
            #expect(e.problem.monthFirstDate && e.problem.line == 11, "\(e)")
        }
        #expect(try count(db, "SELECT count(*) FROM beneficiary") == 0)
    }

    @Test("3,000 generated people import whole: every line read once, in order; the same file again changes nothing")
    func wholeRollInOrder() throws {
        let (url, lines) = try roll(size: 3_000)
        let db = try AppDatabase.temporary()
        let s = try importer(db).importFile(url)
        #expect(s.lines == lines.count - 1 && s.rejected == 0)
        // Every code of the file is in the store, and the history names the lines' codes in file order.
        func firsts(_ codes: [String]) -> [String] { var seen = Set<String>(); return codes.filter { seen.insert($0).inserted } }
        let codes = firsts(lines.dropFirst().map { String($0.prefix { $0 != "," }) })
        let stored = firsts(try db.writer.read { try String.fetchAll($0, sql: "SELECT code FROM roll_change ORDER BY id") })
        #expect(codes.count > 2_000 && stored == codes)
        let copy = try writeTemp("", name: "roll-again.csv")
        try Data(contentsOf: url).write(to: copy)
        let again = try importer(db).importFile(copy)
        #expect(again.alreadyImported)
    }
}
