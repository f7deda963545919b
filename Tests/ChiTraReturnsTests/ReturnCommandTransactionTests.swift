import ChiTraCore
import ChiTraBatch
import ChiTraReturns
import ChiTraSigning
import ChiTraSimulator
import ChiTraStore
import Foundation
import GRDB
import Testing

/// Several return files in one import (`ReturnImporter.importFiles`, the CLI's `returns import A B C`):
/// one transaction, a savepoint per file, the payout lines settled at the end in line order.
/// What a clerk sees must be what one command per file gave.
@Suite("Returns: several files in one command")
struct ReturnCommandTransactionTests {
    func count(_ s: ReturnsSetup, _ sql: String) throws -> Int { try s.db.writer.read { try Int.fetchOne($0, sql: sql)! } }
    func ids(_ s: ReturnsSetup, _ sql: String) throws -> [Int64] { try s.db.writer.read { try Int64.fetchAll($0, sql: sql) } }
    func resultLine(_ s: ReturnsSetup, _ ref: String) throws -> Int64? {
        try s.db.writer.read { try Int64.fetchOne($0, sql: "SELECT result_return_line FROM payout_line WHERE reference = ?", arguments: [ref]) }
    }

    @Test("Three files, the 2nd with a bad signature: the 1st and 3rd are imported, the 2nd not at all")
    func refusedInTheMiddle() throws {
        let s = try ReturnsSetup()
        let r01 = try s.reference(s.batchID, code: "R01", month: "2026-12")   // 1,000,000
        let r02 = try s.reference(s.batchID, code: "R02", month: "2026-12")   //   750,000
        let r04 = try s.reference(s.batchID, code: "R04", month: "2026-12")   // 1,250,000
        let a = try s.bankReturn([(r01["reference"], r01["account_no"], 1_000_000, "PAID", "")], name: "a.csv")
        let b = try s.bankReturn([(r02["reference"], r02["account_no"], 750_000, "PAID", "")], name: "b.csv")
        var data = try Data(contentsOf: b)
        data[data.count - 5] = UInt8(ascii: "9")   // after signing: the signature no longer verifies
        try data.write(to: b)
        let c = try s.bankReturn([(r04["reference"], r04["account_no"], 1_250_000, "REJECTED", "AC04")], name: "c.csv")

        let results = try s.importer().importFiles([a, b, c], stopAtRefusal: false)
        #expect(results.count == 3)
        let sa = try results[0].get(), sc = try results[2].get()
        #expect((sa.records, sa.paid, sa.failed) == (1, 1, 0))
        #expect(throws: ReturnRefused.self) { try results[1].get() }
        #expect((sc.records, sc.paid, sc.failed) == (1, 0, 1))
        #expect(try s.state(r01["reference"]) == "paid")
        #expect(try s.state(r02["reference"]) == "exported")
        #expect(try s.state(r04["reference"]) == "failed")
        #expect(try s.db.writer.read { try String.fetchAll($0, sql: "SELECT name FROM import_file WHERE kind = 'return' ORDER BY id") } == ["a.csv", "c.csv"])
        #expect(try count(s, "SELECT count(*) FROM return_line") == 2)

        // As the CLI calls it: the first refusal stops the list; the file before it is imported.
        let s2 = try ReturnsSetup()
        let a2 = try s2.bankReturn([(r01["reference"], r01["account_no"], 1_000_000, "PAID", "")], name: "a.csv")
        try FileManager.default.copyItem(at: b, to: s2.dir.appendingPathComponent("b.csv"))
        try FileManager.default.copyItem(at: DetachedSignature.signatureURL(for: b), to: DetachedSignature.signatureURL(for: s2.dir.appendingPathComponent("b.csv")))
        let c2 = try s2.bankReturn([(r04["reference"], r04["account_no"], 1_250_000, "REJECTED", "AC04")], name: "c.csv")
        let stopped = try s2.importer().importFiles([a2, s2.dir.appendingPathComponent("b.csv"), c2])
        #expect(stopped.count == 2)
        #expect(try stopped[0].get().paid == 1)
        #expect(throws: ReturnRefused.self) { try stopped[1].get() }
        #expect(try s2.state(r04["reference"]) == "exported")
        #expect(try count(s2, "SELECT count(*) FROM import_file WHERE kind = 'return'") == 1)
    }

