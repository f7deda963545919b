import ChiTraCore

/// A valid roll line that the rules will never pay as written, or not as the roll seems to mean:
/// imported all the same (the roll is the commune's record), and listed per line in the summary
/// so that someone corrects the management software.
public struct RollWarning: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// No month of the grant's range fits the category's ages (an orphan aged 40, a social
        /// pension under 75, or under 70 in the poor-household category).
        case ageNeverFits = "age_never_fits"
        /// The whole range lies outside the months the category exists.
        case categoryNeverInForce = "category_never_in_force"
        /// The grant starts before its category exists (a social pension before 07/2025).
        case startsBeforeCategory = "starts_before_category"
        /// `Đang hưởng` (active) with an end month already past.
        case activeButEnded = "active_but_ended"
        /// A foster carer's grant without the cared-for person's birth date.
        case caredForBirthDateMissing = "cared_for_birth_date_missing"
        /// Every person a foster carer cares for is past the category's ages over the whole range.
        case caredForAgeNeverFits = "cared_for_age_never_fits"
    }
    public var line: Int
    public var code: String
    public var category: String
    public var kind: Kind
    /// English, as the console prints it.
    public var message: String
    /// Vietnamese, for the clerk's screens.
    public var vietnamese: String

    public init(line: Int, code: String, category: String, kind: Kind, message: String, vietnamese: String) {
        self.line = line; self.code = code; self.category = category; self.kind = kind
        self.message = message; self.vietnamese = vietnamese
    }
}

