import ChiTraBatch
import ChiTraCore
import ChiTraReturns
import ChiTraRoll
import ChiTraSigning
import ChiTraStore
import ChiTraTestSupport
import Foundation
import GRDB
import Testing

/// A store with the hand-made roll, December built, approved and exported; helpers to write
/// return files by hand about its lines.
struct ReturnsSetup {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let formats = root.appendingPathComponent("formats")
    static let tariff = try! Tariff.load(from: formats.appendingPathComponent("tariff.json"))
    static let banks = try! BankDirectory.load(from: formats.appendingPathComponent("banks.json"))
    static let payer = try! Payer.load(from: formats.appendingPathComponent("payer.json"))

    let db: AppDatabase
    let dir: URL
    let keys: KeyStore
    let batchID: Int64

    init(export: Bool = true) throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("returns-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        db = try AppDatabase(path: dir.appendingPathComponent("chitra.sqlite").path, auditKeyDirectory: dir.appendingPathComponent("keys"))
        let roll = dir.appendingPathComponent("rules-roll.csv")
        try FileManager.default.copyItem(at: Self.root.appendingPathComponent("fixtures/rules/rules-roll.csv"), to: roll)
        let importer = RollImporter(db: db, validator: RollValidator(tariff: Self.tariff, banks: Self.banks, today: CivilDate(year: 2026, month: 11, day: 23)!), actor: try db.actor(.maker))
        _ = try importer.importFile(roll)
        keys = KeyStore(directory: dir.appendingPathComponent("keys"))
        _ = try keys.create(id: "k1")
        var builder = BatchBuilder(db: db, tariff: Self.tariff, banks: Self.banks, payer: Self.payer)
        builder.today = YearMonth("2026-11")!
        batchID = try builder.build(period: YearMonth("2026-12")!, by: try db.actor(.maker)).id
        if export { try approveAndExport(batchID) }
    }

    /// The builder as used in the month before `period` (the monthly cycle builds next month's list).
    func builder(for period: String) -> BatchBuilder {
        var b = BatchBuilder(db: db, tariff: Self.tariff, banks: Self.banks, payer: Self.payer)
        b.today = YearMonth(period)!.previous
        return b
    }

    func build(_ period: String) throws -> Int64 {
        try builder(for: period).build(period: YearMonth(period)!, by: try db.actor(.maker)).id
    }

    func approveAndExport(_ id: Int64) throws {
        try BatchLifecycle(db: db).approve(batchID: id, by: try db.actor(.checker))
        try export(id)
    }

    /// Exports an approved batch into out-ID/.
    func export(_ id: Int64) throws {
        _ = try BatchExporter(db: db, payer: Self.payer, banks: Self.banks,
                              formats: try PayoutFormats.load(from: Self.formats.appendingPathComponent("payout-formats.json")), keys: keys)
            .export(batchID: id, to: dir.appendingPathComponent("out-\(id)"), by: try db.actor(.maker))
    }

    func importer() throws -> ReturnImporter {
        ReturnImporter(db: db, taxonomy: try ReasonTaxonomy.load(from: Self.formats.appendingPathComponent("return-reasons.json")),
                       formatsDir: Self.formats, keys: keys, actor: try db.actor(.clerk))
    }

