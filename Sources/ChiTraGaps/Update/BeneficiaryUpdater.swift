import ChiTraCore
import ChiTraRoll
import ChiTraStore
import GRDB

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
            if bin == nil { problems.append("--bin is required for payment to a bank account (the bank's 6-digit NAPAS BIN)") }
            if account == nil { problems.append("--account is required for payment to a bank account") }
            if name == nil { problems.append("--account-name is required for payment to a bank account (the name the bank holds)") }
        case .postAccount:
            if account == nil { problems.append("--account is required for payment to a post office account") }
        case .postCash:
            if bin != nil || account != nil { problems.append("post_cash is paid in cash: leave out --bin and --account") }
        }
        if let bin, banks.bank(bin) == nil {
            problems.append("\(bin) is not a known bank BIN; use one from formats/banks.json (for example 970405 Agribank, 970436 Vietcombank)")
        }
        if let account, !(account.utf8.count <= 19 && account.utf8.allSatisfy { $0 >= 48 && $0 <= 57 }) {
            problems.append("the account number must be digits only, at most 19 (got \(maskAccount(account)))")
        }
        guard problems.isEmpty else { throw GapsError("cannot set the account of \(code): " + problems.joined(separator: "; ")) }
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
        if name.isEmpty { problems.append("--name is required: the proxy's full name") }
        if id.isEmpty { problems.append("--id is required: the proxy's personal ID") }
        else if case .failure(let p) = PersonalID.check(id, sex: nil, birthYear: nil) { problems.append("the proxy's personal ID \(PersonalID.masked(id)) \(p)") }
        if relation.isEmpty { problems.append("--relation is required (e.g. Con, Người giám hộ)") }
        if until == nil && !ProxyRelation.isGuardian(relation) {
            problems.append("--until is required for a proxy who is not a guardian (the authorisation letter's end date, DD/MM/YYYY)")
        }
        guard problems.isEmpty else { throw GapsError("cannot set the proxy of \(code): " + problems.joined(separator: "; ")) }
        return try apply(code: code, values: [("proxy_name", name), ("proxy_id", id), ("proxy_relation", relation),
                                             ("authorisation_until", until?.description)],
                         action: "beneficiary.set-proxy", clearsFlag: false, by: actor) { row in
            if (row["personal_id"] as String) == id {
                throw GapsError("cannot set the proxy of \(code): the proxy's personal ID is the beneficiary's own; enter the ID of the person who receives")
            }
        }
    }

    private func apply(code: String, values: [(String, String?)], action: String, clearsFlag: Bool, by actor: Actor,
                       check: (Row) throws -> Void = { _ in }) throws -> Result {
        // A maker (manual update of the roll) or an officer (after a visit).
        try actor.require(.maker, .officer)
        let by = actor.username
        return try db.writer.write { db in
            guard let existing = try Row.fetchOne(db, sql: "SELECT * FROM beneficiary WHERE code = ?", arguments: [code]) else {
                throw GapsError("no beneficiary with code \(code); check the code or import the roll first")
            }
            try check(existing)
            let now = Timestamp.now()
            let history = try db.cachedStatement(sql: """
                INSERT INTO roll_change(code, category, field, old_value, new_value, file_id, source, changed_at, changed_by, changed_by_user)
                VALUES (?, NULL, ?, ?, ?, NULL, 'manual', ?, ?, ?)
                """)
            var changed: [(String, String?)] = []
            for (field, value) in values {
                let old: String? = existing[field]
                guard old != value else { continue }
                changed.append((field, value))
                try history.execute(arguments: [code, field, Self.masked(field, old), Self.masked(field, value), now, by, actor.userID])
            }
            var result = Result(code: code, fields: changed.map(\.0))
            guard !changed.isEmpty else { return result }
            var sets = changed.map { "\($0.0) = ?" }.joined(separator: ", ")
            if clearsFlag, let flag: String = existing["account_flag"],
               changed.contains(where: { ["account_no", "bank_bin", "channel"].contains($0.0) }) {
                sets += ", account_flag = NULL, account_flag_at = NULL, account_flag_ref = NULL"
                try history.execute(arguments: [code, "account_flag", flag, nil, now, by, actor.userID])
                result.clearedAccountFlag = flag
            }
            var args = StatementArguments(changed.map(\.1))
            args += [now, code]
            try db.execute(sql: "UPDATE beneficiary SET \(sets), updated_at = ? WHERE code = ?", arguments: args)
            try PaymentMAC.seal(db, code: code)
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
                problems.append("\(option) is \(n) characters long; at most \(FieldText.maxName) are allowed")
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
