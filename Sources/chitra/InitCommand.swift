import ArgumentParser
import ChiTraStore
import Foundation

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "init", abstract: "Create the store (an SQLite file, mode 0600).",
        discussion: "Example: chitra init --db ward.sqlite")
    @OptionGroup var global: GlobalOptions

    func run() throws {
        let existed = FileManager.default.fileExists(atPath: global.dbPath)
        _ = try AppDatabase(path: global.dbPath)
        if global.json { try printJSON(["db": global.dbPath, "created": existed ? "false" : "true"]) }
        else { print(existed ? "Store \(global.dbPath) already exists; its schema is up to date." : "Created store \(global.dbPath).") }
    }
}
