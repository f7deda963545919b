import ChiTraGaps
import Foundation
import Testing

/// The chromium binary on PATH, if any (Debian package `chromium`).
let chromiumPath: String? = {
    for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
        for name in ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"] {
            let p = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
    }
    return nil
}()

@Suite("HTML renders in a browser")
struct HTMLRenderTests {
    @Test("A village page renders to a non-empty PNG in headless chromium (A4 at 150 dpi: 1240×1754)",
          .enabled(if: chromiumPath != nil, "no chromium binary found on PATH; install it (apt-get install -y chromium) to check the pages render"),
          .timeLimit(.minutes(2)))
    func screenshot() throws {
        let list = try GapsFixture.finder.worklist(try GapsFixture.store(), options: GapsFixture.options())
        let dir = try GapsFixture.tempDir()
        let files = try list.writeHTML(to: dir.appendingPathComponent("html"))
        let page = files.first { $0.lastPathComponent == "phuong-huong-tra--thon-dong.html" }!
        let png = dir.appendingPathComponent("thon-dong.png")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: chromiumPath!)
        p.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                       "--user-data-dir=\(dir.appendingPathComponent("profile").path)",
                       "--screenshot=\(png.path)", "--window-size=1240,1754", page.absoluteString]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        let data = try Data(contentsOf: png)
        #expect(data.count > 10_000)
        #expect(Array(data.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        if let keep = ProcessInfo.processInfo.environment["CHITRA_KEEP_SCREENSHOT"] {
            try? FileManager.default.removeItem(atPath: keep)
            try FileManager.default.copyItem(at: png, to: URL(fileURLWithPath: keep))
        }
    }
}