    @Test("A file refused midway is rolled back whole, its settlements too: the next file settles the same line as if it had never been read")
    func refusedMidwayLeavesNoSettlement() throws {
        let s = try ReturnsSetup()
        // Formats in which the post office does not sign its returns (the banks do).
        let formats = s.dir.appendingPathComponent("formats")
        try FileManager.default.copyItem(at: ReturnsSetup.formats, to: formats)
        let banksURL = formats.appendingPathComponent("banks.json")
        let banks = try String(contentsOf: banksURL, encoding: .utf8)
        try banks.replacingOccurrences(of: #""postOffice": {"short": "Bưu điện", "signsReturns": true}"#,
                                       with: #""postOffice": {"short": "Bưu điện", "signsReturns": false}"#).write(to: banksURL, atomically: true, encoding: .utf8)
        #expect(try String(contentsOf: banksURL, encoding: .utf8).contains(#""signsReturns": false}"#))
        let importer = ReturnImporter(db: s.db, taxonomy: try ReasonTaxonomy.load(from: formats.appendingPathComponent("return-reasons.json")),
                                      formatsDir: formats, keys: s.keys, actor: try s.db.actor(.clerk))
        let r05 = try s.lines(s.batchID).first { ($0["beneficiary_code"] as String) == "R05" && ($0["slot"] as String) == "allowance" }!   // post office, 500,000
        let r01 = try s.reference(s.batchID, code: "R01", month: "2026-12")   // bank
        // Unsigned: R05's line is settled (paid), then R01's line answers a bank that signs → the file is refused.
        let b = try s.postReturn([(r05["reference"], "R05", 500_000, "Đã chi", "Đối tượng", ""), (r01["reference"], "R01", 1_000_000, "Đã chi", "Đối tượng", "")], name: "unsigned.csv")
        try FileManager.default.removeItem(at: DetachedSignature.signatureURL(for: b))
        let c = try s.postReturn([(r05["reference"], "R05", 500_000, "Đã chi", "Đối tượng", "")], name: "signed.csv")

        let results = try importer.importFiles([b, c], stopAtRefusal: false)
        #expect(throws: ReturnRefused.self) { try results[0].get() }
        let sc = try results[1].get()
        // Paid once: not a repeat of the refused file's line.
        #expect((sc.records, sc.paid, sc.exceptions.count) == (1, 1, 0))
        #expect(try s.state(r05["reference"]) == "paid")
        #expect(try s.state(r01["reference"]) == "exported")
        // The refused file left no row, not even an id: the return line is number 1, as with one command per file.
        #expect(try ids(s, "SELECT id FROM return_line") == [1])
        #expect(try resultLine(s, r05["reference"]) == 1)
        #expect(try count(s, "SELECT count(*) FROM return_exception") == 0)
    }

    @Test("A pain.002 the byte-level reader steps aside from after its last transaction is read again by XMLParser: its settlements are made once, no line is a repeat")
    func fastXMLStepsAsideAfterTheLines() throws {
        let s = try ReturnsSetup()
        let payout = s.dir.appendingPathComponent("out-\(s.batchID)/CT202612-B000001-970418.xml")
        let data = try ReturnSimulator.simulate(payoutFile: payout, outputFormat: nil, failRate: 0, seed: 1,
                                                formats: try PayoutFormats.load(from: ReturnsSetup.formats.appendingPathComponent("payout-formats.json")),
                                                returnFormats: try ReturnFormats.load(from: ReturnsSetup.formats.appendingPathComponent("return-formats.json")),
                                                paymentDate: CivilDate(year: 2026, month: 12, day: 5)!)
        // A comment after the last transaction: outside the byte-level reader's subset, met once every line went to the matcher.
        let text = String(decoding: data, as: UTF8.self).replacingOccurrences(of: "</Document>", with: "<!-- end --></Document>")
        #expect(text.contains("<!-- end -->"))
        let url = s.dir.appendingPathComponent("bidv.pain002.xml")
        try Data(text.utf8).write(to: url)
        try s.sign(url)
        let bidv = try s.lines(s.batchID, group: "BANK-970418")
        try #require(bidv.count >= 1)
        let sum = try s.importer().importFiles([url])[0].get()
        #expect((sum.records, sum.paid, sum.exceptions.count) == (bidv.count, bidv.count, 0))
        for l in bidv { #expect(try s.state(l["reference"]) == "paid") }
        #expect(try count(s, "SELECT count(*) FROM return_line") == bidv.count)
        #expect(try ids(s, "SELECT result_return_line FROM payout_line WHERE group_key = 'BANK-970418' AND batch_id = 1 ORDER BY result_return_line")
                == (1...Int64(bidv.count)).map { $0 })
    }

    @Test("The same file twice in one command: the second is already imported")
    func sameFileTwice() throws {
        let s = try ReturnsSetup()
        let r01 = try s.reference(s.batchID, code: "R01", month: "2026-12")
        let file = try s.bankReturn([(r01["reference"], r01["account_no"], 1_000_000, "PAID", "")])
        let results = try s.importer().importFiles([file, file])
        let first = try results[0].get(), second = try results[1].get()
        #expect(!first.alreadyImported && first.paid == 1)
        #expect(second.alreadyImported)
        #expect(second.fileID == first.fileID)
        #expect(try count(s, "SELECT count(*) FROM return_line") == 1)
        #expect(try count(s, "SELECT count(*) FROM return_exception") == 0)
        #expect(try s.state(r01["reference"]) == "paid")
    }

    @Test("Pending in one file, paid in the next, one command: the line is paid, by the second file's line")
    func pendingThenPaid() throws {
        let s = try ReturnsSetup()
        let r01 = try s.reference(s.batchID, code: "R01", month: "2026-12")
        let f1 = try s.bankReturn([(r01["reference"], r01["account_no"], 1_000_000, "PENDING", "")], name: "pending.csv")
        let f2 = try s.bankReturn([(r01["reference"], r01["account_no"], 1_000_000, "PAID", "")], name: "paid.csv")
        let results = try s.importer().importFiles([f1, f2])
        let s1 = try results[0].get(), s2 = try results[1].get()
        #expect((s1.pending, s1.paid, s1.exceptions.count) == (1, 0, 0))
        #expect((s2.pending, s2.paid, s2.exceptions.count) == (0, 1, 0))
        #expect(try s.state(r01["reference"]) == "paid")
        #expect(try resultLine(s, r01["reference"]) == 2)
        #expect(try s.db.writer.read { try String.fetchAll($0, sql: "SELECT result FROM return_line ORDER BY id") } == ["applied", "applied"])
    }

    @Test("Paid, paid again, then rejected across three files of one command: one duplicate_return, one conflicting_outcome, the line stays paid")
    func duplicateAndConflictAcrossFiles() throws {
        let s = try ReturnsSetup()
        let r01 = try s.reference(s.batchID, code: "R01", month: "2026-12")
        let f1 = try s.bankReturn([(r01["reference"], r01["account_no"], 1_000_000, "PAID", "")], name: "first.csv")
        // Re-sent with a note (other bytes, so not the same file): the same outcome again.
        let f2 = s.dir.appendingPathComponent("resent.csv")
        try Data("reference,account_no,amount,currency,status,reason_code,reason_text,value_date\r\n\(r01["reference"] as String),\(r01["account_no"] as String),1000000,VND,PAID,,re-sent,2026-12-05\r\n".utf8).write(to: f2)
        try s.sign(f2)
        // The same line again in other bytes (so not the same file): a reported rejection.
        let f3 = try s.bankReturn([(r01["reference"], r01["account_no"], 1_000_000, "REJECTED", "AC04")], name: "late.csv")
        let results = try s.importer().importFiles([f1, f2, f3])
        let s1 = try results[0].get(), s2 = try results[1].get(), s3 = try results[2].get()
        #expect((s1.paid, s1.exceptions.count) == (1, 0))
        #expect((s2.paid, s2.exceptions.count) == (0, 1))
        #expect((s3.failed, s3.exceptions.count) == (0, 1))
        let kinds = try ExceptionQueue(db: s.db).list().map(\.kind)
        #expect(kinds == [.duplicateReturn, .conflictingOutcome])
        #expect(try s.state(r01["reference"]) == "paid")
        #expect(try resultLine(s, r01["reference"]) == 1)
        #expect(try s.db.writer.read { try String.fetchAll($0, sql: "SELECT result FROM return_line ORDER BY id") } == ["applied", "exception", "exception"])
        // Nothing about the person changed: the rejection was not applied.
        #expect(try s.db.writer.read { try String.fetchOne($0, sql: "SELECT account_flag FROM beneficiary WHERE code = 'R01'") } == nil)
    }

    @Test("Not collected for the third month running, the three months in one command: the suspension is flagged once (Circular 02/2021)")
    func threeMonthsNotCollectedInOneCommand() throws {
        let s = try ReturnsSetup()
        var batches = [s.batchID]
        for month in ["2027-01", "2027-02"] {
            let b = try s.build(month)
            try s.approveAndExport(b)
            batches.append(b)
        }
        var files: [URL] = []
        for (batch, month) in zip(batches, ["2026-12", "2027-01", "2027-02"]) {
            // R05 collects at the post office (cash, 500,000 a month): not collected this month.
            let r05 = try s.lines(batch).first { ($0["beneficiary_code"] as String) == "R05" && ($0["slot"] as String) == "allowance" && ($0["for_month"] as String) == month }!
            files.append(try s.postReturn([(r05["reference"], "R05", 500_000, "Chưa chi", "", "Không đến nhận")], name: "post-\(month).csv"))
        }
        let results = try s.importer().importFiles(files)
        let summaries = try results.map { try $0.get() }
        #expect(summaries.map(\.failed) == [1, 1, 1])
        #expect(summaries.map(\.flags) == [[], [], [RaisedFlag(code: "R05", kind: .suspendNotCollected)]])
        let flags = try s.db.writer.read { try String.fetchAll($0, sql: "SELECT kind FROM beneficiary_flag WHERE beneficiary_code = 'R05'") }
        #expect(flags == ["suspend_not_collected"])
        let settled = try s.db.writer.read {
            try String.fetchAll($0, sql: "SELECT state || ' ' || result_reason FROM payout_line WHERE beneficiary_code = 'R05' AND kind = 'allowance' ORDER BY for_month")
        }
        #expect(settled == ["failed not_collected", "failed not_collected", "failed not_collected"])
    }
}

@Suite("Returns: the command's pending settlements")
struct ReturnSettlementsTests {
    @Test("24 bytes a line; the latest settlement of a line wins; a file rolled back takes its settlements with it")
    func layering() {
        #expect(MemoryLayout<ReturnSettlements.Entry>.stride == 24)
        let p = ReturnSettlements()
        p.beginFile(at: "2026-12-07T10:00:00Z")
        p.add(lineID: 7, outcome: .pending, reason: nil, reasonCode: nil, retryable: nil, receiver: nil, date: nil, returnLine: 1)
        p.commitFile()
        p.beginFile(at: "2026-12-07T10:00:01Z")
        p.add(lineID: 7, outcome: .rejected, reason: .closed, reasonCode: "AC04", retryable: false, receiver: nil,
              date: CivilDate(year: 2026, month: 12, day: 5), returnLine: 2)
        p.add(lineID: 9, outcome: .paid, reason: nil, reasonCode: nil, retryable: nil, receiver: .proxy, date: CivilDate(year: 2026, month: 12, day: 6), returnLine: 3)
        #expect(p.outcome(lineID: 7) == .rejected)
        #expect(p.entry(lineID: 7)?.reason == .closed)
        #expect(p.entry(lineID: 7)?.returnLine == 2)
        #expect(p.count == 2)
        p.rollbackFile()
        #expect(p.outcome(lineID: 7) == .pending)
        #expect(p.entry(lineID: 7)?.returnLine == 1)
        #expect(p.outcome(lineID: 9) == nil)
        #expect(p.count == 1)
    }
}
