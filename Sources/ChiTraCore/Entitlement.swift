/// Facts about one person that the entitlement rules read.
public struct PersonFacts: Sendable {
    public enum Status: String, Sendable, Codable { case active, suspended, stopped }
    public var code: String
    /// Date of birth; a year-only birth date is taken as 1 January (`birthYearOnly`).
    public var birthDate: CivilDate
    public var birthYearOnly: Bool
    public var deathDate: CivilDate?
    public var status: Status

    public init(code: String, birthDate: CivilDate, birthYearOnly: Bool = false, deathDate: CivilDate? = nil, status: Status = .active) {
        self.code = code; self.birthDate = birthDate; self.birthYearOnly = birthYearOnly
        self.deathDate = deathDate; self.status = status
    }

    /// Age in completed years as counted for a month: a person reaches a new age in the month
    /// of the birthday (Decree 20/2021 Art. 8: a change of level applies from the month the
    /// person becomes eligible for it).
    public func age(in month: YearMonth) -> Int { Self.age(born: birthDate, in: month) }

    /// Completed years in `month` of someone born on `born`, counted as ``age(in:)`` counts them.
    public static func age(born: CivilDate, in month: YearMonth) -> Int {
        month.year - born.year - (month.month < born.month ? 1 : 0)
    }
}

/// One grant of the roll: a person in one category under one decision.
public struct GrantFacts: Sendable {
    public var beneficiaryCode: String
    public var category: String
    public var count: Int?
    public var decisionNo: String
    public var decisionDate: CivilDate
    public var startMonth: YearMonth
    public var endMonth: YearMonth?
    /// A suspended grant pays nothing while suspended; a stopped one ends with `endMonth`.
    public var status: PersonFacts.Status
    /// For a foster carer (a category with `caredForBands`): the birth date of each person cared
    /// for, whose age sets the coefficient month by month. Empty when the roll does not say.
    public var caredForBirthDates: [CivilDate]

    public init(beneficiaryCode: String, category: String, count: Int? = nil, decisionNo: String,
                decisionDate: CivilDate, startMonth: YearMonth, endMonth: YearMonth? = nil, status: PersonFacts.Status = .active,
                caredForBirthDates: [CivilDate] = []) {
        self.beneficiaryCode = beneficiaryCode; self.category = category; self.count = count
        self.decisionNo = decisionNo; self.decisionDate = decisionDate
        self.startMonth = startMonth; self.endMonth = endMonth; self.status = status
        self.caredForBirthDates = caredForBirthDates
    }

    /// The first list this grant can be on. A list for month M+1 is sent during month M, so a
    /// decision signed in month D first reaches the list for D+1; months from the start month up
    /// to D are paid there as arrears (truy lĩnh).
    public var firstPayableMonth: YearMonth { max(startMonth, decisionDate.yearMonth.next) }
}

/// What is paid, in which kind, for which month.
public enum EntitlementKind: String, Sendable, Codable, CaseIterable {
    /// The monthly allowance or social pension for the month paid (highest-only applied).
    case allowance
    /// Care support for the month paid, to the carer.
    case care
    /// Allowance owed for an earlier month (truy lĩnh).
    case arrears
    /// Care support owed for an earlier month.
    case careArrears = "care_arrears"
    /// Funeral support after a death (mai táng phí): paid on a funeral claim to whoever organised
    /// the burial (`FuneralClaims`), never by the entitlement rules.
    case funeral
    /// An amount left unpaid by an earlier batch, sent again.
    case carryOver = "carry_over"

