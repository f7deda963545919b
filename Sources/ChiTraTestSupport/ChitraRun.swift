import Foundation

/// The `chitra` executable built beside the test bundle, or nil (the tests that need it skip).
public let chitraBinary: URL? = {
    let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    let candidates = [beside.appendingPathComponent("chitra"), beside.deletingLastPathComponent().appendingPathComponent("chitra"),
                      ChitraRun.packageRoot.appendingPathComponent(".build/debug/chitra")]
    return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
}()

/// A running or finished `chitra` process in a store directory.
public final class ChitraRun: @unchecked Sendable {
    public let process = Process()
    public let output: URL

    /// The package's root (this file is Sources/ChiTraTestSupport/ChitraRun.swift).
    public static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The accounts ``setUpStore(in:)`` makes: login → role.
    public static let accounts: [(login: String, role: String, name: String)] = [
        ("an.nguyen", "maker", "Nguyễn Văn An"), ("binh.tran", "checker", "Trần Thị Bình"),
        ("cuc.le", "clerk", "Lê Thị Cúc"), ("ha.le", "officer", "Lê Thị Hà")]
    public static let admin = "quan.tri"
    /// Test passwords (never real ones): long enough for the rule of 10 characters.
    public static func password(_ login: String) -> String { "mat-khau-\(login)-2026" }

    /// `chitra init` with the first administrator, then one account per role.
    public static func setUpStore(in dir: URL) throws {
        let r = try run(["init", "--admin", admin, "--full-name", "Phạm Văn Quản", "--password-stdin"], in: dir, input: password(admin) + "\n")
        guard r.status == 0 else { throw CLIFailure(text: r.text) }
        for a in accounts {
            let r = try run(["user", "add", a.login, "--role", a.role, "--full-name", a.name], in: dir, as: admin, extraInput: password(a.login))
            guard r.status == 0 else { throw CLIFailure(text: r.text) }
        }
    }

    public struct CLIFailure: Error { public let text: String }

    /// Starts `chitra args…` with CHITRA_DB/KEYS/FORMATS pointing into `dir`; `as login` adds
    /// `--user LOGIN --password-stdin` and gives the password (and `extraInput`, a second line) on stdin.
    public init(_ args: [String], in dir: URL, as login: String? = nil, extraInput: String? = nil, input: String? = nil) throws {
        process.executableURL = chitraBinary
        process.arguments = args + (login.map { ["--user", $0, "--password-stdin"] } ?? [])
        var stdin = input ?? ""
        if let login { stdin += Self.password(login) + "\n" }
        if let extraInput { stdin += extraInput + "\n" }
        let pipe = Pipe()
        process.standardInput = pipe
        pipe.fileHandleForWriting.write(Data(stdin.utf8))
        try pipe.fileHandleForWriting.close()
        process.currentDirectoryURL = dir
        var env = ProcessInfo.processInfo.environment
        env["CHITRA_DB"] = dir.appendingPathComponent("s.sqlite").path
        env["CHITRA_KEYS"] = dir.appendingPathComponent("keys").path
        env["CHITRA_FORMATS"] = Self.packageRoot.appendingPathComponent("formats").path
        process.environment = env
        output = dir.appendingPathComponent(".out-\(UUID().uuidString)")
        FileManager.default.createFile(atPath: output.path, contents: nil)
        let handle = try FileHandle(forWritingTo: output)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
    }

    /// Waits for the end; returns the exit status and everything printed.
    public func finish() -> (status: Int32, text: String) {
        process.waitUntilExit()
        return (process.terminationStatus, (try? String(contentsOf: output, encoding: .utf8)) ?? "")
    }

    /// Runs to the end and returns the exit status and output.
    public static func run(_ args: [String], in dir: URL, as login: String? = nil, extraInput: String? = nil, input: String? = nil) throws -> (status: Int32, text: String) {
        try ChitraRun(args, in: dir, as: login, extraInput: extraInput, input: input).finish()
    }
}
