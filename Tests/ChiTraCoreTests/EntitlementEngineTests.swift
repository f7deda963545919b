import ChiTraCore
import Testing

/// Amounts worked out by hand from Decree 20/2021 (Art. 4, 6, 8, 11, 20), Decree 76/2024
/// (standard level 500,000 from 07/2024) and Decree 176/2025 (social pension 500,000 from 07/2025).
@Suite("Entitlement rules")
struct EntitlementEngineTests {
    @Test("Standard level is 360,000 until 06/2024 and 500,000 from 07/2024")
    func standardLevelByDate() {
        #expect(tariff.level(.standard, at: ym("2024-06"))?.amount == 360_000)
        #expect(tariff.level(.standard, at: ym("2024-07"))?.amount == 500_000)
        #expect(tariff.level(.standard, at: ym("2021-06")) == nil)
        #expect(tariff.level(.pension, at: ym("2025-06")) == nil)
        #expect(tariff.level(.pension, at: ym("2025-07"))?.amount == 500_000)
    }

    @Test("Severe disability, adult: 1.5 × 360,000 = 540,000 before 07/2024, 1.5 × 500,000 = 750,000 after")
    func levelChangeAppliesFromItsMonth() {
        let p = person(born: "20/05/1981")
        let g = [grant("NKT_NANG")]
        #expect(owed(p, g, "2024-06").total == 540_000)
        #expect(owed(p, g, "2024-07").total == 750_000)
    }

    @Test("Elderly 5a turning 80 in December: 1.5 × 500,000 = 750,000 in November, 2.0 × 500,000 = 1,000,000 from December")
    func elderlyTurning80() {
        let p = person(born: "15/12/1946")
        let g = [grant("NCT_NGHEO_KHONG_NGUOI_PHUNG_DUONG")]
        #expect(owed(p, g, "2026-11").total == 750_000)
        #expect(owed(p, g, "2026-12").total == 1_000_000)
    }

    @Test("Orphan turning 4: 2.5 × 500,000 = 1,250,000, then 1.5 × 500,000 = 750,000 from the birthday month; nothing from 16")
    func orphanBands() {
        let p = person(born: "10/12/2022")
        let g = [grant("TRE_MO_COI", start: "2024-02")]
        #expect(owed(p, g, "2026-11").total == 1_250_000)
        #expect(owed(p, g, "2026-12").total == 750_000)
        #expect(owed(p, g, "2038-12").total == 0)
        #expect(owed(p, g, "2038-11").total == 750_000)
    }

    @Test("Child under 3 in a difficult area: 1.5 × 500,000 = 750,000 until the month before the 3rd birthday")
    func underThree() {
        let p = person(born: "20/12/2023")
        let g = [grant("TRE_DUOI_3_VUNG_DBKK", start: "2024-02")]
        #expect(owed(p, g, "2026-11").total == 750_000)
        #expect(owed(p, g, "2026-12").total == 0)
    }

    @Test("Especially severe disability: 2.5 child, 2.0 adult, 2.5 elderly × 500,000")
    func especiallySevereBands() {
        let g = [grant("NKT_DAC_BIET_NANG")]
        #expect(owed(person(born: "01/01/2015"), g, "2026-12").total == 1_250_000)
        #expect(owed(person(born: "01/01/1990"), g, "2026-12").total == 1_000_000)
        #expect(owed(person(born: "02/02/1956"), g, "2026-12").total == 1_250_000)
    }

    @Test("Highest only: severe disability of an elderly person 2.0 × 500,000 = 1,000,000 beats the social pension 500,000")
    func highestOnly() {
        let p = person(born: "09/09/1949")
        let e = owed(p, [grant("NKT_NANG"), grant("HUU_TRI_XA_HOI", decided: "20/07/2025", start: "2025-07")], "2026-12")
        #expect(e.total == 1_000_000)
        #expect(e.lines.count == 1)
        #expect(e.lines[0].superseded.map(\.grant.category) == ["HUU_TRI_XA_HOI"])
    }

    @Test("Single parent exception: 2 children × 1.0 × 500,000 = 1,000,000 plus severe disability 750,000 = 1,750,000")
    func singleParentStacks() {
        let p = person(born: "12/04/1990")
        #expect(owed(p, [grant("DON_THAN_NUOI_CON", count: 2), grant("NKT_NANG")], "2026-12").total == 1_750_000)
        // Alone, the single-parent amount is simply paid.
        #expect(owed(p, [grant("DON_THAN_NUOI_CON", count: 3)], "2026-12").total == 1_500_000)
    }

    @Test("Care support is additive: woman with a disability raising two under 36 months 2.0 × 500,000 = 1,000,000 plus her own 750,000")
    func careAdditive() {
        let p = person(born: "05/05/1995")
        let e = owed(p, [grant("CS_PHU_NU_KHUYET_TAT_NUOI_CON", count: 2), grant("NKT_NANG")], "2026-12")
        #expect(e.total == 1_750_000)
        #expect(e.lines.first { $0.kind == .care }?.amount == 1_000_000)
        #expect(owed(p, [grant("CS_PHU_NU_KHUYET_TAT_NUOI_CON", count: 1)], "2026-12").total == 750_000)
        #expect(owed(p, [grant("CS_HO_CHAM_SOC_NKT_DBN", count: 2)], "2026-12").total == 1_000_000)
        #expect(owed(p, [grant("CS_NHAN_NUOI_NKT_DBN_TRE_EM", count: 1)], "2026-12").total == 1_250_000)
    }

