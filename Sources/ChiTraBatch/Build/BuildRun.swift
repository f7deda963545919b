import ChiTraCore
import ChiTraSigning
import ChiTraStore
import GRDB

/// One build of one batch: what each person of the roll walk is owed and where it goes, staged
/// line by line, with the running totals and the input digest. The rules are `BatchBuilder`'s
/// (unchanged); this type only holds the state of a build so the walk can stream.
final class BuildRun {
    private let db: Database
    private let builder: BatchBuilder
    private let engine: EntitlementEngine
    private let period: YearMonth
    private let payDay: CivilDate
    private let batchID: Int64
    private let sql: RawSQL
    private let earlier: EarlierPayments
    private let excludedEarlier: ExcludedEarlier
    private let carryOver: CarryOverRule
    let staging: PayoutLineStaging
    private let exclusionInsert: Statement

    private(set) var lineCount = 0
    private(set) var controlSum: Int64 = 0
    private(set) var byKind: [String: Int64] = [:]
    private(set) var alreadyLive = 0
    /// Where the amounts already live elsewhere are: batch id → count.
    private(set) var alreadyLiveByBatch: [Int64: Int] = [:]
    /// Failed payments not carried over because an open return exception holds them.
    private(set) var heldCount = 0
    private(set) var heldSum: Int64 = 0
    private(set) var sharedIDs = 0
    private(set) var exclusionCount = 0
    private(set) var groupNames: [String: String] = [:]

    // The input digest is SHA-256 of "ref|amount|group|account\n" per line, streamed (the text of a
    // national batch would take half a gigabyte).
    private let inputDigest: SHA256Digest
    private var digestBuffer: [UInt8] = []

    // Per-build caches of what depends only on a short, repeated text.
    private var communeGroup: [String: String] = [:]
    private var guardianRelation: [String: Bool] = [:]
    private var guardianCategory: [String: Bool] = [:]

    typealias OwedLine = (line: EntitlementLine, slot: EntitlementKind, carriedFrom: Int64?)
    private var owedLines: [OwedLine] = []
    private var lines: [OwedLine] = []

    init(_ db: Database, builder: BatchBuilder, engine: EntitlementEngine, period: YearMonth, batchID: Int64, supplementary: Bool) throws {
        self.db = db; self.builder = builder; self.engine = engine; self.period = period; self.batchID = batchID
        payDay = CivilDate(year: period.year, month: period.month, day: 1)!
        sql = RawSQL(db: db)
        earlier = try EarlierPayments(db, batchID: batchID)
        carryOver = try CarryOverRule(db, period: period, batchID: batchID, supplementary: supplementary)
        excludedEarlier = try ExcludedEarlier(db, period: period)
        staging = try PayoutLineStaging(db)
        exclusionInsert = try db.makeStatement(sql: "INSERT INTO batch_exclusion(batch_id, beneficiary_code, reason_code, reason, amount_owed) VALUES (?,?,?,?,?)")
        inputDigest = try SHA256Digest()
        digestBuffer.reserveCapacity(1 << 16)
    }

    private func feedDigest(flush: Bool = false) throws {
        guard flush || digestBuffer.count >= 1 << 16 else { return }
        try digestBuffer.withUnsafeBytes { try inputDigest.update(bytes: $0) }
        digestBuffer.removeAll(keepingCapacity: true)
    }

    func finalizeDigest() throws -> String {
        try feedDigest(flush: true)
        return try inputDigest.finalizeHex()
    }

    /// Called after the last person: no statement of the walk is left running.
    func finishWalk() { excludedEarlier.close() }

    /// Someone owed money left out of the file, recorded as they are met (same order, same rows
    /// as when they were collected and written after the walk).
    private func exclude(_ code: String, _ reason: ExclusionReason, _ owed: Int64) throws {
        try sql.bind(exclusionInsert, 1, batchID)
        try sql.bind(exclusionInsert, 2, code)
        try sql.bind(exclusionInsert, 3, reason.rawValue)
        try sql.bind(exclusionInsert, 4, reason.vietnamese)
        try sql.bind(exclusionInsert, 5, owed)
        try sql.execute(exclusionInsert)
        exclusionCount += 1
    }

