import ChiTraBatch
import ChiTraCore
import ChiTraReturns
import ChiTraSigning
import ChiTraStore
import ChiTraTestSupport
import Foundation
import GRDB
import Testing

/// Issue 12: a return about payments sent to an institution that signs its returns
/// (formats/banks.json `signsReturns`) is believed only with a valid detached signature.
@Suite("Returns: institutions that sign their returns")
struct SignedReturnPolicyTests {
    static let reasons = try! ReasonTaxonomy.load(from: ReturnsSetup.formats.appendingPathComponent("return-reasons.json"))

    @Test("An unsigned return about a signing institution's payments is refused whole; the policy is data (banks.json)")
    func unsignedReturnRefused() throws {
        let s = try ReturnsSetup()
        let r01 = try s.reference(s.batchID, code: "R01", month: "2026-12")   // Agribank
        let file = try s.bankReturn([(r01["reference"], r01["account_no"], 1_000_000, "REJECTED", "MS03")], signed: false)
        #expect {
            try s.importer().importFile(file)
        } throws: { e in
            e is ReturnRefused && "\(e)".contains("không kèm tệp chữ ký (agribank-return.csv.sig)") && "\(e)".contains("gửi tới Agribank (970405), đơn vị luôn ký số kết quả chi trả")
                && (e as? ReturnRefused)?.message.text(in: .en).contains("Agribank (970405), which signs its returns") == true
        }
        #expect(try s.db.writer.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM import_file WHERE kind = 'return'") } == 0)
        #expect(try s.db.writer.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM return_line") } == 0)
        #expect(try s.state(r01["reference"]) == "exported")

        // The same file, signed, is read; a post-office list unsigned is refused too.
        let r05 = try s.reference(s.batchID, code: "R05", month: "2026-12")
        let post = try s.postReturn([(r05["reference"], "R05", 500_000, "Đã chi", "Đối tượng", "")], name: "post.csv")
        try FileManager.default.removeItem(at: DetachedSignature.signatureURL(for: post))
        #expect(throws: ReturnRefused.self) { try s.importer().importFile(post) }
        try s.sign(file)
        #expect(try s.importer().importFile(file).failed == 1)

        // With a banks.json whose Agribank does not sign, an unsigned Agribank return is read as before.
        let formats = s.dir.appendingPathComponent("formats-unsigned")
        try FileManager.default.copyItem(at: ReturnsSetup.formats, to: formats)
        let banksURL = formats.appendingPathComponent("banks.json")
        var banks = try String(contentsOf: banksURL, encoding: .utf8)
        banks = banks.replacingOccurrences(of: #""bin": "970405", "short": "Agribank", "name": "Ngân hàng Nông nghiệp và Phát triển Nông thôn Việt Nam", "signsReturns": true"#,
                                           with: #""bin": "970405", "short": "Agribank", "name": "Ngân hàng Nông nghiệp và Phát triển Nông thôn Việt Nam", "signsReturns": false"#)
        try Data(banks.utf8).write(to: banksURL)
        #expect(try BankDirectory.load(from: banksURL).signsReturns(groupKey: "BANK-970405") == false)
        #expect(try BankDirectory.load(from: banksURL).signsReturns(groupKey: "BANK-970418") == true)
        let lenient = ReturnImporter(db: s.db, taxonomy: Self.reasons, formatsDir: formats, keys: s.keys, actor: try s.db.actor(.clerk))
        let r02 = try s.reference(s.batchID, code: "R02", month: "2026-12")
        let other = try s.bankReturn([(r02["reference"], r02["account_no"], 750_000, "PAID", "")], name: "agribank-2.csv", signed: false)
        #expect(try lenient.importFile(other).paid == 1)
    }
}