    @Test("Arrears: decided 10/11/2026 with effect from 08/2026 → December list pays 1,000,000 plus 4 months × 1,000,000")
    func arrearsFromEarlierEffectiveMonth() {
        let p = person(born: "03/03/1996")
        let g = [grant("NKT_DAC_BIET_NANG", decided: "10/11/2026", start: "2026-08")]
        let e = owed(p, g, "2026-12")
        #expect(e.total == 5_000_000)
        #expect(e.lines.filter { $0.kind == .arrears }.map(\.forMonth) == [ym("2026-08"), ym("2026-09"), ym("2026-10"), ym("2026-11")])
        // Not on the November list, built before the decision; no arrears again in January.
        #expect(owed(p, g, "2026-11").total == 0)
        #expect(owed(p, g, "2027-01").total == 1_000_000)
    }

    @Test("Arrears across the level change: effect from 05/2024, decided 15/08/2024 → 2 × 1.5 × 360,000 + 2 × 1.5 × 500,000")
    func arrearsAcrossLevelChange() {
        let p = person(born: "01/01/1980")
        let e = owed(p, [grant("NKT_NANG", decided: "15/08/2024", start: "2024-05")], "2024-09")
        // 05, 06 at 540,000; 07, 08 at 750,000; September itself 750,000.
        #expect(e.lines.filter { $0.kind == .arrears }.map(\.amount) == [540_000, 540_000, 750_000, 750_000])
        #expect(e.total == 540_000 * 2 + 750_000 * 3)
    }

    @Test("Arrears less what was already paid: a higher category decided late pays only the difference")
    func arrearsTopUp() {
        let p = person(born: "01/01/1980")
        // Severe (750,000) since 2022; especially severe (1,000,000) decided 05/11/2026 with effect from 09/2026.
        let e = owed(p, [grant("NKT_NANG"), grant("NKT_DAC_BIET_NANG", decided: "05/11/2026", start: "2026-09")], "2026-12")
        #expect(e.lines.filter { $0.kind == .arrears }.map(\.amount) == [250_000, 250_000, 250_000])
        #expect(e.total == 1_000_000 + 750_000)
    }

    @Test("Death: paid for the month of death, nothing after; funeral support is not the person's entitlement (issue 15: a claim of the organiser)")
    func deathAndFuneral() {
        let p = person(born: "07/07/1940", died: "15/10/2026")
        let g = [grant("HUU_TRI_XA_HOI", decided: "10/07/2025", start: "2025-07")]
        #expect(owed(p, g, "2026-10").total == 500_000)
        // Before issue 15 the November list carried funeral support 10,000,000 here, paid to the proxy.
        #expect(owed(p, g, "2026-11").lines.isEmpty)
        #expect(owed(p, g, "2026-12").total == 0)
    }

    @Test("Funeral support for a death on 15/10/2026 is 20 × 500,000 = 10,000,000 (Art. 11, Decree 76/2024 level)")
    func funeralAmount() {
        let f = tariff.funeralSupport(deathDate: day("15/10/2026"))
        #expect(f?.amount == 10_000_000)
        #expect(f?.standardLevel.amount == 500_000)
        #expect(f?.provinceLevel == nil)
        #expect(f?.vietnamese.hasPrefix("20 × mức chuẩn 500.000 đồng") == true)
    }

    @Test("Funeral support at the 2021 level is 20 × 360,000 = 7,200,000 (seed 001: 257 funerals, 1,850.4 million)")
    func funeralOldLevel() {
        let f = tariff.funeralSupport(deathDate: day("10/03/2023"))
        #expect(f?.amount == 7_200_000)
        #expect(Int64(257) * (f?.amount ?? 0) == 1_850_400_000)
        // The level in force at the date of death, not at the claim: a death on 30/06/2024 is still 7,200,000.
        #expect(tariff.funeralSupport(deathDate: day("30/06/2024"))?.amount == 7_200_000)
        #expect(tariff.funeralSupport(deathDate: day("01/07/2024"))?.amount == 10_000_000)
        #expect(tariff.funeralSupport(deathDate: day("30/06/2021")) == nil)
    }

