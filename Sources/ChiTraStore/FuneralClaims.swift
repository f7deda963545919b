import ChiTraCore
import Foundation
import GRDB

/// Who organised a burial (Decree 20/2021 Art. 11: "cơ quan, tổ chức, cá nhân tổ chức mai táng").
public enum FuneralOrganiserKind: String, Sendable, Codable, CaseIterable {
    /// A relative of the deceased (child, spouse, sibling…): a person, with an ID and the relation.
    case relative
    /// Another person (a neighbour, a friend): a person, with an ID.
    case otherPerson = "other_person"
    /// An agency or organisation (the commune, a pagoda, an association): its name, no personal ID.
    case organisation

    public var vietnamese: String {
        switch self {
        case .relative: return "Thân nhân"
        case .otherPerson: return "Cá nhân khác"
        case .organisation: return "Cơ quan, tổ chức"
        }
    }
    public var isPerson: Bool { self != .organisation }
}

/// One funeral support claim (mai táng phí): paid once per deceased person, to whoever organised
/// the burial, on a decision of its own. `formats/funeral-claims.md`.
public struct FuneralClaim: Sendable, Codable, Equatable {
    public enum Status: String, Sendable, Codable { case active, cancelled }
    public var id: Int64
    public var deceasedCode: String
    public var deceasedName: String
    public var deathDate: String
    public var organiserKind: FuneralOrganiserKind
    public var organiserName: String
    /// Masked (`0460******12`); nil for an organisation.
    public var organiserIDMasked: String?
    public var relation: String?
    public var decisionNo: String
    public var decisionDate: String
    public var amount: Int64
    /// How the amount was reached (`FuneralSupport.vietnamese`).
    public var amountBasis: String
    public var channel: Channel
    public var bankBIN: String?
    /// Masked (`*********9001`).
    public var accountMasked: String?
    public var accountName: String?
    public var status: Status
    public var recordedBy: String
    public var recordedAt: String
    public var cancelReason: String?
    /// Set when a bank or post office rejected the organiser's account; cleared by a new account.
    public var accountFlag: String?
    /// Where the payment stands: the newest payout line for it (`paid`, `failed`, `exported`…), if any.
    public var paymentState: PayoutLineState?
    public var paymentBatchID: Int64?
}

/// What a maker types to record a claim (`chitra funeral add`).
public struct FuneralClaimInput: Sendable {
    public var deceasedCode: String
    public var organiserKind: FuneralOrganiserKind
    public var organiserName: String
    public var organiserID: String?
    public var relation: String?
    public var decisionNo: String
    public var decisionDate: CivilDate
    public var channel: Channel
    public var bankBIN: String?
    public var accountNo: String?
    public var accountName: String?

    public init(deceasedCode: String, organiserKind: FuneralOrganiserKind, organiserName: String, organiserID: String?, relation: String?,
                decisionNo: String, decisionDate: CivilDate, channel: Channel, bankBIN: String?, accountNo: String?, accountName: String?) {
        self.deceasedCode = deceasedCode; self.organiserKind = organiserKind; self.organiserName = organiserName
        self.organiserID = organiserID; self.relation = relation; self.decisionNo = decisionNo; self.decisionDate = decisionDate
        self.channel = channel; self.bankBIN = bankBIN; self.accountNo = accountNo; self.accountName = accountName
    }
}

/// A claim as the batch build pays it: the organiser's full account, the deceased's commune.
public struct PayableFuneralClaim: Sendable {
    public var id: Int64
    public var deceasedCode: String
    /// The deceased's personal ID: the payout line's person key (one claim per person).
    public var personKey: String
    public var deathMonth: YearMonth
    public var amount: Int64
    public var payeeName: String
    public var payeeRelation: String
    public var channel: Channel
    public var bankBIN: String?
    public var accountNo: String?
    public var accountName: String?
    public var accountFlag: String?
    public var commune: String
    /// The roll still records the death the claim was made on (same date): else it is not paid.
    public var deathOnRoll: Bool
}

/// Funeral support claims: recorded by a maker (audited, sealed), one active claim per deceased
/// person (a UNIQUE index), paid by the batch build to the organiser's account.
public struct FuneralClaims: Sendable {
    public let db: AppDatabase
    public let banks: BankDirectory
    public let tariff: Tariff
    /// The day claims are checked against (decision not in the future); tests set it.
    public var today: CivilDate = .today()

    public init(db: AppDatabase, banks: BankDirectory, tariff: Tariff) { self.db = db; self.banks = banks; self.tariff = tariff }

