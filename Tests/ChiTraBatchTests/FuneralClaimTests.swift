import ChiTraBatch
import ChiTraCore
import ChiTraStore
import ChiTraTestSupport
import Foundation
import GRDB
import Testing

/// Issue 15, part 1: funeral support (Decree 20/2021 Art. 11) as its own claim, paid once to whoever
/// organised the burial. Amounts by hand: 20 × the standard level in force in the month of death —
/// 20 × 500,000 = 10,000,000 đồng from 07/2024 (Decree 76/2024).
@Suite("Funeral support claims")
struct FuneralClaimTests {
    static func claims(_ db: AppDatabase) -> FuneralClaims {
        var c = FuneralClaims(db: db, banks: Fixture.banks, tariff: Fixture.tariff)
        c.today = CivilDate(year: 2026, month: 11, day: 23)!
        return c
    }

    /// R09 of the rules roll: social pension, died 15/10/2026, proxy Đỗ Thị Hạnh (Con) at the post office.
    /// The burial was organised by another child, paid to his Vietcombank account.
    static func r09Claim(code: String = "R09", organiser: String = "Đỗ Văn Tám", id: String = "046078000301") -> FuneralClaimInput {
        FuneralClaimInput(deceasedCode: code, organiserKind: .relative, organiserName: organiser, organiserID: id, relation: "Con",
                          decisionNo: "45/QĐ-UBND", decisionDate: CivilDate(year: 2026, month: 10, day: 20)!, channel: .bank,
                          bankBIN: "970436", accountNo: "0071000123456", accountName: "DO VAN TAM")
    }

    static func funeralLines(_ db: AppDatabase, batch: Int64) throws -> [Row] {
        try db.writer.read { try Row.fetchAll($0, sql: "SELECT * FROM payout_line WHERE batch_id = ? AND slot = 'funeral' ORDER BY id", arguments: [batch]) }
    }

    @Test("A beneficiary who died 15/10/2026: 10,000,000 paid once, to the organiser's account (not the proxy), and a second claim is refused")
    func paidOnceToOrganiser() throws {
        let db = try Fixture.rulesStore()
        let c = try Self.claims(db).add(Self.r09Claim(), by: try db.actor(.maker))
        #expect(c.amount == 10_000_000)
        #expect(c.amountBasis.hasPrefix("20 × mức chuẩn 500.000 đồng tại tháng mất"))
        #expect(c.accountMasked == "*********3456")
        // A second claim, by anyone, under the same code: refused, nothing recorded.
        var other = Self.r09Claim(organiser: "Đỗ Thị Hạnh", id: "046175000209")
        other.channel = .postCash; other.bankBIN = nil; other.accountNo = nil; other.accountName = nil
        #expect { try Self.claims(db).add(other, by: try db.actor(.maker)) } throws: { "\($0)".contains("đã có hồ sơ #\(c.id)") }
        // The store refuses it by itself too (the UNIQUE index on the person among active claims).
        #expect(throws: DatabaseError.self) {
            try db.writer.write { d in
                try d.execute(sql: """
                    INSERT INTO funeral_claim(deceased_code, person_key, death_date, organiser_kind, organiser_name, organiser_id, organiser_relation,
                        decision_no, decision_date, amount, amount_basis, channel, recorded_by_user, recorded_at)
                    SELECT deceased_code, person_key, death_date, organiser_kind, 'X', organiser_id, organiser_relation, '46/QĐ-UBND', decision_date,
                        amount, amount_basis, 'post_cash', recorded_by_user, recorded_at FROM funeral_claim WHERE id = ?
                    """, arguments: [c.id])
            }
        }
        #expect(try Self.claims(db).list().count == 1)

