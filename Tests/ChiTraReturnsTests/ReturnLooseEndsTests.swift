import ChiTraBatch
import ChiTraCore
import ChiTraReturns
import ChiTraStore
import ChiTraTestSupport
import Foundation
import GRDB
import Testing

/// A pain.002.001.10 written by hand the way a real bank wrote one: the whole document on one
/// line after the XML declaration (so every transaction is on "line 2").
struct Pain002 {
    struct Tx { var ref: String; var status: String; var amount: Int64?; var reason: String? = nil }
    struct Block { var id: String; var txs: [Tx] }
    var msgID: String
    var originalMsgIDs: [String]
    var blocks: [Block]

    var text: String {
        var x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pain.002.001.10\"><CstmrPmtStsRpt>"
        x += "<GrpHdr><MsgId>\(msgID)</MsgId><CreDtTm>2026-12-06T10:00:00</CreDtTm></GrpHdr>"
        for o in originalMsgIDs { x += "<OrgnlGrpInfAndSts><OrgnlMsgId>\(o)</OrgnlMsgId><OrgnlMsgNmId>pain.001.001.09</OrgnlMsgNmId></OrgnlGrpInfAndSts>" }
        for b in blocks {
            x += "<OrgnlPmtInfAndSts><OrgnlPmtInfId>\(b.id)</OrgnlPmtInfId>"
            for t in b.txs {
                x += "<TxInfAndSts><OrgnlEndToEndId>\(t.ref)</OrgnlEndToEndId>"
                if !t.status.isEmpty { x += "<TxSts>\(t.status)</TxSts>" }
                if let r = t.reason { x += "<StsRsnInf><Rsn><Cd>\(r)</Cd></Rsn></StsRsnInf>" }
                if let a = t.amount { x += "<OrgnlTxRef><Amt><InstdAmt Ccy=\"VND\">\(a)</InstdAmt></Amt></OrgnlTxRef>" }
                x += "</TxInfAndSts>"
            }
            x += "</OrgnlPmtInfAndSts>"
        }
        return x + "</CstmrPmtStsRpt></Document>\n"
    }

    /// Written beside the store and signed as the bank signs its returns.
    func write(_ s: ReturnsSetup, _ name: String) throws -> URL {
        let url = s.dir.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        try s.sign(url)
        return url
    }
}

/// Issue 15, part 4: loose ends seen with a real bank's return files.
@Suite("Returns: loose ends from a real bank's files")
struct ReturnLooseEndsTests {
    /// Our message id for a group of batch `id` in 12/2026 (= its PmtInfId).
    static func ours(_ id: Int64, _ group: String) -> String { BatchExporter.messageID(period: YearMonth("2026-12")!, batchID: id, groupKey: group) }

    @Test("The flags and exceptions lists stop at 30 per file and say how many more there are and where to see them")
    func listsSayHowManyMore() {
        var s = ReturnImportSummary(file: "vcb.xml", sha256: "x")
        s.format = "pain.002.001.10"
        s.records = 45
        s.failed = 45
        s.flags = (1...45).map { RaisedFlag(code: "DT\(String(format: "%07d", $0))", kind: .accountRejected) }
        s.exceptions = (1...31).map { "transaction \($0) (EndToEndId X\($0)): reference X\($0) is not in any batch" }
        s.originals = [.init(id: "CT202612-B000007-970436", batchID: 7)]
        let lines = s.reportLines()
        #expect(lines.filter { $0.hasPrefix("  việc cần làm: ") }.count == 30)
        // Each says whom and what to do, in Vietnamese: no code word of the store.
        #expect(lines.contains("  việc cần làm: DT0000001: tài khoản bị ngân hàng từ chối — cần cập nhật tài khoản"))
        #expect(!lines.contains { $0.contains("account_rejected") })
        #expect(lines.contains("  … còn 15 việc cần làm nữa: chitra batch reconcile 7 liệt kê đầy đủ (Việc cần làm)"))
        #expect(lines.filter { $0.hasPrefix("  ngoại lệ: ") }.count == 30)
        #expect(lines.contains("  … còn 1 ngoại lệ nữa: xem bằng chitra exceptions list"))
        #expect(lines.contains("  trả lời cho CT202612-B000007-970436 (danh sách chi trả #7)"))
        #expect(lines.first == "vcb.xml [pain.002.001.10], không có chữ ký: 45 dòng — 0 đã chi, 45 chưa chi, 0 đang chờ, 0 không đổi; 31 ngoại lệ, 0 dòng lỗi.")
        // The same summary in English, for --lang en.
        let english = s.reportLines(language: .en)
        #expect(english.first == "vcb.xml [pain.002.001.10], signature absent: 45 lines — 0 paid, 45 not paid, 0 pending, 0 unchanged; 31 exceptions, 0 malformed.")
        #expect(english.contains("  … 15 more flags: chitra batch reconcile 7 lists them all (Việc cần làm)"))
        #expect(english.contains("  flag: DT0000001: account rejected by the bank — update the account"))
        #expect(english.contains("  answers CT202612-B000007-970436 (batch #7)"))
        // Under the limit, no "more" line.
        s.flags = Array(s.flags.prefix(30))
        #expect(!s.reportLines().contains { $0.contains("việc cần làm nữa") })
    }