    /// The schema (migration `v7-funeral-claims`): one row per claim; the partial UNIQUE index
    /// makes a second active claim for the same person (personal ID) impossible.
    static let schema = """
    CREATE TABLE funeral_claim (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        deceased_code TEXT NOT NULL REFERENCES beneficiary(code),
        person_key TEXT NOT NULL,
        death_date TEXT NOT NULL,
        organiser_kind TEXT NOT NULL CHECK (organiser_kind = 'relative' OR organiser_kind = 'other_person' OR organiser_kind = 'organisation'),
        organiser_name TEXT NOT NULL CHECK (length(organiser_name) > 0),
        organiser_id TEXT,
        organiser_relation TEXT,
        decision_no TEXT NOT NULL CHECK (length(decision_no) > 0),
        decision_date TEXT NOT NULL CHECK (decision_date >= death_date),
        amount INTEGER NOT NULL CHECK (amount > 0),
        amount_basis TEXT NOT NULL,
        channel TEXT NOT NULL CHECK (channel = 'bank' OR channel = 'post_account' OR channel = 'post_cash'),
        bank_bin TEXT,
        account_no TEXT,
        account_name TEXT,
        account_flag TEXT,
        status TEXT NOT NULL DEFAULT 'active' CHECK (status = 'active' OR status = 'cancelled'),
        recorded_by_user INTEGER NOT NULL REFERENCES app_user(id),
        recorded_at TEXT NOT NULL,
        cancelled_by_user INTEGER REFERENCES app_user(id),
        cancelled_at TEXT,
        cancel_reason TEXT,
        claim_seal BLOB,
        CHECK (channel <> 'bank' OR (bank_bin IS NOT NULL AND account_no IS NOT NULL AND account_name IS NOT NULL)),
        CHECK (channel <> 'post_account' OR account_no IS NOT NULL),
        CHECK (organiser_kind = 'organisation' OR organiser_id IS NOT NULL),
        CHECK (organiser_kind <> 'relative' OR organiser_relation IS NOT NULL),
        CHECK (status = 'active' OR (cancelled_by_user IS NOT NULL AND cancel_reason IS NOT NULL))
    );
    -- Funeral support is paid once per deceased person: at most one active claim per personal ID.
    CREATE UNIQUE INDEX funeral_claim_once ON funeral_claim(person_key) WHERE status = 'active';
    CREATE TRIGGER funeral_claim_by_maker BEFORE INSERT ON funeral_claim
        WHEN NOT \(IdentitySchema.holds("NEW.recorded_by_user", ["maker"]))
        BEGIN SELECT RAISE(ABORT, 'a funeral claim is recorded by an active account with the maker role'); END;
    CREATE TRIGGER funeral_claim_cancelled_by_maker BEFORE UPDATE OF status ON funeral_claim
        WHEN NEW.status = 'cancelled' AND OLD.status <> 'cancelled' AND NOT \(IdentitySchema.holds("NEW.cancelled_by_user", ["maker"]))
        BEGIN SELECT RAISE(ABORT, 'a funeral claim is cancelled by an active account with the maker role'); END;
    CREATE TRIGGER funeral_claim_no_delete BEFORE DELETE ON funeral_claim
        BEGIN SELECT RAISE(ABORT, 'funeral claims are kept; cancel one instead'); END;
    """

    // MARK: the seal

    /// The fields sealed with the audit key (who is paid, how much, where), in order.
    static let sealColumns = ["id", "deceased_code", "person_key", "death_date", "organiser_kind", "organiser_name", "organiser_id",
                              "organiser_relation", "decision_no", "decision_date", "amount", "channel", "bank_bin", "account_no",
                              "account_name", "status"]
    static let sealFunctionName = "chitra_funeral_mac"
    static let sealTag = "chitra-funeral-v1"
    static var sealExpression: String { "\(sealFunctionName)(\(sealColumns.map { "funeral_claim.\($0)" }.joined(separator: ", ")))" }

    static func registerSeal(_ db: Database, key: AuditKey) throws {
        try SealFunction.register(db, name: sealFunctionName, tag: sealTag, argumentCount: sealColumns.count, key: key)
    }

    /// Claims whose sealed fields were changed outside ChiTra (written straight into the file): ids.
    public static func mismatches(_ db: Database, limit: Int = 1000) throws -> [Int64] {
        try Int64.fetchAll(db, sql: "SELECT id FROM funeral_claim WHERE claim_seal IS NOT \(sealExpression) ORDER BY id LIMIT ?", arguments: [limit])
    }