    /// Lines of a batch: code, kind, month → (reference, amount, account).
    func lines(_ batch: Int64, group: String? = nil) throws -> [Row] {
        try db.writer.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM payout_line WHERE batch_id = ? AND (? IS NULL OR group_key = ?) ORDER BY beneficiary_code, for_month",
                             arguments: [batch, group, group])
        }
    }

    func reference(_ batch: Int64, code: String, month: String) throws -> Row {
        try lines(batch).first { ($0["beneficiary_code"] as String) == code && ($0["for_month"] as String) == month }!
    }

    /// A bank CSV return (formats/return-formats.md) written by hand, signed as the bank signs it
    /// (formats/banks.json: every bank signs its returns) unless `signed` is false.
    func bankReturn(_ rows: [(ref: String, account: String, amount: Int64, status: String, code: String)], name: String = "agribank-return.csv",
                    signed: Bool = true) throws -> URL {
        var s = "reference,account_no,amount,currency,status,reason_code,reason_text,value_date\r\n"
        for r in rows { s += "\(r.ref),\(r.account),\(r.amount),VND,\(r.status),\(r.code),,2026-12-05\r\n" }
        let url = dir.appendingPathComponent(name)
        try Data(s.utf8).write(to: url)
        if signed { try sign(url) }
        return url
    }

    /// Writes `FILE.sig` with the active key, as an institution that signs its returns does.
    func sign(_ url: URL) throws {
        _ = try DetachedSignature.sign(file: url, with: try keys.activeKey())
    }

    /// A Vietnam Post return list written by hand.
    func postReturn(_ rows: [(ref: String, code: String, amount: Int64, result: String, receiver: String, reason: String)], name: String) throws -> URL {
        var s = "\u{FEFF}STT,Mã tham chiếu,Mã đối tượng,Họ và tên,Số tiền (đồng),Kết quả,Người nhận,Lý do,Ngày chi trả\r\n"
        var total: Int64 = 0
        for (i, r) in rows.enumerated() {
            s += "\(i + 1),\(r.ref),\(r.code),Tên,\(r.amount),\(r.result),\(r.receiver),\(r.reason),\(r.result == "Đã chi" ? "06/12/2026" : "")\r\n"
            total += r.amount
        }
        s += "Tổng cộng,\(rows.count),,,\(total),,,,\r\n"
        let url = dir.appendingPathComponent(name)
        try Data(s.utf8).write(to: url)
        try sign(url)
        return url
    }

    func state(_ ref: String) throws -> String {
        try db.writer.read { try PayoutLines.state($0, reference: ref)!.rawValue }
    }
}

@Suite("Returns: import, match, consequences")
struct ReturnImportTests {
    @Test("A bank return settles paid lines, fails rejected ones with the canonical reason, and the reconciliation adds up to the đồng")
    func bankReturnReconciles() throws {
        let s = try ReturnsSetup()
        let r01 = try s.reference(s.batchID, code: "R01", month: "2026-12")   // 1,000,000
        let r04 = try s.reference(s.batchID, code: "R04", month: "2026-12")   // 1,250,000
        let r06 = try s.reference(s.batchID, code: "R06", month: "2026-12")   // 1,000,000
        let file = try s.bankReturn([
            (r01["reference"], r01["account_no"], 1_000_000, "PAID", ""),
            (r04["reference"], r04["account_no"], 1_250_000, "REJECTED", "AC04"),
            (r06["reference"], r06["account_no"], 1_000_000, "REJECTED", "MS03"),
        ])
        let sum = try s.importer().importFile(file)
        #expect(sum.paid == 1)
        #expect(sum.failed == 2)
        #expect(sum.exceptions.isEmpty)
        #expect(try s.state(r01["reference"]) == "paid")
        #expect(try s.state(r04["reference"]) == "failed")
        let rec = try Reconciliation.build(s.db, batchID: s.batchID, queue: ExceptionQueue(db: s.db),
                                           taxonomy: try ReasonTaxonomy.load(from: ReturnsSetup.formats.appendingPathComponent("return-reasons.json")))
        #expect(rec.balanced)
        #expect(rec.total.sent == .init(count: 16, sum: 14_750_000))
        #expect(rec.total.paid == .init(count: 1, sum: 1_000_000))
        #expect(rec.total.failed == .init(count: 2, sum: 2_250_000))
        #expect(rec.total.awaiting == .init(count: 13, sum: 11_500_000))
        // AC04 closed: paid again only to a corrected account; MS03 (unspecified): sent again as is.
        #expect(rec.failures.map(\.reason).sorted() == ["closed", "other"])
        #expect(rec.failures.first { $0.reason == "other" }?.retryable == true)
        #expect(rec.failures.first { $0.reason == "closed" }?.retryable == false)
        #expect(rec.carryOver == .init(count: 1, sum: 1_000_000))
        // A closed account flags the person as needing an account.
        #expect(try s.db.writer.read { try String.fetchOne($0, sql: "SELECT account_flag FROM beneficiary WHERE code = 'R04'") } == "closed")
    }

