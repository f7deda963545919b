import ChiTraCore
import ChiTraRoll
import ChiTraStore
import Foundation
import GRDB

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

    /// Whether a beneficiary row is active on `asOf`.
    static func isActive(_ r: Row, asOf: CivilDate) -> Bool {
        guard (r["status"] as String) == "active" else { return false }
        if let d = (r["death_date"] as String?).flatMap(CivilDate.init), d <= asOf { return false }
        return true
    }

    static func place(_ s: String) -> String { VietnameseText.key(s) }

    public func worklist(_ db: Database, options o: GapOptions) throws -> GapWorklist {
        let asOf = o.asOf
        let month = asOf.yearMonth
        let everyone = try Row.fetchAll(db, sql: "SELECT * FROM beneficiary ORDER BY code")
        let active = everyone.filter { Self.isActive($0, asOf: asOf) }

        // People recorded as dead: a proxy with one of these IDs cannot receive.
        var deadIDs: [String: String] = [:]
        for r in everyone {
            if let d = (r["death_date"] as String?).flatMap(CivilDate.init), d <= asOf { deadIDs[r["personal_id"]] = d.vietnamese }
        }

        // Current grants per code (not ended before the as-of month).
        var grants: [String: [String]] = [:]
        for g in try Row.fetchAll(db, sql: "SELECT code, category FROM grant_record WHERE end_month IS NULL OR end_month >= ? ORDER BY code, category",
                                  arguments: [month.description]) {
            grants[g["code"], default: []].append(g["category"])
        }

        // One proxy for many unrelated people: count distinct households (same commune, village and address).
        var households: [String: Set<String>] = [:]
        for r in active {
            guard let pid = (r["proxy_id"] as String?), !pid.isEmpty, (r["proxy_name"] as String?) != nil else { continue }
            let address: String = r["address"]
            let key = address.isEmpty ? "code:" + (r["code"] as String)
                : Self.place(r["commune"]) + "|" + Self.place(r["village"]) + "|" + Self.place(address)
            households[pid, default: []].insert(key)
        }

        // The most recent non-cancelled batch and who it left out.
        var latestBatch: String?
        var exclusions: [String: (reason: String, owed: Int64, period: String, id: Int64)] = [:]
        if let b = try Row.fetchOne(db, sql: "SELECT id, period FROM batch WHERE status <> 'cancelled' ORDER BY period DESC, id DESC LIMIT 1") {
            let id: Int64 = b["id"], period: String = b["period"]
            latestBatch = "#\(id) \(period)"
            for x in try Row.fetchAll(db, sql: "SELECT beneficiary_code, reason, amount_owed FROM batch_exclusion WHERE batch_id = ?", arguments: [id]) {
                exclusions[x["beneficiary_code"]] = (x["reason"], x["amount_owed"], period, id)
            }
        }

        // Paid in cash in each of the last K regular batches (up to the next payment month).
        var cashMonths: [String] = []
        var paidInCash = Set<String>()
        let recent = try Row.fetchAll(db, sql: """
            SELECT id, period FROM batch WHERE status <> 'cancelled' AND supplementary = 0 AND period <= ?
            ORDER BY period DESC LIMIT ?
            """, arguments: [month.next.description, o.cashMonths])
        if recent.count == o.cashMonths {
            let ids: [Int64] = recent.map { $0["id"] }
            cashMonths = recent.map { YearMonth($0["period"] as String)!.vietnamese }.reversed()
            paidInCash = Set(try String.fetchAll(db, sql: """
                SELECT beneficiary_code FROM payout_line
                WHERE batch_id IN (\(ids.map { _ in "?" }.joined(separator: ","))) AND channel = 'post_cash' AND state NOT IN ('failed','cancelled')
                GROUP BY beneficiary_code HAVING count(DISTINCT batch_id) = ?
                """, arguments: StatementArguments(ids) + [o.cashMonths]))
        }

        let lastEvents = try GapCaseLog.lastEvents(db)

        // Place filter.
        let communeKey = o.commune.map(Self.place), villageKey = o.village.map(Self.place)
        func inScope(_ r: Row) -> Bool {
            if let c = communeKey, Self.place(r["commune"]) != c { return false }
            if let v = villageKey, Self.place(r["village"]) != v { return false }
            return true
        }

        var villages: [String: GapVillage] = [:]
        var activeInScope = 0
        for r in active where inScope(r) {
            activeInScope += 1
            let commune: String = r["commune"], village: String = r["village"]
            let key = commune + "\u{1F}" + village
            if villages[key] == nil { villages[key] = GapVillage(commune: commune, village: village, activeCount: 0, cases: []) }
            villages[key]!.activeCount += 1

            let code: String = r["code"]
            let cats = grants[code] ?? []
            let birth = CivilDate(r["birth_date"] as String)!
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
            let channel: String = r["channel"]
            let account = (r["account_no"] as String?).flatMap { $0.isEmpty ? nil : $0 }
            if channel == "post_cash" {
                flag(.noAccount, "Đang nhận tiền mặt tại bưu điện, chưa có tài khoản ngân hàng hoặc tài khoản bưu điện.")
            } else if account == nil || (channel == "bank" && (r["bank_bin"] as String?) == nil) {
                flag(.noAccount, "Hình thức chi trả là tài khoản nhưng chưa có số tài khoản.")
            }
            if let f = (r["account_flag"] as String?), !f.isEmpty {
                let at = (r["account_flag_at"] as String?).map { " (ghi nhận \(String($0.prefix(10))))" } ?? ""
                flag(.accountRejected, "Tài khoản \(account.map(maskAccount) ?? "") bị từ chối: \(AccountFlag.vietnamese(f))\(at).")
            }
            // Proxy.
            let proxyName = (r["proxy_name"] as String?).flatMap { $0.isEmpty ? nil : $0 }
            let proxyID = (r["proxy_id"] as String?).flatMap { $0.isEmpty ? nil : $0 }
            let relation: String? = r["proxy_relation"]
            let childCategory = cats.contains { tariff.category($0)?.guardianRequired == true }
            if proxyName == nil {
                if childCategory && age < 16 {
                    flag(.proxyMissing, "Trẻ em \(age) tuổi phải nhận qua người giám hộ hoặc người chăm sóc nhưng chưa có người nhận thay.")
                } else if (r["needs_proxy"] as Int) == 1 {
                    flag(.proxyMissing, "Đối tượng không tự nhận được nhưng chưa có người nhận thay.")
                }
            } else if let proxyName {
                let who = "\(proxyName)\(relation.map { " (\($0))" } ?? "")"
                if !ProxyRelation.isGuardian(relation) {
                    let until = (r["authorisation_until"] as String?).flatMap(CivilDate.init)
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
                    if proxyID == (r["personal_id"] as String) {
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
            let phone = (r["phone"] as String).trimmingCharacters(in: .whitespaces)
            if phone.isEmpty {
                flag(.noPhone, "Chưa có số điện thoại của đối tượng hoặc người thân.")
            }
            guard !flags.isEmpty else { continue }

            let atRisk = flags.contains(where: \.paymentAtRisk)
            let score = Self.score(flags: flags, age: age, categories: cats, config: config)
            villages[key]!.cases.append(GapCase(
                code: code, name: r["full_name"], age: age, commune: commune, village: village, address: r["address"],
                phone: phone.isEmpty ? nil : phone, categories: cats,
                categoryNames: cats.map { tariff.category($0)?.nameVi ?? $0 },
                personalIDMasked: PersonalID.masked(r["personal_id"]), flags: flags,
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
