import ChiTraCore
import ChiTraSigning
import Foundation

/// Prints an HTML page to an A4 PDF with headless Chromium (Debian's `chromium`), the page size
/// and margins coming from the page's own `@page` rule. The PDF appears whole or not at all
/// (written atomically, mode 0600); the HTML and Chromium's profile live in a private temporary
/// folder that is removed afterwards.
public enum PDFPrinter {
    /// Chromium's path: `CHITRA_CHROMIUM`, else the first of chromium, chromium-browser,
    /// google-chrome on PATH or in /usr/bin; nil when none is installed.
    public static func chromium() -> String? {
        let env = ProcessInfo.processInfo.environment
        if let p = env["CHITRA_CHROMIUM"], FileManager.default.isExecutableFile(atPath: p) { return p }
        let dirs = (env["PATH"] ?? "").split(separator: ":").map(String.init) + ["/usr/bin", "/usr/local/bin"]
        for dir in dirs {
            for name in ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"] {
                let p = "\(dir)/\(name)"
                if FileManager.default.isExecutableFile(atPath: p) { return p }
            }
        }
        return nil
    }

    /// Renders `html` and writes the PDF to `destination`. Fails, writing nothing, when Chromium
    /// is missing, fails or takes longer than `timeout` seconds.
    public static func print(html: String, to destination: URL, timeout: TimeInterval = 180) throws {
        guard let chromium = chromium() else {
            throw BatchError(Message("batch.pdf.no_chromium"))
        }
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("chitra-pdf-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(at: work) }
        let page = work.appendingPathComponent("page.html")
        let pdf = work.appendingPathComponent("page.pdf")
        try Data(html.utf8).write(to: page)

        let p = Process()
        p.executableURL = URL(fileURLWithPath: chromium)
        p.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                       "--no-pdf-header-footer", "--user-data-dir=\(work.appendingPathComponent("profile").path)",
                       "--print-to-pdf=\(pdf.path)", page.absoluteString]
        var env = ProcessInfo.processInfo.environment
        env["HOME"] = work.path   // Chromium writes its crash and config folders there
        p.environment = env
        p.standardOutput = FileHandle.nullDevice
        // Chromium's messages go to a file (a pipe nobody reads could fill up and stop it).
        let log = work.appendingPathComponent("chromium.log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let logHandle = try FileHandle(forWritingTo: log)
        defer { try? logHandle.close() }
        p.standardError = logHandle
        try p.run()
        let deadline = Date().addingTimeInterval(timeout)
        while p.isRunning && Date() < deadline { usleep(50_000) }
        if p.isRunning {
            p.terminate()
            p.waitUntilExit()
            throw BatchError(Message("batch.pdf.timeout", ["seconds": .int(Int(timeout))]))
        }
        p.waitUntilExit()
        guard p.terminationStatus == 0, let data = try? Data(contentsOf: pdf), data.starts(with: Array("%PDF-".utf8)) else {
            let messages = (try? Data(contentsOf: log)) ?? Data()
            let why = String(decoding: messages.suffix(600), as: UTF8.self).split(separator: "\n").last.map { SafeText.clean(String($0), limit: 300) } ?? ""
            throw BatchError(Message("batch.pdf.failed", ["code": .int(Int(p.terminationStatus)), "detail": .text(why.isEmpty ? "" : ": \(why)")]))
        }
        try AtomicFile.write(data, to: destination)
    }
}
