import ChiTraCore
import Foundation

/// Categories the generator draws, in the order of `codes`.
enum Cat: Int, CaseIterable {
    case huuTri, huuTriHoNgheo, nctNgheo, nct7580, nctChamSoc
    case nktNang, nktDacBietNang
    case treMoCoi, tre1622, treHIV, treDuoi3
    case donThan, hiv
    case csHo, csNguoiLon, csTreEm, csMoCoiDuoi4, csMoCoi416, csPhuNu

    static let codes: [String] = [
        "HUU_TRI_XA_HOI", "HUU_TRI_XA_HOI_HO_NGHEO", "NCT_NGHEO_KHONG_NGUOI_PHUNG_DUONG", "NCT_75_80_VUNG_DBKK",
        "NCT_CHAM_SOC_CONG_DONG", "NKT_NANG", "NKT_DAC_BIET_NANG", "TRE_MO_COI", "TRE_16_22_DI_HOC",
        "TRE_HIV_HO_NGHEO", "TRE_DUOI_3_VUNG_DBKK", "DON_THAN_NUOI_CON", "NGUOI_HIV_NGHEO",
        "CS_HO_CHAM_SOC_NKT_DBN", "CS_NHAN_NUOI_NKT_DBN_NGUOI_LON", "CS_NHAN_NUOI_NKT_DBN_TRE_EM",
        "CS_NHAN_NUOI_TRE_MO_COI_DUOI_4", "CS_NHAN_NUOI_TRE_MO_COI_4_16", "CS_PHU_NU_KHUYET_TAT_NUOI_CON",
    ]
    /// Share of beneficiaries, in 1/10,000.
    static let weights: [Int] = [
        3500, 500, 500, 100, 100,
        2200, 1200,
        400, 200, 30, 100,
        300, 50,
        500, 80, 40, 30, 70, 80,
    ]

    var code: String { Cat.codes[rawValue] }

    /// Age from which the grant can start (eligibility), in years.
    var minAge: Int {
        switch self {
        case .huuTri, .nct7580: return 75
        case .huuTriHoNgheo: return 70
        case .nctNgheo, .nctChamSoc: return 60
        case .tre1622, .hiv: return 16
        default: return 0
        }
    }

    var isPension: Bool { self == .huuTri || self == .huuTriHoNgheo }

    /// A foster carer's grant: how many days before the reference day the persons cared for were
    /// born (an orphan under 4, or 4 to under 16; a disabled child under 16, or an adult), at least
    /// two months back so that no date is after the import day.
    var caredForDaysBefore: Range<Int>? {
        switch self {
        case .csMoCoiDuoi4: return 60..<(4 * 365 - 60)
        case .csMoCoi416: return (4 * 365 + 30)..<(15 * 365)
        case .csTreEm: return 60..<(15 * 365)
        case .csNguoiLon: return (16 * 365 + 30)..<(60 * 365)
        default: return nil
        }
    }

    /// Counted per child / person cared for.
    var perCount: Bool {
        switch self {
        case .donThan, .csHo, .csNguoiLon, .csTreEm, .csMoCoiDuoi4, .csMoCoi416, .csPhuNu: return true
        default: return false
        }
    }
}

enum Channel: UInt8 { case bank = 0, postAccount = 1, postCash = 2 }
enum Status: UInt8 { case active = 0, suspended = 1, stopped = 2 }
enum Relation: UInt8 { case guardian = 0, mother, grandmother, child, grandchild, wife, husband }

/// Indices into the name-part pool; `none` for an absent second middle name.
struct Name: Equatable {
    static let none: UInt16 = .max
    var family: UInt16
    var middle: UInt16
    var middle2: UInt16
    var given: UInt16
}

/// Everything about a person that is repeated on each of their lines. Plain values only, so that
/// a small ring of recent people can be kept for duplicates without allocating.
struct Person {
    var female = false
    var name = Name(family: 0, middle: 0, middle2: Name.none, given: 0)
    var age = 0
    var by = 1950, bm = 1, bd = 1
    var birthDay = 0
    var yearOnly = false
    var id: UInt64 = 0
    var idLen = 12
    var village = 0
    var addrPattern: UInt8 = 0
    var addrN = 0, addrK = 0, addrItem = 0
    var phone: UInt64 = 0
    var channel = Channel.postCash
    var bin = 0
    var account: UInt64 = 0
    var accountLen = 0
    var holder = Name(family: 0, middle: 0, middle2: Name.none, given: 0)
    var hasProxy = false
    var childProxy = false
    var proxyName = Name(family: 0, middle: 0, middle2: Name.none, given: 0)
    var proxyID: UInt64 = 0
    var relation = Relation.guardian
    var authDay = -1
    var deathDay = -1
}

/// One line's grant fields.
struct Grant {
    var cat: Cat
    var children = 0
    var decisionNo = 1
    var decisionDay = 0
    var start = 0
    var end = -1
    var status = Status.active
}

/// What a broken line overrides at write time.
struct Overrides {
    var impossibleBirth = false
    var unknownCategory = false
    var unknownBIN = false
    var accountLetters = false
    static let none = Overrides()
}