extension RollValidator {
    /// What a valid line's grant can never pay, or may pay wrongly. The range looked at is the
    /// grant's start month to its end month — for a grant without one, to the current month (or
    /// the start month, if later) — and not after the month of death.
    public func warnings(for row: RollRow) -> [RollWarning] {
        guard let cat = tariff.category(row.category), cat.scheme != .funeral else { return [] }
        var out: [RollWarning] = []
        func warn(_ kind: RollWarning.Kind, _ en: String, _ vi: String) {
            out.append(RollWarning(line: row.line, code: row.code, category: row.category, kind: kind, message: en, vietnamese: vi))
        }
        let current = today.yearMonth
        if row.status == .active, let end = row.endMonth, end < current {
            warn(.activeButEnded,
                 "is \"Đang hưởng\" (active) but its end month \(end.vietnamese) is past: nothing is paid after it; export it as Thôi hưởng, or correct the end month",
                 "đang ghi \"Đang hưởng\" nhưng tháng kết thúc \(end.vietnamese) đã qua: không chi sau tháng đó; sửa trạng thái thành Thôi hưởng hoặc sửa tháng kết thúc")
        }
        if cat.followsCaredForAge && row.caredForBirthDates.isEmpty {
            let k = cat.bands.first.map { $0.coefficient.vietnamese } ?? "?"
            warn(.caredForBirthDateMissing,
                 "a foster carer's grant without \"\(RollColumn.caredForBirthDate.vietnameseHeader)\" (\(RollColumn.caredForBirthDate.rawValue)): paid at the coefficient \(k) that \(row.category) names, which will not follow the age of the person cared for; add their birth date",
                 "trợ cấp người nhận chăm sóc, nuôi dưỡng chưa có \"\(RollColumn.caredForBirthDate.vietnameseHeader)\": đang chi theo hệ số \(k) của diện \(row.category), không tự đổi theo tuổi người được chăm sóc; bổ sung ngày sinh")
        }
        var last = row.endMonth ?? max(row.startMonth, current)
        if let death = row.deathDate, death.yearMonth < last { last = death.yearMonth }
        let first = row.startMonth
        guard first <= last else { return out }
        // The months the category exists.
        let from = max(first, cat.validFrom ?? first)
        let until = min(last, cat.validUntil ?? last)
        if from > until {
            let inForce = [cat.validFrom.map { "from \($0.vietnamese)" }, cat.validUntil.map { "until \($0.vietnamese)" }].compactMap { $0 }.joined(separator: " ")
            let inForceVi = [cat.validFrom.map { "từ \($0.vietnamese)" }, cat.validUntil.map { "đến \($0.vietnamese)" }].compactMap { $0 }.joined(separator: " ")
            warn(.categoryNeverInForce,
                 "no month from \(first.vietnamese) to \(last.vietnamese) can be paid: \(row.category) is in force only \(inForce); check the category and the months",
                 "không tháng nào từ \(first.vietnamese) đến \(last.vietnamese) được chi: diện \(row.category) chỉ có hiệu lực \(inForceVi); kiểm tra diện và tháng hưởng")
            return out
        }
        if let vf = cat.validFrom, first < vf {
            warn(.startsBeforeCategory,
                 "starts \(first.vietnamese), before \(row.category) exists (from \(vf.vietnamese)): the months before \(vf.vietnamese) cannot be paid; check the start month",
                 "tháng bắt đầu \(first.vietnamese) trước khi diện \(row.category) có hiệu lực (từ \(vf.vietnamese)): các tháng trước \(vf.vietnamese) không được chi; kiểm tra tháng bắt đầu hưởng")
        }
        // Ages: a person's age never falls as months pass, so the ages over [from, until] are
        // every whole number between the first and the last.
        if !cat.countBands && !cat.bands.isEmpty && !(cat.followsCaredForAge && !row.caredForBirthDates.isEmpty) {
            let a = PersonFacts.age(born: row.birthDate, in: from), b = PersonFacts.age(born: row.birthDate, in: until)
            if !cat.bands.contains(where: { Self.overlaps($0, a, b) }) {
                let ages = a == b ? "\(a)" : "\(a)–\(b)"
                var later = "", laterVi = ""
                if let lowest = cat.bands.compactMap(\.ageFrom).filter({ $0 > b }).min() {
                    let fits = YearMonth(year: row.birthDate.year + lowest, month: row.birthDate.month)!
                    later = "; the person turns \(lowest) in \(fits.vietnamese)"
                    laterVi = "; người này đủ \(lowest) tuổi vào tháng \(fits.vietnamese)"
                }
                warn(.ageNeverFits,
                     "no month from \(from.vietnamese) to \(until.vietnamese) can be paid: \(row.category) is for ages \(Self.agesText(cat.bands, vi: false)), and the person is \(ages) then\(later); check the category and the date of birth",
                     "không tháng nào từ \(from.vietnamese) đến \(until.vietnamese) được chi: diện \(row.category) dành cho người \(Self.agesText(cat.bands, vi: true)), người này khi đó \(ages) tuổi\(laterVi); kiểm tra diện và ngày sinh")
            }
        }
        if let cf = cat.caredForBands, !row.caredForBirthDates.isEmpty {
            let fits = row.caredForBirthDates.contains { born in
                let a = PersonFacts.age(born: born, in: from), b = PersonFacts.age(born: born, in: until)
                return cf.contains { Self.overlaps($0, a, b) }
            }
            if !fits {
                warn(.caredForAgeNeverFits,
                     "no month from \(from.vietnamese) to \(until.vietnamese) can be paid: \(row.category) is for caring for persons \(Self.agesText(cf, vi: false)), and those cared for are older then; check the category and their birth dates",
                     "không tháng nào từ \(from.vietnamese) đến \(until.vietnamese) được chi: diện \(row.category) dành cho việc chăm sóc người \(Self.agesText(cf, vi: true)), người được chăm sóc khi đó đã quá tuổi; kiểm tra diện và ngày sinh người được chăm sóc")
            }
        }
        return out
    }

    /// Whether a band's ages meet the ages `a` to `b`.
    static func overlaps(_ band: Tariff.Band, _ a: Int, _ b: Int) -> Bool {
        (band.ageFrom.map { $0 <= b } ?? true) && (band.ageUntil.map { $0 > a } ?? true)
    }

    /// "under 16", "70 and over", "16 to under 23", joined for all bands.
    static func agesText(_ bands: [Tariff.Band], vi: Bool) -> String {
        let lo = bands.map { $0.ageFrom ?? 0 }.min() ?? 0
        let hi: Int? = bands.contains { $0.ageUntil == nil } ? nil : bands.compactMap(\.ageUntil).max()
        switch (lo, hi) {
        case (0, let h?): return vi ? "dưới \(h) tuổi" : "under \(h)"
        case (let l, nil): return vi ? "từ đủ \(l) tuổi" : "\(l) and over"
        case (let l, let h?): return vi ? "từ đủ \(l) đến dưới \(h) tuổi" : "\(l) to under \(h)"
        }
    }
}