    @Test("Importing the same return twice changes nothing and says so")
    func sameReturnTwice() throws {
        let s = try ReturnsSetup()
        let r01 = try s.reference(s.batchID, code: "R01", month: "2026-12")
        let file = try s.bankReturn([(r01["reference"], r01["account_no"], 1_000_000, "PAID", "")])
        _ = try s.importer().importFile(file)
        let again = try s.importer().importFile(file)
        #expect(again.alreadyImported)
        #expect(try s.db.writer.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM return_line") } == 1)
    }

    @Test("Unknown reference, changed amount, other account, reported twice: exceptions that change no money")
    func exceptions() throws {
        let s = try ReturnsSetup()
        let r01 = try s.reference(s.batchID, code: "R01", month: "2026-12")
        let r02 = try s.reference(s.batchID, code: "R02", month: "2026-12")
        let r04 = try s.reference(s.batchID, code: "R04", month: "2026-12")
        let file = try s.bankReturn([
            ("CT209912A0-NOTOURS000000000000", "4001205000999", 500_000, "PAID", ""),
            (r01["reference"], r01["account_no"], 1_000_001, "PAID", ""),
            (r02["reference"], "4001205999999", 750_000, "PAID", ""),
            (r04["reference"], r04["account_no"], 1_250_000, "PAID", ""),
            (r04["reference"], r04["account_no"], 1_250_000, "REJECTED", "AC01"),
        ])
        let sum = try s.importer().importFile(file)
        let kinds = try ExceptionQueue(db: s.db).list().map(\.kind)
        #expect(kinds == [.unknownReference, .amountDiffers, .accountDiffers, .conflictingOutcome])
        #expect(sum.paid == 1)
        #expect(try s.state(r01["reference"]) == "exported")
        #expect(try s.state(r02["reference"]) == "exported")
        #expect(try s.state(r04["reference"]) == "paid")
        // Resolving needs a note; applying the amount-differs line settles it, with who and why.
        let q = ExceptionQueue(db: s.db)
        let amountEx = try q.list().first { $0.kind == .amountDiffers }!
        #expect(throws: (any Error).self) { try q.resolve(id: amountEx.id, resolution: .apply, note: "", by: try s.db.actor(.clerk)) }
        try q.resolve(id: amountEx.id, resolution: .apply, note: "bank confirmed 1,000,000 paid; typo in their file", by: try s.db.actor(.clerk))
        #expect(try s.state(r01["reference"]) == "paid")
        let unknown = try q.list().first { $0.kind == .unknownReference }!
        #expect(throws: (any Error).self) { try q.resolve(id: unknown.id, resolution: .apply, note: "x", by: try s.db.actor(.clerk)) }
        try q.resolve(id: unknown.id, resolution: .dismiss, note: "another commune's line", by: try s.db.actor(.clerk))
        #expect(try q.list().count == 2)
    }

