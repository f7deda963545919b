import ArgumentParser
import ChiTraCore
import ChiTraStore
import Foundation

/// Options every command shares.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The store file (also CHITRA_DB).", valueName: "PATH"))
    var db: String?

    @Flag(name: .long, help: "Machine-readable JSON output.")
    var json = false

    @Option(name: .long, help: ArgumentHelp("The formats folder with tariff.json, banks.json… (also CHITRA_FORMATS).", valueName: "DIR"))
    var formats: String?

    @Option(name: .long, help: ArgumentHelp("Language of messages, summaries and rejects reasons: vi (default) or en (also CHITRA_LANG).", valueName: "vi|en"))
    var lang: String?

    var dbPath: String {
        db ?? ProcessInfo.processInfo.environment["CHITRA_DB"].flatMap { $0.isEmpty ? nil : $0 } ?? "./chitra.sqlite"
    }

    func formatsDir() throws -> URL { try FormatsDirectory.locate(explicit: formats) }
    func tariff() throws -> Tariff { try Tariff.load(from: formatsDir().appendingPathComponent("tariff.json")) }
    func banks() throws -> BankDirectory { try BankDirectory.load(from: formatsDir().appendingPathComponent("banks.json")) }

    /// Opens an existing store; a missing file is an error that says to run `chitra init`.
    /// The audit key is `audit.key` in `keys` (a command's `--keys`), else `$CHITRA_KEYS`, else `./chitra-keys`.
    func openStore(keys: String? = nil) throws -> AppDatabase {
        guard FileManager.default.fileExists(atPath: dbPath) else {
            throw MessageError("cli.store.missing", ["path": .text(dbPath)])
        }
        return try AppDatabase(path: dbPath, auditKeyDirectory: keys.flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) })
    }
}

/// A command-line error: one catalogue sentence (`formats/messages/cli.json`).
struct CLIError: Error, CustomStringConvertible {
    let message: Message?
    let legacy: String?
    init(_ message: Message) { self.message = message; self.legacy = nil }
    /// A plain English text; kept for code not yet moved to the catalogue.
    @available(*, deprecated, message: "name a catalogue message: CLIError(Message(\"cli.…\", …))")
    init(_ d: String) { message = nil; legacy = d }
    var description: String { message?.text() ?? legacy ?? "" }
}

/// `--lang` for the commands without `GlobalOptions` (verify, fixtures, keys list): `Main.swift`
/// reads it from the arguments before parsing; declaring it here lets the parser accept it.
struct LanguageOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Language of messages: vi (default) or en (also CHITRA_LANG).", valueName: "vi|en"))
    var lang: String?
}

/// Prints an Encodable as pretty JSON with sorted keys.
func printJSON<T: Encodable>(_ value: T) throws {
    let enc = JSONEncoder()
    enc.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    print(String(decoding: try enc.encode(value), as: UTF8.self))
}

func stderrPrint(_ s: String) {
    FileHandle.standardError.write(Data((s + "\n").utf8))
}
