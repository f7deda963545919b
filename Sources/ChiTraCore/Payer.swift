import ChiTraCore
import Foundation

/// The paying unit, read from `formats/payer.json` (documented in `payer.md`): who pays, from
/// which account at each institution, how bank files are split, and the payment fee each
/// institution is owed.
///
/// The commune sends each payment service organisation its list with the money (Decree 20/2021
/// Art. 34.4: the budget is drawn at the State Treasury into the organisation's account), so a
/// bank's pain.001 debits the commune's account **at that bank**:
///
/// - `bankFiles: "perBank"` — one file per bank at which the commune holds an account
///   (`accounts`), debiting that account; a beneficiary whose bank has no such account is paid
///   by interbank credit in the file of the commune's own bank (`bankBIN`);
/// - `bankFiles: "singleFile"` — one file to the commune's own bank for every bank payment,
///   the credits to other banks going through the interbank clearing (creditor agent by BIN).
public struct Payer: Sendable {
    /// How bank payments are split into files.
    public enum BankFiles: String, Sendable, Codable, CaseIterable { case perBank, singleFile }

    /// Debtor name in bank files (ASCII, upper case).
    public var name: String
    /// The unit's Vietnamese name, for printed lists.
    public var nameVi: String
    /// NAPAS BIN of the commune's own bank: the single file goes there, and payments to banks
    /// where the commune holds no account are sent through it.
    public var bankBIN: String
    public var bankFiles: BankFiles
    /// The commune's accounts: one per partner bank, at the post office, at the State Treasury.
    public var accounts: [PayerAccount]
    public var unitCode: String
    public var postOfficeName: String
    public var executionDay: Int
    public var authorisationGraceDays: Int
    /// Pay people whose account the bank rejected through the post office (cash) until a new
    /// account is on file, instead of leaving them out.
    public var routeRejectedToPostOffice: Bool?

    public init(name: String, nameVi: String, bankBIN: String, bankFiles: BankFiles = .perBank, accounts: [PayerAccount],
                unitCode: String, postOfficeName: String, executionDay: Int, authorisationGraceDays: Int = 0,
                routeRejectedToPostOffice: Bool? = nil) {
        self.name = name; self.nameVi = nameVi; self.bankBIN = bankBIN; self.bankFiles = bankFiles; self.accounts = accounts
        self.unitCode = unitCode; self.postOfficeName = postOfficeName; self.executionDay = executionDay
        self.authorisationGraceDays = authorisationGraceDays; self.routeRejectedToPostOffice = routeRejectedToPostOffice
    }

    public static func load(from url: URL) throws -> Payer {
        let payer: Payer
        do { payer = try JSONDecoder().decode(Payer.self, from: Data(contentsOf: url)) }
        catch { throw BatchError(Message("batch.payer.unreadable", ["file": .text(url.lastPathComponent), "detail": .text("\(error)")])) }
        try payer.validate(source: url.lastPathComponent)
        return payer
    }

    /// The commune's account at a bank, if it has one.
    public func account(atBank bin: String) -> PayerAccount? {
        accounts.first { $0.kind == .bank && $0.bin == bin }
    }

    /// The commune's account at the post office (VNPost), if listed.
    public var postOfficeAccount: PayerAccount? { accounts.first { $0.kind == .postOffice } }

    /// The commune's budget account at the State Treasury, if listed.
    public var treasuryAccount: PayerAccount? { accounts.first { $0.kind == .treasury } }

    /// The bank whose file carries a payment to an account at `creditorBIN`: that bank when the
    /// commune holds an account there and files are per bank, else the commune's own bank.
    public func fileBank(forCreditorBIN creditorBIN: String) -> String {
        switch bankFiles {
        case .singleFile: return bankBIN
        case .perBank: return account(atBank: creditorBIN) == nil ? bankBIN : creditorBIN
        }
    }

    /// The account a payout group's money is paid from: the commune's account at the group's
    /// bank (`BANK-970415`), or at the post office (`VNPOST-…`); nil when payer.json lists none.
    public func account(forGroup groupKey: String) -> PayerAccount? {
        groupKey.hasPrefix("BANK-") ? account(atBank: String(groupKey.dropFirst(5))) : postOfficeAccount
    }

