import ChiTraCore
import ChiTraRoll
import ChiTraStore
import Foundation
import GRDB   // only to open transactions and name them (`Database`)

/// Finds every active beneficiary without a usable non-cash payment and says why, village by village.
///
/// Active means status `active` and not dead on the as-of date. Each reason is a `GapFlag`;
/// a case is scored with the weights in `formats/gaps.json` and listed highest first.
///
/// ```swift
/// let list = try GapFinder(tariff: tariff, config: config).worklist(db, options: GapOptions(config: config))
/// ```
public struct GapFinder: Sendable {
    public let tariff: Tariff
    public let config: GapConfig

    public init(tariff: Tariff, config: GapConfig) {
        self.tariff = tariff; self.config = config
    }

    /// The worklist as of `options.asOf`, read in one snapshot of the store.
    public func worklist(_ db: AppDatabase, options: GapOptions) throws -> GapWorklist {
        try db.writer.read { try worklist($0, options: options) }
    }

    /// Whether a beneficiary is active on `asOf`.
    static func isActive(_ r: GapPersonRecord, asOf: CivilDate) -> Bool {
        guard r.status == .active else { return false }
        if let d = r.deathDate, d <= asOf { return false }
        return true
    }

    static func place(_ s: String) -> String { VietnameseText.key(s) }