    public var vietnamese: String {
        switch self {
        case .allowance: return "Trợ cấp hằng tháng"
        case .care: return "Kinh phí hỗ trợ chăm sóc"
        case .arrears: return "Truy lĩnh trợ cấp"
        case .careArrears: return "Truy lĩnh kinh phí chăm sóc"
        case .funeral: return "Hỗ trợ mai táng phí"
        case .carryOver: return "Chi bổ sung tháng trước chưa nhận"
        }
    }
    public var english: String {
        switch self {
        case .allowance: return "Monthly allowance"
        case .care: return "Care support"
        case .arrears: return "Allowance arrears"
        case .careArrears: return "Care support arrears"
        case .funeral: return "Funeral support"
        case .carryOver: return "Carried over from an earlier batch"
        }
    }
}

/// How one grant's amount for one month was reached.
public struct GrantMonth: Sendable {
    public enum Outcome: Sendable, Equatable {
        case paid
        case notStarted(YearMonth)
        case notYetDecided(firstPayable: YearMonth)
        case ended(YearMonth)
        case afterDeath(CivilDate)
        case categoryNotInForce
        case outsideAgeBands(age: Int)
        /// A foster carer whose every cared-for person is outside the category's cared-for ages.
        case caredForOutsideAgeBands(ages: [Int])
        /// A category with no monthly amount (funeral support only).
        case noMonthlyAmount
        case noCount
        case noLevel
        case grantSuspended
    }
    public var grant: GrantFacts
    public var month: YearMonth
    public var outcome: Outcome
    public var age: Int
    public var coefficient: Tariff.Coefficient?
    public var count: Int
    public var level: Tariff.Level?
    public var amount: Int64
    /// A foster carer paid by the age of those cared for: each one's age in the month and the
    /// coefficient it gives (`coefficient` is then their sum and `count` 1). Empty otherwise.
    public var caredFor: [(age: Int, coefficient: Tariff.Coefficient)] = []
}

/// One line of what a person is owed for a period, with the reasoning behind it.
public struct EntitlementLine: Sendable {
    public var kind: EntitlementKind
    public var forMonth: YearMonth
    public var amount: Int64
    /// The grant months that were paid (highest-only keeps one, plus a single-parent stack).
    public var basis: [GrantMonth]
    /// Grant months considered but not paid because a higher amount was (Art. 6.2).
    public var superseded: [GrantMonth]
    /// For arrears: the amount already presumed paid for that month.
    public var alreadyPaid: Int64

    public init(kind: EntitlementKind, forMonth: YearMonth, amount: Int64, basis: [GrantMonth], superseded: [GrantMonth], alreadyPaid: Int64) {
        self.kind = kind; self.forMonth = forMonth; self.amount = amount
        self.basis = basis; self.superseded = superseded; self.alreadyPaid = alreadyPaid
    }
}

/// The amount owed for a period and how it was reached.
public struct Entitlement: Sendable {
    public var period: YearMonth
    public var lines: [EntitlementLine]
    /// Every grant month evaluated for the period itself, including those not paid, for explanations.
    public var periodDetail: [GrantMonth]
    public var status: PersonFacts.Status
    public var total: Int64 { lines.reduce(0) { $0 + $1.amount } }
}

/// Applies the tariff to a person's grants (Decree 20/2021 Art. 6–8, 20; Decree 176/2025).
/// Funeral support (Art. 11) is not an entitlement of the person: it is a claim of whoever
/// organised the burial, on a decision of its own (`FuneralClaims` in ChiTraStore).
public struct EntitlementEngine: Sendable {
    public let tariff: Tariff
    public init(tariff: Tariff) { self.tariff = tariff }

