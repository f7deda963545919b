import ChiTraCore
@testable import ChiTraReturns
import ChiTraSigning
import ChiTraStore
import Foundation
import GRDB
import Testing

/// A return file is parsed on a second thread (`ReturnRecordPipeline`), chunks of 1,024 records
/// ahead of the matcher (issue 16): what the import does must not depend on it. The files here
/// hold 5,000 lines or transactions, so that they span five chunks and the reader is held back.
@Suite("Returns: parsed on a second thread, ahead of the matcher")
struct ReturnRecordPipelineTests {
    static let size = 5_000
    /// Data positions (1-based) of the lines that answer the batch's bank lines: spread over the chunks.
    static func knownPosition(_ k: Int) -> Int { 100 + 350 * k }
    /// Data positions of the malformed lines (an unreadable amount, a transaction without status).
    static let malformedPositions = [1_501, 4_201]
    static func unknown(_ i: Int) -> String { String(format: "CT209912A0-NOTOURS%012d", i) }

    /// The batch's bank lines (every bank signs its returns), at most 14.
    func bankLines(_ s: ReturnsSetup) throws -> [(ref: String, account: String, amount: Int64)] {
        let rows = try s.lines(s.batchID).filter { ($0["group_key"] as String).hasPrefix("BANK-") }.prefix(14)
        return rows.map { r in (ref: r["reference"] as String, account: r["account_no"] as String, amount: r["amount"] as Int64) }
    }

    /// What a clerk and the store see of an import: the summary's counts and sentences, every
    /// return line and exception row in id order, the payout lines' states.
    struct Seen: Equatable {
        var counts: [Int]
        var exceptions: [String]
        var flags: [RaisedFlag]
        var lines: [String]
        var exceptionRows: [String]
        var states: [String]
    }

    func seen(_ s: ReturnsSetup, _ sum: ReturnImportSummary) throws -> Seen {
        try s.db.writer.read { db in
            Seen(counts: [sum.records, sum.paid, sum.failed, sum.pending, sum.unchanged, sum.malformed],
                 exceptions: sum.exceptions, flags: sum.flags,
                 lines: try Row.fetchAll(db, sql: "SELECT * FROM return_line ORDER BY id").map { r in
                     "\(r["id"] as Int64)|\(r["line_no"] as Int)|\((r["tx_no"] as Int?).map(String.init) ?? "-")|\(r["reference"] as String? ?? "-")|\(r["outcome"] as String)|\(r["result"] as String)|\((r["payout_line_id"] as Int64?).map(String.init) ?? "-")"
                 },
                 exceptionRows: try Row.fetchAll(db, sql: "SELECT * FROM return_exception ORDER BY id").map { r in
                     "\(r["kind"] as String)|\(r["line_no"] as Int)|\((r["tx_no"] as Int?).map(String.init) ?? "-")|\((r["return_line_id"] as Int64?).map(String.init) ?? "-")|\(r["detail"] as String)"
                 },
                 states: try String.fetchAll(db, sql: "SELECT reference || ' ' || state FROM payout_line ORDER BY id"))
        }
    }

    func count(_ s: ReturnsSetup, _ sql: String) throws -> Int { try s.db.writer.read { try Int.fetchOne($0, sql: sql)! } }

    /// Nothing of a refused file stayed: no file row, no line, no exception, every payout line as exported.
    func nothingStayed(_ s: ReturnsSetup) throws {
        #expect(try count(s, "SELECT count(*) FROM import_file WHERE kind = 'return'") == 0)
        #expect(try count(s, "SELECT count(*) FROM return_line") == 0)
        #expect(try count(s, "SELECT count(*) FROM return_exception") == 0)
        #expect(Array(try s.db.writer.read { try PayoutLines.stateCounts($0, batchID: s.batchID) }.keys) == [.exported])
    }

