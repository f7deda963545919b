import ArgumentParser
import ChiTraCore
import ChiTraSigning
import ChiTraStore
import Foundation

/// `chitra keys`: create, list, rotate and retire the HMAC keys that sign payout files.
struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Manage the HMAC-SHA256 keys that sign payout files.",
        discussion: """
            Keys are files in a directory (mode 0700): <id>.key (mode 0600, 64 hex digits) and \
            keyring.json. One key is active and signs; after a rotation the previous key is \
            verify-only until it is retired.
            """,
        subcommands: [Create.self, List.self, Rotate.self, Retire.self]
    )

    /// `--keys DIR`, shared by every command that needs the key store.
    struct StoreOptions: ParsableArguments {
        @Option(name: .customLong("keys"), help: ArgumentHelp(
            "The key directory (default: $\(KeyStore.environmentVariable), else ./\(KeyStore.defaultDirectoryName)).",
            valueName: "DIR"))
        var directory: String?

        var keyStore: KeyStore {
            KeyStore(directory: KeyStore.defaultDirectory(explicit: directory))
        }
    }

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create the first key and make it active.",
            discussion: "Role: admin. Refused if an active key exists: use `chitra keys rotate` instead.")

        @OptionGroup var store: StoreOptions
        @OptionGroup var global: GlobalOptions
        @OptionGroup var login: LoginOptions
        @Option(help: "The key id (default: k + UTC time, e.g. k20261123T120000).")
        var id: String?

        func validate() throws {
            if let id, !KeyID.isValid(id) {
                throw ValidationError(Message("cli.keys.bad_id", ["id": .text(SafeText.echo(id))]).text())
            }
        }

        func run() throws {
            let db = try global.openStore(keys: store.directory)
            let admin = try login.actor(db, as: .admin)
            let keys = store.keyStore
            let info = try keys.create(id: id)
            try db.writer.write { try AuditLog.append($0, actor: admin, action: "keys.create", entity: "key", entityID: info.id, detail: "kcv=\(info.kcv)") }
            print(Message("cli.keys.created", ["id": .text(info.id), "kcv": .text(info.kcv), "dir": .text(keys.directory.path)]).text())
            print(Message("cli.keys.give_bank", ["file": .text(keys.keyFileURL(id: info.id).path)]).text())
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List keys with their state, creation time and check value (never the key itself).")

        @OptionGroup var store: StoreOptions
        @OptionGroup var language: LanguageOption
        @Flag(help: "Print JSON instead of a table.")
        var json = false

        func run() throws {
            let keys = try store.keyStore.list()
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                encoder.dateEncodingStrategy = .iso8601
                print(String(decoding: try encoder.encode(keys), as: UTF8.self))
                return
            }
            guard !keys.isEmpty else {
                print(Message("cli.keys.none", ["dir": .text(store.keyStore.directory.path)]).text())
                return
            }
            let width = max(2, keys.map(\.id.count).max() ?? 0)
            func pad(_ text: String, _ count: Int) -> String { text + String(repeating: " ", count: max(0, count - text.count)) }
            print(pad("ID", width) + "  " + pad("STATE", 11) + "  " + pad("CREATED", 20) + "  KCV")
            for key in keys {
                print(pad(key.id, width) + "  " + pad(key.state.rawValue, 11) + "  "
                      + pad(key.created.formatted(.iso8601), 20) + "  " + key.kcv)
            }
        }
    }

    struct Rotate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a new active key; the previous one becomes verify-only.", discussion: "Role: admin.")

        @OptionGroup var store: StoreOptions
        @OptionGroup var global: GlobalOptions
        @OptionGroup var login: LoginOptions
        @Option(name: .customLong("id"), help: "The new key id (default: k + UTC time).")
        var newID: String?

        func validate() throws {
            if let newID, !KeyID.isValid(newID) {
                throw ValidationError(Message("cli.keys.bad_id", ["id": .text(SafeText.echo(newID))]).text())
            }
        }

        func run() throws {
            let db = try global.openStore(keys: store.directory)
            let admin = try login.actor(db, as: .admin)
            let keys = store.keyStore
            let previous = try keys.keyring().active?.id
            let info = try keys.rotate(newID: newID)
            try db.writer.write { try AuditLog.append($0, actor: admin, action: "keys.rotate", entity: "key", entityID: info.id, detail: "kcv=\(info.kcv) previous=\(previous ?? "-")") }
            print(Message("cli.keys.rotated", ["id": .text(info.id), "kcv": .text(info.kcv), "previous": .text(previous ?? "-")]).text())
            print(Message("cli.keys.give_bank_new", ["file": .text(keys.keyFileURL(id: info.id).path)]).text())
        }
    }

    struct Retire: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Stop accepting a previous key; files signed with it no longer verify.", discussion: "Role: admin.")

        @OptionGroup var store: StoreOptions
        @OptionGroup var global: GlobalOptions
        @OptionGroup var login: LoginOptions
        @Argument(help: "The id of the key to retire.")
        var id: String

        func run() throws {
            let db = try global.openStore(keys: store.directory)
            let admin = try login.actor(db, as: .admin)
            let info = try store.keyStore.retire(id: id)
            try db.writer.write { try AuditLog.append($0, actor: admin, action: "keys.retire", entity: "key", entityID: info.id) }
            print(Message("cli.keys.retired", ["id": .text(info.id)]).text())
        }
    }
}
