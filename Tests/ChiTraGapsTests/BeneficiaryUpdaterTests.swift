import ChiTraCore
import ChiTraGaps
import ChiTraRoll
import ChiTraStore
import ChiTraTestSupport
import Foundation
import GRDB
import Testing

@Suite("Manual updates")
struct BeneficiaryUpdaterTests {
    static func updater(_ db: AppDatabase) -> BeneficiaryUpdater { BeneficiaryUpdater(db: db, banks: GapsFixture.banks) }

    @Test("set-account refuses an unknown BIN with a clear message and changes nothing")
    func unknownBIN() throws {
        let db = try GapsFixture.store()
        #expect {
            try Self.updater(db).setAccount(code: "G02", channel: .bank, bin: "970999", account: "123456789", accountName: "TRAN VAN HAI", by: try db.actor(.officer))
        } throws: { e in
            "\(e)" == "không cập nhật được tài khoản của G02: 970999 không phải mã BIN ngân hàng đã biết; hãy dùng một mã trong formats/banks.json (ví dụ 970405 Agribank, 970436 Vietcombank)"
                && (e as? GapsError)?.message.text(in: .en).hasPrefix("cannot set the account of G02: ") == true
        }
        #expect(try GapsFixture.count(db, "SELECT count(*) FROM roll_change WHERE source = 'manual'") == 0)
        #expect(try GapsFixture.count(db, "SELECT count(*) FROM beneficiary WHERE code = 'G02' AND channel = 'post_cash'") == 1)
    }

    @Test("set-account refuses letters in the account number and a bank account without a name")
    func invalidAccount() throws {
        let db = try GapsFixture.store()
        #expect(throws: GapsError.self) { try Self.updater(db).setAccount(code: "G02", channel: .bank, bin: "970405", account: "12AB", accountName: "X", by: try db.actor(.officer)) }
        #expect(throws: GapsError.self) { try Self.updater(db).setAccount(code: "G02", channel: .bank, bin: "970405", account: "1234", accountName: nil, by: try db.actor(.officer)) }
        #expect(throws: GapsError.self) { try Self.updater(db).setAccount(code: "NOPE", channel: .postCash, bin: nil, account: nil, accountName: nil, by: try db.actor(.officer)) }
    }

    @Test("A new account clears the rejection flag, is recorded as 'manual' with the number masked, and audited")
    func newAccountClearsFlag() throws {
        let db = try GapsFixture.store()
        let r = try Self.updater(db).setAccount(code: "G03", channel: .bank, bin: "970405", account: "4001205009903", accountName: "Lê Thị Ba", by: try db.actor(.officer))
        #expect(r.clearedAccountFlag == "closed")
        #expect(Set(r.fields) == ["bank_bin", "account_no", "account_name"])
        let rows = try db.writer.read { try Row.fetchAll($0, sql: "SELECT * FROM roll_change WHERE code = 'G03' AND source = 'manual' ORDER BY id") }
        #expect(rows.allSatisfy { ($0["file_id"] as Int64?) == nil && ($0["changed_by"] as String) == "test.officer" })
        let account = rows.first { ($0["field"] as String) == "account_no" }!
        #expect((account["old_value"] as String?) == "*********0003")
        #expect((account["new_value"] as String?) == "*********9903")
        #expect(rows.contains { ($0["field"] as String) == "account_flag" && ($0["old_value"] as String?) == "closed" })
        #expect(try GapsFixture.count(db, "SELECT count(*) FROM beneficiary WHERE code = 'G03' AND account_flag IS NULL AND account_name = 'Lê Thị Ba'") == 1)
        #expect(try GapsFixture.count(db, "SELECT count(*) FROM audit_log WHERE action = 'beneficiary.set-account' AND entity_id = 'G03'") == 1)
        #expect(try GapsFixture.finder.worklist(db, options: GapsFixture.options()).case("G03") == nil)
    }

    @Test("set-proxy with a new letter clears an expired authorisation; proxy ID masked in history")
    func newProxy() throws {
        let db = try GapsFixture.store()
        try Self.updater(db).setProxy(code: "G06", name: "Võ Văn Tư", id: "046170000106", relation: "Con",
                                      until: CivilDate(year: 2027, month: 11, day: 30), by: try db.actor(.officer))
        #expect(try GapsFixture.finder.worklist(db, options: GapsFixture.options()).case("G06") == nil)
        #expect(try GapsFixture.count(db, "SELECT count(*) FROM roll_change WHERE code = 'G06' AND source = 'manual' AND field = 'authorisation_until' AND new_value = '2027-11-30'") == 1)
        // A new proxy for the child clears the missing guardian; a guardian needs no date.
        try Self.updater(db).setProxy(code: "G04", name: "Phạm Thị Năm", id: "046185000104", relation: "Người giám hộ", until: nil, by: try db.actor(.officer))
        let pid = try db.writer.read { try String.fetchOne($0, sql: "SELECT new_value FROM roll_change WHERE code = 'G04' AND field = 'proxy_id'") }
        #expect(pid == "046******104")
        #expect(try GapsFixture.finder.worklist(db, options: GapsFixture.options()).case("G04") == nil)
        #expect(try GapsFixture.count(db, "SELECT count(*) FROM audit_log WHERE action = 'beneficiary.set-proxy'") == 2)
    }

    @Test("set-proxy refuses: no date for a non-guardian, a malformed ID, the beneficiary's own ID")
    func proxyRefusals() throws {
        let db = try GapsFixture.store()
        let u = Self.updater(db)
        #expect { try u.setProxy(code: "G05", name: "Hoàng Thị Lan", id: "046180000205", relation: "Con", until: nil, by: try db.actor(.officer)) } throws: {
            "\($0)".contains("thiếu --until cho người nhận thay không phải người giám hộ")
        }
        #expect { try u.setProxy(code: "G05", name: "Hoàng Thị Lan", id: "04618000", relation: "Con", until: CivilDate(year: 2027, month: 1, day: 1), by: try db.actor(.officer)) } throws: {
            "\($0)".contains("có 8 chữ số; số định danh cá nhân có 12 chữ số")
        }
        #expect { try u.setProxy(code: "G05", name: "Hoàng Văn Năm", id: "046048000005", relation: "Con", until: CivilDate(year: 2027, month: 1, day: 1), by: try db.actor(.officer)) } throws: {
            "\($0)".contains("số định danh cá nhân của người nhận thay trùng với của đối tượng")
        }
        #expect(try GapsFixture.count(db, "SELECT count(*) FROM roll_change WHERE source = 'manual'") == 0)
    }

    @Test("Manual updates follow the roll's text limits: a bidi override, a control character or a name over 100 characters is refused, naming the option; 100 is accepted")
    func textLimits() throws {
        let db = try GapsFixture.store()
        let u = Self.updater(db)
        let officer = try db.actor(.officer)
        let until = CivilDate(year: 2027, month: 1, day: 1)
        func refused(_ expected: String, _ body: () throws -> Void) {
            #expect { try body() } throws: { "\($0)".contains(expected) }
        }
        refused("không cập nhật được người nhận thay của G05: --name có ký tự ẩn đổi chiều chữ (U+202E)") {
            try u.setProxy(code: "G05", name: "Hoàng Thị \u{202E}naL", id: "046180000205", relation: "Con", until: until, by: officer)
        }
        refused("--relation có ký tự ẩn đổi chiều chữ (U+2066)") {
            try u.setProxy(code: "G05", name: "Hoàng Thị Lan", id: "046180000205", relation: "Con\u{2066}", until: until, by: officer)
        }
        refused("--name có ký tự điều khiển (U+0009") {
            try u.setProxy(code: "G05", name: "Hoàng\tThị Lan", id: "046180000205", relation: "Con", until: until, by: officer)
        }
        refused("--name dài 101 ký tự; tối đa 100 ký tự") {
            try u.setProxy(code: "G05", name: "Hoàng " + String(repeating: "ị", count: 95), id: "046180000205", relation: "Con", until: until, by: officer)
        }
        refused("không cập nhật được tài khoản của G02: --account-name có ký tự ẩn đổi chiều chữ (U+202E)") {
            try u.setAccount(code: "G02", channel: .bank, bin: "970405", account: "4001205000002", accountName: "DO VAN HAI\u{202E}", by: officer)
        }
        refused("--account-name có ký tự điều khiển (U+001B") {
            try u.setAccount(code: "G02", channel: .bank, bin: "970405", account: "4001205000002", accountName: "DO\u{1B}[2J VAN HAI", by: officer)
        }
        refused("--account-name dài 101 ký tự") {
            try u.setAccount(code: "G02", channel: .bank, bin: "970405", account: "4001205000002", accountName: String(repeating: "A", count: 101), by: officer)
        }
        #expect(try GapsFixture.count(db, "SELECT count(*) FROM roll_change WHERE source = 'manual'") == 0)
        // 100 characters (given in NFD, counted as stored in NFC) is accepted.
        let name100 = ("Hoàng " + String(repeating: "ị", count: 94)).decomposedStringWithCanonicalMapping
        try u.setProxy(code: "G05", name: name100, id: "046180000205", relation: "Con", until: until, by: officer)
        let stored = try db.writer.read { try String.fetchOne($0, sql: "SELECT proxy_name FROM beneficiary WHERE code = 'G05'") }
        #expect(stored?.unicodeScalars.count == 100)
    }
}