    /// The batch's bank lines and, by data position, which of them stands there (`knownAt`, else `knownPosition`).
    func placed(_ s: ReturnsSetup, knownAt: ((Int) -> Int)?) throws -> (known: [(ref: String, account: String, amount: Int64)], byPosition: [Int: Int]) {
        let known = try bankLines(s)
        var byPosition: [Int: Int] = [:]
        for k in known.indices { byPosition[(knownAt ?? Self.knownPosition)(k)] = k }
        return (known, byPosition)
    }

    /// Writes a return file beside the store, with its `.sig` when `signed`.
    func write(_ s: ReturnsSetup, _ data: Data, name: String, signed: Bool) throws -> URL {
        let url = s.dir.appendingPathComponent(name)
        try data.write(to: url)
        if signed { try s.sign(url) }
        return url
    }

    // MARK: - CSV

    /// A bank CSV return of `size` lines: the bank lines at `knownPosition` (even ones paid, odd
    /// ones rejected MS03), unreadable amounts at `malformedPositions`, unknown references elsewhere.
    func bankCSV(_ s: ReturnsSetup, name: String, signed: Bool = true, knownAt: ((Int) -> Int)? = nil,
                 edit: (Int, inout [UInt8]) -> Void = { _, _ in }) throws -> URL {
        let (known, byPosition) = try placed(s, knownAt: knownAt)
        var bytes = Array("reference,account_no,amount,currency,status,reason_code,reason_text,value_date\r\n".utf8)
        for p in 1...Self.size {
            var row: [UInt8]
            if let k = byPosition[p] {
                let l = known[k]
                row = Array((k % 2 == 0 ? "\(l.ref),\(l.account),\(l.amount),VND,PAID,,," : "\(l.ref),\(l.account),\(l.amount),VND,REJECTED,MS03,,").utf8)
            } else if Self.malformedPositions.contains(p) {
                row = Array("\(Self.unknown(p)),4001205999999,12x,VND,PAID,,,".utf8)
            } else {
                row = Array("\(Self.unknown(p)),4001205999999,500000,VND,PAID,,,".utf8)
            }
            edit(p, &row)
            bytes += row + Array("2026-12-05\r\n".utf8)
        }
        return try write(s, Data(bytes), name: name, signed: signed)
    }

