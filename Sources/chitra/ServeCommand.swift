import ArgumentParser
import ChiTraCore
import ChiTraSigning
import ChiTraStore
import ChiTraWeb
import Dispatch
import Foundation
import Logging

/// `chitra serve`: the browser application for finance staff, clerks and officers.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve",
        abstract: "Serve the web application (Vietnamese pages over the same use cases as the CLI).",
        discussion: """
        Sign in with the store's accounts (chitra user add). Sessions live in the store; a session ends after
        30 minutes without a request. Bind to 127.0.0.1 (the default) and put a TLS reverse proxy in front for
        any other access; then pass --behind-tls-proxy so the session cookie is marked Secure.
        Example: chitra serve --db chitra.sqlite --keys chitra-keys --bind 127.0.0.1:8080
        """)
    @OptionGroup var global: GlobalOptions
    @OptionGroup var keys: KeysCommand.StoreOptions
    @Option(help: ArgumentHelp("Address and port to listen on.", valueName: "HOST:PORT")) var bind = "127.0.0.1:8080"
    @Flag(help: "The server is reached through an HTTPS reverse proxy: mark the session cookie Secure.") var behindTlsProxy = false
    @Option(help: ArgumentHelp("Folder for uploads in flight and exported batches (default: DB's folder/chitra-web).", valueName: "DIR")) var workDir: String?
    @Option(help: ArgumentHelp("Largest upload accepted, in MB.", valueName: "MB")) var uploadLimitMb = 50

    func validate() throws {
        guard let colon = bind.lastIndex(of: ":"), Int(bind[bind.index(after: colon)...]) != nil else {
            throw ValidationError("--bind must be HOST:PORT, e.g. 127.0.0.1:8080")
        }
        guard (1...1024).contains(uploadLimitMb) else { throw ValidationError("--upload-limit-mb must be between 1 and 1024") }
    }

    func run() throws {
        let colon = bind.lastIndex(of: ":")!
        let host = String(bind[..<colon]), port = Int(bind[bind.index(after: colon)...])!
        guard FileManager.default.fileExists(atPath: global.dbPath) else {
            throw MessageError("cli.store.missing", ["path": .text(global.dbPath)])
        }
        let keyDir = KeyStore.defaultDirectory(explicit: keys.directory)
        let db = try AppDatabase(path: global.dbPath, auditKeyDirectory: keyDir, concurrentReads: true)
        guard try Users(db: db).hasActiveAdmin() else {
            throw CLIError(Message("cli.serve.no_account"))
        }
        let work = workDir.map { URL(fileURLWithPath: $0) }
            ?? URL(fileURLWithPath: global.dbPath).deletingLastPathComponent().appendingPathComponent("chitra-web")
        let env = try WebEnvironment(db: db, formatsDirectory: try global.formatsDir(), keysDirectory: keyDir, workDirectory: work,
                                     uploadLimit: uploadLimitMb * 1024 * 1024, secureCookies: behindTlsProxy)
        var logger = Logger(label: "chitra.serve")
        logger.logLevel = .info
        let app = WebServer.application(env, host: host, port: port, logger: logger)
        print("ChiTra: http://\(host):\(port)/ (store \(global.dbPath)); Ctrl-C stops the server.")
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var failure: (any Error)?
        Task {
            do { try await app.runService() } catch { failure = error }
            done.signal()
        }
        done.wait()
        if let failure { throw failure }
    }
}
