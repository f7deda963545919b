import ChiTraCore
import ChiTraRoll
import ChiTraStore
import ChiTraTestSupport
import Foundation
import GRDB
import Testing

/// Issue 15, part 3: the roll says what can never be paid; the foster carer's cared-for birth date.
/// "Today" is 23/11/2026 (`fixedToday`): an open grant is looked at up to 11/2026.
@Suite("Roll: what can never be paid, and the cared-for birth date")
struct RollWarningsTests {
    static func line(_ code: String, _ changes: [RollColumn: String]) -> String {
        var c = changes
        c[.code] = code
        c[.accountNo] = c[.accountNo] ?? "40012059990" + String(code.suffix(2))
        return RollLine.csv(c)
    }

    @Test("Each impossible grant is warned about on its line; the lines still apply; the Art. 6.2 notice leaves out a single parent")
    func impossibleGrants() throws {
        let db = try AppDatabase.temporary()
        let text = RollLine.file([
            // An orphan aged 33 to 40 over 02/2020–11/2026: TRE_MO_COI is for under 16.
            Self.line("W01", [.birthDate: "01/06/1986", .personalID: "046086000001", .category: "TRE_MO_COI", .decisionDate: "01/02/2020", .startMonth: "02/2020"]),
            // A social pension at 71–72 (not poor): 75 and over; turns 75 in 05/2029.
            Self.line("W02", [.birthDate: "10/05/1954", .personalID: "046054000002"]),
            // The poor-household social pension at 64–65: 70 and over; turns 70 in 01/2031.
            Self.line("W03", [.birthDate: "20/01/1961", .personalID: "046061000003", .category: "HUU_TRI_XA_HOI_HO_NGHEO"]),
            // A social pension starting 03/2025, before the category exists (07/2025).
            Self.line("W04", [.birthDate: "01/01/1940", .personalID: "046040000004", .decisionDate: "01/03/2025", .startMonth: "03/2025"]),
            // A social pension over 01/2025–05/2025 only: never in force.
            Self.line("W05", [.birthDate: "01/01/1940", .personalID: "046040000005", .decisionDate: "01/01/2025", .startMonth: "01/2025",
                              .endMonth: "05/2025", .status: "Thôi hưởng"]),
            // "Đang hưởng" with an end month (09/2026) already past in 11/2026.
            Self.line("W06", [.birthDate: "01/01/1980", .personalID: "046080000006", .category: "NKT_NANG", .decisionDate: "01/12/2023",
                              .startMonth: "01/2024", .endMonth: "09/2026"]),
            // A foster carer without the child's birth date.
            Self.line("W07", [.birthDate: "12/05/1975", .personalID: "046175000007", .sex: "Nữ", .category: "CS_NHAN_NUOI_TRE_MO_COI_DUOI_4",
                              .children: "1", .decisionDate: "20/04/2023", .startMonth: "05/2023"]),
            // A foster carer of someone aged 18 to 21 over the range: past 16.
            Self.line("W08", [.birthDate: "12/05/1975", .personalID: "046175000008", .sex: "Nữ", .category: "CS_NHAN_NUOI_TRE_MO_COI_4_16",
                              .children: "1", .caredForBirthDate: "01/01/2005", .decisionDate: "20/04/2023", .startMonth: "05/2023"]),
            // Nothing wrong.
            Self.line("W09", [.personalID: "046050000009"]),
            // A single parent who is also severely disabled keeps both: not in the highest-only notice.
            Self.line("W10", [.birthDate: "01/01/1985", .personalID: "046185000010", .sex: "Nữ", .category: "DON_THAN_NUOI_CON", .children: "2"]),
            Self.line("W10", [.birthDate: "01/01/1985", .personalID: "046185000010", .sex: "Nữ", .category: "NKT_NANG"]),
            // A disabled elderly person with a social pension: only the highest is paid, listed.
            Self.line("W11", [.birthDate: "01/01/1945", .personalID: "046045000011", .category: "NKT_NANG"]),
            Self.line("W11", [.birthDate: "01/01/1945", .personalID: "046045000011"]),
        ])
        let s = try importer(db).importFile(try writeTemp(text))
        #expect(s.rejected == 0, "\(s.problems)")
        #expect(s.applied == 13)
        let byCode = Dictionary(grouping: s.warnings, by: \.code).mapValues { $0.map(\.kind) }
        #expect(byCode == ["W01": [.ageNeverFits], "W02": [.ageNeverFits], "W03": [.ageNeverFits], "W04": [.startsBeforeCategory],
                           "W05": [.categoryNeverInForce], "W06": [.activeButEnded], "W07": [.caredForBirthDateMissing],
                           "W08": [.caredForAgeNeverFits]])
        #expect(s.warningCount == 8)
        let w = Dictionary(uniqueKeysWithValues: s.warnings.map { ($0.code, $0) })
        #expect(w["W01"]?.line == 2)
        #expect(w["W01"]?.message.contains("TRE_MO_COI is for ages under 16, and the person is 33–40") == true)
        #expect(w["W02"]?.message.contains("75 and over, and the person is 71–72 then; the person turns 75 in 05/2029") == true)
        #expect(w["W02"]?.vietnamese.contains("người này đủ 75 tuổi vào tháng 05/2029") == true)
        #expect(w["W03"]?.message.contains("70 and over, and the person is 64–65 then; the person turns 70 in 01/2031") == true)
        #expect(w["W04"]?.message.contains("starts 03/2025, before HUU_TRI_XA_HOI exists (from 07/2025)") == true)
        #expect(w["W06"]?.message.contains("end month 09/2026 is past") == true)
        #expect(w["W07"]?.message.contains("cared_for_birth_date") == true)
        #expect(s.warnings.allSatisfy { !$0.vietnamese.isEmpty })
        // Art. 6.2: W11 (two competing categories) is listed, W10 (single parent) is not.
        #expect(s.multipleCategories.map(\.codes) == [["W11"]])
    }

    @Test("The cared-for birth date: one per person cared for, stored in order, only for a foster carer, checked like every date")
    func caredForColumn() throws {
        let foster: [RollColumn: String] = [.birthDate: "12/05/1975", .personalID: "046175000020", .sex: "Nữ",
                                            .category: "CS_NHAN_NUOI_TRE_MO_COI_DUOI_4", .children: "1", .decisionDate: "20/04/2023", .startMonth: "05/2023"]
        func with(_ c: [RollColumn: String]) -> [RollColumn: String] { foster.merging(c) { $1 } }
        // Valid: one date; two dates for two children, in either form.
        guard case .valid(let one) = try RollLine.validate(with([.caredForBirthDate: "10/03/2023"])) else { Issue.record("one date"); return }
        #expect(one.caredForBirthDates == [CivilDate(year: 2023, month: 3, day: 10)!])
        guard case .valid(let two) = try RollLine.validate(with([.children: "2", .caredForBirthDate: "10/03/2023; 2022-01-01"])) else { Issue.record("two dates"); return }
        #expect(two.grantFields.last! == ("cared_for_birth_dates", "2023-03-10;2022-01-01"))
        // Rejected, naming the column: a count that does not match, another category, a future date, not a date.
        for (c, says) in [(with([.children: "2", .caredForBirthDate: "10/03/2023"]), "gives 1 birth date(s) but"),
                          (with([.category: "NKT_NANG", .children: "", .caredForBirthDate: "10/03/2023"]), "is only for a foster carer"),
                          (with([.caredForBirthDate: "10/03/2027"]), "in the future"),
                          (with([.caredForBirthDate: "mười tháng ba"]), "not a real date"),
                          (with([.children: "2", .caredForBirthDate: "10/03/2023;"]), "empty date")] {
            let p = try RollLine.problems(c)
            #expect(p.contains { $0.column == .caredForBirthDate && $0.message(in: .en).contains(says) }, "\(says): \(p)")
        }
        // A month-first date refuses the file, as in every date column.
        #expect(try RollLine.problems(with([.caredForBirthDate: "3/25/2023"])).contains { $0.monthFirstDate })
    }

    @Test("The cared-for dates are stored, changed with history, and sealed with the grant (a later file changes them; the seal still holds)")
    func caredForStoredAndSealed() throws {
        let db = try AppDatabase.temporary()
        let base: [RollColumn: String] = [.birthDate: "12/05/1975", .personalID: "046175000021", .sex: "Nữ",
                                          .category: "CS_NHAN_NUOI_TRE_MO_COI_DUOI_4", .children: "1", .decisionDate: "20/04/2023", .startMonth: "05/2023"]
        _ = try importer(db).importFile(try writeTemp(RollLine.file([Self.line("F01", base.merging([.caredForBirthDate: "10/03/2023"]) { $1 })])))
        func stored() throws -> String? {
            try db.writer.read { try String.fetchOne($0, sql: "SELECT cared_for_birth_dates FROM grant_record WHERE code = 'F01'") }
        }
        #expect(try stored() == "2023-03-10")
        #expect(try db.writer.read { try PaymentMAC.mismatches($0) }.isEmpty)
        let s = try importer(db).importFile(try writeTemp(RollLine.file([Self.line("F01", base.merging([.caredForBirthDate: "11/03/2023"]) { $1 })])))
        #expect(s.applied == 1)
        #expect(try stored() == "2023-03-11")
        let history = try db.writer.read { try Row.fetchOne($0, sql: "SELECT old_value, new_value FROM roll_change WHERE code = 'F01' AND field = 'cared_for_birth_dates'") }
        #expect(history?["old_value"] as String? == "2023-03-10")
        #expect(history?["new_value"] as String? == "2023-03-11")
        #expect(try db.writer.read { try PaymentMAC.mismatches($0) }.isEmpty)
        // Written straight into the file, the date breaks the grant's seal.
        try db.writer.writeWithoutTransaction { try $0.execute(sql: "UPDATE grant_record SET cared_for_birth_dates = '2024-03-11' WHERE code = 'F01'") }
        #expect(try db.writer.read { try PaymentMAC.mismatches($0) } == ["F01"])
    }

    @Test("A deceased person granted funeral support only (HO_TRO_MAI_TANG) imports with a date of death, and without one is rejected")
    func funeralOnlyLine() throws {
        let base: [RollColumn: String] = [.code: "MT01", .birthDate: "03/04/1951", .personalID: "046051001122", .category: "HO_TRO_MAI_TANG",
                                          .decisionNo: "52/QĐ-UBND", .decisionDate: "25/10/2026", .startMonth: "10/2026", .status: "Thôi hưởng",
                                          .channel: "post_cash", .bankBIN: "", .accountNo: "", .accountName: ""]
        #expect(try RollLine.problems(base.merging([.deathDate: "12/10/2026"]) { $1 }).isEmpty)
        #expect(try RollLine.problems(base).contains { $0.column == .deathDate && $0.message.contains("HO_TRO_MAI_TANG") })
        // No warnings for it: it has no monthly amount to check.
        guard case .valid(let row) = try RollLine.validate(base.merging([.deathDate: "12/10/2026"]) { $1 }) else { return }
        #expect(try validator().warnings(for: row).isEmpty)
    }

    @Test("A summary kept as JSON before warnings existed still decodes (the web's import results)")
    func oldSummaryDecodes() throws {
        var s = RollImportSummary(file: "roll.csv", sha256: "ab")
        s.lines = 3; s.applied = 2; s.rejected = 1; s.problems = ["roll.csv, line 3: x"]
        var object = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(s)) as! [String: Any]
        #expect(object["warnings"] != nil && object["warningCount"] != nil)
        object["warnings"] = nil; object["warningCount"] = nil
        let old = try JSONDecoder().decode(RollImportSummary.self, from: try JSONSerialization.data(withJSONObject: object))
        #expect(old.lines == 3 && old.applied == 2 && old.rejected == 1 && old.problems == s.problems)
        #expect(old.warnings.isEmpty && old.warningCount == 0)
    }
}