    // MARK: recording

    /// Records a claim, in one transaction with its audit entry. Refused, with the reason and what
    /// to do, when the deceased is not on the roll or has no date of death there, when the
    /// organiser's details or account are incomplete, or when the person already has a claim.
    @discardableResult
    public func add(_ input: FuneralClaimInput, by actor: Actor) throws -> FuneralClaim {
        try actor.require(.maker)
        let code = input.deceasedCode.trimmingCharacters(in: .whitespaces)
        var problems = Self.textProblems([("--organiser", input.organiserName), ("--organiser-id", input.organiserID),
                                          ("--relation", input.relation), ("--decision", input.decisionNo),
                                          ("--bin", input.bankBIN), ("--account", input.accountNo), ("--account-name", input.accountName)])
        let name = VietnameseText.normalizedName(input.organiserName)
        let orgID = input.organiserID?.trimmingCharacters(in: .whitespaces).nonEmptyOrNil
        let relation = input.relation.map(VietnameseText.normalizedName)?.nonEmptyOrNil
        let decision = VietnameseText.normalizedName(input.decisionNo)
        if name.isEmpty { problems.append(Message("store.funeral.organiser_required").text()) }
        switch input.organiserKind {
        case .relative, .otherPerson:
            if let orgID {
                if case .failure(let p) = PersonalID.check(orgID, sex: nil, birthYear: nil) { problems.append(Message("store.funeral.organiser_id_invalid", ["id": .text(PersonalID.masked(orgID)), "problem": .text("\(p)")]).text()) }
            } else {
                problems.append(Message("store.funeral.organiser_id_required").text())
            }
            if input.organiserKind == .relative && relation == nil {
                problems.append(Message("store.funeral.relation_required").text())
            }
        case .organisation:
            if orgID != nil { problems.append(Message("store.funeral.organisation_has_no_id").text()) }
        }
        if decision.isEmpty { problems.append(Message("store.funeral.decision_required").text()) }
        if input.decisionDate > today { problems.append(Message("store.funeral.decision_in_future", ["date": .text(input.decisionDate.vietnamese)]).text()) }
        let account = Self.checkAccount(channel: input.channel, bin: input.bankBIN, account: input.accountNo, accountName: input.accountName, banks: banks, problems: &problems)
        let now = Timestamp.now()
        return try db.writer.write { db in
            guard let b = try Row.fetchOne(db, sql: "SELECT full_name, personal_id, death_date FROM beneficiary WHERE code = ?", arguments: [code]) else {
                throw StoreError(Message("store.funeral.no_person", ["code": .text(code)]))
            }
            let personKey: String = b["personal_id"]
            guard let deathText: String = b["death_date"], let death = CivilDate(deathText) else {
                throw StoreError(Message("store.funeral.no_death_date", ["code": .text(code)]))
            }
            var problems = problems
            if input.decisionDate < death { problems.append(Message("store.funeral.decision_before_death", ["date": .text(input.decisionDate.vietnamese), "death": .text(death.vietnamese)]).text()) }
            if let orgID, orgID == personKey { problems.append(Message("store.funeral.organiser_is_deceased").text()) }
            if !problems.isEmpty {
                throw StoreError(Message("store.funeral.invalid", ["code": .text(code), "problems": .text(problems.joined(separator: "; "))]))
            }
            if let other = try Row.fetchOne(db, sql: "SELECT id, deceased_code, decision_no FROM funeral_claim WHERE person_key = ? AND status = 'active'", arguments: [personKey]) {
                throw StoreError(Message("store.funeral.already_claimed", ["code": .text(code), "claim": .text(String(other["id"] as Int64)), "deceased": .text(other["deceased_code"] as String), "decision": .text(other["decision_no"] as String)]))
            }
            guard let support = tariff.funeralSupport(deathDate: death) else {
                throw StoreError(Message("store.funeral.no_standard_level", ["code": .text(code), "month": .text(death.yearMonth.description)]))
            }
            do {
                try db.execute(sql: """
                    INSERT INTO funeral_claim(deceased_code, person_key, death_date, organiser_kind, organiser_name, organiser_id, organiser_relation,
                                              decision_no, decision_date, amount, amount_basis, channel, bank_bin, account_no, account_name,
                                              recorded_by_user, recorded_at)
                    VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
                    """, arguments: [code, personKey, death.description, input.organiserKind.rawValue, name, orgID, relation,
                                     decision, input.decisionDate.description, support.amount, support.vietnamese,
                                     input.channel.rawValue, account.bin, account.account, account.name, actor.userID, now])
            } catch let e as DatabaseError where e.resultCode == .SQLITE_CONSTRAINT && (e.message ?? "").contains("funeral_claim.person_key") {
                throw StoreError(Message("store.funeral.already_claimed_short", ["code": .text(code)]))
            }
            let id = db.lastInsertedRowID
            try Self.seal(db, id: id)
            try AuditLog.append(db, actor: actor, action: "funeral.add", entity: "funeral_claim", entityID: String(id),
                                detail: "deceased=\(code) decision=\(decision) amount=\(support.amount) organiser_kind=\(input.organiserKind.rawValue) channel=\(input.channel.rawValue)\(account.account.map { " account=" + maskAccount($0) } ?? "")")
            return try Self.claim(db, id: id)!
        }
    }

