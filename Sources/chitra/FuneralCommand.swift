import ArgumentParser
import ChiTraCore
import ChiTraGaps
import ChiTraStore
import Foundation

/// `chitra funeral`: funeral support claims (Decree 20/2021 Art. 11), `formats/funeral-claims.md`.
struct FuneralCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "funeral",
        abstract: "Funeral support (mai táng phí): one claim per deceased person, paid to whoever organised the burial.",
        discussion: """
        A claim is recorded on the commune chairman's decision; the next batch built pays it once, to the
        organiser's account (never to the deceased's proxy). The deceased must be on the roll with a date of
        death; a deceased person who had no monthly allowance is imported as a roll line of category
        HO_TRO_MAI_TANG first (formats/funeral-claims.md).
        """,
        subcommands: [Add.self, List.self, SetAccount.self, Cancel.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add",
            abstract: "Record a funeral support claim (role maker; audited).",
            discussion: """
            Example: chitra funeral add DT0000114 --organiser "Nguyễn Văn Bình" --organiser-id 046080001234 --relation Con \\
                       --decision 45/QĐ-UBND --decision-date 20/10/2026 --channel bank --bin 970405 --account 4001205001234 \\
                       --account-name "NGUYEN VAN BINH" --user an.nguyen
            An organisation: --organiser-kind organisation --organiser "Chùa Linh Ứng" (no --organiser-id).
            The amount is worked out from formats/tariff.json: 20 × the standard level in force in the month of death
            (or the province's own amount, when higher). A second claim for the same person is refused.
            """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The deceased's beneficiary code on the roll.") var code: String
        @Option(help: "Who organised the burial: the person's full name, or the organisation's name.") var organiser: String
        @Option(name: .customLong("organiser-kind"), help: "relative, other_person or organisation.") var organiserKind: FuneralOrganiserKind = .relative
        @Option(name: .customLong("organiser-id"), help: "The organiser's personal ID (CCCD), for a person.") var organiserID: String?
        @Option(help: "The organiser's relation to the deceased (e.g. Con, Vợ); required for a relative.") var relation: String?
        @Option(help: "The number of the decision on funeral support (e.g. 45/QĐ-UBND).") var decision: String
        @Option(name: [.customLong("decision-date"), .customLong("date")], help: ArgumentHelp("The date the decision was signed.", valueName: "DD/MM/YYYY")) var decisionDate: String
        @Option(help: "How the organiser is paid: bank, post_account or post_cash.") var channel: Channel
        @Option(help: "The bank's 6-digit NAPAS BIN (formats/banks.json).") var bin: String?
        @Option(help: "The organiser's account number (digits, at most 19).") var account: String?
        @Option(name: .customLong("account-name"), help: "The account holder's name as the bank holds it.") var accountName: String?
        @OptionGroup var login: LoginOptions

        func run() throws {
            guard let date = CivilDate(decisionDate) else { throw ValidationError(Message("cli.funeral.bad_decision_date", ["value": .text(SafeText.echo(decisionDate))]).text()) }
            let db = try global.openStore()
            let actor = try login.actor(db, as: .maker)
            let claims = FuneralClaims(db: db, banks: try global.banks(), tariff: try global.tariff())
            let c = try claims.add(FuneralClaimInput(deceasedCode: code, organiserKind: organiserKind, organiserName: organiser, organiserID: organiserID,
                                                     relation: relation, decisionNo: decision, decisionDate: date, channel: channel,
                                                     bankBIN: bin, accountNo: account, accountName: accountName), by: actor)
            if global.json { try printJSON(c); return }
            print(Message("cli.funeral.added", ["id": .text(String(c.id)), "code": .text(c.deceasedCode), "name": .text(c.deceasedName),
                                                "death": .text(CivilDate(c.deathDate)?.vietnamese ?? c.deathDate)]).text())
            FuneralCommand.describe(c)
            print(Message("cli.funeral.next_batch").text())
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List funeral support claims (any active account).",
                                                        discussion: "Example: chitra funeral list, chitra funeral list DT0000114")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Only this person's claims (beneficiary code).") var code: String?
        @OptionGroup var login: LoginOptions

        func run() throws {
            let db = try global.openStore()
            _ = try login.reader(db)
            let list = try FuneralClaims(db: db, banks: try global.banks(), tariff: try global.tariff()).list(code: code)
            if global.json { try printJSON(list); return }
            if list.isEmpty {
                print((code.map { Message("cli.funeral.none_for", ["code": .text($0)]) } ?? Message("cli.funeral.none")).text())
                return
            }
            for c in list {
                let state = c.status == .cancelled ? Message("cli.funeral.state.cancelled", ["reason": .text(c.cancelReason ?? "")]).text() : FuneralCommand.paymentText(c)
                print(Message("cli.funeral.item", ["id": .text(String(c.id)), "code": .text(c.deceasedCode), "name": .text(c.deceasedName),
                                                   "death": .text(CivilDate(c.deathDate)?.vietnamese ?? c.deathDate), "state": .text(state)]).text())
                FuneralCommand.describe(c)
            }
        }
    }

    struct SetAccount: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "set-account",
            abstract: "Change where a claim is paid, e.g. after the bank rejected the organiser's account (role maker; audited).",
            discussion: "Example: chitra funeral set-account 3 --channel bank --bin 970436 --account 0071000123456 --account-name \"NGUYEN VAN BINH\" --user an.nguyen")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The claim's number (chitra funeral list).") var id: Int64
        @Option(help: "bank, post_account or post_cash.") var channel: Channel
        @Option(help: "The bank's 6-digit NAPAS BIN.") var bin: String?
        @Option(help: "The account number (digits, at most 19).") var account: String?
        @Option(name: .customLong("account-name"), help: "The account holder's name as the bank holds it.") var accountName: String?
        @OptionGroup var login: LoginOptions

        func run() throws {
            let db = try global.openStore()
            let actor = try login.actor(db, as: .maker)
            let c = try FuneralClaims(db: db, banks: try global.banks(), tariff: try global.tariff())
                .setAccount(id: id, channel: channel, bin: bin, account: account, accountName: accountName, by: actor)
            if global.json { try printJSON(c); return }
            print(Message("cli.funeral.moved", ["id": .text(String(c.id))]).text())
            FuneralCommand.describe(c)
        }
    }

    struct Cancel: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "cancel",
            abstract: "Cancel a claim entered by mistake, before it is paid (role maker; audited).",
            discussion: "Example: chitra funeral cancel 3 --reason \"nhầm đối tượng\" --user an.nguyen")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The claim's number.") var id: Int64
        @Option(help: "Why.") var reason: String
        @OptionGroup var login: LoginOptions

        func run() throws {
            let db = try global.openStore()
            let actor = try login.actor(db, as: .maker)
            try FuneralClaims(db: db, banks: try global.banks(), tariff: try global.tariff()).cancel(id: id, reason: reason, by: actor)
            print(Message("cli.funeral.cancelled", ["id": .text(String(id))]).text())
        }
    }

    static func describe(_ c: FuneralClaim) {
        let who = [c.organiserName, c.organiserIDMasked.map { "CCCD \($0)" }, c.relation].compactMap { $0 }.joined(separator: ", ")
        print("  " + Message("cli.funeral.organiser", ["kind": .text(c.organiserKind.vietnamese), "who": .text(who)]).text())
        print("  " + Message("cli.funeral.decision", ["decision": .text(c.decisionNo), "date": .text(CivilDate(c.decisionDate)?.vietnamese ?? c.decisionDate),
                                                      "amount": .money(c.amount), "basis": .text(c.amountBasis)]).text())
        let channel = c.channel.vietnamese
        let account = [c.bankBIN, c.accountMasked, c.accountName].compactMap { $0 }.map { " " + $0 }.joined()
        let flag = c.accountFlag.map { Message("cli.funeral.account_rejected", ["reason": .text(AccountFlag.vietnamese($0)), "id": .text(String(c.id))]).text() } ?? ""
        print("  " + Message("cli.funeral.paid_via", ["channel": .text(channel), "account": .text(account), "flag": .text(flag)]).text())
    }

    static func paymentText(_ c: FuneralClaim) -> String {
        guard let state = c.paymentState, let batch = c.paymentBatchID else { return Message("cli.funeral.state.waiting").text() }
        let b = MessageArg.text(String(batch))
        switch state {
        case .paid: return Message("cli.funeral.state.paid", ["batch": b]).text()
        case .failed: return Message("cli.funeral.state.failed", ["batch": b]).text()
        case .pending: return Message("cli.funeral.state.pending", ["batch": b]).text()
        case .draft: return Message("cli.funeral.state.draft", ["batch": b]).text()
        case .approved, .exported, .cancelled: return Message("cli.funeral.state.other", ["batch": b, "state": .text(state.rawValue)]).text()
        }
    }
}

extension FuneralOrganiserKind: ExpressibleByArgument {}