    /// One grant, one month.
    public func evaluate(_ g: GrantFacts, person: PersonFacts, month m: YearMonth) -> GrantMonth {
        let age = person.age(in: m)
        var r = GrantMonth(grant: g, month: m, outcome: .paid, age: age, coefficient: nil, count: 1, level: nil, amount: 0)
        guard let cat = tariff.category(g.category) else { r.outcome = .categoryNotInForce; return r }
        if cat.scheme == .funeral { r.outcome = .noMonthlyAmount; return r }
        if m < g.startMonth { r.outcome = .notStarted(g.startMonth); return r }
        if g.status == .suspended { r.outcome = .grantSuspended; return r }
        if let end = g.endMonth, m > end { r.outcome = .ended(end); return r }
        if let d = person.deathDate, m > d.yearMonth { r.outcome = .afterDeath(d); return r }
        if let from = cat.validFrom, m < from { r.outcome = .categoryNotInForce; return r }
        if let until = cat.validUntil, m > until { r.outcome = .categoryNotInForce; return r }
        if let caredForBands = cat.caredForBands, !g.caredForBirthDates.isEmpty {
            // A foster carer: one coefficient per person cared for, by that person's age (Art. 20:
            // 2.5 for an orphan under 4, then 1.5 to 16).
            var parts: [(age: Int, coefficient: Tariff.Coefficient)] = []
            var ages: [Int] = []
            for born in g.caredForBirthDates {
                let a = PersonFacts.age(born: born, in: m)
                ages.append(a)
                if let band = caredForBands.first(where: { $0.matches(age: a) }) { parts.append((a, band.coefficient)) }
            }
            guard !parts.isEmpty else { r.outcome = .caredForOutsideAgeBands(ages: ages); return r }
            guard let level = tariff.level(cat.level, at: m) else { r.outcome = .noLevel; return r }
            let sum = Tariff.Coefficient(milli: parts.reduce(Int64(0)) { $0 + $1.coefficient.milli })
            r.coefficient = sum
            r.level = level
            r.count = 1
            r.caredFor = parts
            r.amount = (level.amount * sum.milli + 500) / 1000
            return r
        }
        let count = g.count ?? 0
        if cat.needsCount && count < 1 { r.outcome = .noCount; return r }
        let band: Tariff.Band?
        if cat.countBands { band = cat.bands.first { $0.matches(count: count) } }
        else { band = cat.bands.first { $0.matches(age: age) } }
        guard let band else { r.outcome = .outsideAgeBands(age: age); return r }
        guard let level = tariff.level(cat.level, at: m) else { r.outcome = .noLevel; return r }
        r.coefficient = band.coefficient
        r.level = level
        r.count = cat.perCount ? count : 1
        // level × coefficient × count, exact: coefficients are thousandths and levels whole đồng.
        let product = level.amount * band.coefficient.milli * Int64(r.count)
        r.amount = (product + 500) / 1000   // half up; never hit by the decree coefficients (multiples of 0.5)
        return r
    }

    /// Highest-only across allowance and pension grants (Art. 6.2): the single highest amount,
    /// plus a single-parent amount on top where the person also has another category.
    /// Care support is summed separately.
    func combine(_ months: [GrantMonth]) -> (allowance: Int64, allowanceBasis: [GrantMonth], superseded: [GrantMonth], care: Int64, careBasis: [GrantMonth]) {
        let paid = months.filter { $0.outcome == .paid && $0.amount > 0 }
        var care: [GrantMonth] = [], stack: [GrantMonth] = [], main: [GrantMonth] = []
        for gm in paid {
            guard let cat = tariff.category(gm.grant.category) else { continue }
            if cat.scheme == .care { care.append(gm) }
            else if cat.stacksWithHighest { stack.append(gm) }
            else { main.append(gm) }
        }
        // Deterministic choice among equal amounts: the category listed first in the tariff.
        let order = tariff.categoryRank
        let sortedMain = main.sorted { a, b in
            a.amount != b.amount ? a.amount > b.amount : (order[a.grant.category] ?? 0) < (order[b.grant.category] ?? 0)
        }
        let sortedStack = stack.sorted { $0.amount > $1.amount }
        var basis: [GrantMonth] = []
        var superseded: [GrantMonth] = []
        if let top = sortedMain.first { basis.append(top); superseded += sortedMain.dropFirst() }
        // A single parent keeps one single-parent amount in addition to the highest other one.
        if let s = sortedStack.first {
            basis.append(s)
            superseded += sortedStack.dropFirst()
        }
        let allowance = basis.reduce(Int64(0)) { $0 + $1.amount }
        return (allowance, basis, superseded, care.reduce(0) { $0 + $1.amount }, care)
    }