    /// Refuses a file the export could not use, naming the key.
    func validate(source: String) throws {
        func fail(_ key: String, _ message: String) -> BatchError {
            BatchError(Message("batch.payer.invalid", ["file": .text(source), "key": .text(key), "detail": .text(message)]))
        }
        func digits(_ s: String?, max: Int) -> Bool { s.map { !$0.isEmpty && $0.count <= max && $0.allSatisfy { $0.isASCII && $0.isNumber } } ?? false }
        guard digits(bankBIN, max: 6), bankBIN.count == 6 else { throw fail("bankBIN", "must be the 6-digit NAPAS BIN of the commune's own bank") }
        var seenBanks: Set<String> = []
        var seenKinds: Set<PayerAccount.Kind> = []
        for (i, a) in accounts.enumerated() {
            let key = "accounts[\(i)]"
            switch a.kind {
            case .bank:
                guard let bin = a.bin, bin.count == 6, digits(bin, max: 6) else { throw fail("\(key).bin", "a bank account needs the bank's 6-digit BIN") }
                guard seenBanks.insert(bin).inserted else { throw fail("\(key).bin", "a second account at bank \(bin); list one account per bank") }
                guard digits(a.accountNo, max: 34) else { throw fail("\(key).accountNo", "a bank account number is 1 to 34 digits") }
            case .postOffice, .treasury:
                guard a.bin == nil else { throw fail("\(key).bin", "only a bank account has a BIN") }
                guard seenKinds.insert(a.kind).inserted else { throw fail(key, "a second \(a.kind.rawValue) account; list one") }
                guard !a.accountNo.isEmpty, a.accountNo.count <= 34, a.accountNo.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) else {
                    throw fail("\(key).accountNo", "an account number is 1 to 34 printable ASCII characters")
                }
            }
            if a.kind == .treasury, a.feePercent != nil { throw fail("\(key).feePercent", "the State Treasury is not a payment service organisation and is owed no payment fee") }
        }
        guard account(atBank: bankBIN) != nil else {
            throw fail("accounts", "no account at the commune's own bank \(bankBIN) (bankBIN): its file debits that account")
        }
    }
}

extension Payer: Codable {
    private enum CodingKeys: String, CodingKey {
        case name, nameVi, bankBIN, bankFiles, accounts, unitCode, postOfficeName, executionDay, authorisationGraceDays,
             routeRejectedToPostOffice, accountNo
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        nameVi = try c.decode(String.self, forKey: .nameVi)
        bankBIN = try c.decode(String.self, forKey: .bankBIN)
        bankFiles = try c.decodeIfPresent(BankFiles.self, forKey: .bankFiles) ?? .perBank
        if let accounts = try c.decodeIfPresent([PayerAccount].self, forKey: .accounts) {
            guard !c.contains(.accountNo) else {
                throw DecodingError.dataCorruptedError(forKey: .accountNo, in: c,
                    debugDescription: "accountNo is the older form of accounts: list the own bank's account under accounts instead")
            }
            self.accounts = accounts
        } else {
            // The older form: one account, at the own bank.
            accounts = [PayerAccount(kind: .bank, bin: bankBIN, accountNo: try c.decode(String.self, forKey: .accountNo))]
        }
        unitCode = try c.decode(String.self, forKey: .unitCode)
        postOfficeName = try c.decode(String.self, forKey: .postOfficeName)
        executionDay = try c.decode(Int.self, forKey: .executionDay)
        authorisationGraceDays = try c.decodeIfPresent(Int.self, forKey: .authorisationGraceDays) ?? 0
        routeRejectedToPostOffice = try c.decodeIfPresent(Bool.self, forKey: .routeRejectedToPostOffice)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name); try c.encode(nameVi, forKey: .nameVi); try c.encode(bankBIN, forKey: .bankBIN)
        try c.encode(bankFiles, forKey: .bankFiles); try c.encode(accounts, forKey: .accounts); try c.encode(unitCode, forKey: .unitCode)
        try c.encode(postOfficeName, forKey: .postOfficeName); try c.encode(executionDay, forKey: .executionDay)
        try c.encode(authorisationGraceDays, forKey: .authorisationGraceDays)
        try c.encodeIfPresent(routeRejectedToPostOffice, forKey: .routeRejectedToPostOffice)
    }
}

/// One of the commune's accounts (`payer.json` `accounts`).
public struct PayerAccount: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// At a partner bank: its files debit this account.
        case bank
        /// At the post office (VNPost), for the cash and post-account lists.
        case postOffice
        /// The budget account at the State Treasury (Kho bạc Nhà nước) the month's money is drawn from.
        case treasury
    }
    public var kind: Kind
    /// The bank's NAPAS BIN (banks only).
    public var bin: String?
    /// How the institution is named on paper (post office, treasury); banks are named from banks.json.
    public var name: String?
    public var accountNo: String
    /// The payment fee this payment service organisation is owed, as a percentage of what it paid.
    public var feePercent: FeeRate?
    public var about: String?

    public init(kind: Kind, bin: String? = nil, name: String? = nil, accountNo: String, feePercent: FeeRate? = nil, about: String? = nil) {
        self.kind = kind; self.bin = bin; self.name = name; self.accountNo = accountNo; self.feePercent = feePercent; self.about = about
    }
}
