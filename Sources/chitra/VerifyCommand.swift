import ArgumentParser
import ChiTraSigning
import Foundation

/// `chitra verify FILE`: check a signed file, or a batch manifest and every file it lists.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check a file against FILE.sig, or a manifest.json and every file it lists.",
        discussion: "Prints one sentence per finding. Exit code 0: all valid; 1: problems found."
    )

    @Argument(help: ArgumentHelp("The signed file, or a manifest.json.", valueName: "FILE"))
    var file: String

    @OptionGroup var store: KeysCommand.StoreOptions

    func run() throws {
        let url = URL(fileURLWithPath: file)
        let keys = store.keyStore
        if url.lastPathComponent == Manifest.fileName {
            let findings = Verifier.verifyManifest(at: url, keys: keys)
            guard findings.isEmpty else {
                for finding in findings { print(finding.message) }
                throw ExitCode(1)
            }
            let count = (try? Manifest.decode(Data(contentsOf: url)))?.files.count ?? 0
            print("VALID: \(url.lastPathComponent) and the \(count) file(s) it lists match their signatures and the totals agree.")
        } else {
            let result = try Verifier.verify(file: url, keys: keys)
            print(result.sentence(for: url.lastPathComponent))
            if !result.isValid { throw ExitCode(1) }
        }
    }
}
