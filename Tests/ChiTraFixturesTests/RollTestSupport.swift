import ChiTraCore
import Foundation

/// A minimal RFC 4180 reader and an independent checker of the rules in `formats/roll-csv.md`,
/// so the tests do not trust the generator's own idea of validity.
enum RollTestSupport {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func tempURL(_ name: String) -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("chitra-fixtures-tests-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.appendingPathComponent(name)
    }

    /// Records of a CSV file (BOM stripped); fields decoded as UTF-8 without normalisation.
    static func parse(_ data: Data) -> [[String]] {
        var bytes = [UInt8](data)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        var records: [[String]] = []
        var record: [String] = []
        var field: [UInt8] = []
        var i = 0
        var inQuotes = false
        var fieldStarted = false
        func endField() { record.append(String(decoding: field, as: UTF8.self)); field.removeAll(keepingCapacity: true); fieldStarted = false }
        while i < bytes.count {
            let b = bytes[i]
            if inQuotes {
                if b == 0x22 {
                    if i + 1 < bytes.count, bytes[i + 1] == 0x22 { field.append(0x22); i += 1 } else { inQuotes = false }
                } else { field.append(b) }
            } else if b == 0x22, field.isEmpty, !fieldStarted {
                inQuotes = true; fieldStarted = true
            } else if b == 0x2C {
                endField()
            } else if b == 0x0A {
                endField(); records.append(record); record = []
            } else if b == 0x0D {
                // CRLF: ignore the CR
            } else {
                field.append(b); fieldStarted = true
            }
            i += 1
        }
        if !field.isEmpty || !record.isEmpty { endField(); records.append(record) }
        return records
    }

    struct Category { let code: String; let ageFrom: Int?; let ageUntil: Int?; let counted: Bool; let guardian: Bool }

    static let categories: [String: Category] = {
        let data = try! Data(contentsOf: repoRoot.appendingPathComponent("formats/tariff.json"))
        let json = try! JSONSerialization.jsonObject(with: data) as! [String: Any]
        var out: [String: Category] = [:]
        for c in json["categories"] as! [[String: Any]] {
            let bands = c["bands"] as! [[String: Any]]
            let froms = bands.map { ($0["ageFrom"] as? Int) ?? 0 }
            let untils = bands.map { $0["ageUntil"] as? Int }
            let code = c["code"] as! String
            out[code] = Category(code: code, ageFrom: froms.min(),
                                 ageUntil: untils.contains(where: { $0 == nil }) ? nil : untils.compactMap { $0 }.max(),
                                 counted: (c["perCount"] as? Bool ?? false) || (c["countBands"] as? Bool ?? false),
                                 guardian: c["guardianRequired"] as? Bool ?? false)
        }
        return out
    }()

    static let bins: Set<String> = {
        let data = try! Data(contentsOf: repoRoot.appendingPathComponent("formats/banks.json"))
        let json = try! JSONSerialization.jsonObject(with: data) as! [String: Any]
        return Set((json["banks"] as! [[String: Any]]).map { $0["bin"] as! String })
    }()

    /// A row as a dictionary by column.
    struct Row {
        let line: Int
        let f: [String]
        subscript(_ c: RollColumn) -> String { f[RollColumn.allCases.firstIndex(of: c)!] }

        var sex: PersonalID.Sex? { self[.sex] == "Nam" ? .male : self[.sex] == "Nữ" ? .female : nil }
        /// Birth date; a year alone counts as 1 January.
        var birth: CivilDate? {
            let t = self[.birthDate]
            if t.count == 4, let y = Int(t) { return CivilDate(year: y, month: 1, day: 1) }
            return CivilDate(t)
        }
        var birthYear: Int? {
            let t = self[.birthDate]
            if t.count == 4 { return Int(t) }
            return Int(t.suffix(4))
        }
        func age(on d: CivilDate) -> Int? {
            guard let b = birth else { return nil }
            return d.year - b.year - ((d.month, d.day) < (b.month, b.day) ? 1 : 0)
        }
    }

    static func rows(_ records: [[String]]) -> [Row] {
        records.dropFirst().enumerated().map { Row(line: $0.offset + 2, f: $0.element) }
    }

