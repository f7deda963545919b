import ArgumentParser
import ChiTraCore
import ChiTraStore
import Foundation

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "init", abstract: "Create the store (an SQLite file, mode 0600) and its first administrator.",
        discussion: """
        The first administrator's password is asked twice on the terminal, or read from the first line of standard input
        with --password-stdin. On a store made before accounts existed, init adds the first administrator.
        Example: chitra init --db ward.sqlite --keys /secure/chitra-keys --admin quan.tri --full-name "Phạm Văn Quản"
        """)
    @OptionGroup var global: GlobalOptions
    @OptionGroup var keys: KeysCommand.StoreOptions
    @Option(help: ArgumentHelp("The first administrator's login (needed while the store has none).", valueName: "LOGIN")) var admin: String?
    @Option(help: "The first administrator's full name, with diacritics.") var fullName: String?
    @Flag(name: .long, help: "Read the administrator's password from standard input.") var passwordStdin = false

    func run() throws {
        let existed = FileManager.default.fileExists(atPath: global.dbPath)
        let users: Users
        do {
            // The audit key (audit.key) is created in the key directory on first use.
            let db = try AppDatabase(path: global.dbPath, auditKeyDirectory: keys.directory.flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) })
            if !global.json && !existed { print(Message("cli.init.audit_key", ["path": .text(db.auditKey.path), "kcv": .text(db.auditKey.checkValue)]).text()) }
            users = Users(db: db)
        }
        var created: UserAccount?
        if try !users.hasActiveAdmin() {
            guard let admin, let fullName else {
                throw CLIError(Message("cli.init.no_admin", ["path": .text(global.dbPath)]))
            }
            let login = try Users.validLogin(admin)
            let password = try PasswordInput.shared.readNew(for: login, stdin: passwordStdin)
            created = try users.addFirstAdmin(username: admin, fullName: fullName, password: password)
        } else if admin != nil {
            throw CLIError(Message("cli.init.admin_exists", ["path": .text(global.dbPath)]))
        }
        if global.json { try printJSON(["db": global.dbPath, "created": existed ? "false" : "true", "admin": created?.username ?? ""]); return }
        print(existed ? Message("cli.init.store_exists", ["path": .text(global.dbPath)]).text()
                       : Message("cli.init.store_created", ["path": .text(global.dbPath)]).text())
        if let created { print(Message("cli.init.first_admin", ["admin": .text(created.display), "login": .text(created.username)]).text()) }
    }
}