    @Test("A return with a bad signature is refused whole, saying what the check found and what to ask the sender, once")
    func badSignature() throws {
        let s = try ReturnsSetup()
        let r01 = try s.reference(s.batchID, code: "R01", month: "2026-12")
        let file = try s.bankReturn([(r01["reference"], r01["account_no"], 1_000_000, "PAID", "")])
        _ = try DetachedSignature.sign(file: file, with: try s.keys.activeKey())
        var data = try Data(contentsOf: file)
        data[data.count - 5] = UInt8(ascii: "9")
        try data.write(to: file)
        let key = try s.keys.activeKey().id
        #expect {
            try s.importer().importFile(file)
        } throws: { e in
            // One byte changed, the size the same. Not the advice for a file ChiTra sends ("không gửi tệp này").
            (e as? ReturnRefused)?.message.text(in: .vi) == "ĐÃ BỊ SỬA: agribank-return.csv không khớp chữ ký số (khoá \(key)): tệp đã bị sửa sau khi ký. Tệp trả về không được nhập; đề nghị đơn vị gửi lại tệp có chữ ký đúng."
                && (e as? ReturnRefused)?.message.text(in: .en) == "CHANGED: agribank-return.csv does not match its signature (key \(key)): the file was altered after signing. The return was not imported; ask the sender for a correctly signed file."
        }
        #expect(try s.db.writer.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM import_file WHERE kind = 'return'") } == 0)
        #expect(try s.state(r01["reference"]) == "exported")
    }

    @Test("A return for a cancelled batch is an exception")
    func cancelledBatch() throws {
        let s = try ReturnsSetup(export: false)
        let r01 = try s.reference(s.batchID, code: "R01", month: "2026-12")
        try BatchLifecycle(db: s.db).cancel(batchID: s.batchID, by: try s.db.actor(.maker), reason: "test")
        _ = try s.importer().importFile(try s.bankReturn([(r01["reference"], r01["account_no"], 1_000_000, "PAID", "")]))
        #expect(try ExceptionQueue(db: s.db).list().map(\.kind) == [.cancelledBatch])
        #expect(try s.state(r01["reference"]) == "cancelled")
    }

    @Test("January carries the retryable failure, routes the closed account to the post office, and pays nobody twice")
    func carryOverIntoNextBatch() throws {
        let s = try ReturnsSetup()
        let r04 = try s.reference(s.batchID, code: "R04", month: "2026-12")   // closed account
        let r06 = try s.reference(s.batchID, code: "R06", month: "2026-12")   // MS03, retryable
        _ = try s.importer().importFile(try s.bankReturn([
            (r04["reference"], r04["account_no"], 1_250_000, "REJECTED", "AC04"),
            (r06["reference"], r06["account_no"], 1_000_000, "REJECTED", "MS03"),
        ]))
        let jan = try s.build("2027-01")
        let lines = try s.lines(jan)
        let r06Carry = lines.filter { ($0["beneficiary_code"] as String) == "R06" && ($0["kind"] as String) == "carry_over" }
        #expect(r06Carry.count == 1)
        #expect(r06Carry.first?["for_month"] as String? == "2026-12")
        #expect(r06Carry.first?["carried_from"] as Int64? == (r06["id"] as Int64))
        #expect(r06Carry.first?["amount"] as Int64? == 1_000_000)
        // R04's account is flagged: January and December's money go through the post office.
        let r04Lines = lines.filter { ($0["beneficiary_code"] as String) == "R04" }
        #expect(r04Lines.map { $0["group_key"] as String } == ["VNPOST-PHUONG-HUONG-TRA", "VNPOST-PHUONG-HUONG-TRA"])
        #expect(r04Lines.map { $0["amount"] as Int64 }.reduce(0, +) == 2_500_000)
        // Building January again does not add them twice.
        let again = try s.build("2027-01")
        #expect(try s.lines(again).count == lines.count)
    }

    @Test("Allowance and care of the same month both failed: January carries both, each with its own reference")
    func twoCarryOversSameMonth() throws {
        let s = try ReturnsSetup()
        // R11: own allowance 750,000 and care 2 × 500,000 = 1,000,000 in December, same account.
        let r11 = try s.lines(s.batchID).filter { ($0["beneficiary_code"] as String) == "R11" }
        #expect(r11.map { $0["kind"] as String }.sorted() == ["allowance", "care"])
        _ = try s.importer().importFile(try s.bankReturn(r11.map {
            ($0["reference"], $0["account_no"], $0["amount"], "REJECTED", "MS03")
        }))
        let jan = try s.build("2027-01")
        let carried = try s.lines(jan).filter { ($0["beneficiary_code"] as String) == "R11" && ($0["kind"] as String) == "carry_over" }
        #expect(carried.map { $0["slot"] as String }.sorted() == ["allowance", "care"])
        #expect(carried.map { $0["amount"] as Int64 }.reduce(0, +) == 1_750_000)
        #expect(Set(carried.map { $0["reference"] as String }).count == 2)
        #expect(Set(carried.map { $0["carried_from"] as Int64 }) == Set(r11.map { $0["id"] as Int64 }))
    }

    @Test("A death reported by the bank suspends the person, opens the funeral case, and January pays them nothing")
    func deceasedReported() throws {
        let s = try ReturnsSetup()
        let r03 = try s.reference(s.batchID, code: "R03", month: "2026-12")
        let vietin = try s.lines(s.batchID, group: "BANK-970415")
        #expect(vietin.count == 1)
        _ = try s.importer().importFile(try s.bankReturn([(r03["reference"], r03["account_no"], 750_000, "REJECTED", "MD07")], name: "vietin.csv"))
        #expect(try s.db.writer.read { try String.fetchOne($0, sql: "SELECT status FROM beneficiary WHERE code = 'R03'") } == "suspended")
        let flags = try s.db.writer.read { try String.fetchAll($0, sql: "SELECT kind FROM beneficiary_flag WHERE beneficiary_code = 'R03' ORDER BY kind") }
        #expect(flags == ["deceased_reported", "funeral_case"])
        let jan = try s.build("2027-01")
        #expect(try s.lines(jan).filter { ($0["beneficiary_code"] as String) == "R03" }.isEmpty)
    }

    @Test("What failed before a death was reported is not sent to the dead person: held, listed as left out, until a decision")
    func failedPaymentOfAPersonReportedDeadIsHeld() throws {
        let s = try ReturnsSetup()
        // R11, December: own allowance 750,000 and care 2 × 500,000 = 1,000,000 to one account.
        let r11 = try s.lines(s.batchID).filter { ($0["beneficiary_code"] as String) == "R11" }
        let care = r11.first { ($0["kind"] as String) == "care" }!, own = r11.first { ($0["kind"] as String) == "allowance" }!
        // The care payment fails (retryable), then the bank reports the person dead on the other line.
        _ = try s.importer().importFile(try s.bankReturn([(care["reference"], care["account_no"], 1_000_000, "REJECTED", "MS03")], name: "first.csv"))
        _ = try s.importer().importFile(try s.bankReturn([(own["reference"], own["account_no"], 750_000, "REJECTED", "MD07")], name: "second.csv"))
        #expect(try s.db.writer.read { try String.fetchOne($0, sql: "SELECT status FROM beneficiary WHERE code = 'R11'") } == "suspended")
        // January pays R11 nothing, not even the failed 1,000,000: it is listed as left out with the reason.
        let jan = try s.build("2027-01")
        #expect(try s.lines(jan).filter { ($0["beneficiary_code"] as String) == "R11" }.isEmpty)
        let left = try s.db.writer.read { try Row.fetchOne($0, sql: "SELECT reason_code, amount_owed FROM batch_exclusion WHERE batch_id = ? AND beneficiary_code = 'R11'", arguments: [jan]) }
        #expect(left?["reason_code"] as String? == "suspended")
        #expect(left?["amount_owed"] as Int64? == 1_000_000)
        // The failed payment stays failed (owed, not lost).
        #expect(try s.db.writer.read { try String.fetchOne($0, sql: "SELECT state FROM payout_line WHERE id = ?", arguments: [care["id"] as Int64]) } == "failed")
    }

    @Test("Not collected at the post office three months running flags a suspension (Circular 02/2021)")
    func threeMonthsNotCollected() throws {
        let s = try ReturnsSetup()
        var batch = s.batchID
        for (i, month) in ["2026-12", "2027-01", "2027-02"].enumerated() {
            if i > 0 { batch = try s.build(month); try s.approveAndExport(batch) }
            // R05 collects at the post office (cash): not collected this month.
            let r05 = try s.lines(batch).first { ($0["beneficiary_code"] as String) == "R05" && ($0["slot"] as String) == "allowance" && ($0["for_month"] as String) == month }!
            _ = try s.importer().importFile(try s.postReturn([(r05["reference"], "R05", 500_000, "Chưa chi", "", "Không đến nhận")], name: "post-\(month).csv"))
        }
        let flags = try s.db.writer.read { try String.fetchAll($0, sql: "SELECT kind FROM beneficiary_flag WHERE beneficiary_code = 'R05'") }
        #expect(flags.contains("suspend_not_collected"))
    }

    @Test("The accountant's CSV has one line per payment with its outcome, Excel-safe")
    func accountantCSV() throws {
        let s = try ReturnsSetup()
        let r01 = try s.reference(s.batchID, code: "R01", month: "2026-12")
        _ = try s.importer().importFile(try s.bankReturn([(r01["reference"], r01["account_no"], 1_000_000, "PAID", "")]))
        let csv = String(decoding: try Reconciliation.accountantCSV(s.db, batchID: s.batchID).dropFirst(3), as: UTF8.self)
        let rows = csv.split(separator: "\r\n")
        #expect(rows.count == 17)
        #expect(rows.contains { $0.hasPrefix("\(r01["reference"] as String),R01,Nguyễn Thị Lành,") && $0.contains(",1000000,Đã chi,") })
        // Written to a file it is the same bytes, mode 0600.
        let file = s.dir.appendingPathComponent("doi-chieu.csv")
        try Reconciliation.writeAccountantCSV(s.db, batchID: s.batchID, to: file)
        #expect(try Data(contentsOf: file) == Reconciliation.accountantCSV(s.db, batchID: s.batchID))
        #expect(try FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? Int == 0o600)
    }
}