    /// Problems of one row under `formats/roll-csv.md` (empty if valid), plus the realism rules
    /// the generator promises (age within the category's band in the reference month).
    static func problems(_ r: Row, asOf: YearMonth, today: CivilDate) -> [String] {
        var p: [String] = []
        guard r.f.count == RollColumn.allCases.count else { return ["\(r.f.count) fields"] }
        let code = r[.code]
        if code.isEmpty || code.count > 32 || !code.unicodeScalars.allSatisfy({ CharacterSet.alphanumerics.contains($0) && $0.isASCII || "._-".unicodeScalars.contains($0) }) { p.append("code") }
        if r[.fullName].isEmpty { p.append("full_name") }
        guard let birth = r.birth else { return p + ["birth_date"] }
        guard let sex = r.sex else { return p + ["sex"] }
        if case .failure(let e) = PersonalID.check(r[.personalID], sex: sex, birthYear: r.birthYear) { p.append("personal_id \(e)") }
        if r[.commune].isEmpty { p.append("commune") }
        if r[.village].isEmpty { p.append("village") }
        let phone = r[.phone]
        if !phone.isEmpty, !(phone.count == 10 && phone.allSatisfy(\.isASCII) && phone.allSatisfy(\.isNumber) && ["09", "03", "08"].contains(String(phone.prefix(2)))) { p.append("phone") }
        guard let cat = categories[r[.category]] else { return p + ["category"] }
        if cat.counted {
            if (Int(r[.children]) ?? 0) < 1 { p.append("children") }
        }
        if r[.decisionNo].isEmpty { p.append("decision_no") }
        guard let decision = CivilDate(r[.decisionDate]) else { return p + ["decision_date"] }
        if decision < birth { p.append("decision before birth") }
        if decision > today { p.append("decision in the future") }
        guard let start = YearMonth(r[.startMonth]) else { return p + ["start_month"] }
        if !r[.endMonth].isEmpty {
            guard let end = YearMonth(r[.endMonth]) else { return p + ["end_month"] }
            if end < start { p.append("end before start") }
        }
        if !r[.deathDate].isEmpty {
            guard let death = CivilDate(r[.deathDate]) else { return p + ["death_date"] }
            if death > today { p.append("death in the future") }
            if start > death.yearMonth { p.append("start after death") }
        }
        if !["Đang hưởng", "Tạm dừng", "Thôi hưởng"].contains(r[.status]) { p.append("status") }
        if r[.status] == "Thôi hưởng", r[.endMonth].isEmpty { p.append("stopped without end month") }
        let account = r[.accountNo]
        let accountOK = !account.isEmpty && account.count <= 19 && account.utf8.allSatisfy { $0 >= 48 && $0 <= 57 }
        switch r[.channel] {
        case "Tài khoản ngân hàng":
            if !bins.contains(r[.bankBIN]) { p.append("bank_bin") }
            if !accountOK { p.append("account_no") }
            if r[.accountName].isEmpty { p.append("account_name") }
        case "Tài khoản bưu điện":
            if !accountOK { p.append("account_no") }
        case "Tiền mặt tại bưu điện":
            break
        default:
            p.append("channel")
        }
        // Proxy: needs ID and relation; authorisation date unless guardian.
        if !r[.proxyName].isEmpty || !r[.proxyID].isEmpty || !r[.proxyRelation].isEmpty {
            if r[.proxyName].isEmpty || r[.proxyRelation].isEmpty { p.append("proxy incomplete") }
            if case .failure = PersonalID.check(r[.proxyID], sex: nil, birthYear: nil) { p.append("proxy_id") }
            if r[.proxyID].count != 12 { p.append("proxy_id length") }
            if r[.proxyRelation] != "Người giám hộ" {
                if CivilDate(r[.authorisationUntil]) == nil { p.append("authorisation_until") }
            }
        }
        // Realism: age within the category's band throughout the reference month, children have a proxy.
        let first = CivilDate(year: asOf.year, month: asOf.month, day: 1)!
        let last = CivilDate(year: asOf.year, month: asOf.month, day: CivilDate.daysIn(year: asOf.year, month: asOf.month))!
        for d in [first, last] {
            let a = r.age(on: d)!
            if let lo = cat.ageFrom, a < lo { p.append("age \(a) below \(lo)") }
            if let hi = cat.ageUntil, a >= hi { p.append("age \(a) not below \(hi)") }
        }
        if (r.age(on: first)! < 16 || cat.guardian), r[.proxyName].isEmpty { p.append("child without proxy") }
        return p
    }
}