    /// Changes where a claim is paid (after the organiser's account was rejected, or a mistake).
    /// Refused while a payment of it is approved, exported or paid.
    @discardableResult
    public func setAccount(id: Int64, channel: Channel, bin: String?, account: String?, accountName: String?, by actor: Actor) throws -> FuneralClaim {
        try actor.require(.maker)
        var problems = Self.textProblems([("--bin", bin), ("--account", account), ("--account-name", accountName)])
        let a = Self.checkAccount(channel: channel, bin: bin, account: account, accountName: accountName, banks: banks, problems: &problems)
        guard problems.isEmpty else { throw StoreError(Message("store.funeral.set_account_invalid", ["claim": .text(String(id)), "problems": .text(problems.joined(separator: "; "))])) }
        return try db.writer.write { db in
            let c = try Self.activeClaim(db, id: id)
            if let live = try Self.frozenLivePayment(db, claim: c) {
                throw StoreError(Message("store.funeral.being_paid", ["claim": .text(String(id)), "batch": .text(String(live.batch)), "state": .text(live.state)]))
            }
            try db.execute(sql: "UPDATE funeral_claim SET channel = ?, bank_bin = ?, account_no = ?, account_name = ?, account_flag = NULL WHERE id = ?",
                           arguments: [channel.rawValue, a.bin, a.account, a.name, id])
            try Self.seal(db, id: id)
            try AuditLog.append(db, actor: actor, action: "funeral.set-account", entity: "funeral_claim", entityID: String(id),
                                detail: "channel=\(channel.rawValue)\(a.account.map { " account=" + maskAccount($0) } ?? "")\(c["account_flag"] as String? != nil ? " cleared_flag=\(c["account_flag"] as String)" : "")")
            return try Self.claim(db, id: id)!
        }
    }

    /// Cancels a claim entered by mistake (the person may then be claimed again). Refused once a
    /// payment of it is approved, exported or paid; a draft batch holding it must be rebuilt
    /// before it can be approved.
    public func cancel(id: Int64, reason: String, by actor: Actor) throws {
        try actor.require(.maker)
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty else { throw StoreError(Message("store.funeral.reason_required")) }
        try db.writer.write { db in
            let c = try Self.activeClaim(db, id: id)
            if let live = try Self.frozenLivePayment(db, claim: c) {
                throw StoreError(Message("store.funeral.paid_cannot_cancel", ["claim": .text(String(id)), "batch": .text(String(live.batch)), "state": .text(live.state)]))
            }
            try db.execute(sql: "UPDATE funeral_claim SET status = 'cancelled', cancelled_by_user = ?, cancelled_at = ?, cancel_reason = ? WHERE id = ?",
                           arguments: [actor.userID, Timestamp.now(), reason, id])
            try Self.seal(db, id: id)
            try AuditLog.append(db, actor: actor, action: "funeral.cancel", entity: "funeral_claim", entityID: String(id), detail: "reason=\(reason)")
        }
    }

    /// Every claim (active first, newest first), or one person's.
    public func list(code: String? = nil) throws -> [FuneralClaim] {
        try db.writer.read { db in
            let ids: [Int64]
            if let code {
                ids = try Int64.fetchAll(db, sql: """
                    SELECT id FROM funeral_claim WHERE person_key = (SELECT personal_id FROM beneficiary WHERE code = ?) OR deceased_code = ?
                    ORDER BY status, id DESC
                    """, arguments: [code, code])
            } else {
                ids = try Int64.fetchAll(db, sql: "SELECT id FROM funeral_claim ORDER BY status, id DESC")
            }
            return try ids.compactMap { try Self.claim(db, id: $0) }
        }
    }