@Suite("Returns: the public ISO 20022 samples")
struct PublicSampleImportTests {
    static let samples = ReturnsSetup.root.deletingLastPathComponent().appendingPathComponent("shared/iso20022/samples")

    @Test("Every public pain.002 and camt.054 sample imports without a crash; its lines are unknown to our batches and queued as such",
          .enabled(if: FileManager.default.fileExists(atPath: samples.path), "needs ../shared/iso20022/samples beside the clone"))
    func samplesImport() throws {
        let s = try ReturnsSetup()
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.samples.path)
            .filter { $0.hasPrefix("pain.002") || $0.hasPrefix("camt.054") }.sorted()
        #expect(names.count == 5)
        for name in names {
            let copy = s.dir.appendingPathComponent(name)
            try FileManager.default.copyItem(at: Self.samples.appendingPathComponent(name), to: copy)
            let sum = try s.importer().importFile(copy)
            #expect(sum.paid + sum.failed + sum.pending == 0, "\(name) must not settle any of our payments")
            #expect(sum.records + sum.malformed > 0 || sum.groupStatus != nil, "\(name) should say what it held")
            #expect(sum.exceptions.count == sum.records + sum.malformed, "\(name): every line it holds is queued, none applied")
        }
        let kinds = Set(try ExceptionQueue(db: s.db).list().map(\.kind))
        #expect(kinds.contains(.unknownReference))
        #expect(kinds.isSubset(of: [.unknownReference, .malformed, .totalsDiffer]))
        // Nothing of ours changed.
        let states = try s.db.writer.read { try PayoutLines.stateCounts($0, batchID: s.batchID) }
        #expect(Array(states.keys) == [.exported])
    }
}