    @Test("A foster carer of an orphan born 10/03/2023: 2.5 × 500,000 = 1,250,000 for 02/2027, 1.5 × 500,000 = 750,000 for 03/2027, nothing from 03/2039")
    func fosterCarerFollowsChildAge() {
        let carer = person(born: "12/05/1975")
        for code in ["CS_NHAN_NUOI_TRE_MO_COI_DUOI_4", "CS_NHAN_NUOI_TRE_MO_COI_4_16"] {
            var g = grant(code, count: 1, decided: "20/04/2023", start: "2023-05")
            g.caredForBirthDates = [day("10/03/2023")]
            #expect(owed(carer, [g], "2027-02").total == 1_250_000, "\(code)")
            #expect(owed(carer, [g], "2027-03").total == 750_000, "\(code)")
            #expect(owed(carer, [g], "2039-02").total == 750_000, "\(code)")   // 15
            #expect(owed(carer, [g], "2039-03").total == 0, "\(code)")         // 16
            #expect(owed(carer, [g], "2039-03").periodDetail.first?.outcome == .caredForOutsideAgeBands(ages: [16]))
        }
        // Without the birth date, the code's own coefficient, whatever the child's age.
        #expect(owed(carer, [grant("CS_NHAN_NUOI_TRE_MO_COI_DUOI_4", count: 1, decided: "20/04/2023", start: "2023-05")], "2027-03").total == 1_250_000)
    }

    @Test("A foster carer of two orphans aged 3 and 5 in 02/2027: (2.5 + 1.5) × 500,000 = 2,000,000; of a disabled child turning 16: 2.5 then 1.5")
    func fosterCarerSeveral() {
        let carer = person(born: "12/05/1975")
        var g = grant("CS_NHAN_NUOI_TRE_MO_COI_DUOI_4", count: 2, decided: "20/04/2023", start: "2023-05")
        g.caredForBirthDates = [day("10/03/2023"), day("01/01/2022")]
        let feb = owed(carer, [g], "2027-02")
        #expect(feb.total == 2_000_000)
        #expect(feb.lines.first?.basis.first?.caredFor.map(\.age) == [3, 5])
        #expect(owed(carer, [g], "2027-03").total == 1_500_000)   // both 1.5 from March: 2 × 750,000
        var d = grant("CS_NHAN_NUOI_NKT_DBN_NGUOI_LON", count: 1)
        d.caredForBirthDates = [day("15/08/2010")]
        #expect(owed(carer, [d], "2026-07").total == 1_250_000)   // 15: a child, 2.5
        #expect(owed(carer, [d], "2026-08").total == 750_000)     // 16: an adult, 1.5
    }

    @Test("Care-only carers are not paid funeral support")
    func noFuneralForCarers() {
        let p = person(born: "01/01/1960", died: "10/10/2026")
        #expect(owed(p, [grant("CS_HO_CHAM_SOC_NKT_DBN", count: 1)], "2026-11").total == 0)
    }

    @Test("A funeral-only line (HO_TRO_MAI_TANG) owes nothing monthly")
    func funeralOnlyCategory() {
        let p = person(born: "03/04/1951", died: "12/10/2026", status: .stopped)
        let e = owed(p, [grant("HO_TRO_MAI_TANG", decided: "25/10/2026", start: "2026-10")], "2026-10")
        #expect(e.total == 0)
        #expect(e.periodDetail.first?.outcome == .noMonthlyAmount)
    }

    @Test("Suspended: nothing is paid; stopped after an end month: nothing after it")
    func suspendedAndStopped() {
        #expect(owed(person(born: "10/10/1985", status: .suspended), [grant("NKT_NANG")], "2026-12").total == 0)
        let stopped = person(born: "10/10/1988", status: .stopped)
        #expect(owed(stopped, [grant("NKT_NANG", end: "2026-09")], "2026-12").total == 0)
        #expect(owed(stopped, [grant("NKT_NANG", end: "2026-09")], "2026-09").total == 750_000)
    }

    @Test("Aged 80+ without pension (5c) is paid until 06/2025; the social pension replaces it from 07/2025")
    func fiveCEnds() {
        let p = person(born: "01/01/1938", yearOnly: true)
        #expect(owed(p, [grant("NCT_80_KHONG_LUONG")], "2025-06").total == 500_000)
        #expect(owed(p, [grant("NCT_80_KHONG_LUONG")], "2025-07").total == 0)
        #expect(owed(p, [grant("HUU_TRI_XA_HOI", start: "2025-06")], "2025-06").total == 0)
    }

    @Test("Year-only birth (1956) is taken as 1 January: the poor-household social pension starts at 70 in 01/2026")
    func yearOnlyBirth() {
        let p = person(born: "01/01/1956", yearOnly: true)
        let g = [grant("HUU_TRI_XA_HOI_HO_NGHEO", decided: "15/07/2025", start: "2025-08")]
        #expect(owed(p, g, "2025-12").total == 0)
        #expect(owed(p, g, "2026-01").total == 500_000)
    }

    @Test("A decision signed in the month of the list is not on it: the first list is the next month")
    func firstPayableMonth() {
        let g = grant("NKT_NANG", decided: "20/11/2026", start: "2026-12")
        #expect(g.firstPayableMonth == ym("2026-12"))
        let g2 = grant("NKT_NANG", decided: "20/11/2026", start: "2026-11")
        #expect(g2.firstPayableMonth == ym("2026-12"))
        #expect(owed(person(born: "01/01/1980"), [g2], "2026-12").total == 1_500_000)
    }
}
