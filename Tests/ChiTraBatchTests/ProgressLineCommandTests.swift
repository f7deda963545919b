import ChiTraTestSupport
import Foundation
import GRDB
import Testing

/// The progress line of long commands (issue 14): on a terminal's stderr, in Vietnamese; nothing
/// when stderr is a file or pipe, and nothing with --json.
@Suite(.serialized) struct ProgressLineCommandTests {
    /// Runs `chitra args…` (as `login`) with stderr on a pseudo-terminal and stdout in a file;
    /// returns the status, what stdout got and what the terminal got.
    static func runOnTerminal(_ args: [String], in dir: URL, as login: String) throws -> (status: Int32, stdout: String, terminal: String) {
        // A pseudo-terminal from /dev/ptmx (Linux): unlock it, ask its number, open /dev/pts/N.
        // TIOCSPTLCK = _IOW('T', 0x31, int), TIOCGPTN = _IOR('T', 0x30, unsigned int).
        let master = open("/dev/ptmx", O_RDWR | O_NOCTTY)
        try #require(master >= 0)
        defer { close(master) }
        var unlock: Int32 = 0
        var number: UInt32 = 0
        try #require(ioctl(master, 0x4004_5431, &unlock) == 0 && ioctl(master, 0x8004_5430, &number) == 0)
        let slave = open("/dev/pts/\(number)", O_RDWR | O_NOCTTY)
        try #require(slave >= 0)
        let process = Process()
        process.executableURL = chitraBinary
        process.arguments = args + ["--user", login, "--password-stdin"]
        var env = ProcessInfo.processInfo.environment
        env["CHITRA_DB"] = dir.appendingPathComponent("s.sqlite").path
        env["CHITRA_KEYS"] = dir.appendingPathComponent("keys").path
        env["CHITRA_FORMATS"] = ChitraRun.packageRoot.appendingPathComponent("formats").path
        env.removeValue(forKey: "CHITRA_LANG")
        process.environment = env
        process.currentDirectoryURL = dir
        let stdin = Pipe()
        process.standardInput = stdin
        let out = dir.appendingPathComponent(".stdout-\(UUID().uuidString)")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = FileHandle(fileDescriptor: slave, closeOnDealloc: false)
        try process.run()
        stdin.fileHandleForWriting.write(Data((ChitraRun.password(login) + "\n").utf8))
        try stdin.fileHandleForWriting.close()
        // Drain the terminal while the command runs (its buffer is small), then what is left.
        _ = fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK)
        var terminal = Data()
        var buf = [UInt8](repeating: 0, count: 4096)
        func drain() { while true { let n = read(master, &buf, buf.count); if n <= 0 { break }; terminal.append(contentsOf: buf[0..<n]) } }
        while process.isRunning { drain(); usleep(20_000) }
        drain()
        close(slave)
        return (process.terminationStatus, (try? String(contentsOf: out, encoding: .utf8)) ?? "", String(decoding: terminal, as: UTF8.self))
    }

    @Test("batch build and reconcile draw a Vietnamese progress line on a terminal and erase it; nothing on a pipe or with --json",
          .enabled(if: chitraBinary != nil, "needs the chitra executable"))
    func progressOnATerminalOnly() throws {
        let dir = try Fixture.tempDir()
        try ChitraRun.setUpStore(in: dir)
        try FileManager.default.copyItem(at: Fixture.root.appendingPathComponent("fixtures/rules/rules-roll.csv"), to: dir.appendingPathComponent("roll.csv"))
        var r = try ChitraRun.run(["roll", "import", "roll.csv"], in: dir, as: "an.nguyen")
        try #require(r.status == 0, "\(r.text)")
        let store = try DatabaseQueue(path: dir.appendingPathComponent("s.sqlite").path)
        let lines = try store.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM grant_record")! }
        try store.close()
        #expect(lines >= 10)

        // A pipe (ChitraRun gives stdout and stderr a file): no progress line, no escape codes.
        r = try ChitraRun.run(["batch", "build", "--period", "2026-12", "--as-of", "2026-11-28"], in: dir, as: "an.nguyen")
        try #require(r.status == 0, "\(r.text)")
        #expect(!r.text.contains("Lập bảng chi:") && !r.text.contains("\u{1B}[K"), "\(r.text)")

        // A terminal: the line is drawn (every roll line walked: one per grant), then erased.
        let t = try Self.runOnTerminal(["batch", "build", "--period", "2026-12", "--as-of", "2026-11-28"], in: dir, as: "an.nguyen")
        #expect(t.status == 0, "\(t.stdout)\(t.terminal)")
        #expect(t.terminal.contains("Lập bảng chi: \(lines)/\(lines) dòng"), "\(t.terminal)")
        #expect(t.terminal.hasSuffix("\r\u{1B}[K"), "the line is erased at the end: \(t.terminal.debugDescription)")
        // The summary itself goes to stdout, untouched by the progress line.
        #expect(!t.stdout.contains("\u{1B}") && !t.stdout.isEmpty, "\(t.stdout)")

        // --json: a machine reads the output; no progress line even on a terminal.
        let j = try Self.runOnTerminal(["batch", "build", "--period", "2026-12", "--as-of", "2026-11-28", "--json"], in: dir, as: "an.nguyen")
        #expect(j.status == 0 && !j.terminal.contains("Lập bảng chi"), "\(j.terminal)")

        // English with --lang en.
        let e = try Self.runOnTerminal(["batch", "build", "--period", "2026-12", "--as-of", "2026-11-28", "--lang", "en"], in: dir, as: "an.nguyen")
        #expect(e.terminal.contains("Building the batch: \(lines)/\(lines) lines"), "\(e.terminal)")

        // The reconciliation reads every payout line: its progress line is erased before the report.
        let store2 = try DatabaseQueue(path: dir.appendingPathComponent("s.sqlite").path)
        let payoutLines = try store2.read { try Int.fetchOne($0, sql: "SELECT line_count FROM batch WHERE id = 1")! }
        try store2.close()
        let rec = try Self.runOnTerminal(["batch", "reconcile", "1"], in: dir, as: "cuc.le")
        #expect(rec.terminal.contains("Đối soát: \(payoutLines)/\(payoutLines) dòng"), "\(rec.status) \(rec.terminal)")
        #expect(!rec.stdout.contains("\u{1B}") && !rec.stdout.isEmpty, "\(rec.stdout)")
    }
}
