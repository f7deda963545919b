import ArgumentParser
import ChiTraCore
import ChiTraSigning
import ChiTraStore
import Foundation

/// `chitra verify FILE`: check a signed file, or a batch manifest and every file it lists.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check a file against FILE.sig, or a manifest.json and every file it lists.",
        discussion: """
        Prints one sentence per finding. Exit code 0: all valid; 1: problems found.
        For a manifest, when the store is at hand (--db or CHITRA_DB), the batch's lines are also checked against the
        approval sealed by its checker, and the manifest's approval seal against the store's.
        """
    )

    @Argument(help: ArgumentHelp("The signed file, or a manifest.json.", valueName: "FILE"))
    var file: String

    @OptionGroup var store: KeysCommand.StoreOptions
    @OptionGroup var language: LanguageOption
    @Option(name: .long, help: ArgumentHelp("The store, to check the batch against its sealed approval (also CHITRA_DB).", valueName: "PATH"))
    var db: String?

    func run() throws {
        let url = URL(fileURLWithPath: file)
        let keys = store.keyStore
        if url.lastPathComponent == Manifest.fileName {
            let findings = Verifier.verifyManifest(at: url, keys: keys)
            guard findings.isEmpty else {
                for finding in findings { print(finding.message) }
                throw ExitCode(1)
            }
            let manifest = try? Manifest.decode(Data(contentsOf: url))
            let count = manifest?.files.count ?? 0
            print(Message("cli.verify.manifest_valid", ["file": .text(url.lastPathComponent), "n": .int(count)]).text())
            if let manifest { try checkApproval(manifest) }
        } else {
            let result = try Verifier.verify(file: url, keys: keys)
            print(result.sentence(for: url.lastPathComponent))
            if !result.isValid { throw ExitCode(1) }
        }
    }

    /// With the store at hand: the batch's lines against its sealed approval, and the manifest's seal.
    func checkApproval(_ manifest: Manifest) throws {
        let path = db ?? ProcessInfo.processInfo.environment["CHITRA_DB"].flatMap { $0.isEmpty ? nil : $0 }
        guard let path, FileManager.default.fileExists(atPath: path) else {
            print(Message("cli.verify.no_store").text())
            return
        }
        let store = try AppDatabase(path: path, auditKeyDirectory: URL(fileURLWithPath: KeyStore.defaultDirectory(explicit: self.store.directory).path))
        let problems = try store.writer.read { try ApprovalSeal.checkExport($0, batchID: manifest.batchId, manifestSeal: manifest.approvalSeal, storePath: path) }
        guard problems.isEmpty else {
            for p in problems { print(Message("cli.verify.not_as_approved", ["problem": .text(p)]).text()) }
            throw ExitCode(1)
        }
        print(Message("cli.verify.as_approved", ["batch": .text("\(manifest.batchId)"), "path": .text(path)]).text())
    }
}