/// The streaming generator: one instance per file.
final class RollEngine {
    private var rng: Xoshiro256StarStar
    private let size: Int
    private let seed: UInt64
    private let keyBase: UInt64
    private let asOf: YearMonth
    private let asOfIdx: Int
    /// The reference day: the 15th of the reference month.
    private let refDay: Int
    private let idx2021_07 = 2021 * 12 + 6
    private let pensionStart = 2025 * 12 + 6
    private let codeWidth: Int

    private let arena = TextArena()
    private let w: CSVChunkWriter

    // Name parts: text and folded (upper case, no diacritics) forms, shared indices.
    private var partText: [Str] = []
    private var partFolded: [Str] = []
    private var partIndex: [String: UInt16] = [:]

    private var familyMale: [UInt16] = [], familyFemale: [UInt16] = []
    private let familyTable: WeightedTable
    private var middleMO: [UInt16] = [], middleFO: [UInt16] = [], middleMY: [UInt16] = [], middleFY: [UInt16] = []
    private let middleMOT, middleFOT, middleMYT, middleFYT: WeightedTable
    private var secondMiddle: [UInt16] = []
    private var givenMO: [UInt16] = [], givenFO: [UInt16] = [], givenMY: [UInt16] = [], givenFY: [UInt16] = []
    private var thi: UInt16 = 0
    private var tonThat: UInt16 = 0

    private var catStr: [Str] = []
    private let catTable: WeightedTable
    private let unknownCategoryStr: Str
    private var binStr: [Str] = []
    private let bankTable: WeightedTable
    private let provinceTable: WeightedTable
    private let provinceCode: [UInt64]
    private let cmndPrefix: [UInt64]
    private var phonePrefix: [UInt64] = []
    private var streetStr: [Str] = []
    private var landmarkStr: [Str] = []
    private var thonNames: [String] = []

    private let sNam, sNu, sDecision, sSpace, sKiet, sComma, sXom, sSoNha, sGanCho, sQuote: Str
    private var statusStr: [Str] = []
    private var channelStr: [Str] = []
    private var relationStr: [Str] = []
    private static let yes = Array("Có".precomposedStringWithCanonicalMapping.utf8)

    // Commune state.
    private var communeIndex = -1
    private var communeRemaining = 0
    private var communeName: [UInt8] = []
    private var communeIsWard = true
    private var villageNames: [[UInt8]] = []
    private(set) var communeCount = 0

    // Unique-number allocators.
    private var idCounters: [UInt32]
    private var cmndCounters: [UInt32]
    private var accountCounters: [UInt64]
    private var postAccountCounter: UInt64 = 0
    private let idPermutationDomain: UInt64 = 1_000_000

    // Recent people, for duplicates under another code.
    private static let ringSize = 512
    private var ring: [(Person, Cat)] = []
    private var ringNext = 0

    private var lastPrimary: (code: Int, person: Person, grant: Grant)? = nil

    // Counters for the summary.
    private var lines = 0
    private var secondLines = 0
    private var duplicates = 0
    private var channelCounts = [0, 0, 0]
    private var withProxy = 0
    private var deceased = 0
    private var perCategory = [Int](repeating: 0, count: Cat.allCases.count)

    init(size: Int, seed: UInt64, asOf: YearMonth, handle: FileHandle) {
        self.size = size
        self.seed = seed
        self.asOf = asOf
        self.asOfIdx = asOf.index
        self.refDay = CivilDays.day(asOf.year, asOf.month, 15)
        self.rng = Xoshiro256StarStar(seed: seed)
        self.keyBase = SplitMix64.mix(seed ^ 0x4368_6954_7261_4658) // "ChiTraFX"
        var width = 7
        var limit = 10_000_000
        while size + 1_000_000 >= limit { width += 1; limit *= 10 }
        self.codeWidth = width

        typealias V = FixtureVocabulary
        familyTable = WeightedTable(V.familyNames.map(\.weight))
        middleMOT = WeightedTable(V.middleMaleOld.map(\.1))
        middleFOT = WeightedTable(V.middleFemaleOld.map(\.1))
        middleMYT = WeightedTable(V.middleMaleYoung.map(\.1))
        middleFYT = WeightedTable(V.middleFemaleYoung.map(\.1))
        catTable = WeightedTable(Cat.weights)
        bankTable = WeightedTable(V.banks.map(\.weight))
        provinceTable = WeightedTable(V.provinces.map(\.weight))
        provinceCode = V.provinces.map { UInt64($0.code)! }
        cmndPrefix = V.provinces.map { UInt64($0.cmnd)! }
        idCounters = [UInt32](repeating: 0, count: V.provinces.count * 4 * 100)
        cmndCounters = [UInt32](repeating: 0, count: V.provinces.count)
        accountCounters = [UInt64](repeating: 0, count: V.banks.count)

        unknownCategoryStr = arena.add("TRE_EM_KHUYET_TAT")
        sNam = arena.add("Nam"); sNu = arena.add("Nữ")
        sDecision = arena.add("/QĐ-UBND")
        sSpace = arena.add(" "); sKiet = arena.add(" kiệt "); sComma = arena.add(", ")
        sXom = arena.add("Xóm "); sSoNha = arena.add("Số nhà "); sGanCho = arena.add("Gần chợ \""); sQuote = arena.add("\"")
        w = CSVChunkWriter(handle: handle)

        for v in V.familyNames { familyMale.append(part(v.male)); familyFemale.append(part(v.female)) }
        middleMO = V.middleMaleOld.map { part($0.0) }
        middleFO = V.middleFemaleOld.map { part($0.0) }
        middleMY = V.middleMaleYoung.map { part($0.0) }
        middleFY = V.middleFemaleYoung.map { part($0.0) }
        secondMiddle = V.secondMiddleFemale.map { part($0) }
        givenMO = V.givenMaleOld.map { part($0) }
        givenFO = V.givenFemaleOld.map { part($0) }
        givenMY = V.givenMaleYoung.map { part($0) }
        givenFY = V.givenFemaleYoung.map { part($0) }
        thi = part("Thị")
        tonThat = part("Tôn Thất")
        catStr = Cat.codes.map { arena.add($0) }
        binStr = V.banks.map { arena.add($0.bin) }
        phonePrefix = V.phonePrefixes.map { UInt64($0)! }
        streetStr = V.streets.map { arena.add($0) }
        landmarkStr = V.landmarks.map { arena.add($0) }
        thonNames = V.villages
        statusStr = ["Đang hưởng", "Tạm dừng", "Thôi hưởng"].map { arena.add($0) }
        channelStr = ["Tài khoản ngân hàng", "Tài khoản bưu điện", "Tiền mặt tại bưu điện"].map { arena.add($0) }
        relationStr = ["Người giám hộ", "Mẹ", "Bà", "Con", "Cháu", "Vợ", "Chồng"].map { arena.add($0) }
        arena.freeze()
        w.use(arena)
        ring.reserveCapacity(RollEngine.ringSize)
    }

