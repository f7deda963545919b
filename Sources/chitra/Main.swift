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
            // SQLite's errors go on to the translations below; every other error of a run is ChiTra's.
            do { try command.run() } catch let e as DatabaseError { throw e } catch { exitSaying(error) }
        } catch let e as DatabaseError where e.resultCode == .SQLITE_BUSY || e.resultCode == .SQLITE_LOCKED {
            exitSaying(MessageError("cli.store.busy"))
        } catch let e as DatabaseError where e.resultCode == .SQLITE_CONSTRAINT && (e.message ?? "").contains("import_file.kind, import_file.sha256") {
            // Two imports of the same file at once: the importers look for the file's SHA-256 before
            // their write transaction, so the second one meets the first one's row here.
            exitSaying(MessageError("cli.import.concurrent_duplicate"))
        } catch let e as MessageError {
            exitSaying(e)  // an unknown --lang
        } catch {
            exit(withError: error)
        }
    }
}

extension ChiTra {
    /// Ends a command that failed while it ran. ChiTra's own errors are sentences in the message
    /// language, so they get its word for "error" (`Lỗi:`), not ArgumentParser's English one;
    /// ArgumentParser's own (an exit code, a validation error) keep its handling.
    static func exitSaying(_ error: Error) -> Never {
        switch error {
        case is ExitCode, is CleanExit, is ValidationError: exit(withError: error)
        default:
            FileHandle.standardError.write(Data((Message("cli.error").text() + " " + message(for: error) + "\n").utf8))
            exit(withError: exitCode(for: error))
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
