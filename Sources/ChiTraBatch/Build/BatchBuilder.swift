import ChiTraCore
import ChiTraSigning
import ChiTraStore
import Foundation
import GRDB

/// What a build did.
public struct BuildSummary: Sendable, Codable {
    public struct Group: Sendable, Codable {
        public var key: String
        public var name: String
        public var count: Int
        public var sum: Int64
    }
    public struct Excluded: Sendable, Codable {
        public var code: String
        public var name: String
        public var village: String
        public var reason: String
        public var reasonVi: String
        public var amountOwed: Int64
    }
    public var id: Int64
    public var period: String
    public var status: String
    public var rebuilt: Bool
    public var supplementary: Bool
    public var builtBy: String
    public var lineCount: Int
    public var controlSum: Int64
    public var byKind: [String: Int64]
    public var groups: [Group]
    public var excluded: [Excluded]
    public var alreadyLive: Int
    public var sharedIDs: Int
    public var inputDigest: String
}

/// Builds (or rebuilds) the draft batch for a month from the roll and the tariff.
public struct BatchBuilder {
    public let db: AppDatabase
    public let tariff: Tariff
    public let banks: BankDirectory
    public let payer: Payer

    public init(db: AppDatabase, tariff: Tariff, banks: BankDirectory, payer: Payer) {
        self.db = db; self.tariff = tariff; self.banks = banks; self.payer = payer
    }