    /// The amount for month `m` counting only grants known by period `known` (decided in time
    /// for that period's list).
    func amounts(person: PersonFacts, grants: [GrantFacts], month m: YearMonth, knownBy known: YearMonth)
        -> (allowance: Int64, allowanceBasis: [GrantMonth], superseded: [GrantMonth], care: Int64, careBasis: [GrantMonth]) {
        let months = grants.filter { $0.firstPayableMonth <= known }.map { evaluate($0, person: person, month: m) }
        return combine(months)
    }

    /// What a person is owed on the list for `period`.
    ///
    /// - Parameter presumedPaidThrough: the last period whose list is taken as paid (by default the
    ///   month before `period`). Money for earlier months that only became known after it —
    ///   decisions with an earlier effective month — is paid now as arrears, month by month.
    public func entitlement(person: PersonFacts, grants: [GrantFacts], period: YearMonth,
                            presumedPaidThrough: YearMonth? = nil) -> Entitlement {
        let detail = grants.map { g -> GrantMonth in
            var gm = evaluate(g, person: person, month: period)
            if gm.outcome == .paid && g.firstPayableMonth > period {
                gm.outcome = .notYetDecided(firstPayable: g.firstPayableMonth); gm.amount = 0
            }
            return gm
        }
        return Entitlement(period: period, lines: lines(person: person, grants: grants, period: period, presumedPaidThrough: presumedPaidThrough),
                           periodDetail: detail, status: person.status)
    }

    /// The lines of ``entitlement(person:grants:period:presumedPaidThrough:)`` without the
    /// explanation detail (what the batch build needs, once per person and month).
    public func lines(person: PersonFacts, grants: [GrantFacts], period: YearMonth,
                      presumedPaidThrough: YearMonth? = nil) -> [EntitlementLine] {
        let paidThrough = min(presumedPaidThrough ?? period.previous, period.previous)
        var lines: [EntitlementLine] = []
        if person.status == .suspended { return [] }
        // The month itself.
        let now = amounts(person: person, grants: grants, month: period, knownBy: period)
        if now.allowance > 0 {
            lines.append(EntitlementLine(kind: .allowance, forMonth: period, amount: now.allowance,
                                         basis: now.allowanceBasis, superseded: now.superseded, alreadyPaid: 0))
        }
        if now.care > 0 {
            lines.append(EntitlementLine(kind: .care, forMonth: period, amount: now.care,
                                         basis: now.careBasis, superseded: [], alreadyPaid: 0))
        }
        // Earlier months: what is owed now, less what was presumed paid by the list of `paidThrough`.
        let newlyKnown = grants.contains { $0.firstPayableMonth > paidThrough && $0.firstPayableMonth <= period && $0.startMonth < period }
        if newlyKnown, let earliest = grants.map(\.startMonth).min() {
            var m = earliest
            while m < period {
                let owed = amounts(person: person, grants: grants, month: m, knownBy: period)
                let was = m <= paidThrough ? amounts(person: person, grants: grants, month: m, knownBy: paidThrough)
                                           : (allowance: 0, allowanceBasis: [], superseded: [], care: 0, careBasis: [])
                if owed.allowance > was.allowance {
                    lines.append(EntitlementLine(kind: .arrears, forMonth: m, amount: owed.allowance - was.allowance,
                                                 basis: owed.allowanceBasis, superseded: owed.superseded, alreadyPaid: was.allowance))
                }
                if owed.care > was.care {
                    lines.append(EntitlementLine(kind: .careArrears, forMonth: m, amount: owed.care - was.care,
                                                 basis: owed.careBasis, superseded: [], alreadyPaid: was.care))
                }
                m = m.next
            }
        }
        return lines
    }
}
