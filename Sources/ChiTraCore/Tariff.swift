import Foundation

/// The entitlement tariff read from `formats/tariff.json`: effective-dated levels and the
/// coefficient of every category and age band. Changing a level is a data change, not a code change.
public struct Tariff: Sendable {
    public enum Scheme: String, Sendable, Codable {
        /// Monthly social allowance (Decree 20/2021 Art. 5–6): highest-only across schemes.
        case allowance
        /// Social pension (Decree 176/2025): counts in the highest-only comparison.
        case pension
        /// Care support paid to a carer (Art. 20): additive.
        case care
        /// No monthly amount: a person on the roll only because funeral support was decided for
        /// them (Art. 11) although they had no monthly allowance (`formats/funeral-claims.md`).
        case funeral
    }
    public enum LevelKind: String, Sendable, Codable { case standard, pension }

    public struct Level: Sendable, Codable {
        public let from: YearMonth
        public let amount: Int64
        public let basis: String
    }

    /// A coefficient in thousandths (1.5 → 1500), so that amounts stay exact integers.
    public struct Coefficient: Sendable, Hashable, CustomStringConvertible {
        public let milli: Int64
        public init(milli: Int64) { self.milli = milli }
        public init?(_ text: String) {
            let parts = text.split(separator: ".", omittingEmptySubsequences: false)
            guard (1...2).contains(parts.count), let whole = Int64(parts[0]), whole >= 0 else { return nil }
            var frac: Int64 = 0
            if parts.count == 2 {
                let f = parts[1]
                guard (1...3).contains(f.count), let v = Int64(f) else { return nil }
                frac = v * Int64([1, 100, 10, 1][f.count])
            }
            milli = whole * 1000 + frac
        }
        /// `1,5` as written in Vietnamese decisions.
        public var vietnamese: String { description.replacingOccurrences(of: ".", with: ",") }
        public var description: String {
            let w = milli / 1000, f = milli % 1000
            if f == 0 { return "\(w).0" }
            var fs = String(format: "%03lld", f)
            while fs.hasSuffix("0") { fs.removeLast() }
            return "\(w).\(fs)"
        }
    }

    public struct Band: Sendable {
        public let ageFrom: Int?
        public let ageUntil: Int?
        public let countFrom: Int?
        public let countUntil: Int?
        public let coefficient: Coefficient

        func matches(age: Int) -> Bool {
            (ageFrom.map { age >= $0 } ?? true) && (ageUntil.map { age < $0 } ?? true)
        }
        func matches(count: Int) -> Bool {
            (countFrom.map { count >= $0 } ?? true) && (countUntil.map { count < $0 } ?? true)
        }
    }

    public struct Category: Sendable {
        public let code: String
        public let scheme: Scheme
        public let level: LevelKind
        public let nameVi: String
        public let nameEn: String
        public let basis: String
        public let bands: [Band]
        /// Coefficient is paid per child raised / person cared for (the roll's count column).
        public let perCount: Bool
        /// Bands select on the count column rather than on age.
        public let countBands: Bool
        /// Paid on top of the highest other amount (single parent exception, Art. 6.2).
        public let stacksWithHighest: Bool
        /// A child: paid through a guardian or carer.
        public let guardianRequired: Bool
        public let validFrom: YearMonth?
        public let validUntil: YearMonth?
        /// A foster carer's coefficient follows the age of each person cared for (the roll's
        /// `cared_for_birth_date` column): these bands select on that age. When the roll gives no
        /// birth date, `bands` apply as before (the rate the category code names).
        public let caredForBands: [Band]?

        public var needsCount: Bool { perCount || countBands }
        /// Whether the rate follows the age of the person cared for (a foster carer).
        public var followsCaredForAge: Bool { caredForBands != nil }
    }

    public let standardLevels: [Level]
    public let pensionLevels: [Level]
    public let funeralMultiple: Coefficient
    public let funeralBasis: String
    /// A province's own funeral support amount, effective-dated (`funeral.levels`): paid instead of
    /// `funeralMultiple` × the standard level when it is higher.
    public let funeralLevels: [Level]
    public let categories: [String: Category]
    /// Categories in file order, for listings.
    public let categoryOrder: [String]
    /// Each category's position in `categoryOrder` (ties in the highest-only rule go to the
    /// first listed); computed once here rather than for every person.
    public let categoryRank: [String: Int]

