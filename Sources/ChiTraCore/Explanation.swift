
/// Renders an entitlement as the sentences an officer reads: category, coefficient, level,
/// months of arrears, legal basis.
public struct ExplanationRenderer: Sendable {
    public let tariff: Tariff
    public let language: Language
    public init(tariff: Tariff, language: Language) { self.tariff = tariff; self.language = language }

    func t(_ vi: String, _ en: String) -> String { language == .vi ? vi : en }
    func money(_ a: Int64) -> String { language == .vi ? Money.vietnamese(a) + " đồng" : Money.english(a) + " VND" }
    func month(_ m: YearMonth) -> String { language == .vi ? m.vietnamese : m.description }
    func catName(_ code: String) -> String {
        guard let c = tariff.category(code) else { return code }
        return "\(language == .vi ? c.nameVi : c.nameEn) (\(code))"
    }
    func whole(_ k: Tariff.Coefficient) -> String { k.milli % 1000 == 0 ? String(k.milli / 1000) : coef(k) }
    func coef(_ k: Tariff.Coefficient) -> String { language == .vi ? k.vietnamese : k.description }

    /// How one grant month's amount was computed, or why it is nothing.
    public func describe(_ gm: GrantMonth) -> String {
        switch gm.outcome {
        case .paid:
            guard let k = gm.coefficient, let level = gm.level, let cat = tariff.category(gm.grant.category) else { return "" }
            let levelName = cat.level == .pension ? t("mức trợ cấp hưu trí xã hội", "social pension level") : t("mức chuẩn trợ giúp xã hội", "standard level")
            if !gm.caredFor.isEmpty {
                let partsVi = gm.caredFor.map { "\($0.age) tuổi: \(coef($0.coefficient))" }.joined(separator: "; ")
                let partsEn = gm.caredFor.map { "aged \($0.age): \($0.coefficient)" }.joined(separator: "; ")
                return t("\(catName(gm.grant.category)): hệ số theo tuổi người được chăm sóc (\(partsVi)) = \(coef(k)) × \(levelName) \(money(level.amount)) (\(level.basis)) = \(money(gm.amount)); căn cứ \(cat.basis); quyết định \(gm.grant.decisionNo)",
                         "\(catName(gm.grant.category)): coefficient by the age of those cared for (\(partsEn)) = \(coef(k)) × \(levelName) \(money(level.amount)) (\(level.basis)) = \(money(gm.amount)); basis \(cat.basis); decision \(gm.grant.decisionNo)")
            }
            let count = cat.perCount ? t(" × \(gm.count) người", " × \(gm.count) persons") : ""
            return t("\(catName(gm.grant.category)): hệ số \(coef(k))\(count) × \(levelName) \(money(level.amount)) (\(level.basis)) = \(money(gm.amount)); tuổi tính hưởng \(gm.age); căn cứ \(cat.basis); quyết định \(gm.grant.decisionNo)",
                     "\(catName(gm.grant.category)): coefficient \(coef(k))\(count) × \(levelName) \(money(level.amount)) (\(level.basis)) = \(money(gm.amount)); age counted \(gm.age); basis \(cat.basis); decision \(gm.grant.decisionNo)")
        case .notStarted(let m):
            return t("\(catName(gm.grant.category)): chưa đến tháng bắt đầu hưởng \(month(m))", "\(catName(gm.grant.category)): starts only in \(month(m))")
        case .notYetDecided(let f):
            return t("\(catName(gm.grant.category)): quyết định ký sau khi lập danh sách; chi từ danh sách tháng \(month(f)) kèm truy lĩnh", "\(catName(gm.grant.category)): decided too late for this list; first paid on the list for \(month(f)) with arrears")
        case .ended(let m):
            return t("\(catName(gm.grant.category)): đã thôi hưởng sau tháng \(month(m))", "\(catName(gm.grant.category)): ended after \(month(m))")
        case .afterDeath(let d):
            return t("\(catName(gm.grant.category)): thôi hưởng từ tháng sau tháng mất (mất ngày \(d.vietnamese))", "\(catName(gm.grant.category)): stopped from the month after death (died \(d))")
        case .categoryNotInForce:
            return t("\(catName(gm.grant.category)): diện này không còn hiệu lực trong tháng \(month(gm.month))", "\(catName(gm.grant.category)): this category is not in force in \(month(gm.month))")
        case .outsideAgeBands(let age):
            return t("\(catName(gm.grant.category)): \(age) tuổi không thuộc độ tuổi hưởng của diện này", "\(catName(gm.grant.category)): age \(age) is outside this category's age range")
        case .caredForOutsideAgeBands(let ages):
            let list = ages.map(String.init).joined(separator: ", ")
            return t("\(catName(gm.grant.category)): người được chăm sóc (\(list) tuổi) không còn trong độ tuổi hưởng của diện này",
                     "\(catName(gm.grant.category)): the persons cared for (aged \(list)) are outside this category's ages")
        case .noMonthlyAmount:
            return t("\(catName(gm.grant.category)): không có trợ cấp hằng tháng (chỉ hỗ trợ mai táng phí theo quyết định riêng)",
                     "\(catName(gm.grant.category)): no monthly amount (funeral support only, on a decision of its own)")
        case .noCount:
            return t("\(catName(gm.grant.category)): thiếu số con/người được chăm sóc", "\(catName(gm.grant.category)): count of children/persons cared for is missing")
        case .grantSuspended:
            return t("\(catName(gm.grant.category)): đang tạm dừng hưởng", "\(catName(gm.grant.category)): suspended")
        case .noLevel:
            return t("\(catName(gm.grant.category)): chưa có mức trợ cấp áp dụng cho tháng \(month(gm.month))", "\(catName(gm.grant.category)): no level in force for \(month(gm.month))")
        }
    }