    public func build(period: YearMonth, by actor: String, supplementary: Bool = false) throws -> BuildSummary {
        let engineRef = EntitlementEngine(tariff: tariff)
        return try db.writer.write { db in
            // 1. The batch row: rebuild a draft in place, refuse to touch a frozen one.
            let live = try Row.fetchAll(db, sql: "SELECT * FROM batch WHERE period = ? AND status <> 'cancelled' AND supplementary = ? ORDER BY id",
                                        arguments: [period.description, supplementary ? 1 : 0])
            var batchID: Int64
            var rebuilt = false
            if supplementary {
                let regular = try Row.fetchOne(db, sql: "SELECT id, status FROM batch WHERE period = ? AND status <> 'cancelled' AND supplementary = 0", arguments: [period.description])
                guard let regular, (regular["status"] as String) != "draft" else {
                    throw BatchError("there is no approved batch for \(period) to supplement", remedy: "build the regular batch first: chitra batch build --period \(period)")
                }
            }
            if let draft = live.first(where: { ($0["status"] as String) == "draft" }) {
                batchID = draft["id"]
                rebuilt = true
                try db.execute(sql: "DELETE FROM payout_line WHERE batch_id = ?", arguments: [batchID])
                try db.execute(sql: "DELETE FROM batch_exclusion WHERE batch_id = ?", arguments: [batchID])
                try db.execute(sql: "UPDATE batch SET built_by = ?, built_at = ? WHERE id = ?", arguments: [actor, Timestamp.now(), batchID])
            } else if let frozen = live.first, !supplementary {
                let st: String = frozen["status"]
                let id: Int64 = frozen["id"]
                throw BatchError("batch #\(id) for \(period) is already \(st) and frozen; building again would risk paying people twice",
                                 remedy: "to add people who became payable since, build a supplementary batch: chitra batch build --period \(period) --supplementary; to start over, cancel #\(id) first (only before export)")
            } else {
                try db.execute(sql: "INSERT INTO batch(period, supplementary, status, built_by, built_at) VALUES (?, ?, 'draft', ?, ?)",
                               arguments: [period.description, supplementary ? 1 : 0, actor, Timestamp.now()])
                batchID = db.lastInsertedRowID
            }

            // 2. Walk the roll person by person (one personal ID, perhaps several codes).
            let payDay = CivilDate(year: period.year, month: period.month, day: 1)!
            var exclusions: [(code: String, reason: ExclusionReason, owed: Int64)] = []
            var sharedIDs = 0
            let lineInsert = try db.cachedStatement(sql: """
                INSERT INTO payout_line(batch_id, reference, beneficiary_code, person_key, kind, slot, for_month, amount, group_key, channel,
                                        bank_bin, account_no, account_name, payee_name, payee_relation, category, state, carried_from)
                VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,'draft',?)
                """)
            let liveCheck = try db.cachedStatement(sql: "SELECT batch_id FROM payout_line WHERE person_key = ? AND slot = ? AND for_month = ? AND state NOT IN ('failed','cancelled')")
            let attempts = try db.cachedStatement(sql: "SELECT count(*) FROM payout_line WHERE person_key = ? AND slot = ? AND for_month = ?")
            var alreadyLive = 0
            var byKind: [String: Int64] = [:]
            var lineCount = 0
            var controlSum: Int64 = 0
            // The input digest is SHA-256 of "ref|amount|group|account\n" per line, streamed (the
            // text of a national batch would take half a gigabyte).
            let inputDigest = try SHA256Digest()
            var digestBuffer: [UInt8] = []
            digestBuffer.reserveCapacity(1 << 16)
            func feedDigest(flush: Bool = false) throws {
                guard flush || digestBuffer.count >= 1 << 16 else { return }
                try digestBuffer.withUnsafeBytes { try inputDigest.update(bytes: $0) }
                digestBuffer.removeAll(keepingCapacity: true)
            }
            var groupNames: [String: String] = [:]

            // Earlier months (up to 12) in which a person was left out of a frozen batch. (A draft can
            // still be rebuilt with them in it, so its exclusions are not carried.)
            var excludedEarlier: [String: [YearMonth]] = [:]
            for r in try Row.fetchAll(db, sql: """
                SELECT x.beneficiary_code, b.period FROM batch_exclusion x JOIN batch b ON b.id = x.batch_id
                WHERE b.status IN ('approved','exported') AND b.period < ? AND b.period >= ?
                """, arguments: [period.description, period.adding(months: -12).description]) {
                excludedEarlier[r["beneficiary_code"], default: []].append(YearMonth(r["period"] as String)!)
            }

            // Failed payments not yet sent again, by person.
            var failedEarlier: [String: [(id: Int64, slot: EntitlementKind, forMonth: YearMonth, amount: Int64, retryable: Bool, reason: String)]] = [:]
            for r in try Row.fetchAll(db, sql: """
                SELECT l.id, l.person_key, l.slot, l.for_month, l.amount, l.result_retryable, l.result_reason FROM payout_line l
                JOIN batch b ON b.id = l.batch_id
                WHERE l.state = 'failed' AND b.id <> ? AND coalesce(l.result_reason, '') NOT IN ('deceased', 'duplicate')
                """, arguments: [batchID]) {
                failedEarlier[r["person_key"], default: []].append((r["id"], EntitlementKind(rawValue: r["slot"])!, YearMonth(r["for_month"] as String)!,
                                                                   r["amount"], (r["result_retryable"] as Int?) == 1, (r["result_reason"] as String?) ?? ""))
            }

            let people = try Row.fetchCursor(db, sql: """
                SELECT b.code, b.full_name, b.birth_date, b.birth_year_only, b.personal_id, b.commune, b.village, b.status, b.death_date,
                       b.channel, b.bank_bin, b.account_no, b.account_name, b.proxy_name, b.proxy_relation, b.authorisation_until, b.account_flag,
                       g.category, g.children, g.decision_no, g.decision_date, g.start_month, g.end_month, g.status AS grant_status
                FROM beneficiary b JOIN grant_record g ON g.code = b.code
                ORDER BY b.personal_id, b.code, g.category
                """)
            var group: [WalkRow] = []
            func flush() throws {
                guard !group.isEmpty else { return }
                defer { group.removeAll(keepingCapacity: true) }
                // Several codes with one personal ID: one person, paid once under the first code.
                let codes = Array(Set(group.map { $0.code })).sorted()
                if codes.count > 1 { sharedIDs += 1 }
                let primary = group.first { $0.code == codes[0] }!
                let personKey: String = primary.personalID
                let facts = PersonFacts(code: primary.code, birthDate: CivilDate(primary.birthDate)!,
                                        birthYearOnly: primary.birthYearOnly == 1,
                                        deathDate: primary.deathDate.flatMap(CivilDate.init),
                                        status: PersonFacts.Status(rawValue: primary.status) ?? .active)
                let grants = group.map { r in
                    GrantFacts(beneficiaryCode: r.code, category: r.category, count: r.children, decisionNo: r.decisionNo,
                               decisionDate: CivilDate(r.decisionDate)!, startMonth: YearMonth(r.startMonth)!,
                               endMonth: r.endMonth.flatMap { YearMonth($0) },
                               status: PersonFacts.Status(rawValue: r.grantStatus) ?? .active)
                }
                let e = engineRef.entitlement(person: facts, grants: grants, period: period)
                // Months this person was left out of earlier frozen batches (no usable channel then) are
                // owed now, carried over in the slot of what they pay for.
                var owedLines: [(line: EntitlementLine, slot: EntitlementKind, carriedFrom: Int64?)] = e.lines.map { ($0, $0.kind, nil) }
                for q in codes.flatMap({ excludedEarlier[$0] ?? [] }).sorted() {
                    for l in engineRef.entitlement(person: facts, grants: grants, period: q).lines {
                        var carried = l
                        carried.kind = .carryOver
                        owedLines.append((carried, l.kind, nil))
                    }
                }
                // Payments the bank or post office could not make, sent again (retryable failures,
                // or an account failure whose account has since been corrected or is routed to the post office).
                let accountFlag: String? = primary.accountFlag
                for f in failedEarlier[personKey] ?? [] where f.retryable || (AccountRejection.reasons.contains(f.reason) && (accountFlag == nil || payer.routeRejectedToPostOffice == true)) {
                    let line = EntitlementLine(kind: .carryOver, forMonth: f.forMonth, amount: f.amount, basis: [], superseded: [], alreadyPaid: 0)
                    owedLines.append((line, f.slot, f.id))
                }
                guard !owedLines.isEmpty else { return }

                // Skip what is already in another live line (paid, being paid, or in a frozen batch).
                var lines: [(line: EntitlementLine, slot: EntitlementKind, carriedFrom: Int64?)] = []
                for l in owedLines {
                    if try Int64.fetchOne(liveCheck, arguments: [personKey, l.slot.rawValue, l.line.forMonth.description]) != nil {
                        alreadyLive += 1
                    } else if !lines.contains(where: { $0.slot == l.slot && $0.line.forMonth == l.line.forMonth }) {
                        lines.append(l)
                    }
                }
                guard !lines.isEmpty else { return }
                let owed = lines.reduce(Int64(0)) { $0 + $1.line.amount }

                // Where the money goes.
                let code: String = primary.code
                let channel = primary.channel
                let proxyName: String? = primary.proxyName
                let relation: String? = primary.proxyRelation
                let isGuardian = ProxyRelation.isGuardian(relation)
                var payee: String = primary.fullName
                var payeeRelation: String? = nil
                var ch = channel
                var bin: String? = primary.bankBIN
                var account: String? = primary.accountNo
                var accountName: String? = primary.accountName
                if facts.deathDate != nil {
                    // The dead cannot receive; the family or the funeral organiser collects at the post office.
                    guard let proxyName else { exclusions.append((code, .deceasedNoRecipient, owed)); return }
                    payee = proxyName; payeeRelation = relation; ch = "post_cash"; bin = nil; account = nil; accountName = nil
                } else {
                    if let proxyName {
                        if !isGuardian {
                            let until = primary.authorisationUntil.flatMap(CivilDate.init)
                            if until == nil || until! < payDay { exclusions.append((code, .authorisationExpired, owed)); return }
                        }
                        payee = proxyName; payeeRelation = relation
                    } else if grants.contains(where: { tariff.category($0.category)?.guardianRequired == true }) && facts.age(in: period) < 16 {
                        exclusions.append((code, .guardianMissing, owed)); return
                    }
                    if (ch == "bank" && (bin == nil || account == nil)) || (ch == "post_account" && account == nil) {
                        exclusions.append((code, .noAccount, owed)); return
                    }
                    if accountFlag != nil && ch != "post_cash" {
                        guard payer.routeRejectedToPostOffice == true else { exclusions.append((code, .accountRejected, owed)); return }
                        ch = "post_cash"; bin = nil; account = nil; accountName = nil
                    }
                }
                let groupKey: String
                if ch == "bank" {
                    groupKey = "BANK-" + bin!
                    groupNames[groupKey] = banks.bank(bin!)?.short ?? bin!
                } else {
                    let commune: String = primary.commune
                    groupKey = "VNPOST-" + Self.slug(commune)
                    groupNames[groupKey] = "\(payer.postOfficeName) \(commune)"
                }
                for (l, slot, carriedFrom) in lines {
                    let attempt = try Int.fetchOne(attempts, arguments: [personKey, slot.rawValue, l.forMonth.description]) ?? 0
                    let ref = Self.reference(code: code, kind: l.kind, forMonth: l.forMonth, attempt: attempt)
                    let category = l.basis.map(\.grant.category).joined(separator: "+")
                    try lineInsert.execute(arguments: [batchID, ref, code, personKey, l.kind.rawValue, slot.rawValue, l.forMonth.description, l.amount,
                                                       groupKey, ch, bin, account, accountName, payee, payeeRelation, category, carriedFrom])
                    lineCount += 1
                    let (s, o) = controlSum.addingReportingOverflow(l.amount)
                    if o { throw BatchError("the batch total overflowed; the roll is not credible") }
                    controlSum = s
                    byKind[l.kind.rawValue, default: 0] += l.amount
                    digestBuffer.append(contentsOf: "\(ref)|\(l.amount)|\(groupKey)|\(account ?? "")\n".utf8)
                    try feedDigest()
                }
            }
            while let r = try people.next() {
                let row = WalkRow(r)
                if let last = group.last, last.personalID != row.personalID { try flush() }
                group.append(row)
            }
            try flush()

            let exclusionInsert = try db.cachedStatement(sql: "INSERT INTO batch_exclusion(batch_id, beneficiary_code, reason_code, reason, amount_owed) VALUES (?,?,?,?,?)")
            for x in exclusions {
                try exclusionInsert.execute(arguments: [batchID, x.code, x.reason.rawValue, x.reason.vietnamese, x.owed])
            }

            // 3. Control totals, checked against the store to the đồng.
            let stored = try Row.fetchOne(db, sql: "SELECT count(*) AS n, coalesce(sum(amount), 0) AS s FROM payout_line WHERE batch_id = ?", arguments: [batchID])!
            guard (stored["n"] as Int) == lineCount, (stored["s"] as Int64) == controlSum else {
                throw BatchError("control totals differ between the build (\(lineCount) lines, \(controlSum) đồng) and the store; nothing was saved")
            }
            try feedDigest(flush: true)
            let digest = try inputDigest.finalizeHex()
            try db.execute(sql: "UPDATE batch SET line_count = ?, control_sum = ?, input_digest = ? WHERE id = ?",
                           arguments: [lineCount, controlSum, digest, batchID])
            try AuditLog.append(db, actor: actor, action: rebuilt ? "batch.rebuild" : "batch.build", entity: "batch", entityID: String(batchID),
                                detail: "period=\(period) lines=\(lineCount) sum=\(controlSum) excluded=\(exclusions.count) digest=\(digest)")
            let groups = try Row.fetchAll(db, sql: "SELECT group_key, count(*) AS n, sum(amount) AS s FROM payout_line WHERE batch_id = ? GROUP BY group_key ORDER BY group_key", arguments: [batchID])
                .map { BuildSummary.Group(key: $0["group_key"], name: groupNames[$0["group_key"] as String] ?? $0["group_key"], count: $0["n"], sum: $0["s"]) }
            let excluded = try BuildSummary.Excluded.all(db, batchID: batchID)
            return BuildSummary(id: batchID, period: period.description, status: "draft", rebuilt: rebuilt, supplementary: supplementary,
                                builtBy: actor, lineCount: lineCount, controlSum: controlSum, byKind: byKind, groups: groups,
                                excluded: excluded, alreadyLive: alreadyLive, sharedIDs: sharedIDs, inputDigest: digest)
        }
    }