    private func part(_ s: String) -> UInt16 {
        if let i = partIndex[s] { return i }
        let i = UInt16(partText.count)
        partText.append(arena.add(s))
        partFolded.append(arena.add(RollEngine.fold(s)))
        partIndex[s] = i
        return i
    }

    /// Upper case without diacritics, đ → D: the form banks hold account names in.
    static func fold(_ s: String) -> String {
        var out = String.UnicodeScalarView()
        for u in s.decomposedStringWithCanonicalMapping.unicodeScalars {
            switch u.value {
            case 0x300...0x36F: continue
            case 0x111: out.append("d")
            case 0x110: out.append("D")
            default: out.append(u)
            }
        }
        return String(out).uppercased()
    }

    // MARK: - Run

    func run(brokenRows: Int) throws -> RollSummary {
        // Header: BOM + Vietnamese headers.
        w.bytes([0xEF, 0xBB, 0xBF])
        w.bytes(Array(RollColumn.allCases.map(\.vietnameseHeader).joined(separator: ",").precomposedStringWithCanonicalMapping.utf8))
        w.newline()

        var code = 1
        while code <= size {
            if communeRemaining == 0 { nextCommune() }
            communeRemaining -= 1

            if !ring.isEmpty, rng.chance(20) {
                let (old, cat) = ring[rng.below(ring.count)]
                if old.deathDay < 0 {
                    var p = old
                    placeInCommune(&p)
                    if let g = makeGrant(cat, p) {
                        try emit(code: code, p, g)
                        count(p)
                        duplicates += 1
                        code += 1
                        continue
                    }
                }
            }

            let cat = Cat(rawValue: catTable.pick(&rng))!
            var p = makePerson(cat)
            let g = primaryGrant(cat, &p)
            try emit(code: code, p, g)
            lastPrimary = (code, p, g)
            count(p)
            if let c2 = secondCategory(cat, p), rng.chance(385), let g2 = makeGrant(c2, p) {
                try emit(code: code, p, g2)
                secondLines += 1
            }
            remember(p, cat)
            code += 1
        }
        let validLines = lines

        var broken: [BrokenRow] = []
        broken.reserveCapacity(brokenRows)
        let kinds = BrokenRowKind.allCases
        for i in 0..<brokenRows {
            let kind = kinds[i % kinds.count]
            let line = lines + 2
            if kind == .duplicateCodeCategory, let last = lastPrimary {
                try emit(code: last.code, last.person, last.grant)
                broken.append(BrokenRow(line: line, code: codeString(last.code), kind: kind))
            } else {
                try emitBroken(kind, code: code)
                broken.append(BrokenRow(line: line, code: codeString(code), kind: kind))
                code += 1
            }
        }
        try w.flush()

        var perCat: [String: Int] = [:]
        for c in Cat.allCases where perCategory[c.rawValue] > 0 { perCat[c.code] = perCategory[c.rawValue] }
        return RollSummary(
            size: size, seed: seed, asOf: asOf.description,
            lines: lines, beneficiaries: size, people: size - duplicates,
            secondLines: secondLines, duplicatePersons: duplicates, communes: communeCount,
            bank: channelCounts[0], postAccount: channelCounts[1], postCash: channelCounts[2],
            withProxy: withProxy, deceased: deceased, linesPerCategory: perCat,
            bytes: w.bytesWritten, broken: broken)
        .validated(validLines: validLines)
    }

    private func count(_ p: Person) {
        channelCounts[Int(p.channel.rawValue)] += 1
        if p.hasProxy { withProxy += 1 }
        if p.deathDay >= 0 { deceased += 1 }
    }

    private func remember(_ p: Person, _ cat: Cat) {
        if ring.count < RollEngine.ringSize { ring.append((p, cat)) } else { ring[ringNext] = (p, cat) }
        ringNext = (ringNext + 1) % RollEngine.ringSize
    }