@Suite("Returns: overpayments")
struct OverpaymentTests {
    @Test("A death recorded after the batch was sent lists the months after it as overpayments to recover")
    func overpaymentAfterDeath() throws {
        let s = try ReturnsSetup()
        // The December list paid R01 1,000,000; the next roll export records her death on 10/11/2026.
        var text = try String(contentsOf: ReturnsSetup.root.appendingPathComponent("fixtures/rules/rules-roll.csv"), encoding: .utf8)
        text = text.replacingOccurrences(of: "R01,Nguyễn Thị Lành,15/12/1946,Nữ,046146000101,Phường Hương Trà,Tổ dân phố 1,Số 9 đường Lý Bôn,0912345678,NCT_NGHEO_KHONG_NGUOI_PHUNG_DUONG,,101/QĐ-UBND,10/03/2022,04/2022,,",
                                         with: "R01,Nguyễn Thị Lành,15/12/1946,Nữ,046146000101,Phường Hương Trà,Tổ dân phố 1,Số 9 đường Lý Bôn,0912345678,NCT_NGHEO_KHONG_NGUOI_PHUNG_DUONG,,101/QĐ-UBND,10/03/2022,04/2022,,10/11/2026")
        let url = s.dir.appendingPathComponent("roll-later.csv")
        try Data(text.utf8).write(to: url)
        let importer = RollImporter(db: s.db, validator: RollValidator(tariff: ReturnsSetup.tariff, banks: ReturnsSetup.banks, today: CivilDate(year: 2026, month: 11, day: 23)!), actor: try s.db.actor(.maker))
        _ = try importer.importFile(url)
        let rec = try Reconciliation.build(s.db, batchID: s.batchID, queue: ExceptionQueue(db: s.db))
        #expect(rec.overpayments.map(\.code) == ["R01"])
        #expect(rec.overpayments.first?.amount == 1_000_000)
        #expect(rec.vietnameseLines().contains { $0.contains("cần truy thu") })
    }
}