    public func worklist(_ db: Database, options o: GapOptions) throws -> GapWorklist {
        let asOf = o.asOf
        let month = asOf.yearMonth
        let everyone = try GapPeople.everyone(db)
        let active = everyone.filter { Self.isActive($0, asOf: asOf) }

        // People recorded as dead: a proxy with one of these IDs cannot receive.
        var deadIDs: [String: String] = [:]
        for r in everyone {
            if let d = r.deathDate, d <= asOf { deadIDs[r.personalID] = d.vietnamese }
        }

        // Current grants per code (not ended before the as-of month).
        var grants: [String: [String]] = [:]
        for g in try GapPeople.currentGrants(db, month: month) {
            grants[g.code, default: []].append(g.category)
        }

        // One proxy for many unrelated people: count distinct households (same commune, village and address).
        var households: [String: Set<String>] = [:]
        for r in active {
            guard let pid = r.proxyID, !pid.isEmpty, r.proxyName != nil else { continue }
            let address = r.address
            let key = address.isEmpty ? "code:" + r.code
                : Self.place(r.commune) + "|" + Self.place(r.village) + "|" + Self.place(address)
            households[pid, default: []].insert(key)
        }

        // The most recent non-cancelled batch and who it left out.
        var latestBatch: String?
        var exclusions: [String: (reason: String, owed: Int64, period: String, id: Int64)] = [:]
        if let b = try GapBatches.latest(db) {
            let id = b.id, period = b.period
            latestBatch = "#\(id) \(period)"
            for x in try GapBatches.exclusions(db, batchID: id) {
                exclusions[x.code] = (x.reason, x.owed, period, id)
            }
        }

        // Paid in cash in each of the last K regular batches (up to the next payment month).
        var cashMonths: [String] = []
        var paidInCash = Set<String>()
        let recent = try GapBatches.recentRegular(db, upTo: month.next, limit: o.cashMonths)
        if recent.count == o.cashMonths {
            cashMonths = recent.map { YearMonth($0.period)!.vietnamese }.reversed()
            paidInCash = try GapBatches.paidInCashInEvery(db, batchIDs: recent.map(\.id))
        }

        let lastEvents = try GapCaseLog.lastEvents(db)

        // Place filter.
        let communeKey = o.commune.map(Self.place), villageKey = o.village.map(Self.place)
        func inScope(_ r: GapPersonRecord) -> Bool {
            if let c = communeKey, Self.place(r.commune) != c { return false }
            if let v = villageKey, Self.place(r.village) != v { return false }
            return true
        }

        var villages: [String: GapVillage] = [:]
        var activeInScope = 0
        for r in active where inScope(r) {
            activeInScope += 1
            let commune = r.commune, village = r.village
            let key = commune + "\u{1F}" + village
            if villages[key] == nil { villages[key] = GapVillage(commune: commune, village: village, activeCount: 0, cases: []) }
            villages[key]!.activeCount += 1

            let code = r.code
            let cats = grants[code] ?? []
            let birth = r.birthDate
            let age = birth.age(on: asOf)
            var flags: [GapFlag] = []
            func flag(_ reason: GapReason, _ detail: String, atRisk: Bool? = nil) {
                let c = config.reason(reason)
                flags.append(GapFlag(reason: reason, label: c.label, detail: detail, paymentAtRisk: atRisk ?? c.paymentAtRisk))
            }

            // Left out of the latest batch.
            if let x = exclusions[code] {
                flag(.excludedLatestBatch, "Bị loại khỏi danh sách chi trả tháng \(YearMonth(x.period)!.vietnamese) (đợt #\(x.id)): \(x.reason); còn nợ \(Money.vietnamese(x.owed)) đồng.")
            }
            // Account.
            let channel = r.channel
            let account = r.accountNo.flatMap { $0.isEmpty ? nil : $0 }
            if channel == .postCash {
                flag(.noAccount, "Đang nhận tiền mặt tại bưu điện, chưa có tài khoản ngân hàng hoặc tài khoản bưu điện.")
            } else if account == nil || (channel == .bank && r.bankBIN == nil) {
                flag(.noAccount, "Hình thức chi trả là tài khoản nhưng chưa có số tài khoản.")
            }
            if let f = r.accountFlag, !f.isEmpty {
                let at = r.accountFlagAt.map { " (ghi nhận \(String($0.prefix(10))))" } ?? ""
                flag(.accountRejected, "Tài khoản \(account.map(maskAccount) ?? "") bị từ chối: \(AccountFlag.vietnamese(f))\(at).")
            }
            // Proxy.
            let proxyName = r.proxyName.flatMap { $0.isEmpty ? nil : $0 }
            let proxyID = r.proxyID.flatMap { $0.isEmpty ? nil : $0 }
            let relation = r.proxyRelation
            let childCategory = cats.contains { tariff.category($0)?.guardianRequired == true }
            if proxyName == nil {
                if childCategory && age < 16 {
                    flag(.proxyMissing, "Trẻ em \(age) tuổi phải nhận qua người giám hộ hoặc người chăm sóc nhưng chưa có người nhận thay.")
                } else if r.needsProxy {
                    flag(.proxyMissing, "Đối tượng không tự nhận được nhưng chưa có người nhận thay.")
                }
            } else if let proxyName {
                let who = "\(proxyName)\(relation.map { " (\($0))" } ?? "")"
                if !ProxyRelation.isGuardian(relation) {
                    let until = r.authorisationUntil
                    if let until {
                        if until < asOf {
                            flag(.authorisationExpired, "Giấy ủy quyền cho \(who) đã hết hạn ngày \(until.vietnamese).")
                        } else if until <= asOf.adding(days: o.expiringDays) {
                            let next = o.nextPaymentDay
                            if until < next {
                                flag(.authorisationExpiring, "Giấy ủy quyền cho \(who) hết hạn ngày \(until.vietnamese), trước kỳ chi trả tháng \(next.yearMonth.vietnamese).", atRisk: true)
                            } else {
                                let days = Self.days(from: asOf, to: until)
                                flag(.authorisationExpiring, "Giấy ủy quyền cho \(who) hết hạn ngày \(until.vietnamese) (còn \(days) ngày).")
                            }
                        }
                    } else {
                        flag(.authorisationExpired, "Giấy ủy quyền cho \(who) không ghi ngày hết hạn.")
                    }
                }
                if let proxyID {
                    if proxyID == r.personalID {
                        flag(.proxyIsSelf, "Số định danh của người nhận thay \(proxyName) trùng với số định danh của chính đối tượng; cần xác minh người nhận thật.")
                    }
                    if let n = households[proxyID]?.count, n > o.proxyMax {
                        flag(.proxyMany, "Người nhận thay \(proxyName) (\(PersonalID.masked(proxyID))) đang nhận thay cho đối tượng ở \(n) hộ khác nhau (tối đa \(o.proxyMax)); cần xác minh.")
                    }
                    if let d = deadIDs[proxyID] {
                        flag(.proxyDeceased, "Người nhận thay \(proxyName) (\(PersonalID.masked(proxyID))) được ghi là đã mất ngày \(d); cần người nhận thay mới.")
                    }
                }
            }
            if paidInCash.contains(code), let first = cashMonths.first, let last = cashMonths.last {
                flag(.cashPaid, "Đã nhận tiền mặt trong \(o.cashMonths) đợt chi trả gần nhất (\(first)–\(last)).")
            }
            let phone = r.phone.trimmingCharacters(in: .whitespaces)
            if phone.isEmpty {
                flag(.noPhone, "Chưa có số điện thoại của đối tượng hoặc người thân.")
            }
            guard !flags.isEmpty else { continue }

            let atRisk = flags.contains(where: \.paymentAtRisk)
            let score = Self.score(flags: flags, age: age, categories: cats, config: config)
            villages[key]!.cases.append(GapCase(
                code: code, name: r.fullName, age: age, commune: commune, village: village, address: r.address,
                phone: phone.isEmpty ? nil : phone, categories: cats,
                categoryNames: cats.map { tariff.category($0)?.nameVi ?? $0 },
                personalIDMasked: PersonalID.masked(r.personalID), flags: flags,
                missing: flags.map(\.detail).joined(separator: " "),
                bring: Self.bring(flags.map { config.reason($0.reason).bring }),
                paymentAtRisk: atRisk, score: score, lastEvent: lastEvents[code]))
        }

        var list = Array(villages.values)
        for i in list.indices {
            list[i].cases.sort { a, b in
                if a.score != b.score { return a.score > b.score }
                if a.age != b.age { return a.age > b.age }
                return a.code < b.code
            }
        }
        list.sort { a, b in
            let c = a.commune.compare(b.commune, options: [.numeric, .caseInsensitive])
            if c != .orderedSame { return c == .orderedAscending }
            return a.village.compare(b.village, options: [.numeric, .caseInsensitive]) == .orderedAscending
        }
        return GapWorklist(asOf: asOf.description, expiringDays: o.expiringDays, proxyMax: o.proxyMax, cashMonths: o.cashMonths,
                           latestBatch: latestBatch, activeCount: activeInScope, villages: list)
    }