    @Test("A 5,000-line CSV return imports as when one thread read it: every line once, in file order, the counts by hand")
    func largeCSV() throws {
        let s = try ReturnsSetup()
        let known = try bankLines(s)
        try #require(known.count >= 10)
        let url = try bankCSV(s, name: "agribank-5000.csv")
        let sum = try s.importer().importFile(url)
        let paid = (known.count + 1) / 2
        #expect((sum.records, sum.paid, sum.failed, sum.pending, sum.unchanged, sum.malformed)
                == (Self.size - 2, paid, known.count - paid, 0, 0, 2))
        let knownPositions = Set(known.indices.map(Self.knownPosition))
        let unknownPositions = (1...Self.size).filter { !knownPositions.contains($0) && !Self.malformedPositions.contains($0) }
        #expect(sum.exceptions.count == 2 + unknownPositions.count)
        // Every return line in file order (line = position + 1, after the header).
        let lines = try s.db.writer.read { try Row.fetchAll($0, sql: "SELECT line_no, reference, result FROM return_line ORDER BY id") }
        #expect(lines.map { $0["line_no"] as Int } == (1...Self.size).filter { !Self.malformedPositions.contains($0) }.map { $0 + 1 })
        #expect(lines.filter { ($0["result"] as String) == "applied" }.map { $0["reference"] as String } == known.map(\.ref))
        // The file's own exceptions (malformed lines) first, then the lines' own, in line order.
        let exceptions = try s.db.writer.read { try Row.fetchAll($0, sql: "SELECT kind, line_no FROM return_exception ORDER BY id") }
        #expect(exceptions.map { "\($0["kind"] as String) \($0["line_no"] as Int)" }
                == Self.malformedPositions.map { "malformed \($0 + 1)" } + unknownPositions.map { "unknown_reference \($0 + 1)" })
        for (k, l) in known.enumerated() { #expect(try s.state(l.ref) == (k % 2 == 0 ? "paid" : "failed")) }
        #expect(try count(s, "SELECT records FROM return_import") == Self.size - 2)
        #expect(try count(s, "SELECT rows_total FROM import_file WHERE kind = 'return'") == Self.size)
    }

    @Test("A line that cannot be read (not UTF-8) 3,500 lines in, after matched lines: the error the one-thread reading gives, nothing of the file stays")
    func csvUnreadableThreeChunksIn() throws {
        let s = try ReturnsSetup()
        let url = try bankCSV(s, name: "agribank-broken.csv", edit: { p, row in if p == 3_500 { row += [0xFF, 0xFE] } })
        let expected = try #require(readError(url))
        #expect(expected.code == .unreadable && expected.message.key == "returns.csv.line_unreadable")
        #expect(expected.message.args["line"] == .int(3_501))
        let results = try s.importer().importFiles([url])
        #expect(results.count == 1)
        #expect(throws: expected) { try results[0].get() }
        try nothingStayed(s)
    }

    /// The error `ReturnFileReader.read` (the whole file in memory, on the caller's thread) gives.
    func readError(_ url: URL) -> ReturnFileError? {
        do { _ = try ReturnFileReader.read(url: url, formats: try Paths.returnFormats()); return nil } catch { return error as? ReturnFileError }
    }

    @Test("Unsigned, a line 2,500 lines in answers a bank that signs: the matcher refuses, the file is rolled back whole; the next file of the command imports")
    func csvRefusedMidway() throws {
        let s = try ReturnsSetup()
        let known = try bankLines(s)
        // Only the first bank line, at 2,500; nothing before it is ours.
        let unsigned = try bankCSV(s, name: "unsigned.csv", signed: false, knownAt: { $0 == 0 ? 2_500 : 10_000 + $0 })
        let next = try s.bankReturn([(known[1].ref, known[1].account, known[1].amount, "PAID", "")], name: "next.csv")
        let results = try s.importer().importFiles([unsigned, next], stopAtRefusal: false)
        #expect { try results[0].get() } throws: { ($0 as? ReturnRefused)?.message.key == "returns.refused.unsigned_from_signer" }
        let after = try results[1].get()
        #expect((after.records, after.paid, after.exceptions.count) == (1, 1, 0))
        #expect(try s.state(known[0].ref) == "exported")
        #expect(try s.state(known[1].ref) == "paid")
        // The refused file left no row, not even an id.
        #expect(try s.db.writer.read { try Int64.fetchAll($0, sql: "SELECT id FROM return_line") } == [1])
        #expect(try count(s, "SELECT count(*) FROM import_file WHERE kind = 'return'") == 1)
    }

    @Test("Refused by the matcher at line 2,500 and unreadable at 4,000: the error of the file itself comes first")
    func csvFileErrorBeforeRefusal() throws {
        let s = try ReturnsSetup()
        let url = try bankCSV(s, name: "unsigned-broken.csv", signed: false, knownAt: { $0 == 0 ? 2_500 : 10_000 + $0 },
                                edit: { p, row in if p == 4_000 { row += [0xFF] } })
        let expected = try #require(readError(url))
        #expect(expected.message.args["line"] == .int(4_001))
        #expect(throws: expected) { try s.importer().importFile(url) }
        try nothingStayed(s)
    }

    // MARK: - pain.002

    /// A pain.002 of `size` transactions (all on line 2): the bank lines at `knownPosition` (even
    /// ones ACSC, odd ones RJCT MS03), transactions without a status at `malformedPositions`,
    /// unknown references elsewhere; `edit` changes a transaction's text, `before` adds text before it.
    func pain002(_ s: ReturnsSetup, name: String, signed: Bool = true, knownAt: ((Int) -> Int)? = nil,
                 header: String = "", before: [Int: String] = [:], edit: [Int: (String) -> String] = [:]) throws -> URL {
        let (known, byPosition) = try placed(s, knownAt: knownAt)
        var txs: [Pain002.Tx] = []
        for p in 1...Self.size {
            if let k = byPosition[p] {
                let l = known[k]
                txs.append(k % 2 == 0 ? .init(ref: l.ref, status: "ACSC", amount: l.amount) : .init(ref: l.ref, status: "RJCT", amount: l.amount, reason: "MS03"))
            } else {
                txs.append(.init(ref: Self.unknown(p), status: Self.malformedPositions.contains(p) ? "" : "ACSC", amount: 500_000))
            }
        }
        let text = Pain002(msgID: "VCB-STS-5000", originalMsgIDs: ["CT-NOT-OURS"], blocks: [.init(id: "CT-NOT-OURS-1", txs: txs)]).text
        var parts = text.components(separatedBy: "<TxInfAndSts>")
        #expect(parts.count == Self.size + 1)
        for (p, change) in edit { parts[p] = change(parts[p]) }
        var out = parts[0].replacingOccurrences(of: "<CstmrPmtStsRpt>", with: "<CstmrPmtStsRpt>" + header)
        for p in 1...Self.size { out += (before[p] ?? "") + "<TxInfAndSts>" + parts[p] }
        return try write(s, Data(out.utf8), name: name, signed: signed)
    }

    @Test("A 5,000-transaction pain.002 imports as when one thread read it; the byte-level reader stepping aside before any transaction or after 2,999 gives the same, line for line")
    func largePain002() throws {
        let s = try ReturnsSetup()
        let known = try bankLines(s)
        let sum = try s.importer().importFile(try pain002(s, name: "vcb-5000.xml"))
        let paid = (known.count + 1) / 2
        #expect((sum.records, sum.paid, sum.failed, sum.malformed) == (Self.size - 2, paid, known.count - paid, 2))
        let knownPositions = Set(known.indices.map(Self.knownPosition))
        let unknownPositions = (1...Self.size).filter { !knownPositions.contains($0) && !Self.malformedPositions.contains($0) }
        let txs = try s.db.writer.read { try Int.fetchAll($0, sql: "SELECT tx_no FROM return_line ORDER BY id") }
        #expect(txs == (1...Self.size).filter { !Self.malformedPositions.contains($0) })
        let exceptions = try s.db.writer.read { try Row.fetchAll($0, sql: "SELECT kind, tx_no FROM return_exception ORDER BY id") }
        #expect(exceptions.map { "\($0["kind"] as String) \($0["tx_no"] as Int)" }
                == Self.malformedPositions.map { "malformed \($0)" } + unknownPositions.map { "unknown_reference \($0)" })
        let plain = try seen(s, sum)

        // A comment (outside the byte-level subset) before transaction 3,000: 2,999 records went
        // to the matcher; the file is rolled back and read again by XMLParser.
        let late = try ReturnsSetup()
        let lateSum = try late.importer().importFile(try pain002(late, name: "vcb-5000.xml", before: [3_000: "<!-- x -->"]))
        #expect(try seen(late, lateSum) == plain)
        // In the group header: no record yet, XMLParser reads it on the same reading thread.
        let early = try ReturnsSetup()
        let earlySum = try early.importer().importFile(try pain002(early, name: "vcb-5000.xml", header: "<!-- x -->"))
        #expect(try seen(early, earlySum) == plain)
    }

    @Test("A pain.002 not well formed at transaction 3,500: the byte-level reader steps aside, XMLParser's error is the one-thread reading's, nothing of the file stays")
    func pain002NotWellFormedThreeChunksIn() throws {
        let s = try ReturnsSetup()
        let url = try pain002(s, name: "vcb-broken.xml", edit: [3_500: { $0.replacingOccurrences(of: "</TxSts>", with: "</TxStx>") }])
        let expected = try #require(readError(url))
        #expect(expected.code == .notWellFormed)
        #expect(throws: expected) { try s.importer().importFile(url) }
        try nothingStayed(s)
    }

    @Test("An unsigned pain.002 answering a bank at transaction 2,500, with a comment at 4,000: refused (after the read again by XMLParser), nothing stays")
    func pain002RefusedThenSteppedAside() throws {
        let s = try ReturnsSetup()
        let url = try pain002(s, name: "vcb-unsigned.xml", signed: false, knownAt: { $0 == 0 ? 2_500 : 10_000 + $0 }, before: [4_000: "<!-- x -->"])
        #expect { try s.importer().importFile(url) } throws: { ($0 as? ReturnRefused)?.message.key == "returns.refused.unsigned_from_signer" }
        try nothingStayed(s)
    }

    // MARK: - The pipeline itself

    /// `n` records handed by a reading closure, then its document or `error`; `progress` counts them.
    func pipeline(_ n: Int, chunkSize: Int, depth: Int, error: (any Error)? = nil, progress: Progress? = nil) -> ReturnRecordPipeline {
        ReturnRecordPipeline(chunkSize: chunkSize, depth: depth) { sink in
            for i in 1...n {
                sink.take(ReturnRecord(line: i + 1, reference: "R\(i)", outcome: .paid))
                progress?.add()
            }
            progress?.end()
            if let error { throw error }
            var doc = ReturnDocument(format: "test")
            doc.messageID = "M\(n)"
            return doc
        }
    }

    /// What the reading thread did, seen from the taker's.
    final class Progress: @unchecked Sendable {
        private let lock = NSLock()
        private var handed = 0
        private var ended = false
        func add() { lock.lock(); handed += 1; lock.unlock() }
        func end() { lock.lock(); ended = true; lock.unlock() }
        var state: (handed: Int, ended: Bool) { lock.lock(); defer { lock.unlock() }; return (handed, ended) }
    }

    struct ReadFailure: Error, Equatable { let after: Int }

    @Test("Records come in file order, then the document; a reading error comes after every record read before it")
    func orderThenEndOrError() throws {
        for (n, chunk) in [(1, 4), (4, 4), (1_000, 7), (3_000, 1_024)] {
            let p = pipeline(n, chunkSize: chunk, depth: 2)
            defer { p.stop() }
            var lines: [Int] = []
            while let r = try p.next() { lines.append(r.line) }
            #expect(lines == (1...n).map { $0 + 1 })
            #expect(p.document?.messageID == "M\(n)")
            #expect(try p.next() == nil)
        }
        let failing = pipeline(2_500, chunkSize: 64, depth: 2, error: ReadFailure(after: 2_500))
        defer { failing.stop() }
        var taken = 0
        #expect(throws: ReadFailure(after: 2_500)) { while try failing.next() != nil { taken += 1 } }
        #expect(taken == 2_500 && failing.document == nil)
    }

    @Test("A slow matcher: the reader is never more than the queue (depth chunks) and the chunk it fills ahead")
    func boundedAhead() throws {
        let progress = Progress()
        let p = pipeline(5_000, chunkSize: 100, depth: 3, progress: progress)
        defer { p.stop() }
        var taken = 0
        var most = 0
        while try p.next() != nil {
            taken += 1
            if taken % 500 == 0 { Thread.sleep(forTimeInterval: 0.01) }
            most = max(most, progress.state.handed - taken)
        }
        #expect(taken == 5_000)
        // Queued (3 × 100), the taker's current chunk (100) and the one being filled (100).
        #expect(most <= 500 && most >= 100)
    }

    @Test("Stopped early, the reading thread is woken from a full queue, ends, and is waited for")
    func stoppedEarly() throws {
        for taken in [0, 1, 150] {
            let progress = Progress()
            let p = pipeline(20_000, chunkSize: 64, depth: 2, progress: progress)
            for _ in 0..<taken { _ = try p.next() }
            p.stop()
            #expect(progress.state.ended, "the reading thread still running after stop()")
        }
    }
}
