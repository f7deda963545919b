import ArgumentParser
import ChiTraCore
import ChiTraStore
import Foundation

extension Role: ExpressibleByArgument {}

/// `chitra user`: the store's accounts (administrators only, but for one's own password).
struct UserCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "user", abstract: "Accounts and their roles (admin).",
        discussion: """
        Roles: admin (accounts, keys, backup, restore), maker (roll import, batch build/cancel/export, manual updates),
        checker (batch approve), clerk (returns import, exceptions, reconcile), officer (gaps follow-up, set-account/set-proxy).
        With --password-stdin the first line of standard input is your password and, for add and passwd, the second
        line is the new account's password.
        """,
        subcommands: [Add.self, List.self, Disable.self, Enable.self, Unlock.self, Passwd.self])

    /// Opens the store, logs in as an administrator, runs `change` and prints `done`.
    static func asAdmin(_ global: GlobalOptions, _ login: LoginOptions, _ done: Message, _ change: (Users, Actor) throws -> Void) throws {
        let db = try global.openStore()
        try change(Users(db: db), try login.actor(db, as: .admin))
        print(done.text())
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add an account with one or more roles.",
            discussion: "Example: chitra user add an.nguyen --role maker --full-name \"Nguyễn Văn An\" --user admin")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var login: LoginOptions
        @Argument(help: "The new login (letters a–z, digits, '.', '_', '-').") var name: String
        @Option(name: .long, parsing: .upToNextOption, help: "Role(s): admin, maker, checker, clerk, officer (repeat or list).") var role: [Role] = []
        @Option(help: "The person's full name, with diacritics.") var fullName: String

        func run() throws {
            let db = try global.openStore()
            let admin = try login.actor(db, as: .admin)
            let key = try Users.validLogin(name)
            let password = try PasswordInput.shared.readNew(for: key, stdin: login.passwordStdin)
            let a = try Users(db: db).add(username: name, fullName: fullName, roles: role, password: password, by: admin)
            if global.json { try printJSON(a) } else { print(Message("cli.user.added", ["account": .text(a.display), "roles": .text(a.roles.map(\.rawValue).joined(separator: ", "))]).text()) }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List accounts, their roles and state, and legacy names.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var login: LoginOptions

        func run() throws {
            let db = try global.openStore()
            _ = try login.actor(db, as: .admin)
            let all = try Users(db: db).list()
            if global.json { try printJSON(all); return }
            let now = Timestamp.now()
            for a in all {
                if a.kind == .legacy { print("#\(a.id) \(a.display)"); continue }
                var state = a.disabledAt == nil ? Message("cli.user.state_active").text()
                    : Message("cli.user.state_disabled", ["since": .text("\(a.disabledAt!)")]).text()
                if let until = a.lockedUntil, until > now { state += Message("cli.user.state_locked", ["until": .text("\(until)")]).text() }
                print("#\(a.id) \(a.username) — \(a.fullName): \(a.roles.map(\.rawValue).joined(separator: ", ")); \(state)")
            }
        }
    }

    struct Disable: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Disable an account: it can no longer log in or act.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var login: LoginOptions
        @Argument(help: "The login.") var name: String
        func run() throws { try UserCommand.asAdmin(global, login, Message("cli.user.disabled", ["login": .text(Users.loginKey(name))])) { try $0.disable(name, by: $1) } }
    }

    struct Enable: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Enable a disabled account again.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var login: LoginOptions
        @Argument(help: "The login.") var name: String
        func run() throws { try UserCommand.asAdmin(global, login, Message("cli.user.enabled", ["login": .text(Users.loginKey(name))])) { try $0.enable(name, by: $1) } }
    }

    struct Unlock: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "End a lock after wrong passwords before its 15 minutes are over.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var login: LoginOptions
        @Argument(help: "The login.") var name: String
        func run() throws { try UserCommand.asAdmin(global, login, Message("cli.user.unlocked", ["login": .text(Users.loginKey(name))])) { try $0.unlock(name, by: $1) } }
    }

    struct Passwd: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set a new password: your own, or anyone's as an administrator.",
            discussion: "Example: chitra user passwd an.nguyen --user an.nguyen")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var login: LoginOptions
        @Argument(help: "The login whose password changes.") var name: String
        func run() throws {
            let db = try global.openStore()
            let me = try login.authenticate(db, purpose: Message("cli.login.purpose_password"))
            let password = try PasswordInput.shared.readNew(for: Users.loginKey(name), stdin: login.passwordStdin)
            try Users(db: db).setPassword(name, newPassword: password, by: me)
            print(Message("cli.user.password_changed", ["login": .text(Users.loginKey(name))]).text())
        }
    }
}