    private func codeString(_ code: Int) -> String {
        let d = String(code)
        return "DT" + String(repeating: "0", count: max(0, codeWidth - d.count)) + d
    }

    // MARK: - Communes and villages

    private func nextCommune() {
        communeIndex += 1
        communeCount += 1
        typealias V = FixtureVocabulary
        let villageCount: Int
        if size <= RollGenerator.singleCommuneLimit {
            communeRemaining = size
            communeName = Array(V.seedCommune.precomposedStringWithCanonicalMapping.utf8)
            communeIsWard = true
            villageCount = min(60, max(3, size / 150))
        } else {
            communeRemaining = 1200 + rng.below(1601)
            villageCount = 8 + rng.below(18)
            if communeIndex == 0 {
                communeName = Array(V.seedCommune.precomposedStringWithCanonicalMapping.utf8)
                communeIsWard = true
            } else {
                let s1 = V.communeFirst, s2 = V.communeSecond
                let pairs = s1.count * s2.count
                let m = communeIndex - 1
                let pair = ((m % pairs) * 7919 + Int(keyBase % UInt64(pairs))) % pairs
                communeIsWard = SplitMix64.mix(keyBase ^ UInt64(communeIndex)) % 4 == 0
                var name = (communeIsWard ? "Phường " : "Xã ") + s1[pair / s2.count] + " " + s2[pair % s2.count]
                if m >= pairs { name += " \(m / pairs + 1)" }
                communeName = Array(name.precomposedStringWithCanonicalMapping.utf8)
            }
        }
        villageNames.removeAll(keepingCapacity: true)
        if communeIsWard || rng.chance(4000) {
            let prefix = communeIsWard ? "Tổ dân phố " : "Thôn "
            for i in 1...villageCount {
                villageNames.append(Array((prefix + String(i)).precomposedStringWithCanonicalMapping.utf8))
            }
        } else {
            let n = thonNames.count
            let start = rng.below(n)
            var step = 1 + rng.below(n - 1)
            while gcd(step, n) != 1 { step = 1 + rng.below(n - 1) }
            for i in 0..<min(villageCount, n) {
                villageNames.append(Array(("Thôn " + thonNames[(start + i * step) % n]).precomposedStringWithCanonicalMapping.utf8))
            }
        }
    }

