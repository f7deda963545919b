import ArgumentParser
import ChiTraCore
import ChiTraSigning
import ChiTraStore
import Foundation
import GRDB

extension ChiTra {
    /// ArgumentParser's entry point, with SQLite's "database is locked" turned into a sentence:
    /// another chitra command held the store's write lock for longer than the 30-second busy timeout.
    static func main() {
        // Before anything touches libcrypto: no OpenSSL clean-up racing GRDB's queue at exit.
        OpenSSLRuntime.prepare()
        do {
            // The language of every message, before any is made (`--lang`, else CHITRA_LANG, else vi).
            if let value = languageArgument(CommandLine.arguments) {
                guard let language = Language(code: value) else { throw MessageError("cli.lang.unknown", ["value": .text(SafeText.echo(value))]) }
                Language.current = language
            }
            var command = try parseAsRoot()
            try command.run()
        } catch let e as DatabaseError where e.resultCode == .SQLITE_BUSY || e.resultCode == .SQLITE_LOCKED {
            exit(withError: MessageError("cli.store.busy"))
        } catch let e as DatabaseError where e.resultCode == .SQLITE_CONSTRAINT && (e.message ?? "").contains("import_file.kind, import_file.sha256") {
            // Two imports of the same file at once: the importers look for the file's SHA-256 before
            // their write transaction, so the second one meets the first one's row here.
            exit(withError: MessageError("cli.import.concurrent_duplicate"))
        } catch {
            exit(withError: error)
        }
    }
}

/// The value of `--lang X` or `--lang=X` among the arguments (before `--`), if any.
func languageArgument(_ arguments: [String]) -> String? {
    var i = 1
    while i < arguments.count {
        let a = arguments[i]
        if a == "--" { return nil }
        if a == "--lang", i + 1 < arguments.count { return arguments[i + 1] }
        if a.hasPrefix("--lang=") { return String(a.dropFirst("--lang=".count)) }
        i += 1
    }
    return nil
}