    init(standardLevels: [Level], pensionLevels: [Level], funeralMultiple: Coefficient, funeralBasis: String, funeralLevels: [Level] = [],
         categories: [String: Category], categoryOrder: [String]) {
        self.standardLevels = standardLevels; self.pensionLevels = pensionLevels
        self.funeralMultiple = funeralMultiple; self.funeralBasis = funeralBasis; self.funeralLevels = funeralLevels
        self.categories = categories; self.categoryOrder = categoryOrder
        self.categoryRank = Dictionary(uniqueKeysWithValues: categoryOrder.enumerated().map { ($1, $0) })
    }

    /// The level in force for a month, if any.
    public func level(_ kind: LevelKind, at month: YearMonth) -> Level? {
        let levels = kind == .standard ? standardLevels : pensionLevels
        return levels.last(where: { $0.from <= month })
    }

    public func category(_ code: String) -> Category? { categories[code] }

    /// Funeral support (Decree 20/2021 Art. 11) for a death on `deathDate`: `funeral.multiple` ×
    /// the standard level in force in the month of death, or the province's own amount in force
    /// then (`funeral.levels`) when that is higher. Nil when no standard level is in force.
    public func funeralSupport(deathDate: CivilDate) -> FuneralSupport? {
        let month = deathDate.yearMonth
        guard let level = level(.standard, at: month) else { return nil }
        let byMultiple = (level.amount * funeralMultiple.milli + 500) / 1000
        if let own = funeralLevels.last(where: { $0.from <= month }), own.amount > byMultiple {
            return FuneralSupport(amount: own.amount, standardLevel: level, multiple: funeralMultiple, provinceLevel: own, basis: own.basis)
        }
        return FuneralSupport(amount: byMultiple, standardLevel: level, multiple: funeralMultiple, provinceLevel: nil, basis: funeralBasis)
    }
}

/// How a funeral support amount was reached (`Tariff.funeralSupport(deathDate:)`).
public struct FuneralSupport: Sendable, Equatable {
    public let amount: Int64
    /// The standard level in force in the month of death.
    public let standardLevel: Tariff.Level
    public let multiple: Tariff.Coefficient
    /// The province's own amount, when it is the one paid.
    public let provinceLevel: Tariff.Level?
    public let basis: String

    /// "20 × 500.000 đồng (mức chuẩn từ 07/2024, Nghị định 76/2024/NĐ-CP)", or the province's amount.
    public var vietnamese: String {
        if let p = provinceLevel { return "mức hỗ trợ mai táng của tỉnh từ \(p.from.vietnamese): \(Money.vietnamese(p.amount)) đồng (\(p.basis))" }
        return "\(multiple.milli % 1000 == 0 ? String(multiple.milli / 1000) : multiple.vietnamese) × mức chuẩn \(Money.vietnamese(standardLevel.amount)) đồng tại tháng mất (\(standardLevel.basis)); \(basis)"
    }
    public var english: String {
        if let p = provinceLevel { return "the province's funeral support amount from \(p.from): \(Money.english(p.amount)) VND (\(p.basis))" }
        return "\(multiple) × standard level \(Money.english(standardLevel.amount)) VND in the month of death (\(standardLevel.basis)); \(basis)"
    }
}

extension Tariff.Level: Equatable {
    public static func == (a: Tariff.Level, b: Tariff.Level) -> Bool { a.from == b.from && a.amount == b.amount && a.basis == b.basis }
}

// MARK: - Loading

public struct TariffError: Error, CustomStringConvertible {
    public let file: String
    public let message: String
    public var description: String { "\(file): \(SafeText.clean(message))" }
}

extension Tariff {
    private struct FileBand: Decodable {
        let ageFrom: Int?, ageUntil: Int?, countFrom: Int?, countUntil: Int?, coefficient: String
    }
    private struct FileCategory: Decodable {
        let code: String, scheme: Scheme, level: LevelKind, nameVi: String, nameEn: String, basis: String
        let bands: [FileBand]
        let perCount: Bool?, countBands: Bool?, stacksWithHighest: Bool?, guardianRequired: Bool?
        let validFrom: YearMonth?, validUntil: YearMonth?
        let caredForBands: [FileBand]?
    }
    private struct FileFuneral: Decodable { let multiple: String; let basis: String; let levels: [Level]? }
    private struct File: Decodable {
        let standardLevels: [Level], pensionLevels: [Level], funeral: FileFuneral, categories: [FileCategory]
    }