    private func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }

    /// Village and street address in the current commune.
    private func placeInCommune(_ p: inout Person) {
        p.village = rng.below(villageNames.count)
        p.addrN = 1 + rng.below(250)
        p.addrK = 1 + rng.below(120)
        let r = rng.below(10_000)
        if r >= 9990 {
            p.addrPattern = 4
            p.addrItem = rng.below(landmarkStr.count)
        } else if communeIsWard {
            p.addrItem = rng.below(streetStr.count)
            p.addrPattern = r < 4500 ? 1 : r < 7000 ? 2 : r < 9000 ? 3 : 0
        } else {
            p.addrPattern = r < 4000 ? 0 : r < 8000 ? 5 : 6
        }
    }

    // MARK: - People

    private func sampleAge(_ cat: Cat) -> Int {
        switch cat {
        case .huuTri: return 75 + rng.falling(26)
        case .huuTriHoNgheo: return 70 + rng.falling(31)
        case .nctNgheo, .nctChamSoc: return 60 + rng.falling(41)
        case .nct7580: return 75 + rng.below(5)
        case .nktNang, .nktDacBietNang:
            let r = rng.below(10_000)
            return r < 1200 ? 1 + rng.below(15) : r < 6200 ? 16 + rng.below(44) : 60 + rng.falling(36)
        case .treMoCoi: return rng.below(16)
        case .treHIV: return 1 + rng.below(15)
        case .treDuoi3: return rng.below(3)
        case .tre1622: return 16 + rng.below(7)
        case .donThan: return 20 + rng.below(36)
        case .hiv: return 20 + rng.below(41)
        case .csPhuNu: return 18 + rng.below(28)
        case .csHo, .csNguoiLon, .csTreEm, .csMoCoiDuoi4, .csMoCoi416: return 25 + rng.below(46)
        }
    }

    private func sampleFemale(_ cat: Cat, _ age: Int) -> Bool {
        switch cat {
        case .csPhuNu: return true
        case .donThan: return rng.chance(8500)
        case .csHo: return rng.chance(7000)
        default: return rng.chance(age >= 60 ? 6000 : 5000)
        }
    }

    private func randomName(female: Bool, age: Int) -> Name {
        let fi = familyTable.pick(&rng)
        let family = female ? familyFemale[fi] : familyMale[fi]
        let old = age >= 40
        let middle: UInt16
        let given: UInt16
        switch (female, old) {
        case (false, true): middle = middleMO[middleMOT.pick(&rng)]; given = givenMO[rng.below(givenMO.count)]
        case (true, true): middle = middleFO[middleFOT.pick(&rng)]; given = givenFO[rng.below(givenFO.count)]
        case (false, false): middle = middleMY[middleMYT.pick(&rng)]; given = givenMY[rng.below(givenMY.count)]
        case (true, false): middle = middleFY[middleFYT.pick(&rng)]; given = givenFY[rng.below(givenFY.count)]
        }
        var middle2 = Name.none
        // “Tôn Thất Hùng”: the lineage name takes the place of the middle name.
        if family == tonThat { return Name(family: family, middle: Name.none, middle2: Name.none, given: given) }
        if female, middle == thi, rng.chance(old ? 300 : 1200) {
            let m2 = secondMiddle[rng.below(secondMiddle.count)]
            if m2 != given { middle2 = m2 }
        }
        return Name(family: family, middle: middle, middle2: middle2, given: given)
    }

    /// A birth date giving exactly `age` full years throughout the reference month
    /// (the birthday never falls in the reference month itself).
    private func setBirth(_ p: inout Person, age: Int) {
        var bm = 1 + rng.below(11)
        if bm >= asOf.month { bm += 1 }
        let by = bm < asOf.month ? asOf.year - age : asOf.year - age - 1
        let bd = 1 + rng.below(CivilDays.daysIn(by, bm))
        p.by = by; p.bm = bm; p.bd = bd
        p.birthDay = CivilDays.day(by, bm, bd)
    }

    private func allocateID(female: Bool, birthYear: Int) -> UInt64 {
        var prov = provinceTable.pick(&rng)
        let d4 = (birthYear >= 2000 ? 2 : 0) + (female ? 1 : 0)
        let yy = birthYear % 100
        for _ in 0..<provinceCode.count {
            let slot = (prov * 4 + d4) * 100 + yy
            let c = idCounters[slot]
            if UInt64(c) < idPermutationDomain {
                idCounters[slot] = c + 1
                let perm = FeistelPermutation(domain: idPermutationDomain, key: SplitMix64.mix(keyBase &+ UInt64(slot)))
                return provinceCode[prov] * 1_000_000_000 + UInt64(d4) * 100_000_000 + UInt64(yy) * 1_000_000 + perm.apply(UInt64(c))
            }
            prov = (prov + 1) % provinceCode.count
        }
        preconditionFailure("personal ID space exhausted for birth year \(birthYear)")
    }

    private func allocateCMND() -> UInt64 {
        var prov = provinceTable.pick(&rng)
        for _ in 0..<cmndPrefix.count {
            let c = cmndCounters[prov]
            if UInt64(c) < idPermutationDomain {
                cmndCounters[prov] = c + 1
                let perm = FeistelPermutation(domain: idPermutationDomain, key: SplitMix64.mix(keyBase ^ 0xC4D4 &+ UInt64(prov)))
                return cmndPrefix[prov] * 1_000_000 + perm.apply(UInt64(c))
            }
            prov = (prov + 1) % cmndPrefix.count
        }
        preconditionFailure("CMND space exhausted")
    }

    private static let pow10: [UInt64] = (0...18).map { e in (0..<e).reduce(UInt64(1)) { r, _ in r * 10 } }

    /// A unique account number: 4 branch digits, then a permuted per-bank counter.
    private func allocateAccount(bank: Int?) -> (UInt64, Int) {
        let digits = bank.map { FixtureVocabulary.banks[$0].accountDigits } ?? FixtureVocabulary.postAccountDigits
        let tail = digits - 4
        let domain = RollEngine.pow10[tail]
        let c: UInt64
        if let bank { c = accountCounters[bank]; accountCounters[bank] += 1 } else { c = postAccountCounter; postAccountCounter += 1 }
        let perm = FeistelPermutation(domain: domain, key: SplitMix64.mix(keyBase ^ 0xACC0 &+ UInt64(bank.map { $0 + 1 } ?? 0)))
        let branch: UInt64 = bank == 0 ? UInt64(4000 + rng.below(100)) : UInt64(1000 + rng.below(9000))
        return (branch * domain + perm.apply(c % domain), digits)
    }

    private func makePerson(_ cat: Cat, age forcedAge: Int? = nil, allowDeath: Bool = true) -> Person {
        var p = Person()
        let age = forcedAge ?? sampleAge(cat)
        p.age = age
        p.female = sampleFemale(cat, age)
        p.name = randomName(female: p.female, age: age)
        setBirth(&p, age: age)
        p.yearOnly = age > 80 && rng.chance(3000)
        if age >= 60 && rng.chance(30) {
            p.id = allocateCMND(); p.idLen = 9
        } else {
            p.id = allocateID(female: p.female, birthYear: p.by); p.idLen = 12
        }
        placeInCommune(&p)
        if !rng.chance(age >= 70 ? 2200 : 900) {
            p.phone = phonePrefix[rng.below(phonePrefix.count)] * 10_000_000 + UInt64(rng.below(10_000_000))
        }
        if age < 16 {
            makeGuardian(&p, cat)
        } else if rng.chance(600) {
            makeAdultProxy(&p)
        }
        let r = rng.below(1000)
        setChannel(&p, r < 830 ? .bank : r < 900 ? .postAccount : .postCash)
        if allowDeath, age >= 1, rng.chance(age >= 75 ? 190 : age >= 60 ? 50 : 15) {
            let from = CivilDays.firstDay(ofMonth: asOfIdx - 3), to = CivilDays.lastDay(ofMonth: asOfIdx - 1)
            p.deathDay = rng.inRange(from, to)
        }
        return p
    }

    private func setChannel(_ p: inout Person, _ ch: Channel) {
        p.channel = ch
        switch ch {
        case .bank:
            p.bin = bankTable.pick(&rng)
            (p.account, p.accountLen) = allocateAccount(bank: p.bin)
            p.holder = p.childProxy ? p.proxyName : p.name
            if rng.chance(50) {
                // The bank holds another name (a relative's, or a registration error).
                var other = randomName(female: rng.chance(5000), age: 45)
                if other == p.holder { other.given = other.given == givenMO[0] ? givenMO[1] : givenMO[0] }
                p.holder = other
            }
        case .postAccount:
            (p.account, p.accountLen) = allocateAccount(bank: nil)
            p.holder = p.childProxy ? p.proxyName : p.name
        case .postCash:
            p.account = 0; p.accountLen = 0
        }
    }

    private func makeGuardian(_ p: inout Person, _ cat: Cat) {
        let r = rng.below(10_000)
        let rel: Relation = cat == .treMoCoi ? (r < 7500 ? .guardian : .grandmother)
            : (r < 6500 ? .guardian : r < 8500 ? .mother : .grandmother)
        let female = rel == .guardian ? rng.chance(6000) : true
        let age: Int
        switch rel {
        case .mother: age = max(p.age + 18, 20 + rng.below(25))
        case .grandmother: age = max(p.age + 40, 50 + rng.below(30))
        default: age = max(p.age + 18, 25 + rng.below(45))
        }
        var name = randomName(female: female, age: age)
        if rng.chance(rel == .grandmother ? 5000 : rel == .guardian ? 4000 : 1500) {
            setFamily(&name, like: p.name, female: female)
        }
        p.hasProxy = true
        p.childProxy = true
        p.relation = rel
        p.proxyName = name
        p.proxyID = allocateID(female: female, birthYear: asOf.year - age - rng.below(2))
        p.authDay = rel == .guardian ? -1 : refDay + 30 + rng.below(335)
    }

    /// Gives `name` the family name of `relative` (in its male or female form, so Tôn Nữ ↔ Tôn Thất).
    private func setFamily(_ name: inout Name, like relative: Name, female: Bool) {
        let i = familyMale.firstIndex(of: relative.family) ?? familyFemale.firstIndex(of: relative.family) ?? 0
        name.family = female ? familyFemale[i] : familyMale[i]
        if name.family == tonThat {
            name.middle = Name.none; name.middle2 = Name.none
        } else if name.middle == Name.none {
            name.middle = female ? middleFO[0] : middleMO[0]
        }
    }

    private func makeAdultProxy(_ p: inout Person) {
        var options: [(Relation, Int)] = []
        if p.age >= 45 { options.append((.child, 50)) }
        if p.age >= 60 { options.append((.grandchild, 20)) }
        if p.age >= 20 { options.append((p.female ? .husband : .wife, 30)) }
        guard !options.isEmpty else { return }
        let rel = options[WeightedTable(options.map(\.1)).pick(&rng)].0
        let female: Bool
        let age: Int
        switch rel {
        case .wife: female = true; age = max(18, p.age - 5 + rng.below(10))
        case .husband: female = false; age = max(18, p.age - 5 + rng.below(10))
        case .grandchild: female = rng.chance(5000); age = min(60, max(18, p.age - 45 - rng.below(20)))
        default: female = rng.chance(5000); age = min(75, max(18, p.age - 22 - rng.below(18)))
        }
        var name = randomName(female: female, age: age)
        if rel == .child, !p.female || rng.chance(3000) {
            setFamily(&name, like: p.name, female: female)
        }
        p.hasProxy = true
        p.relation = rel
        p.proxyName = name
        p.proxyID = allocateID(female: female, birthYear: asOf.year - age - rng.below(2))
        // Authorisations run at most 12 months: some have lapsed, some lapse within 30 days.
        let r = rng.below(10_000)
        p.authDay = r < 4000 ? refDay - 1 - rng.below(365) : r < 5500 ? refDay + rng.below(30) : refDay + 30 + rng.below(335)
    }

    // MARK: - Grants

    private func secondCategory(_ cat: Cat, _ p: Person) -> Cat? {
        switch cat {
        case .huuTri, .huuTriHoNgheo, .nctNgheo, .nct7580, .nctChamSoc:
            return rng.chance(6000) ? .nktNang : .nktDacBietNang
        case .nktNang, .nktDacBietNang:
            switch p.age {
            case 75...: return .huuTri
            case 70..<75: return .huuTriHoNgheo
            case 60..<70: return .nctNgheo
            case ..<16: return .treMoCoi
            case 16..<23: return .tre1622
            default: return nil
            }
        case .donThan, .hiv, .tre1622, .csPhuNu: return .nktNang
        case .treMoCoi, .treHIV: return .nktDacBietNang
        case .treDuoi3: return .treMoCoi
        default: return nil
        }
    }

    /// The first grant of a new person; drops the death if it cannot follow the start.
    private func primaryGrant(_ cat: Cat, _ p: inout Person) -> Grant {
        if let g = makeGrant(cat, p) { return g }
        p.deathDay = -1
        return makeGrant(cat, p)!
    }

    private func makeGrant(_ cat: Cat, _ p: Person) -> Grant? {
        var g = Grant(cat: cat)
        let elig = (p.by + cat.minAge) * 12 + p.bm - 1
        let lo = max(idx2021_07, elig, cat.isPension ? pensionStart : 0)
        let hi = max(lo, asOfIdx - 2)
        if cat.perCount {
            if cat == .donThan {
                let r = rng.below(100)
                g.children = r < 45 ? 1 : r < 80 ? 2 : r < 95 ? 3 : 4
            } else {
                g.children = rng.chance(8500) ? 1 : 2
            }
        }
        g.decisionNo = 1 + rng.below(3999)
        if p.deathDay >= 0 {
            let dm = CivilDays.monthIndex(ofDay: p.deathDay)
            guard lo <= dm else { return nil }
            g.start = sampleStart(cat, lo, min(hi, dm))
            g.decisionDay = decisionDay(inMonth: g.start, p, latest: p.deathDay)
            if rng.chance(5000) { g.status = .stopped; g.end = dm }
        } else if rng.chance(100) {
            // Arrears: decided this month, owed from two or three months ago.
            g.start = max(lo, asOfIdx - 2 - rng.below(2))
            let from = max(CivilDays.firstDay(ofMonth: asOfIdx), p.birthDay)
            g.decisionDay = rng.inRange(from, max(from, refDay))
        } else {
            g.start = sampleStart(cat, lo, hi)
            g.decisionDay = decisionDay(inMonth: g.start, p, latest: refDay)
            let r = rng.below(10_000)
            if r < 200 {
                g.status = .suspended
            } else if r < 400 {
                g.status = .stopped
                g.end = rng.inRange(g.start, max(g.start, asOfIdx - 1))
            }
        }
        return g
    }

    private func sampleStart(_ cat: Cat, _ lo: Int, _ hi: Int) -> Int {
        if cat.isPension, lo == pensionStart, rng.chance(5500) { return pensionStart }
        return rng.inRange(lo, hi)
    }

    private func decisionDay(inMonth m: Int, _ p: Person, latest: Int) -> Int {
        let from = max(CivilDays.firstDay(ofMonth: m), p.birthDay)
        let to = min(CivilDays.lastDay(ofMonth: m), latest, refDay)
        return rng.inRange(from, max(from, to))
    }

    // MARK: - Broken lines

    private func emitBroken(_ kind: BrokenRowKind, code: Int) throws {
        var o = Overrides()
        let cat: Cat
        switch kind {
        case .missingChildrenCount: cat = .donThan
        case .impossibleBirthDate, .proxyWithoutAuthorisation, .unknownCategory: cat = .huuTri
        default: cat = Cat(rawValue: catTable.pick(&rng))!
        }
        var p: Person
        if kind == .impossibleBirthDate {
            p = makePerson(cat, age: asOf.year - 1950 - 1, allowDeath: false)
            p.by = 1950; p.bm = 2; p.bd = 28; p.yearOnly = false
            p.birthDay = CivilDays.day(1950, 2, 28)
            if p.idLen == 12 { p.id = allocateID(female: p.female, birthYear: 1950) }
            o.impossibleBirth = true
        } else {
            p = makePerson(cat, allowDeath: false)
        }
        if p.idLen != 12 { p.id = allocateID(female: p.female, birthYear: p.by); p.idLen = 12 }
        var g = makeGrant(cat, p)!
        switch kind {
        case .idCenturySexDigit:
            let d4 = (p.id / 100_000_000) % 10
            p.id = p.id - d4 * 100_000_000 + (d4 ^ 1) * 100_000_000
        case .idBirthYearDigits:
            let yy = (p.id / 1_000_000) % 100
            p.id = p.id - yy * 1_000_000 + ((yy + 1) % 100) * 1_000_000
        case .idTenDigits:
            p.id /= 100; p.idLen = 10
        case .unknownBIN:
            if p.channel != .bank { setChannel(&p, .bank) }
            o.unknownBIN = true
        case .accountWithLetters:
            if p.channel != .bank { setChannel(&p, .bank) }
            o.accountLetters = true
        case .bankWithoutAccount:
            if p.channel != .bank { setChannel(&p, .bank) }
            p.account = 0; p.accountLen = 0
        case .startAfterEnd:
            g.status = .stopped
            g.end = g.start - 1 - rng.below(3)
        case .unknownCategory:
            o.unknownCategory = true
        case .missingChildrenCount:
            g.children = 0
        case .proxyWithoutAuthorisation:
            p.hasProxy = true; p.childProxy = false
            p.relation = .child
            let female = rng.chance(5000)
            p.proxyName = randomName(female: female, age: 45)
            p.proxyID = allocateID(female: female, birthYear: asOf.year - 45)
            p.authDay = -1
        case .impossibleBirthDate, .duplicateCodeCategory:
            break
        }
        try emit(code: code, p, g, o)
    }

    // MARK: - Writing

    private func emit(code: Int, _ p: Person, _ g: Grant, _ o: Overrides = .none) throws {
        try w.beginRow()
        lines += 1
        perCategory[g.cat.rawValue] += o.unknownCategory ? 0 : 1
        let w = self.w
        // 1 code
        w.byte(0x44); w.byte(0x54); w.digits(UInt64(code), width: codeWidth); w.comma()
        // 2 full name
        w.beginField(); writeName(p.name, folded: false); w.endField(); w.comma()
        // 3 birth date
        if o.impossibleBirth { w.date(1950, 2, 31) } else if p.yearOnly { w.digits(UInt64(p.by), width: 4) } else { w.date(p.by, p.bm, p.bd) }
        w.comma()
        // 4 sex, 5 personal ID
        w.text(p.female ? sNu : sNam); w.comma()
        w.digits(p.id, width: p.idLen); w.comma()
        // 6 commune, 7 village, 8 address
        w.beginField(); w.bytes(communeName); w.endField(); w.comma()
        w.beginField(); w.bytes(villageNames[p.village]); w.endField(); w.comma()
        w.beginField(); writeAddress(p); w.endField(); w.comma()
        // 9 phone
        if p.phone != 0 { w.digits(p.phone, width: 10) }
        w.comma()
        // 10 category, 11 children
        w.text(o.unknownCategory ? unknownCategoryStr : catStr[g.cat.rawValue]); w.comma()
        if g.children > 0 { w.int(g.children) }
        w.comma()
        // 12–17 decision, months, death, status
        w.int(g.decisionNo); w.text(sDecision); w.comma()
        w.date(g.decisionDay); w.comma()
        w.month(g.start); w.comma()
        if g.end >= 0 { w.month(g.end) }
        w.comma()
        if p.deathDay >= 0 { w.date(p.deathDay) }
        w.comma()
        w.text(statusStr[Int(g.status.rawValue)]); w.comma()
        // 18–21 channel, BIN, account, account name
        w.text(channelStr[Int(p.channel.rawValue)]); w.comma()
        if p.channel == .bank {
            if o.unknownBIN { w.ascii("999999") } else { w.text(binStr[p.bin]) }
        }
        w.comma()
        if p.channel != .postCash, p.accountLen > 0 {
            w.digits(p.account, width: p.accountLen)
            if o.accountLetters { w.buf[w.n - 5] = 0x4F; w.buf[w.n - 3] = 0x49 } // O, I
        }
        w.comma()
        if p.channel == .bank { w.beginField(); writeName(p.holder, folded: true); w.endField() }
        w.comma()
        // 22–25 proxy
        if p.hasProxy {
            w.beginField(); writeName(p.proxyName, folded: false); w.endField(); w.comma()
            w.digits(p.proxyID, width: 12); w.comma()
            w.text(relationStr[Int(p.relation.rawValue)]); w.comma()
            if p.authDay >= 0 { w.date(p.authDay) }
        } else {
            w.comma(); w.comma(); w.comma()
        }
        // 26 needs_proxy: adults who receive through a proxy cannot collect in person; so do about
        // 1 in 16 of the very old without one (derived from the ID, not the generator's stream,
        // so that the other columns stay as they were).
        w.comma()
        if (p.hasProxy && !p.childProxy) || (p.age >= 85 && !p.hasProxy && p.id % 16 == 5) {
            w.bytes(Self.yes)
        }
        // 27 cared_for_birth_date: for a foster carer, one birth date per person cared for, `;`
        // between them, of an age the category names (derived from the ID, not the generator's
        // stream, so that the other columns stay as they were).
        w.comma()
        if let span = g.cat.caredForDaysBefore, g.children > 0 {
            for i in 0..<g.children {
                if i > 0 { w.byte(0x3B) }
                var h = p.id &+ UInt64(i + 1) &* 0x9E37_79B9_7F4A_7C15
                h = (h ^ (h >> 30)) &* 0xBF58_476D_1CE4_E5B9
                h = (h ^ (h >> 27)) &* 0x94D0_49BB_1331_11EB
                h ^= h >> 31
                w.date(refDay - span.lowerBound - Int(h % UInt64(span.count)))
            }
        }
        w.newline()
    }

    @inline(__always)
    private func writeName(_ n: Name, folded: Bool) {
        let t = folded ? partFolded : partText
        w.text(t[Int(n.family)]); w.byte(0x20)
        if n.middle != Name.none { w.text(t[Int(n.middle)]); w.byte(0x20) }
        if n.middle2 != Name.none { w.text(t[Int(n.middle2)]); w.byte(0x20) }
        w.text(t[Int(n.given)])
    }

    private func writeAddress(_ p: Person) {
        switch p.addrPattern {
        case 1: // 12 Lê Lợi
            w.int(p.addrN); w.text(sSpace); w.text(streetStr[p.addrItem])
        case 2: // 12 kiệt 45 Lê Lợi
            w.int(p.addrN); w.text(sKiet); w.int(p.addrK); w.text(sSpace); w.text(streetStr[p.addrItem])
        case 3: // 12 Lê Lợi, Tổ dân phố 3
            w.int(p.addrN); w.text(sSpace); w.text(streetStr[p.addrItem]); w.text(sComma); w.bytes(villageNames[p.village])
        case 4: // Gần chợ "Bến Ngự", Tổ dân phố 3
            w.text(sGanCho); w.text(landmarkStr[p.addrItem]); w.text(sQuote); w.text(sComma); w.bytes(villageNames[p.village])
        case 5: // Xóm 4, Thôn An Lưu
            w.text(sXom); w.int(p.addrK % 12 + 1); w.text(sComma); w.bytes(villageNames[p.village])
        case 6: // Số nhà 12, Thôn An Lưu
            w.text(sSoNha); w.int(p.addrN); w.text(sComma); w.bytes(villageNames[p.village])
        default:
            break
        }
    }
}

extension RollSummary {
    fileprivate func validated(validLines: Int) -> RollSummary {
        assert(validLines == beneficiaries + secondLines)
        return self
    }
}
