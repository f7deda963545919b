import ArgumentParser
import ChiTraStore
import Foundation

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "init", abstract: "Create the store (an SQLite file, mode 0600).",
        discussion: "Example: chitra init --db ward.sqlite --keys /secure/chitra-keys")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var keys: KeysCommand.StoreOptions

    func run() throws {
        let existed = FileManager.default.fileExists(atPath: global.dbPath)
        // The audit key (audit.key) is created in the key directory on first use.
        let db = try AppDatabase(path: global.dbPath, auditKeyDirectory: keys.directory.flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) })
        if !global.json && !existed { print("The audit log is sealed with \(db.auditKey.path) (check value \(db.auditKey.checkValue)); back up the key directory.") }
        if global.json { try printJSON(["db": global.dbPath, "created": existed ? "false" : "true"]) }
        else { print(existed ? "Store \(global.dbPath) already exists; its schema is up to date." : "Created store \(global.dbPath).") }
    }
}
