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
    private let earlier: EarlierPayments
    private let excludedEarlier: ExcludedEarlier
    private let carryOver: CarryOverRule
    let staging: PayoutLineStaging
    private let exclusions: BatchExclusions.Recorder

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
    /// Makes the lines' references (one OpenSSL context for the whole build).
    private let references: PaymentReference
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
        earlier = try EarlierPayments(db, batchID: batchID)
        carryOver = try CarryOverRule(db, period: period, batchID: batchID, supplementary: supplementary)
        excludedEarlier = try ExcludedEarlier(db, period: period)
        staging = try PayoutLineStaging(db)
        exclusions = try BatchExclusions.Recorder(db, batchID: batchID)
        inputDigest = try SHA256Digest()
        references = try PaymentReference()
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

    /// Failed or cancelled lines the build read (roll walk and funeral claims) whose outcome was
    /// changed outside ChiTra (`OutcomeSeal`): how many, and the first 20.
    var unsealedOutcomes: (count: Int, lines: [String]) { (earlier.unsealedCount, earlier.unsealed) }

    /// Someone owed money left out of the file, recorded as they are met (same order, same rows
    /// as when they were collected and written after the walk).
    private func exclude(_ code: String, _ reason: ExclusionReason, _ owed: Int64) throws {
        try exclusions.record(code: code, reason: reason, amountOwed: owed)
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
                       status: PersonFacts.Status(rawValue: r.grantStatus) ?? .active,
                       caredForBirthDates: CaredForBirthDates.parse(r.caredForBirthDates))
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
        // (A failed funeral payment is the organiser's, sent again by `funeralClaims()`, never to the person's own channel.)
        for f in earlier.failed where f.slot != .funeral
            && (f.retryable || (AccountRejection.reasons.contains(f.reason) && (accountFlag == nil || payer.routeRejectedToPostOffice == true))) {
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
        // Suspended (a death reported by the bank or post office, not yet decided): nothing is sent,
        // not even what failed earlier; those payments stay failed and are carried once the
        // person is active again (or paid to the proxy once the death is on the roll).
        if facts.status == .suspended && facts.deathDate == nil { try exclude(code, .suspended, owed); return }
        if facts.deathDate != nil {
            // The dead cannot receive; their proxy collects what was owed up to the death at the
            // post office. (Funeral support is not theirs: it goes to the organiser, `funeralClaims`.)
            guard let proxyName else { try exclude(code, .deceasedNoRecipient, owed); return }
            payee = proxyName; payeeRelation = relation; ch = .postCash; bin = nil; account = nil; accountName = nil
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
            if (ch == .bank && (bin == nil || account == nil)) || (ch == .postAccount && account == nil) {
                try exclude(code, .noAccount, owed); return
            }
            if accountFlag != nil && ch != .postCash {
                guard payer.routeRejectedToPostOffice == true else { try exclude(code, .accountRejected, owed); return }
                ch = .postCash; bin = nil; account = nil; accountName = nil
            }
        }
        let groupKey = payoutGroup(channel: ch, bankBIN: bin, commune: primary.commune)
        for (l, slot, carriedFrom) in lines {
            let category = l.basis.count == 1 ? l.basis[0].grant.category : l.basis.map(\.grant.category).joined(separator: "+")
            try stage(code: code, personKey: personKey, kind: l.kind, slot: slot, forMonth: l.forMonth, amount: l.amount, groupKey: groupKey,
                      channel: ch, bankBIN: bin, accountNo: account, accountName: accountName, payee: payee, payeeRelation: payeeRelation,
                      category: category, carriedFrom: carriedFrom)
        }
    }

    /// One payout line: staged, counted into the totals and the input digest.
    // swiftlint:disable:next function_parameter_count
    private func stage(code: String, personKey: String, kind: EntitlementKind, slot: EntitlementKind, forMonth: YearMonth, amount: Int64,
                       groupKey: String, channel ch: Channel, bankBIN bin: String?, accountNo account: String?, accountName: String?,
                       payee: String, payeeRelation: String?, category: String, carriedFrom: Int64?) throws {
        let attempt = earlier.attempts(slot: slot, forMonth: forMonth)
        let ref = try references.make(code: code, kind: kind, forMonth: forMonth, attempt: attempt, slot: slot)
        try staging.add(reference: ref, code: code, personKey: personKey, kind: kind, slot: slot,
                        forMonth: forMonth.description, amount: amount, groupKey: groupKey, channel: ch,
                        bankBIN: bin, accountNo: account, accountName: accountName, payee: payee,
                        payeeRelation: payeeRelation, category: category, carriedFrom: carriedFrom)
        lineCount += 1
        let (s, o) = controlSum.addingReportingOverflow(amount)
        if o {
            // The lines staged so far go in first: a line the store refuses is reported before
            // the overflow, as when every line was inserted as it was made.
            _ = try staging.insertAll(batchID: batchID, drop: false)   // the transaction is rolled back
            throw BatchError(Message("batch.build.overflow"))
        }
        controlSum = s
        byKind[kind.rawValue, default: 0] += amount
        digestBuffer.append(contentsOf: ref.utf8)
        digestBuffer.append(0x7C)
        digestBuffer.append(contentsOf: String(amount).utf8)
        digestBuffer.append(0x7C)
        digestBuffer.append(contentsOf: groupKey.utf8)
        digestBuffer.append(0x7C)
        if let account { digestBuffer.append(contentsOf: account.utf8) }
        digestBuffer.append(0x0A)
        try feedDigest()
    }

    /// The payout group of a channel: the bank's BIN, or the post office of the commune.
    private func payoutGroup(channel ch: Channel, bankBIN bin: String?, commune: String) -> String {
        let payer = builder.payer
        let groupKey: String
        if ch == .bank {
            // The file of the bank where the commune pays from: the beneficiary's own bank when
            // the commune holds an account there (per-bank files), else the commune's own bank,
            // which credits the other bank through the interbank clearing (payer.json).
            let fileBank = payer.fileBank(forCreditorBIN: bin!)
            groupKey = "BANK-" + fileBank
            groupNames[groupKey] = builder.banks.bank(fileBank)?.short ?? fileBank
        } else {
            if let known = communeGroup[commune] {
                groupKey = known
            } else {
                groupKey = "VNPOST-" + BatchBuilder.slug(commune)
                communeGroup[commune] = groupKey
            }
            groupNames[groupKey] = "\(payer.postOfficeName) \(commune)"
        }
        return groupKey
    }

    /// Funeral support claims not paid by this build: waiting for a new organiser's account after
    /// a rejection, or for the roll to record again the death they were made on.
    private(set) var funeralWaiting = 0

    /// Funeral support (Decree 20/2021 Art. 11), after the roll walk: every active claim is paid
    /// once, to whoever organised the burial (payee, channel and account of the claim), as a
    /// `funeral` line of the deceased — person key their personal ID, month the month of death —
    /// so that the store's one-live-line index refuses a second payment. Not to the deceased's
    /// proxy, and whether or not the roll has one. A payment that failed is sent again only as its
    /// carry-over: when retryable, or after the claim's account was changed (`funeral
    /// set-account`), into the first regular batch that can take it (`CarryOverRule`).
    func funeralClaims() throws {
        for c in try FuneralClaims.payable(db) {
            // Paid only while the roll records the death the claim was made on (a death date
            // corrected or withdrawn since waits for the claim to be checked).
            guard c.deathOnRoll else { funeralWaiting += 1; continue }
            try earlier.load(personKey: c.personKey)
            if let other = try earlier.liveBatch(personKey: c.personKey, slot: .funeral, forMonth: c.deathMonth) {
                alreadyLive += 1
                alreadyLiveByBatch[other, default: 0] += 1
                continue
            }
            var kind = EntitlementKind.funeral
            var carriedFrom: Int64?
            var amount = c.amount
            if earlier.hasFailed(slot: .funeral, forMonth: c.deathMonth) {
                guard let f = earlier.failed.filter({ $0.slot == .funeral && $0.forMonth == c.deathMonth }).max(by: { $0.id < $1.id }),
                      f.retryable || (AccountRejection.reasons.contains(f.reason) && c.accountFlag == nil) else {
                    funeralWaiting += 1
                    continue
                }
                switch carryOver.verdict(lineID: f.id, failedInBatch: f.batchID) {
                case .notHere: continue
                case .held: heldCount += 1; heldSum += f.amount; continue
                case .carry: kind = .carryOver; carriedFrom = f.id; amount = f.amount
                }
            }
            let channel = c.channel
            let groupKey = payoutGroup(channel: channel, bankBIN: c.bankBIN, commune: c.commune)
            try stage(code: c.deceasedCode, personKey: c.personKey, kind: kind, slot: .funeral, forMonth: c.deathMonth, amount: amount,
                      groupKey: groupKey, channel: channel, bankBIN: c.bankBIN, accountNo: c.accountNo, accountName: c.accountName,
                      payee: c.payeeName, payeeRelation: c.payeeRelation, category: "", carriedFrom: carriedFrom)
        }
    }
}
