import ChiTraBatch
import ChiTraCore
import ChiTraSigning
import ChiTraStore
import ChiTraTestSupport
import Foundation
import GRDB
import Testing

/// The official XSD lives in ../shared beside the clone; tests that need it skip plainly without it.
let sharedXSD = Fixture.root.deletingLastPathComponent().appendingPathComponent("shared/iso20022/xsd/pain.001.001.09.xsd")
let xmllintPath = ["/usr/bin/xmllint", "/bin/xmllint"].first { FileManager.default.isExecutableFile(atPath: $0) }
let opensslCLI = ["/usr/bin/openssl", "/bin/openssl"].first { FileManager.default.isExecutableFile(atPath: $0) }

func run(_ tool: String, _ args: [String]) throws -> (status: Int32, output: String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: tool)
    p.arguments = args
    let pipe = Pipe()
    p.standardOutput = pipe
    p.standardError = pipe
    try p.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// An approved December batch on the hand-made roll, a key store, and an exporter.
struct ExportSetup {
    let db: AppDatabase
    let keys: KeyStore
    let out: URL
    let batchID: Int64
    let exporter: BatchExporter

    init(approve: Bool = true) throws {
        db = try Fixture.rulesStore()
        let dir = try Fixture.tempDir()
        keys = KeyStore(directory: dir.appendingPathComponent("keys"))
        _ = try keys.create(id: "k-test-1")
        out = dir.appendingPathComponent("out")
        batchID = try Fixture.builder(db).build(period: YearMonth("2026-12")!, by: try db.actor(.maker)).id
        if approve { try BatchLifecycle(db: db).approve(batchID: batchID, by: try db.actor(.checker)) }
        exporter = BatchExporter(db: db, payer: Fixture.payer, banks: Fixture.banks,
                                 formats: try PayoutFormats.load(from: Fixture.formats.appendingPathComponent("payout-formats.json")), keys: keys)
    }
}