    private func isGuardian(_ relation: String?) -> Bool {
        guard let relation else { return ProxyRelation.isGuardian(nil) }
        if let known = guardianRelation[relation] { return known }
        let v = ProxyRelation.isGuardian(relation)
        guardianRelation[relation] = v
        return v
    }

    private func needsGuardian(_ category: String) -> Bool {
        if let known = guardianCategory[category] { return known }
        let v = builder.tariff.category(category)?.guardianRequired == true
        guardianCategory[category] = v
        return v
    }

    /// One personal ID: the lines of the walk under it (one per code and grant).
    func person(_ group: [WalkRow]) throws {
        let payer = builder.payer
        // Several codes with one personal ID: one person, paid once under the first code.
        let codes: [String]
        if group.count == 1 || group.allSatisfy({ $0.code == group[0].code }) {
            codes = [group[0].code]
        } else {
            codes = Array(Set(group.map { $0.code })).sorted()
        }
        if codes.count > 1 { sharedIDs += 1 }
        let primary = group.first { $0.code == codes[0] }!
        let personKey: String = primary.personalID
        let facts = PersonFacts(code: primary.code, birthDate: BuildDates.civilDate(primary.birthDate)!,
                                birthYearOnly: primary.birthYearOnly == 1,
                                deathDate: primary.deathDate.flatMap(BuildDates.civilDate),
                                status: PersonFacts.Status(rawValue: primary.status) ?? .active)
        let grants = group.map { r in
            GrantFacts(beneficiaryCode: r.code, category: r.category, count: r.children, decisionNo: r.decisionNo,
                       decisionDate: r.decisionDate, startMonth: r.startMonth, endMonth: r.endMonth,
                       status: PersonFacts.Status(rawValue: r.grantStatus) ?? .active)
        }
        owedLines.removeAll(keepingCapacity: true)
        for l in engine.lines(person: facts, grants: grants, period: period) { owedLines.append((l, l.kind, nil)) }
        // Months this person was left out of earlier frozen batches (no usable channel then) are
        // owed now, carried over in the slot of what they pay for (never in a supplementary batch).
        for q in carryOver.supplementary ? [] : try excludedEarlier.months(personalID: personKey, codes: codes) {
            for l in engine.lines(person: facts, grants: grants, period: q) {
                var carried = l
                carried.kind = .carryOver
                owedLines.append((carried, l.kind, nil))
            }
        }
        // Payments the bank or post office could not make, sent again (retryable failures,
        // or an account failure whose account has since been corrected or is routed to the post office).
        try earlier.load(personKey: personKey)
        let accountFlag: String? = primary.accountFlag
        // Only into the first regular batch after the failure, and not while an exception holds it (`CarryOverRule`).
        for f in earlier.failed where f.retryable || (AccountRejection.reasons.contains(f.reason) && (accountFlag == nil || payer.routeRejectedToPostOffice == true)) {
            switch carryOver.verdict(lineID: f.id, failedInBatch: f.batchID) {
            case .notHere: continue
            case .held:
                // Counted once: not when a carry-over of it is already live (sent before the exception came).
                if try earlier.liveBatch(personKey: personKey, slot: f.slot, forMonth: f.forMonth) == nil { heldCount += 1; heldSum += f.amount }
                continue
            case .carry: break
            }
            let line = EntitlementLine(kind: .carryOver, forMonth: f.forMonth, amount: f.amount, basis: [], superseded: [], alreadyPaid: 0)
            owedLines.append((line, f.slot, f.id))
        }
        guard !owedLines.isEmpty else { return }

        // Skip what is already in another live line (paid, being paid, or in a frozen batch).
        lines.removeAll(keepingCapacity: true)
        for l in owedLines {
            // A month whose payment failed is sent again only as the carry-over of the failed line
            // (into the next regular batch, not while an exception holds it): a supplementary batch
            // for that month must not pay it afresh.
            if l.carriedFrom == nil && earlier.hasFailed(slot: l.slot, forMonth: l.line.forMonth) { continue }
            if let other = try earlier.liveBatch(personKey: personKey, slot: l.slot, forMonth: l.line.forMonth) {
                alreadyLive += 1
                alreadyLiveByBatch[other, default: 0] += 1
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
        var payee: String = primary.fullName
        var payeeRelation: String? = nil
        var ch = channel
        var bin: String? = primary.bankBIN
        var account: String? = primary.accountNo
        var accountName: String? = primary.accountName
        if facts.deathDate != nil {
            // The dead cannot receive; the family or the funeral organiser collects at the post office.
            guard let proxyName else { try exclude(code, .deceasedNoRecipient, owed); return }
            payee = proxyName; payeeRelation = relation; ch = "post_cash"; bin = nil; account = nil; accountName = nil
        } else {
            if let proxyName {
                if !isGuardian(relation) {
                    let until = primary.authorisationUntil.flatMap(BuildDates.civilDate)
                    if until == nil || until! < payDay { try exclude(code, .authorisationExpired, owed); return }
                }
                payee = proxyName; payeeRelation = relation
            } else if grants.contains(where: { needsGuardian($0.category) }) && facts.age(in: period) < 16 {
                try exclude(code, .guardianMissing, owed); return
            }
            if (ch == "bank" && (bin == nil || account == nil)) || (ch == "post_account" && account == nil) {
                try exclude(code, .noAccount, owed); return
            }
            if accountFlag != nil && ch != "post_cash" {
                guard payer.routeRejectedToPostOffice == true else { try exclude(code, .accountRejected, owed); return }
                ch = "post_cash"; bin = nil; account = nil; accountName = nil
            }
        }
        let groupKey: String
        if ch == "bank" {
            // The file of the bank where the commune pays from: the beneficiary's own bank when
            // the commune holds an account there (per-bank files), else the commune's own bank,
            // which credits the other bank through the interbank clearing (payer.json).
            let fileBank = payer.fileBank(forCreditorBIN: bin!)
            groupKey = "BANK-" + fileBank
            groupNames[groupKey] = builder.banks.bank(fileBank)?.short ?? fileBank
        } else {
            let commune: String = primary.commune
            if let known = communeGroup[commune] {
                groupKey = known
            } else {
                groupKey = "VNPOST-" + BatchBuilder.slug(commune)
                communeGroup[commune] = groupKey
            }
            groupNames[groupKey] = "\(payer.postOfficeName) \(commune)"
        }
        for (l, slot, carriedFrom) in lines {
            let attempt = earlier.attempts(slot: slot, forMonth: l.forMonth)
            let ref = PaymentReference.make(code: code, kind: l.kind, forMonth: l.forMonth, attempt: attempt, slot: slot)
            let category = l.basis.count == 1 ? l.basis[0].grant.category : l.basis.map(\.grant.category).joined(separator: "+")
            try staging.add(reference: ref, code: code, personKey: personKey, kind: l.kind.rawValue, slot: slot.rawValue,
                            forMonth: l.forMonth.description, amount: l.amount, groupKey: groupKey, channel: ch,
                            bankBIN: bin, accountNo: account, accountName: accountName, payee: payee,
                            payeeRelation: payeeRelation, category: category, carriedFrom: carriedFrom)
            lineCount += 1
            let (s, o) = controlSum.addingReportingOverflow(l.amount)
            if o {
                // The lines staged so far go in first: a line the store refuses is reported before
                // the overflow, as when every line was inserted as it was made.
                _ = try staging.insertAll(batchID: batchID, drop: false)   // the transaction is rolled back
                throw BatchError("the batch total overflowed; the roll is not credible")
            }
            controlSum = s
            byKind[l.kind.rawValue, default: 0] += l.amount
            digestBuffer.append(contentsOf: ref.utf8)
            digestBuffer.append(0x7C)
            digestBuffer.append(contentsOf: String(l.amount).utf8)
            digestBuffer.append(0x7C)
            digestBuffer.append(contentsOf: groupKey.utf8)
            digestBuffer.append(0x7C)
            if let account { digestBuffer.append(contentsOf: account.utf8) }
            digestBuffer.append(0x0A)
            try feedDigest()
        }
    }
}
