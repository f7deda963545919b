import ArgumentParser
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
            var command = try parseAsRoot()
            try command.run()
        } catch let e as DatabaseError where e.resultCode == .SQLITE_BUSY || e.resultCode == .SQLITE_LOCKED {
            exit(withError: CLIError("the store is busy: another chitra command has been writing to it for more than 30 seconds; wait for it to finish and run this command again (nothing was changed by this one)"))
        } catch let e as DatabaseError where e.resultCode == .SQLITE_CONSTRAINT && (e.message ?? "").contains("import_file.kind, import_file.sha256") {
            // Two imports of the same file at once: the importers look for the file's SHA-256 before
            // their write transaction, so the second one meets the first one's row here.
            exit(withError: CLIError("this file was already imported by another chitra command running at the same moment; nothing was applied twice. Run the command again to see the earlier import's summary"))
        } catch {
            exit(withError: error)
        }
    }
}
