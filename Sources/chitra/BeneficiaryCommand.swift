import ArgumentParser
import ChiTraCore
import ChiTraGaps
import ChiTraRoll
import ChiTraStore
import Foundation

/// `chitra beneficiary`: manual updates between roll imports (recorded as source 'manual').
struct BeneficiaryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "beneficiary",
        abstract: "Update a beneficiary's account or proxy by hand (history source 'manual', audit log).",
        subcommands: [SetAccount.self, SetProxy.self])

    struct SetAccount: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "set-account",
            abstract: "Set how a beneficiary is paid; a new account clears a rejection flag.",
            discussion: "Example: chitra beneficiary set-account G02 --channel bank --bin 970405 --account 4001205000002 --account-name \"DO VAN HAI\" --user ha.le (role maker or officer)")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Beneficiary code.") var code: String
        @Option(help: "bank, post_account or post_cash.") var channel: Channel
        @Option(help: "The bank's 6-digit NAPAS BIN (formats/banks.json).") var bin: String?
        @Option(help: "The account number (digits, at most 19).") var account: String?
        @Option(name: .customLong("account-name"), help: "The account holder's name as the bank holds it.") var accountName: String?
        @OptionGroup var login: LoginOptions

        func run() throws {
            let db = try global.openStore()
            let actor = try login.actor(db, asAnyOf: [.officer, .maker])
            let r = try BeneficiaryUpdater(db: db, banks: try global.banks())
                .setAccount(code: code, channel: channel, bin: bin, account: account, accountName: accountName, by: actor)
            if global.json { try printJSON(r); return }
            BeneficiaryCommand.report(r)
        }
    }

    struct SetProxy: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "set-proxy",
            abstract: "Record who receives on the beneficiary's behalf and until when.",
            discussion: "Example: chitra beneficiary set-proxy G06 --name \"Đỗ Thị Hạnh\" --id 046175000209 --relation Con --until 30/11/2027 --user ha.le (role maker or officer)")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Beneficiary code.") var code: String
        @Option(help: "The proxy's full name.") var name: String
        @Option(help: "The proxy's personal ID (12 digits, or 9 for an old CMND).") var id: String
        @Option(help: "Relation to the beneficiary (e.g. Con, Người giám hộ).") var relation: String
        @Option(help: ArgumentHelp("The authorisation's end date; required unless the proxy is a guardian.", valueName: "DD/MM/YYYY")) var until: String?
        @OptionGroup var login: LoginOptions

        func run() throws {
            var date: CivilDate?
            if let until {
                guard let d = CivilDate(until) else { throw ValidationError(Message("cli.beneficiary.bad_until", ["value": .text(SafeText.echo(until))]).text()) }
                date = d
            }
            let db = try global.openStore()
            let actor = try login.actor(db, asAnyOf: [.officer, .maker])
            let r = try BeneficiaryUpdater(db: db, banks: try global.banks())
                .setProxy(code: code, name: name, id: id, relation: relation, until: date, by: actor)
            if global.json { try printJSON(r); return }
            BeneficiaryCommand.report(r)
        }
    }

    static func report(_ r: BeneficiaryUpdater.Result) {
        if r.fields.isEmpty { print(Message("cli.beneficiary.unchanged", ["code": .text(r.code)]).text()); return }
        print(Message("cli.beneficiary.updated", ["code": .text(r.code), "fields": .text(r.fields.joined(separator: ", "))]).text())
        if let f = r.clearedAccountFlag { print(Message("cli.beneficiary.flag_cleared", ["reason": .text(AccountFlag.vietnamese(f))]).text()) }
    }
}

extension Channel: ExpressibleByArgument {}