    @Test("Exceptions from an XML return (one line long) name the transaction: its position and EndToEndId, not \"line 2\"")
    func xmlExceptionsNameTheTransaction() throws {
        let s = try ReturnsSetup()
        let group = "BANK-970405"
        let r01 = try s.reference(s.batchID, code: "R01", month: "2026-12")   // 1,000,000
        let file = try Pain002(msgID: "STS-1", originalMsgIDs: [Self.ours(s.batchID, group)], blocks: [.init(id: Self.ours(s.batchID, group), txs: [
            .init(ref: r01["reference"], status: "ACSC", amount: 1_000_001),      // 1: amount differs
            .init(ref: "CT209912-NOTOURS-0001", status: "ACSC", amount: 500_000), // 2: not ours
            .init(ref: "CT209912-NOSTATUS-02", status: "", amount: 500_000),      // 3: no status anywhere
        ])]).write(s, "vcb-one-line.xml")
        let sum = try s.importer().importFile(file)
        #expect(sum.exceptions.count == 3)
        #expect(!sum.exceptions.contains { $0.hasPrefix("dòng ") }, "\(sum.exceptions)")
        #expect(sum.exceptions.contains { $0 == "giao dịch thứ 1 (EndToEndId \(r01["reference"] as String)): mã tham chiếu \(r01["reference"] as String): tệp trả về ghi 1.000.001 đồng nhưng xã/phường đã gửi 1.000.000 đồng" }, "\(sum.exceptions)")
        #expect(sum.exceptions.contains { $0.hasPrefix("giao dịch thứ 2 (EndToEndId CT209912-NOTOURS-0001): mã tham chiếu CT209912-NOTOURS-0001 không thuộc danh sách chi trả nào") })
        #expect(sum.exceptions.contains { $0.hasPrefix("giao dịch thứ 3 (EndToEndId CT209912-NOSTATUS-02): cột \"TxSts\": Giao dịch CT209912-NOSTATUS-02 không có trạng thái (TxSts)") })
        let items = try ExceptionQueue(db: s.db).list()
        #expect(items.map(\.lineNo) == [2, 2, 2])   // the line is kept, but it is not what names them
        #expect(Set(items.map(\.location.english)) == ["transaction 1 (EndToEndId \(r01["reference"] as String))",
                                                        "transaction 2 (EndToEndId CT209912-NOTOURS-0001)",
                                                        "transaction 3 (EndToEndId CT209912-NOSTATUS-02)"])
        // The clerk's reconciliation says it in Vietnamese.
        let report = try Reconciliation.build(s.db, batchID: s.batchID, queue: ExceptionQueue(db: s.db)).vietnameseLines()
        #expect(report.contains { $0.contains("vcb-one-line.xml giao dịch thứ 2 (EndToEndId CT209912-NOTOURS-0001)") }, "\(report)")
        #expect(!report.contains { $0.contains("dòng 2") })
        // A CSV return still names its lines.
        let csv = try s.bankReturn([("CT209912-NOTOURS-0003", "4001205000999", 500_000, "PAID", "")], name: "agri.csv")
        #expect(try s.importer().importFile(csv).exceptions == ["dòng 2: mã tham chiếu CT209912-NOTOURS-0003 không thuộc danh sách chi trả nào trong kho dữ liệu này; hãy kiểm tra tệp có đúng của xã/phường mình không"])
    }

    @Test("Unknown references in a return naming our payout file (OrgnlMsgId / OrgnlPmtInfId, camt.054 MsgId) are tied to that batch; batch reconcile shows them")
    func unknownReferencesTiedToBatch() throws {
        let s = try ReturnsSetup()
        let msg = Self.ours(s.batchID, "BANK-970405")
        // pain.002: by the block's OrgnlPmtInfId.
        _ = try s.importer().importFile(try Pain002(msgID: "STS-2", originalMsgIDs: [], blocks: [.init(id: msg, txs: [
            .init(ref: "CT202612-TYPO-000001", status: "RJCT", amount: 500_000, reason: "AC01")])]).write(s, "sts2.xml"))
        // pain.002: by the group's OrgnlMsgId only.
        _ = try s.importer().importFile(try Pain002(msgID: "STS-3", originalMsgIDs: [msg], blocks: [.init(id: "BLOCK-1", txs: [
            .init(ref: "CT202612-TYPO-000002", status: "ACSC", amount: 500_000)])]).write(s, "sts3.xml"))
        // camt.054: by the entry's Btch/MsgId.
        let camt = """
        <?xml version="1.0" encoding="UTF-8"?>
        <Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08"><BkToCstmrDbtCdtNtfctn><GrpHdr><MsgId>NTF-4</MsgId><CreDtTm>2026-12-06T10:00:00</CreDtTm></GrpHdr><Ntfctn><Id>N1</Id><Acct><Id><Othr><Id>3712000012345</Id></Othr></Id></Acct><Ntry><Amt Ccy="VND">500000</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>2026-12-05</Dt></BookgDt><BkTxCd/><NtryDtls><Btch><MsgId>\(msg)</MsgId></Btch><TxDtls><Refs><EndToEndId>CT202612-TYPO-000003</EndToEndId></Refs><Amt Ccy="VND">500000</Amt></TxDtls></NtryDtls></Ntry></Ntfctn></BkToCstmrDbtCdtNtfctn></Document>

        """
        let camtURL = s.dir.appendingPathComponent("ntf4.xml")
        try Data(camt.utf8).write(to: camtURL)
        try s.sign(camtURL)
        _ = try s.importer().importFile(camtURL)
        // A file naming someone else's message: no batch.
        _ = try s.importer().importFile(try Pain002(msgID: "STS-5", originalMsgIDs: ["OTHER-COMMUNE-0001"], blocks: [.init(id: "OTHER-COMMUNE-0001", txs: [
            .init(ref: "CT202612-TYPO-000005", status: "ACSC", amount: 500_000)])]).write(s, "sts5.xml"))
        let items = try ExceptionQueue(db: s.db).list()
        #expect(items.map(\.kind) == [.unknownReference, .unknownReference, .unknownReference, .unknownReference])
        #expect(items.map(\.batchID) == [s.batchID, s.batchID, s.batchID, nil])
        let rec = try Reconciliation.build(s.db, batchID: s.batchID, queue: ExceptionQueue(db: s.db))
        #expect(rec.openExceptions.map(\.reference) == ["CT202612-TYPO-000001", "CT202612-TYPO-000002", "CT202612-TYPO-000003"])
        #expect(try ExceptionQueue(db: s.db).list(batchID: s.batchID).count == 3)
    }

    @Test("A pain.002 answering several payout files records every original id with its batch, not only the last")
    func severalPayoutFiles() throws {
        let s = try ReturnsSetup()
        let agri = Self.ours(s.batchID, "BANK-970405"), vietin = Self.ours(s.batchID, "BANK-970415")
        let r01 = try s.reference(s.batchID, code: "R01", month: "2026-12")
        let r03 = try s.reference(s.batchID, code: "R03", month: "2026-12")
        // Two group blocks (as the bank's file had), each with its payment information block.
        let sum = try s.importer().importFile(try Pain002(msgID: "STS-6", originalMsgIDs: [agri, vietin], blocks: [
            .init(id: agri, txs: [.init(ref: r01["reference"], status: "ACSC", amount: 1_000_000)]),
            .init(id: vietin, txs: [.init(ref: r03["reference"], status: "ACSC", amount: 750_000)]),
        ]).write(s, "sts6.xml"))
        #expect(sum.paid == 2)
        #expect(sum.originals == [.init(id: agri, batchID: s.batchID), .init(id: vietin, batchID: s.batchID)])
        let stored = try s.db.writer.read { db in
            (try String.fetchOne(db, sql: "SELECT original_message_id FROM return_import WHERE file_id = ?", arguments: [sum.fileID]),
             try Row.fetchAll(db, sql: "SELECT original_id, batch_id FROM return_original WHERE file_id = ? ORDER BY original_id", arguments: [sum.fileID])
                .map { "\($0["original_id"] as String)#\($0["batch_id"] as Int64)" })
        }
        #expect(stored.0 == "\(agri) \(vietin)")
        #expect(stored.1 == ["\(agri)#\(s.batchID)", "\(vietin)#\(s.batchID)"].sorted())
        // The reader keeps the first OrgnlMsgId as the file's own.
        let doc = try ReturnFileReader.read(url: s.dir.appendingPathComponent("sts6.xml"), formats: try Paths.returnFormats())
        #expect(doc.originalMessageID == agri)
        #expect(doc.originalIDs == [agri, vietin])
    }

    @Test("A bank re-sending its report under a new message id gives one exception per batch, not one per line; resolved once")
    func resentReportGrouped() throws {
        let s = try ReturnsSetup()
        let group = "BANK-970405"
        let lines = try s.lines(s.batchID, group: group)
        #expect(lines.count >= 10)
        let txs = lines.map { Pain002.Tx(ref: $0["reference"], status: "ACSC", amount: $0["amount"]) }
        let first = try s.importer().importFile(try Pain002(msgID: "STS-100", originalMsgIDs: [Self.ours(s.batchID, group)],
                                                            blocks: [.init(id: Self.ours(s.batchID, group), txs: txs)]).write(s, "agri-sts-100.xml"))
        #expect(first.paid == lines.count)
        #expect(first.exceptions.isEmpty)
        // The same report again, under new message ids.
        let again = try s.importer().importFile(try Pain002(msgID: "STS-200", originalMsgIDs: [Self.ours(s.batchID, group)],
                                                            blocks: [.init(id: Self.ours(s.batchID, group), txs: txs)]).write(s, "agri-sts-200.xml"))
        #expect(again.paid == 0)
        #expect(again.exceptions.count == 1, "\(again.exceptions)")
        #expect(again.exceptions[0].hasPrefix("giao dịch thứ 1 (EndToEndId \(lines[0]["reference"] as String)): \(lines.count) giao dịch của tệp này lặp lại kết quả đã ghi nhận cho danh sách chi trả #\(s.batchID) theo agri-sts-100.xml"), "\(again.exceptions)")
        let items = try ExceptionQueue(db: s.db).list()
        #expect(items.count == 1)
        #expect(items[0].kind == .duplicateReturn)
        #expect(items[0].lines == lines.count)
        #expect(items[0].batchID == s.batchID)
        // Every line is still recorded, none applied twice; the payments stay paid.
        let recorded = try s.db.writer.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM return_line WHERE file_id = ? AND result = 'exception'", arguments: [again.fileID]) }
        #expect(recorded == lines.count)
        #expect(try lines.allSatisfy { try s.state($0["reference"]) == "paid" })
        try ExceptionQueue(db: s.db).resolve(id: items[0].id, resolution: .dismiss, note: "Vietcombank confirmed a re-send", by: try s.db.actor(.clerk))
        #expect(try ExceptionQueue(db: s.db).list().isEmpty)
        // A single repeated line stays one exception of its own, naming its payment.
        let one = try s.importer().importFile(try Pain002(msgID: "STS-300", originalMsgIDs: [], blocks: [.init(id: Self.ours(s.batchID, group), txs: [txs[0]])]).write(s, "agri-sts-300.xml"))
        #expect(one.exceptions == ["giao dịch thứ 1 (EndToEndId \(lines[0]["reference"] as String)): mã tham chiếu \(lines[0]["reference"] as String) đã được một tệp trả về trước báo là đã chi; chỉ tính một lần"])
        #expect(try ExceptionQueue(db: s.db).list().first?.reference == lines[0]["reference"] as String)
    }
}
