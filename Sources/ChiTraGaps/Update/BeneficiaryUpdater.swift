import ChiTraCore
import ChiTraRoll
import ChiTraStore
import GRDB   // only to open transactions

/// Manual updates between two roll imports, when an officer has opened an account or taken a
/// new authorisation letter. Validated like the roll import; each change is a `roll_change` row
/// with source `manual` (personal IDs and account numbers masked), plus an audit line, in one
/// transaction. A new account clears the rejection flag left by the last returns.
///
/// ```swift
/// try BeneficiaryUpdater(db: db, banks: banks).setAccount(code: "G02", channel: .bank, bin: "970405",
///     account: "4001205000002", accountName: "Đỗ Văn Hai", by: "Trần Thị Bình")
/// ```
public struct BeneficiaryUpdater: Sendable {
    public let db: AppDatabase
    public let banks: BankDirectory

    public init(db: AppDatabase, banks: BankDirectory) { self.db = db; self.banks = banks }

    /// What a manual update changed.
    public struct Result: Sendable, Codable {
        public var code: String
        /// The fields changed (`account_no`, `proxy_id`…); empty when the values were already on file.
        public var fields: [String]
        /// The rejection flag that a new account cleared, if any.
        public var clearedAccountFlag: String?
    }

    /// Sets how the person is paid. `bank` needs a known BIN, an account number (digits, at most 19)
    /// and the account holder's name; `post_account` an account number; `post_cash` clears the account.
    @discardableResult
    public func setAccount(code: String, channel: Channel, bin: String?, account: String?, accountName: String?, by actor: Actor) throws -> Result {
        var problems = Self.textProblems([("--bin", bin), ("--account", account), ("--account-name", accountName)])
        let bin = bin?.trimmingCharacters(in: .whitespaces).nonEmpty
        let account = account?.replacingOccurrences(of: " ", with: "").nonEmpty
        let name = accountName.map(VietnameseText.normalizedName)?.nonEmpty
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
        guard problems.isEmpty else { throw GapsError(Message("gaps.account.invalid", ["code": .text(code), "problems": .text(problems.joined(separator: "; "))])) }
        let values: [(String, String?)] = channel == .postCash
            ? [("channel", channel.rawValue), ("bank_bin", nil), ("account_no", nil), ("account_name", nil)]
            : [("channel", channel.rawValue), ("bank_bin", bin), ("account_no", account), ("account_name", name)]
        return try apply(code: code, values: values, action: "beneficiary.set-account", clearsFlag: true, by: actor)
    }

    /// Records who receives on the beneficiary's behalf. The ID must be a well-formed personal ID
    /// (not the beneficiary's own); an authorisation end date is required unless the relation is guardian.
    @discardableResult
    public func setProxy(code: String, name: String, id: String, relation: String, until: CivilDate?, by actor: Actor) throws -> Result {
        var problems = Self.textProblems([("--name", name), ("--id", id), ("--relation", relation)])
        let name = VietnameseText.normalizedName(name)
        let id = id.trimmingCharacters(in: .whitespaces)
        let relation = VietnameseText.normalizedName(relation)
        if name.isEmpty { problems.append(Message("gaps.proxy.name_required").text()) }
        if id.isEmpty { problems.append(Message("gaps.proxy.id_required").text()) }
        else if case .failure(let p) = PersonalID.check(id, sex: nil, birthYear: nil) { problems.append(Message("gaps.proxy.id_invalid", ["id": .text(PersonalID.masked(id)), "problem": .text("\(p)")]).text()) }
        if relation.isEmpty { problems.append(Message("gaps.proxy.relation_required").text()) }
        if until == nil && !ProxyRelation.isGuardian(relation) {
            problems.append(Message("gaps.proxy.until_required").text())
        }
        guard problems.isEmpty else { throw GapsError(Message("gaps.proxy.invalid", ["code": .text(code), "problems": .text(problems.joined(separator: "; "))])) }
        return try apply(code: code, values: [("proxy_name", name), ("proxy_id", id), ("proxy_relation", relation),
                                             ("authorisation_until", until?.description)],
                         action: "beneficiary.set-proxy", clearsFlag: false, by: actor) { person in
            if person.personalID == id {
                throw GapsError(Message("gaps.proxy.own_id", ["code": .text(code)]))
            }
        }
    }

    private func apply(code: String, values: [(String, String?)], action: String, clearsFlag: Bool, by actor: Actor,
                       check: (ManualBeneficiaryUpdates.Current) throws -> Void = { _ in }) throws -> Result {
        // A maker (manual update of the roll) or an officer (after a visit).
        try actor.require(.maker, .officer)
        return try db.writer.write { db in
            guard let existing = try ManualBeneficiaryUpdates.current(db, code: code) else {
                throw GapsError(Message("gaps.unknown_code", ["code": .text(code)]))
            }
            try check(existing)
            let now = Timestamp.now()
            func history(_ field: String, _ old: String?, _ new: String?) throws {
                try ManualBeneficiaryUpdates.history(db, code: code, field: field, old: old, new: new, at: now, actor: actor)
            }
            var changed: [(String, String?)] = []
            for (field, value) in values {
                let old = existing.value(field)
                guard old != value else { continue }
                changed.append((field, value))
                try history(field, Self.masked(field, old), Self.masked(field, value))
            }
            var result = Result(code: code, fields: changed.map(\.0))
            guard !changed.isEmpty else { return result }
            var clearFlag = false
            if clearsFlag, let flag = existing.accountFlag,
               changed.contains(where: { ["account_no", "bank_bin", "channel"].contains($0.0) }) {
                clearFlag = true
                try history("account_flag", flag, nil)
                result.clearedAccountFlag = flag
            }
            try Beneficiaries.updateManually(db, code: code, changes: changed, clearAccountFlag: clearFlag, at: now)
            try AuditLog.append(db, actor: actor, action: action, entity: "beneficiary", entityID: code,
                                detail: "fields=\(changed.map(\.0).joined(separator: ","))\(result.clearedAccountFlag.map { " cleared_flag=\($0)" } ?? "")")
            return result
        }
    }

    /// The roll's limits on every text field (`FieldText`, `formats/roll-csv.md`): no control or
    /// text-direction characters, at most 100 characters. Checked on the value as given, before
    /// spaces are collapsed (which would turn a tab or line break into a space unnoticed).
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

    /// History text as the roll importer keeps it: personal IDs and account numbers masked.
    static func masked(_ field: String, _ value: String?) -> String? {
        guard let value else { return nil }
        switch field {
        case "personal_id", "proxy_id": return PersonalID.masked(value)
        case "account_no": return maskAccount(value)
        default: return value
        }
    }
}

extension String {
    var nonEmpty: String? { isEmpty ? nil : self }
}