@Suite("Batch export and signing")
struct BatchExportTests {
    @Test("Export writes one signed file per institution and a signed manifest whose totals are the batch's")
    func exportsAndVerifies() throws {
        let s = try ExportSetup()
        let e = try s.exporter.export(batchID: s.batchID, to: s.out, by: try s.db.actor(.maker))
        #expect(e.files.map(\.name) == ["CT202612-B000001-970405.csv", "CT202612-B000001-970415.xml", "CT202612-B000001-970418.xml",
                                        "CT202612-B000001-P34A415DD.csv"])
        #expect(e.files.map(\.format) == ["bank-csv", "pain.001.001.09", "pain.001.001.09", "vnpost-list"])
        #expect(e.controlSum == 14_750_000)
        #expect(e.files.map(\.controlSum).reduce(0, +) == 14_750_000)
        #expect(Verifier.verifyManifest(at: s.out.appendingPathComponent("manifest.json"), keys: s.keys).isEmpty)
        for f in e.files {
            let url = s.out.appendingPathComponent(f.name)
            #expect(try Verifier.verify(file: url, keys: s.keys).isValid)
            #expect(try FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? Int == 0o600)
        }
        #expect(try BatchReport.load(s.db, batchID: s.batchID).status == .exported)
        let states = try s.db.writer.read { try PayoutLines.stateCounts($0, batchID: s.batchID) }
        #expect(Array(states.keys) == [.exported])
    }

    @Test("A draft batch cannot be exported, and nothing is written")
    func unapprovedRefused() throws {
        let s = try ExportSetup(approve: false)
        #expect { try s.exporter.export(batchID: s.batchID, to: s.out, by: try s.db.actor(.maker)) } throws: { "\($0)".contains("là bản nháp, chưa được duyệt") }
        #expect(!FileManager.default.fileExists(atPath: s.out.path))
    }

    @Test("Exporting again writes byte-identical files and does not change the batch again")
    func reexportIsIdentical() throws {
        let s = try ExportSetup()
        let first = try s.exporter.export(batchID: s.batchID, to: s.out, by: try s.db.actor(.maker))
        let bytes = try first.files.map { try Data(contentsOf: s.out.appendingPathComponent($0.name)) }
        let again = try s.exporter.export(batchID: s.batchID, to: s.out, by: try s.db.actor(.maker))
        #expect(again.reexport)
        #expect(try again.files.map { try Data(contentsOf: s.out.appendingPathComponent($0.name)) } == bytes)
        let actions = try s.db.writer.read { try String.fetchAll($0, sql: "SELECT action FROM audit_log WHERE entity = 'batch' ORDER BY id") }
        #expect(actions == ["batch.build", "batch.approve", "batch.export", "batch.reexport"])
    }

    @Test("One changed byte in any exported file is detected; the manifest names it")
    func tamperDetected() throws {
        let s = try ExportSetup()
        let e = try s.exporter.export(batchID: s.batchID, to: s.out, by: try s.db.actor(.maker))
        for f in e.files.map(\.name) + ["manifest.json"] {
            let url = s.out.appendingPathComponent(f)
            var data = try Data(contentsOf: url)
            let original = data
            let i = data.count / 2
            data[i] = data[i] == UInt8(ascii: "7") ? UInt8(ascii: "8") : UInt8(ascii: "7")
            try data.write(to: url)
            #expect(try Verifier.verify(file: url, keys: s.keys).isValid == false, "\(f) changed but verified")
            let findings = Verifier.verifyManifest(at: s.out.appendingPathComponent("manifest.json"), keys: s.keys)
            #expect(findings.contains { $0.description.contains(f) }, "manifest check should name \(f)")
            try original.write(to: url)
        }
        #expect(Verifier.verifyManifest(at: s.out.appendingPathComponent("manifest.json"), keys: s.keys).isEmpty)
    }

    @Test("The pain.001 files validate against the official XSD (../shared/iso20022)",
          .enabled(if: FileManager.default.fileExists(atPath: sharedXSD.path) && xmllintPath != nil, "needs ../shared/iso20022 and xmllint (libxml2-utils)"))
    func pain001ValidatesAgainstXSD() throws {
        let s = try ExportSetup()
        let e = try s.exporter.export(batchID: s.batchID, to: s.out, by: try s.db.actor(.maker))
        let xmls = e.files.filter { $0.name.hasSuffix(".xml") }
        #expect(xmls.count == 2)
        for f in xmls {
            let r = try run(xmllintPath!, ["--noout", "--schema", sharedXSD.path, s.out.appendingPathComponent(f.name).path])
            #expect(r.status == 0, "\(r.output)")
        }
    }

    @Test("The stock openssl CLI computes the same HMAC as the .sig files, as a bank would check",
          .enabled(if: opensslCLI != nil, "needs the openssl command"))
    func opensslAgrees() throws {
        let s = try ExportSetup()
        let e = try s.exporter.export(batchID: s.batchID, to: s.out, by: try s.db.actor(.maker))
        let hexKey = try String(contentsOf: s.keys.keyFileURL(id: "k-test-1"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        for f in e.files.map(\.name) + ["manifest.json"] {
            let url = s.out.appendingPathComponent(f)
            let sig = try DetachedSignature.read(from: DetachedSignature.signatureURL(for: url))
            let r = try run(opensslCLI!, ["dgst", "-sha256", "-mac", "HMAC", "-macopt", "hexkey:\(hexKey)", url.path])
            #expect(r.status == 0)
            #expect(r.output.trimmingCharacters(in: .whitespacesAndNewlines).hasSuffix("= " + sig.mac), "\(f): \(r.output)")
        }
    }

    @Test("README's openssl check works for any file as printed: the key file found from the .sig's key-id line, OpenSSL 3's label, the mac: line equal",
          .enabled(if: opensslCLI != nil && FileManager.default.isExecutableFile(atPath: "/bin/bash"), "needs the openssl command and bash"))
    func readmeOpensslCheck() throws {
        let readme = try String(contentsOf: Fixture.root.appendingPathComponent("README.md"), encoding: .utf8)
        let section = try #require(readme.range(of: "### Checking a file independently (for the bank)"))
        let rest = readme[section.upperBound...]
        let open = try #require(rest.range(of: "```sh\n"))
        let close = try #require(rest[open.upperBound...].range(of: "```"))
        let block = rest[open.upperBound..<close.lowerBound].split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // The first two lines name the file and the key folder; the rest is run exactly as printed.
        #expect(block[0].hasPrefix("F=") && block[1].hasPrefix("KEYS="))
        let s = try ExportSetup()
        let e = try s.exporter.export(batchID: s.batchID, to: s.out, by: try s.db.actor(.maker))
        // Any file: each payout file, the manifest, and a copy whose name has a space in it.
        let spaced = s.out.appendingPathComponent("ban sao 970418.xml")
        try FileManager.default.copyItem(at: s.out.appendingPathComponent("CT202612-B000001-970418.xml"), to: spaced)
        try FileManager.default.copyItem(at: s.out.appendingPathComponent("CT202612-B000001-970418.xml.sig"),
                                         to: DetachedSignature.signatureURL(for: spaced))
        for name in e.files.map(\.name) + ["manifest.json", spaced.lastPathComponent] {
            let quoted = "'" + name.replacingOccurrences(of: "'", with: "'\\''") + "'"
            let script = (["F=\(quoted)", "KEYS='\(s.keys.directory.path)'"] + block.dropFirst(2)).joined(separator: "\n")
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/bin/bash")
            p.arguments = ["-e", "-c", script]
            p.currentDirectoryURL = s.out
            var env = ProcessInfo.processInfo.environment
            env["PATH"] = URL(fileURLWithPath: opensslCLI!).deletingLastPathComponent().path + ":/usr/bin:/bin"
            p.environment = env
            let pipe = Pipe()
            p.standardOutput = pipe
            p.standardError = pipe
            try p.run()
            let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.waitUntilExit()
            #expect(p.terminationStatus == 0, "\(name): \(output)")
            let lines = output.split(separator: "\n").map(String.init)
            #expect(lines.count == 2, "\(name): \(output)")
            guard lines.count == 2 else { continue }
            let sig = try DetachedSignature.read(from: DetachedSignature.signatureURL(for: s.out.appendingPathComponent(name)))
            // OpenSSL 3's label, as the README shows it.
            #expect(lines[0] == "HMAC-SHA2-256(\(name))= \(sig.mac)" || lines[0] == "HMAC-SHA256(\(name))= \(sig.mac)", "\(name): \(lines[0])")
            if lines[0].hasPrefix("HMAC-SHA2-256(") { #expect(readme.contains("`HMAC-SHA2-256(")) }
            #expect(lines[1] == sig.mac)
        }
    }

    @Test("The bank CSV carries the account holder's name as the bank holds it; the post-office list the proxy")
    func fileContents() throws {
        let s = try ExportSetup()
        _ = try s.exporter.export(batchID: s.batchID, to: s.out, by: try s.db.actor(.maker))
        let agri = try String(contentsOf: s.out.appendingPathComponent("CT202612-B000001-970405.csv"), encoding: .utf8)
        // bank-csv asks for the remittance folded to ASCII (remittanceASCII); arrears say what they are.
        #expect(agri.contains(",4001205000102,970405,TRAN THI MAI,750000,VND,Tro cap hang thang 12/2026 R02\r\n"))
        #expect(agri.contains(",4001205000108,970405,BUI VAN TAI,1000000,VND,Truy linh tro cap 08/2026 R08\r\n"))
        #expect(agri.contains(",4001205000110,970405,NGO THI LAN,500000,VND,Ho tro cham soc 12/2026 R10\r\n"))
        let postBytes = try Data(contentsOf: s.out.appendingPathComponent("CT202612-B000001-P34A415DD.csv"))
        #expect(postBytes.prefix(3) == Data([0xEF, 0xBB, 0xBF]))   // BOM, so Excel reads the Vietnamese right
        let post = String(decoding: postBytes.dropFirst(3), as: UTF8.self)
        #expect(post.hasPrefix("STT,Mã đối tượng,Họ và tên"))
        #expect(post.contains("Tổng cộng,2,,,,,,,,,,,1000000,,"))
    }

    @Test("A symbolic link as the export folder is refused; nothing is written through it and the batch stays approved")
    func symlinkedFolderRefused() throws {
        let s = try ExportSetup()
        let real = s.out.deletingLastPathComponent().appendingPathComponent("real")
        try FileManager.default.createDirectory(at: real, withIntermediateDirectories: false)
        try FileManager.default.createSymbolicLink(at: s.out, withDestinationURL: real)
        #expect { try s.exporter.export(batchID: s.batchID, to: s.out, by: try s.db.actor(.maker)) } throws: { "\($0)".contains("is a symbolic link") }
        #expect(try FileManager.default.contentsOfDirectory(atPath: real.path).isEmpty)
        #expect(try BatchReport.load(s.db, batchID: s.batchID).status == .approved)
    }

    @Test("A folder every user may write to is refused (with or without the sticky bit)", arguments: [0o777, 0o1777, 0o703])
    func worldWritableFolderRefused(mode: Int) throws {
        let s = try ExportSetup()
        try FileManager.default.createDirectory(at: s.out, withIntermediateDirectories: false)
        #expect(chmod(s.out.path, mode_t(mode)) == 0)
        #expect { try s.exporter.export(batchID: s.batchID, to: s.out, by: try s.db.actor(.maker)) } throws: {
            "\($0)".contains("every user of this machine may write to it") && "\($0)".contains("chmod o-w")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: s.out.path).isEmpty)
        #expect(try BatchReport.load(s.db, batchID: s.batchID).status == .approved)
    }

    @Test("A symbolic link inside the folder, where a payout file would go, is refused; its target is untouched")
    func symlinkedFileRefused() throws {
        let s = try ExportSetup()
        try FileManager.default.createDirectory(at: s.out, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        let elsewhere = s.out.deletingLastPathComponent().appendingPathComponent("elsewhere.csv")
        try Data("keep me".utf8).write(to: elsewhere)
        try FileManager.default.createSymbolicLink(at: s.out.appendingPathComponent("CT202612-B000001-970405.csv"), withDestinationURL: elsewhere)
        #expect { try s.exporter.export(batchID: s.batchID, to: s.out, by: try s.db.actor(.maker)) } throws: {
            "\($0)".contains("CT202612-B000001-970405.csv") && "\($0)".contains("symbolic link")
        }
        #expect(try String(contentsOf: elsewhere, encoding: .utf8) == "keep me")
        #expect(try FileManager.default.contentsOfDirectory(atPath: s.out.path) == ["CT202612-B000001-970405.csv"])
        #expect(try BatchReport.load(s.db, batchID: s.batchID).status == .approved)
    }

    @Test("A folder holding another batch's export is refused")
    func oneBatchPerFolder() throws {
        let s = try ExportSetup()
        _ = try s.exporter.export(batchID: s.batchID, to: s.out, by: try s.db.actor(.maker))
        try Fixture.importText(s.db, rollHeader + "\nS01,Lê Thị Mới,01/01/1990,F,046190009901,Phường Hương Trà,Tổ dân phố 1,NKT_NANG,,9/QĐ-UBND,02/11/2026,11/2026,,,active,bank,970405,4001205009901,LE THI MOI,,,,\n")
        let sup = try Fixture.builder(s.db).build(period: YearMonth("2026-12")!, by: try s.db.actor(.maker), supplementary: true, reason: "test")
        try BatchLifecycle(db: s.db).approve(batchID: sup.id, by: try s.db.actor(.checker))
        #expect { try s.exporter.export(batchID: sup.id, to: s.out, by: try s.db.actor(.maker)) } throws: { "\($0)".contains("đã chứa tệp xuất của danh sách chi trả #1") }
    }
}
