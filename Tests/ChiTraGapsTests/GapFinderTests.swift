import ChiTraCore
import ChiTraGaps
import ChiTraStore
import Foundation
import GRDB
import Testing

@Suite("Gap finder")
struct GapFinderTests {
    /// Every fixture line and the reasons it must raise (nil: not on the list).
    static let expected: [(String, Set<GapReason>?)] = [
        ("G01", nil), ("G02", [.noAccount]), ("G03", [.accountRejected]), ("G04", [.proxyMissing]), ("G05", [.proxyMissing]),
        ("G06", [.authorisationExpired]), ("G07", [.authorisationExpiring]), ("G08", [.authorisationExpiring]), ("G09", nil),
        ("G10", [.proxyIsSelf]), ("G11", [.proxyMany]), ("G12", [.proxyMany]), ("G13", [.proxyMany]), ("G14", [.proxyMany]),
        ("G15", nil), ("G16", nil), ("G17", nil), ("G18", nil), ("G19", [.proxyDeceased]), ("G20", nil),
        ("G21", [.noAccount, .cashPaid]), ("G22", [.noPhone]), ("G23", [.excludedLatestBatch]), ("G24", [.noAccount]),
        ("G25", [.noAccount]), ("G26", [.noPhone]), ("G27", nil), ("G28", [.noAccount]),
    ]

    @Test("The gaps fixture imports whole: 28 lines, none rejected")
    func fixtureImports() throws {
        let db = try AppDatabase.temporary()
        let s = try GapsFixture.importFixture(db, "gaps-roll.csv")
        #expect(s.lines == 28)
        #expect(s.rejected == 0, "\(s.problems)")
    }

    @Test("Every fixture line raises exactly its reasons", arguments: expected.map(\.0))
    func reasonsPerLine(code: String) throws {
        let list = try GapsFixture.finder.worklist(try GapsFixture.store(), options: GapsFixture.options())
        let want = Self.expected.first { $0.0 == code }!.1
        #expect(list.case(code).map { Set($0.reasonCodes) } == want)
    }

    @Test("A rejected account says which rejection; exclusion gives the batch's reason")
    func details() throws {
        let list = try GapsFixture.finder.worklist(try GapsFixture.store(), options: GapsFixture.options())
        #expect(list.case("G03")!.missing.contains("tài khoản đã đóng"))
        #expect(list.case("G03")!.missing.contains("*********0003"))
        let g23 = list.case("G23")!
        #expect(g23.missing.contains("Tài khoản bị ngân hàng từ chối, cần cập nhật"))
        #expect(g23.missing.contains("tháng 12/2026"))
        #expect(g23.missing.contains("1.000.000 đồng"))
        #expect(list.case("G04")!.missing.contains("Trẻ em 11 tuổi"))
        #expect(list.case("G19")!.missing.contains("đã mất ngày 10/10/2026"))
        #expect(list.case("G11")!.missing.contains("4 hộ khác nhau (tối đa 3)"))
        #expect(list.case("G21")!.missing.contains("(10/2026–12/2026)"))
    }

    @Test("Payment at risk: expired authorisation, one ending before the 1st of next month, exclusion")
    func paymentAtRisk() throws {
        let list = try GapsFixture.finder.worklist(try GapsFixture.store(), options: GapsFixture.options())
        #expect(list.case("G06")!.paymentAtRisk)
        #expect(list.case("G07")!.paymentAtRisk)
        #expect(list.case("G23")!.paymentAtRisk)
        #expect(!list.case("G08")!.paymentAtRisk)
        #expect(list.case("G08")!.missing.contains("còn 22 ngày"))
        #expect(!list.case("G02")!.paymentAtRisk)
    }

    @Test("Thresholds: --expiring-days, --proxy-max, --cash-months")
    func thresholds() throws {
        let db = try GapsFixture.store()
        let f = GapsFixture.finder
        #expect(try f.worklist(db, options: GapsFixture.options { $0.expiringDays = 10 }).case("G08") == nil)
        #expect(try f.worklist(db, options: GapsFixture.options { $0.expiringDays = 10 }).case("G07") != nil)
        #expect(try f.worklist(db, options: GapsFixture.options { $0.proxyMax = 4 }).case("G11") == nil)
        #expect(try f.worklist(db, options: GapsFixture.options { $0.proxyMax = 1 }).case("G15") == nil)   // one household
        let two = try f.worklist(db, options: GapsFixture.options { $0.cashMonths = 2 })
        #expect(Set(two.case("G02")!.reasonCodes) == [.noAccount, .cashPaid])
        #expect(try f.worklist(db, options: GapsFixture.options { $0.cashMonths = 4 }).case("G21")!.reasonCodes == [.noAccount])
    }

