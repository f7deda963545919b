import ArgumentParser
import ChiTraStore
import Foundation
import GRDB

extension ChiTra {
    /// ArgumentParser's entry point, with SQLite's "database is locked" turned into a sentence:
    /// another chitra command held the store's write lock for longer than the 30-second busy timeout.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let e as DatabaseError where e.resultCode == .SQLITE_BUSY || e.resultCode == .SQLITE_LOCKED {
            exit(withError: CLIError("the store is busy: another chitra command has been writing to it for more than 30 seconds; wait for it to finish and run this command again (nothing was changed by this one)"))
        } catch {
            exit(withError: error)
        }
    }
}