    /// One line of the roll walk (a person and one grant), decoded once by column position in
    /// the order of the walk's SELECT (no copy of the SQLite row, no lookup by column name).
    struct WalkRow {
        let code: String, fullName: String, birthDate: String, birthYearOnly: Int, personalID: String, commune: String
        let status: String, deathDate: String?, channel: String, bankBIN: String?, accountNo: String?, accountName: String?
        let proxyName: String?, proxyRelation: String?, authorisationUntil: String?, accountFlag: String?
        let category: String, children: Int?, decisionNo: String, decisionDate: String, startMonth: String, endMonth: String?
        let grantStatus: String
        init(_ r: Row) {
            code = r[0]; fullName = r[1]; birthDate = r[2]; birthYearOnly = r[3]; personalID = r[4]; commune = r[5]
            // r[6] is b.village (read by nothing in the walk)
            status = r[7]; deathDate = r[8]; channel = r[9]; bankBIN = r[10]; accountNo = r[11]; accountName = r[12]
            proxyName = r[13]; proxyRelation = r[14]; authorisationUntil = r[15]; accountFlag = r[16]
            category = r[17]; children = r[18]; decisionNo = r[19]; decisionDate = r[20]; startMonth = r[21]; endMonth = r[22]
            grantStatus = r[23]
        }
    }

    /// A reference unique for ever and stable across rebuilds: derived from the beneficiary code,
    /// the kind, the month paid for and how many earlier lines that person-kind-month had
    /// (a payment sent again after a failure gets a new one). ≤ 35 characters, [A-Z0-9-].
    public static func reference(code: String, kind: EntitlementKind, forMonth: YearMonth, attempt: Int) -> String {
        let letter: String
        switch kind {
        case .allowance: letter = "A"
        case .care: letter = "C"
        case .arrears: letter = "R"
        case .careArrears: letter = "Q"
        case .funeral: letter = "F"
        case .carryOver: letter = "O"
        }
        let h = FileDigest.sha256Hex(Data("\(code)|\(kind.rawValue)|\(forMonth)|\(attempt)".utf8))
        return "CT\(forMonth.compact)\(letter)\(attempt)-" + h.prefix(20).uppercased()
    }

    /// ASCII slug of a commune name for group keys: "Phường Hương Trà" → "PHUONG-HUONG-TRA".
    public static func slug(_ s: String) -> String {
        VietnameseText.bankForm(s).map { $0.isLetter || $0.isNumber ? String($0) : "-" }.joined()
            .split(separator: "-").joined(separator: "-")
    }
}