    public func kindName(_ k: EntitlementKind) -> String { language == .vi ? k.vietnamese : k.english }

    /// The full explanation as lines of text.
    public func render(code: String, name: String, person: PersonFacts, entitlement e: Entitlement) -> [String] {
        var out: [String] = []
        let born = person.birthYearOnly ? t("sinh năm \(person.birthDate.year) (tính từ 01/01)", "born \(person.birthDate.year) (taken as 1 January)")
                                        : t("sinh ngày \(person.birthDate.vietnamese)", "born \(person.birthDate)")
        out.append(t("Đối tượng \(code) — \(name), \(born)", "Beneficiary \(code) — \(name), \(born)"))
        out.append(t("Kỳ chi trả \(month(e.period)): tổng \(money(e.total))", "List for \(month(e.period)): total \(money(e.total))"))
        if let d = person.deathDate { out.append(t("Đã mất ngày \(d.vietnamese)", "Died on \(d)")) }
        switch e.status {
        case .suspended: out.append(t("Đang tạm dừng hưởng: không chi trong kỳ này (Thông tư 02/2021 Điều 2)", "Suspended: nothing is paid this period (Circular 02/2021 Art. 2)"))
        case .stopped: out.append(t("Trạng thái: thôi hưởng", "Status: stopped"))
        case .active: break
        }
        // Group consecutive arrears months with the same amount and basis.
        var i = 0
        var n = 1
        let lines = e.lines
        while i < lines.count {
            let l = lines[i]
            var j = i + 1
            if l.kind == .arrears || l.kind == .careArrears {
                while j < lines.count, lines[j].kind == l.kind, lines[j].amount == l.amount,
                      lines[j].forMonth == lines[j - 1].forMonth.next,
                      lines[j].basis.map(\.grant.category) == l.basis.map(\.grant.category) { j += 1 }
            }
            let count = j - i
            let range = count > 1 ? "\(month(l.forMonth))–\(month(lines[j - 1].forMonth))" : month(l.forMonth)
            let total = Int64(count) * l.amount
            if count > 1 {
                out.append("\(n). \(kindName(l.kind)) \(range): \(count) × \(money(l.amount)) = \(money(total))")
            } else {
                out.append("\(n). \(kindName(l.kind)) \(range): \(money(l.amount))")
            }
            for b in l.basis { out.append("   " + describe(b)) }
            if l.alreadyPaid > 0 {
                out.append(t("   Trừ số đã chi trước đó: \(money(l.alreadyPaid))/tháng", "   Less already paid: \(money(l.alreadyPaid))/month"))
            }
            for s in l.superseded {
                out.append(t("   Không cộng \(catName(s.grant.category)) \(money(s.amount)): chỉ hưởng một mức cao nhất (NĐ 20/2021 Điều 6 khoản 2)",
                             "   Not added: \(catName(s.grant.category)) \(money(s.amount)): only the highest amount is paid (Decree 20/2021 Art. 6.2)"))
            }
            n += 1
            i = j
        }
        let unpaid = e.periodDetail.filter { $0.outcome != .paid }
        if !unpaid.isEmpty {
            out.append(t("Diện không được chi trong kỳ:", "Grants not paid this period:"))
            for u in unpaid { out.append("   " + describe(u)) }
        }
        if e.lines.isEmpty && e.status == .active && unpaid.isEmpty {
            out.append(t("Không có khoản nào phải chi.", "Nothing is owed."))
        }
        return out
    }
}