        // December (the list after the claim): the rules roll's 16 lines, 14,750,000, plus the funeral line.
        let dec = try Fixture.builder(db).build(period: YearMonth("2026-12")!, by: try db.actor(.maker))
        #expect(dec.lineCount == 17)
        #expect(dec.controlSum == 14_750_000 + 10_000_000)
        #expect(dec.byKind["funeral"] == 10_000_000)
        let f = try Self.funeralLines(db, batch: dec.id)
        #expect(f.count == 1)
        #expect(f[0]["kind"] as String == "funeral")
        #expect(f[0]["beneficiary_code"] as String == "R09")
        #expect(f[0]["person_key"] as String == "046040000109")
        #expect(f[0]["for_month"] as String == "2026-10")
        #expect(f[0]["amount"] as Int64 == 10_000_000)
        #expect(f[0]["payee_name"] as String == "Đỗ Văn Tám")   // the organiser, not the proxy Đỗ Thị Hạnh
        #expect(f[0]["payee_relation"] as String == "Con")
        #expect(f[0]["channel"] as String == "bank")
        #expect(f[0]["bank_bin"] as String == "970436")
        #expect(f[0]["account_no"] as String == "0071000123456")
        #expect(f[0]["account_name"] as String == "DO VAN TAM")
        #expect(f[0]["group_key"] as String == "BANK-970436")
        // Rebuilding the draft pays it once still; approved, January and a supplementary December do not pay it again.
        let again = try Fixture.builder(db).build(period: YearMonth("2026-12")!, by: try db.actor(.maker))
        #expect(try Self.funeralLines(db, batch: again.id).count == 1)
        try BatchLifecycle(db: db).approve(batchID: again.id, by: try db.actor(.checker))
        let jan = try Fixture.builder(db).build(period: YearMonth("2027-01")!, by: try db.actor(.maker))
        #expect(try Self.funeralLines(db, batch: jan.id).isEmpty)
        #expect(jan.alreadyLiveIn.contains { $0.batchID == again.id })
        let sup = try Fixture.builder(db).build(period: YearMonth("2026-12")!, by: try db.actor(.maker), supplementary: true, reason: "test")
        #expect(try Self.funeralLines(db, batch: sup.id).isEmpty)
        // Where it stands, and the audit entry.
        #expect(try Self.claims(db).list(code: "R09").first?.paymentState == .approved)
        #expect(try db.writer.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM audit_log WHERE action = 'funeral.add' AND entity_id = ?", arguments: [String(c.id)]) } == 1)
    }

    @Test("A death with no proxy on the roll is paid to the organiser all the same (before issue 15 it was left out)")
    func deathWithoutProxy() throws {
        let db = try AppDatabase.temporary()
        try Fixture.importText(db, rollHeader + """

        X02,Lê Văn Mất,01/01/1940,M,046040009904,Xã A,Thôn 2,HUU_TRI_XA_HOI,,9/QĐ-UBND,02/08/2025,08/2025,,05/11/2026,active,bank,970405,4001205009904,LE VAN MAT,,,,

        """)
        var input = Self.r09Claim(code: "X02", organiser: "Hội Người cao tuổi phường", id: "")
        input.organiserKind = .organisation; input.organiserID = nil; input.relation = nil
        input.decisionDate = CivilDate(year: 2026, month: 11, day: 10)!
        input.channel = .postCash; input.bankBIN = nil; input.accountNo = nil; input.accountName = nil
        let c = try Self.claims(db).add(input, by: try db.actor(.maker))
        #expect(c.amount == 10_000_000)
        let dec = try Fixture.builder(db).build(period: YearMonth("2026-12")!, by: try db.actor(.maker))
        #expect(dec.excluded.isEmpty)
        #expect(dec.controlSum == 10_000_000)
        let f = try Self.funeralLines(db, batch: dec.id)
        #expect(f.map { $0["payee_name"] as String } == ["Hội Người cao tuổi phường"])
        #expect(f.map { $0["payee_relation"] as String } == ["Tổ chức lo mai táng"])
        #expect(f.map { $0["channel"] as String } == ["post_cash"])
        #expect(f.map { $0["group_key"] as String } == ["VNPOST-XA-A"])
    }

    @Test("A claim is refused, saying what to do, when the roll has no death, the organiser or account is incomplete, or the decision predates the death")
    func refusals() throws {
        let db = try Fixture.rulesStore()
        let maker = try db.actor(.maker)
        func refused(_ change: (inout FuneralClaimInput) -> Void, _ says: String, sourceLocation: SourceLocation = #_sourceLocation) {
            var i = Self.r09Claim()
            change(&i)
            #expect(sourceLocation: sourceLocation) { try Self.claims(db).add(i, by: maker) } throws: { "\($0)".contains(says) }
        }
        refused({ $0.deceasedCode = "R01" }, "danh sách chưa có ngày mất của đối tượng này")
        refused({ $0.deceasedCode = "ZZ99" }, "không có đối tượng nào mang mã này trong danh sách")
        refused({ $0.organiserID = nil }, "thiếu --organiser-id: số định danh cá nhân (CCCD) của người tổ chức mai táng")
        refused({ $0.organiserID = "046040000109" }, "trùng với của người mất")
        refused({ $0.relation = nil }, "thiếu --relation cho thân nhân")
        refused({ $0.organiserKind = .organisation }, "cơ quan, tổ chức không có số định danh cá nhân")
        refused({ $0.organiserName = "  " }, "thiếu --organiser: tên người hoặc tổ chức")
        refused({ $0.decisionDate = CivilDate(year: 2026, month: 10, day: 14)! }, "--decision-date 14/10/2026 trước ngày mất 15/10/2026")
        refused({ $0.decisionDate = CivilDate(year: 2026, month: 12, day: 1)! }, "--decision-date 01/12/2026 là ngày trong tương lai")
        refused({ $0.bankBIN = nil }, "thiếu --bin khi chi vào tài khoản ngân hàng")
        refused({ $0.bankBIN = "999999" }, "999999 không phải mã BIN ngân hàng đã biết")
        refused({ $0.accountNo = "12AB" }, "số tài khoản chỉ gồm chữ số, tối đa 19 chữ số (đã nhập")
        #expect(try Self.claims(db).list().isEmpty)
        // Only a maker records one.
        #expect(throws: (any Error).self) { try Self.claims(db).add(Self.r09Claim(), by: try db.actor(.checker)) }
        #expect(try Self.claims(db).list().isEmpty)
    }

    @Test("A claim changed in the file outside ChiTra stops the build; cancelled in a draft, the draft must be rebuilt before approval; then the person can be claimed again")
    func sealAndCancel() throws {
        let db = try Fixture.rulesStore()
        let c = try Self.claims(db).add(Self.r09Claim(), by: try db.actor(.maker))
        try db.writer.writeWithoutTransaction { try $0.execute(sql: "UPDATE funeral_claim SET account_no = '0071000999999' WHERE id = ?", arguments: [c.id]) }
        #expect { try Fixture.builder(db).build(period: YearMonth("2026-12")!, by: try db.actor(.maker)) } throws: { "\($0)".contains("đã bị sửa ngoài ChiTra") }
        #expect(try db.verifyIntegrity().funeralClaimsChangedOutsideChiTra == [c.id])
        try db.writer.writeWithoutTransaction { try $0.execute(sql: "UPDATE funeral_claim SET account_no = '0071000123456' WHERE id = ?", arguments: [c.id]) }
        let dec = try Fixture.builder(db).build(period: YearMonth("2026-12")!, by: try db.actor(.maker))
        #expect(try Self.funeralLines(db, batch: dec.id).count == 1)
        #expect { try Self.claims(db).cancel(id: c.id, reason: " ", by: try db.actor(.maker)) } throws: { "\($0)".contains("cần ghi lý do để huỷ hồ sơ mai táng") }
        try Self.claims(db).cancel(id: c.id, reason: "nhầm người tổ chức mai táng", by: try db.actor(.maker))
        #expect { try BatchLifecycle(db: db).approve(batchID: dec.id, by: try db.actor(.checker)) } throws: { "\($0)".contains("không còn hồ sơ mai táng hiệu lực nào khớp") }
        // The right organiser, recorded again: the rebuilt draft pays them, and can be approved.
        var right = Self.r09Claim(organiser: "Đỗ Văn Chín", id: "046080000302")
        right.accountNo = "0071000654321"; right.accountName = "DO VAN CHIN"
        _ = try Self.claims(db).add(right, by: try db.actor(.maker))
        let rebuilt = try Fixture.builder(db).build(period: YearMonth("2026-12")!, by: try db.actor(.maker))
        #expect(try Self.funeralLines(db, batch: rebuilt.id).map { $0["payee_name"] as String } == ["Đỗ Văn Chín"])
        try BatchLifecycle(db: db).approve(batchID: rebuilt.id, by: try db.actor(.checker))
        // Once approved it can be neither cancelled nor moved to another account.
        let id = try Self.claims(db).list(code: "R09").first { $0.status == .active }!.id
        #expect { try Self.claims(db).cancel(id: id, reason: "x", by: try db.actor(.maker)) } throws: { "\($0)".contains("không huỷ được") }
        #expect { try Self.claims(db).setAccount(id: id, channel: .postCash, bin: nil, account: nil, accountName: nil, by: try db.actor(.maker)) } throws: { "\($0)".contains("không đổi được tài khoản lúc này") }
    }

    @Test("A claim is paid only while the roll records the death it was made on: a withdrawn death date holds it")
    func deathWithdrawnHoldsTheClaim() throws {
        let db = try Fixture.rulesStore()
        _ = try Self.claims(db).add(Self.r09Claim(), by: try db.actor(.maker))
        // The next roll export no longer carries R09's death (a mistake, being checked).
        var text = try String(contentsOf: Fixture.root.appendingPathComponent("fixtures/rules/rules-roll.csv"), encoding: .utf8)
        text = text.replacingOccurrences(of: "07/2025,,15/10/2026,Đang hưởng", with: "07/2025,,,Đang hưởng")
        try Fixture.importText(db, text)
        let dec = try Fixture.builder(db).build(period: YearMonth("2026-12")!, by: try db.actor(.maker))
        #expect(try Self.funeralLines(db, batch: dec.id).isEmpty)
        #expect(dec.funeralClaimsWaiting == 1)
    }

    @Test("A person who had no monthly allowance, carried by the roll as HO_TRO_MAI_TANG: nothing monthly, funeral support 10,000,000 to the organiser")
    func nonBeneficiary() throws {
        let db = try AppDatabase.temporary()
        try Fixture.importText(db, """
        code,full_name,birth_date,sex,personal_id,commune,village,category,decision_no,decision_date,start_month,death_date,status,channel
        MT0001,Lê Văn Khoa,03/04/1951,Nam,046051001122,Phường Hương Trà,Tổ 3,HO_TRO_MAI_TANG,52/QĐ-UBND,25/10/2026,10/2026,12/10/2026,Thôi hưởng,Tiền mặt tại bưu điện

        """)
        var input = Self.r09Claim(code: "MT0001", organiser: "Lê Thị Hoa", id: "046180000303")
        input.relation = "Con"; input.decisionDate = CivilDate(year: 2026, month: 10, day: 25)!
        input.bankBIN = "970405"; input.accountNo = "4001205777001"; input.accountName = "LE THI HOA"
        _ = try Self.claims(db).add(input, by: try db.actor(.maker))
        let dec = try Fixture.builder(db).build(period: YearMonth("2026-12")!, by: try db.actor(.maker))
        #expect(dec.lineCount == 1)
        #expect(dec.controlSum == 10_000_000)
        let f = try Self.funeralLines(db, batch: dec.id)
        #expect(f.map { $0["account_no"] as String } == ["4001205777001"])
        #expect(f.map { $0["for_month"] as String } == ["2026-10"])
    }
}