    @Test("Thôn Đông in priority order, scores as worked by hand in fixtures/gaps/README.md")
    func priorityOrder() throws {
        let list = try GapsFixture.finder.worklist(try GapsFixture.store(), options: GapsFixture.options { $0.village = "thôn đông" })
        #expect(list.villages.count == 1)
        let v = list.villages[0]
        #expect(v.village == "Thôn Đông")
        #expect(v.cases.map(\.code) == ["G07", "G23", "G08", "G24", "G26", "G25"])
        #expect(v.cases.map(\.score) == [10820, 10750, 920, 825, 630, 625])
        #expect(v.activeCount == 6)
        #expect(v.atRiskCount == 2)
    }

    @Test("A case carries age, phone or 'không có', category, masked ID and what to bring")
    func caseFields() throws {
        let list = try GapsFixture.finder.worklist(try GapsFixture.store(), options: GapsFixture.options())
        let g06 = list.case("G06")!
        #expect(g06.age == 81)
        #expect(g06.phoneText == "0912000006")
        #expect(g06.personalIDMasked == "046******006")
        #expect(g06.categoryText == "Trợ cấp hưu trí xã hội (từ đủ 75 tuổi)")
        #expect(g06.bring == "CCCD của đối tượng và người nhận thay; mẫu giấy ủy quyền")
        #expect(g06.missing == "Giấy ủy quyền cho Võ Văn Tư (Con) đã hết hạn ngày 31/10/2026.")
        #expect(list.case("G22")!.phoneText == "không có")
        #expect(list.case("G22")!.phone == nil)
        #expect(list.case("G23")!.age == 50)
    }

    @Test("Filters by commune and village, ignoring case; villages grouped and ordered")
    func grouping() throws {
        let db = try GapsFixture.store()
        let all = try GapsFixture.finder.worklist(db, options: GapsFixture.options())
        #expect(all.villages.map { "\($0.commune)/\($0.village)" } ==
                ["Phường Hương Trà/Thôn Đông", "Phường Hương Trà/Tổ dân phố 1", "Phường Hương Trà/Tổ dân phố 2", "Xã Hương Toàn/Thôn Bắc"])
        #expect(all.caseCount == 20)
        #expect(all.activeCount == 26)
        #expect(all.latestBatch == "#3 2026-12")
        let toan = try GapsFixture.finder.worklist(db, options: GapsFixture.options { $0.commune = "XÃ HƯƠNG TOÀN" })
        #expect(toan.villages.map(\.village) == ["Thôn Bắc"])
        #expect(toan.caseCount == 1)
    }

    @Test("The v2-gaps migration runs after v1 and leaves v1 alone")
    func migrationOrder() throws {
        let db = try AppDatabase.temporary()
        let ids = try db.writer.read { try String.fetchAll($0, sql: "SELECT identifier FROM grdb_migrations ORDER BY rowid") }
        #expect(ids == ["v1-roll-batch-audit", "v2-gaps", "v3-scale-indexes", "v3-audit-chain",
                        "v4-roll-checks-without-in-lists", "v4-build-retired-lines", "v4-payout-checks-without-in-lists",
                        "v5-identities", "v5-seals", "v5-account-seals", "v6-web-sessions", "v6-roll-import-results",
                        "v7-cared-for-birth-dates", "v7-funeral-claims", "v7-return-transactions", "v8-retired-lines", "v9-outcome-seals"])
    }
}

@Suite("Account flag wording")
struct AccountFlagWordingTests {
    @Test("Every flag the returns write reads as what happened to the account (an invalid account number was shown as a bare code)")
    func everyStoredFlagHasItsWords() {
        #expect(AccountFlag.vietnamese("invalid_account") == "số tài khoản không hợp lệ")
        #expect(AccountFlag.vietnamese("closed") == "tài khoản đã đóng")
        #expect(AccountFlag.vietnamese("blocked") == "tài khoản bị phong tỏa")
        #expect(AccountFlag.vietnamese("name_mismatch") == "tên chủ tài khoản không khớp")
        for flag in AccountRejection.reasons {
            #expect(!AccountFlag.vietnamese(flag).contains("mã"), "\(flag) has no words of its own")
        }
        #expect(AccountFlag.vietnamese("xyz") == "bị từ chối (mã xyz)")
    }
}