    // MARK: for the build, the approval and the returns

    /// The active claims, in personal-ID order, with what the build needs to pay them.
    public static func payable(_ db: Database) throws -> [PayableFuneralClaim] {
        try Row.fetchAll(db, sql: """
            SELECT c.*, b.commune, b.death_date IS c.death_date AS death_on_roll FROM funeral_claim c JOIN beneficiary b ON b.code = c.deceased_code
            WHERE c.status = 'active' ORDER BY c.person_key, c.id
            """).map { r -> PayableFuneralClaim in
                let kind = FuneralOrganiserKind(rawValue: r["organiser_kind"]) ?? .relative
                let relation: String? = r["organiser_relation"]
                return PayableFuneralClaim(
                    id: r["id"], deceasedCode: r["deceased_code"], personKey: r["person_key"],
                    deathMonth: CivilDate(r["death_date"] as String)!.yearMonth, amount: r["amount"], payeeName: r["organiser_name"],
                    payeeRelation: relation ?? (kind == .organisation ? "Tổ chức lo mai táng" : "Người lo mai táng"),
                    channel: try StoredValue.decode(r["channel"], "funeral_claim.channel"), bankBIN: r["bank_bin"], accountNo: r["account_no"], accountName: r["account_name"],
                    accountFlag: r["account_flag"], commune: r["commune"], deathOnRoll: r["death_on_roll"])
            }
    }

    /// The funeral lines of batch `batchID` that no active claim backs as they stand (same person,
    /// month of death, payee, channel and account): references, at most `limit`. A draft built
    /// before a claim was cancelled or its account changed — or before claims existed, paying a
    /// proxy — must be rebuilt before it is approved.
    public static func unbackedLines(_ db: Database, batchID: Int64, limit: Int = 20) throws -> [String] {
        try String.fetchAll(db, sql: """
            SELECT l.reference FROM payout_line l
            WHERE l.batch_id = ? AND l.slot = 'funeral' AND NOT EXISTS (
                SELECT 1 FROM funeral_claim c WHERE c.status = 'active' AND c.person_key = l.person_key
                  AND substr(c.death_date, 1, 7) = l.for_month AND c.organiser_name = l.payee_name AND c.channel = l.channel
                  AND c.bank_bin IS l.bank_bin AND c.account_no IS l.account_no AND c.amount = l.amount)
            ORDER BY l.reference LIMIT ?
            """, arguments: [batchID, limit])
    }

    /// A bank or post office rejected the organiser's account (a funeral line of `deceasedCode`):
    /// the claim waits for a new account (`setAccount`). The person's own account is not touched.
    public static func markAccountRejected(_ db: Database, deceasedCode: String, personKey: String?, reason: String) throws {
        try db.execute(sql: "UPDATE funeral_claim SET account_flag = ? WHERE status = 'active' AND (person_key = ? OR deceased_code = ?)",
                       arguments: [reason, personKey ?? "", deceasedCode])
    }

    // MARK: helpers

    static func seal(_ db: Database, id: Int64) throws {
        try db.execute(sql: "UPDATE funeral_claim SET claim_seal = \(sealExpression) WHERE id = ?", arguments: [id])
    }

    private static func activeClaim(_ db: Database, id: Int64) throws -> Row {
        guard let c = try Row.fetchOne(db, sql: "SELECT * FROM funeral_claim WHERE id = ?", arguments: [id]) else {
            throw StoreError(Message("store.funeral.missing", ["claim": .text(String(id))]))
        }
        guard (c["status"] as String) == "active" else { throw StoreError(Message("store.funeral.cancelled", ["claim": .text(String(id))])) }
        return c
    }

    /// A payment of the claim that is approved, exported, pending or paid (a draft's does not count).
    private static func frozenLivePayment(_ db: Database, claim c: Row) throws -> (batch: Int64, state: String)? {
        let month = String((c["death_date"] as String).prefix(7))
        return try Row.fetchOne(db, sql: """
            SELECT l.batch_id, \(LineState.sql()) AS state FROM payout_line l JOIN batch b ON b.id = l.batch_id
            WHERE l.person_key = ? AND l.slot = 'funeral' AND l.for_month = ?
              AND \(LineState.sql()) IN ('approved','exported','pending','paid') ORDER BY l.id DESC LIMIT 1
            """, arguments: [c["person_key"] as String, month]).map { ($0["batch_id"], $0["state"]) }
    }