    /// Loads and checks `tariff.json`; every problem names the key at fault.
    public static func load(from url: URL) throws -> Tariff {
        let name = url.lastPathComponent
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw TariffError(file: url.path, message: Message("core.tariff.unreadable").text())
        }
        let f: File
        do { f = try JSONDecoder().decode(File.self, from: data) } catch let DecodingError.keyNotFound(key, ctx) {
            throw TariffError(file: name, message: Message("core.tariff.missing_key", ["key": .text(key.stringValue), "path": .text(ctx.codingPath.map(\.stringValue).joined(separator: "."))]).text())
        } catch let DecodingError.dataCorrupted(ctx) {
            throw TariffError(file: name, message: Message("core.tariff.bad_value", ["detail": .text(ctx.debugDescription), "path": .text(ctx.codingPath.map(\.stringValue).joined(separator: "."))]).text())
        } catch {
            throw TariffError(file: name, message: Message("core.tariff.invalid", ["detail": .text("\(error)")]).text())
        }
        func checkLevels(_ levels: [Level], _ key: String) throws {
            guard !levels.isEmpty else { throw TariffError(file: name, message: Message("core.tariff.empty", ["key": .text(key)]).text()) }
            for (a, b) in zip(levels, levels.dropFirst()) where !(a.from < b.from) {
                throw TariffError(file: name, message: Message("core.tariff.order", ["key": .text(key), "later": .text("\(b.from)"), "earlier": .text("\(a.from)")]).text())
            }
            for l in levels where l.amount <= 0 {
                throw TariffError(file: name, message: Message("core.tariff.amount_positive", ["key": .text(key), "from": .text("\(l.from)")]).text())
            }
        }
        try checkLevels(f.standardLevels, "standardLevels")
        try checkLevels(f.pensionLevels, "pensionLevels")
        guard let fm = Coefficient(f.funeral.multiple) else {
            throw TariffError(file: name, message: Message("core.tariff.funeral_multiple", ["value": .text(f.funeral.multiple)]).text())
        }
        if let own = f.funeral.levels, !own.isEmpty { try checkLevels(own, "funeral.levels") }
        var cats: [String: Category] = [:]
        var order: [String] = []
        for c in f.categories {
            guard cats[c.code] == nil else { throw TariffError(file: name, message: Message("core.tariff.category_twice", ["category": .text(c.code)]).text()) }
            guard !c.bands.isEmpty || c.scheme == .funeral else { throw TariffError(file: name, message: Message("core.tariff.no_bands", ["category": .text(c.code)]).text()) }
            func readBands(_ list: [FileBand], _ key: String) throws -> [Band] {
                try list.map { b in
                    guard let k = Coefficient(b.coefficient) else {
                        throw TariffError(file: name, message: Message("core.tariff.coefficient", ["category": .text(c.code), "key": .text(key), "value": .text(b.coefficient)]).text())
                    }
                    return Band(ageFrom: b.ageFrom, ageUntil: b.ageUntil, countFrom: b.countFrom, countUntil: b.countUntil, coefficient: k)
                }
            }
            let bands = try readBands(c.bands, "bands")
            var caredFor: [Band]?
            if let cf = c.caredForBands {
                guard c.scheme == .care, !cf.isEmpty else {
                    throw TariffError(file: name, message: Message("core.tariff.cared_for", ["category": .text(c.code)]).text())
                }
                caredFor = try readBands(cf, "caredForBands")
            }
            cats[c.code] = Category(code: c.code, scheme: c.scheme, level: c.level, nameVi: c.nameVi, nameEn: c.nameEn,
                                    basis: c.basis, bands: bands, perCount: c.perCount ?? false,
                                    countBands: c.countBands ?? false, stacksWithHighest: c.stacksWithHighest ?? false,
                                    guardianRequired: c.guardianRequired ?? false, validFrom: c.validFrom, validUntil: c.validUntil,
                                    caredForBands: caredFor)
            order.append(c.code)
        }
        return Tariff(standardLevels: f.standardLevels, pensionLevels: f.pensionLevels, funeralMultiple: fm,
                      funeralBasis: f.funeral.basis, funeralLevels: f.funeral.levels ?? [], categories: cats, categoryOrder: order)
    }
}