    /// The priority score (higher first); see `formats/gaps.md`.
    public static func score(flags: [GapFlag], age: Int, categories: [String], config: GapConfig) -> Int {
        let p = config.priority
        var s = flags.contains(where: \.paymentAtRisk) ? p.paymentAtRisk : 0
        s += max(0, age) * p.perYearOfAge
        s += categories.compactMap { p.categories[$0] }.max() ?? 0
        for r in Set(flags.map(\.reason)) { s += config.reason(r).weight }
        return s
    }

    /// The documents to bring, in order, without repeats; an item contained in a longer one is dropped
    /// ("CCCD của đối tượng" when "CCCD của đối tượng và người nhận thay" is also asked).
    static func bring(_ lists: [[String]]) -> String {
        var items: [String] = []
        for i in lists.joined() where !items.contains(i) { items.append(i) }
        let kept = items.filter { i in !items.contains { $0 != i && $0.hasPrefix(i) } }
        guard var s = kept.first.map({ _ in kept.joined(separator: "; ") }) else { return "" }
        s = s.prefix(1).uppercased() + s.dropFirst()
        return s
    }

    static func days(from a: CivilDate, to b: CivilDate) -> Int {
        var n = 0
        var d = a
        while d < b && n < 10_000 { d = d.adding(days: 1); n += 1 }
        return n
    }
}