    static func claim(_ db: Database, id: Int64) throws -> FuneralClaim? {
        guard let r = try Row.fetchOne(db, sql: """
            SELECT c.*, b.full_name, u.username AS recorded_by FROM funeral_claim c JOIN beneficiary b ON b.code = c.deceased_code
            JOIN app_user u ON u.id = c.recorded_by_user WHERE c.id = ?
            """, arguments: [id]) else { return nil }
        let month = String((r["death_date"] as String).prefix(7))
        let pay = try Row.fetchOne(db, sql: """
            SELECT l.batch_id, \(LineState.sql()) AS state FROM payout_line l JOIN batch b ON b.id = l.batch_id
            WHERE l.person_key = ? AND l.slot = 'funeral' AND l.for_month = ? AND l.state <> 'cancelled'
            ORDER BY l.id DESC LIMIT 1
            """, arguments: [r["person_key"] as String, month])
        return FuneralClaim(
            id: r["id"], deceasedCode: r["deceased_code"], deceasedName: r["full_name"], deathDate: r["death_date"],
            organiserKind: FuneralOrganiserKind(rawValue: r["organiser_kind"]) ?? .relative, organiserName: r["organiser_name"],
            organiserIDMasked: (r["organiser_id"] as String?).map(PersonalID.masked), relation: r["organiser_relation"],
            decisionNo: r["decision_no"], decisionDate: r["decision_date"], amount: r["amount"], amountBasis: r["amount_basis"],
            channel: try StoredValue.decode(r["channel"], "funeral_claim.channel"), bankBIN: r["bank_bin"], accountMasked: (r["account_no"] as String?).map(maskAccount),
            accountName: r["account_name"], status: FuneralClaim.Status(rawValue: r["status"]) ?? .active, recordedBy: r["recorded_by"],
            recordedAt: r["recorded_at"], cancelReason: r["cancel_reason"], accountFlag: r["account_flag"],
            paymentState: try (pay?["state"] as String?).map { try StoredValue.decode($0, "payout_line.state") }, paymentBatchID: pay?["batch_id"])
    }

    /// The account for a channel, checked as `beneficiary set-account` checks it.
    static func checkAccount(channel: Channel, bin: String?, account: String?, accountName: String?, banks: BankDirectory,
                             problems: inout [String]) -> (bin: String?, account: String?, name: String?) {
        let bin = bin?.trimmingCharacters(in: .whitespaces).nonEmptyOrNil
        let account = account?.replacingOccurrences(of: " ", with: "").nonEmptyOrNil
        let name = accountName.map(VietnameseText.normalizedName)?.nonEmptyOrNil
        switch channel {
        case .bank:
            if bin == nil { problems.append(Message("store.funeral.bin_required").text()) }
            if account == nil { problems.append(Message("store.funeral.account_required_bank").text()) }
            if name == nil { problems.append(Message("store.funeral.account_name_required").text()) }
        case .postAccount:
            if account == nil { problems.append(Message("store.funeral.account_required_post").text()) }
        case .postCash:
            if bin != nil || account != nil { problems.append(Message("store.funeral.post_cash_no_account").text()) }
        }
        if let bin, banks.bank(bin) == nil {
            problems.append(Message("store.funeral.unknown_bin", ["bin": .text(bin)]).text())
        }
        if let account, !(account.utf8.count <= 19 && account.utf8.allSatisfy { $0 >= 48 && $0 <= 57 }) {
            problems.append(Message("store.funeral.account_digits", ["account": .text(maskAccount(account))]).text())
        }
        switch channel {
        case .bank: return (bin, account, name)
        case .postAccount: return (nil, account, name)
        case .postCash: return (nil, nil, nil)
        }
    }

    /// The roll's limits on a text field (`FieldText`): no control or direction characters, at most 100.
    static func textProblems(_ fields: [(option: String, value: String?)]) -> [String] {
        var problems: [String] = []
        for (option, value) in fields {
            guard let value, !value.isEmpty else { continue }
            if let f = FieldText.forbidden(in: value) { problems.append("\(option) \(f.message)") }
            else if let n = FieldText.length(value, over: FieldText.maxName) {
                problems.append(Message("store.funeral.text_too_long", ["option": .text(option), "n": .int(n), "max": .int(FieldText.maxName)]).text())
            }
        }
        return problems
    }
}

extension String {
    var nonEmptyOrNil: String? { isEmpty ? nil : self }
}
