import ChiTraCore
import Foundation
import Testing
import ChiTraSigning

@Suite("Batch manifest")
struct ManifestTests {
    let dir: TemporaryDirectory
    let store: KeyStore
    let manifestURL: URL

    /// Two signed payout files and a signed manifest over them.
    init() throws {
        dir = try TemporaryDirectory()
        store = KeyStore(directory: dir.file("keys"))
        try store.create(id: "k1")
        let key = try store.activeKey()
        let out = dir.file("out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        let a = out.appendingPathComponent("pain001-970405.xml")
        let b = out.appendingPathComponent("vnpost-79.csv")
        try Data("<Document>3 lines</Document>\n".utf8).write(to: a)
        try Data("id;amount\n1;500000\n2;750000\n".utf8).write(to: b)
        try DetachedSignature.sign(file: a, with: key)
        try DetachedSignature.sign(file: b, with: key)
        let manifest = try Manifest(
            batchId: 42, period: "2026-11", createdAt: Date(timeIntervalSince1970: 1_795_003_200),
            files: [
                Manifest.Entry(file: a, lineCount: 3, controlSum: 1_500_000, institution: "970405"),
                Manifest.Entry(file: b, lineCount: 2, controlSum: 1_250_000, institution: "VNPOST"),
            ])
        manifestURL = try manifest.write(to: out, signingWith: key)
    }

    var out: URL { manifestURL.deletingLastPathComponent() }

    @Test("a freshly written manifest verifies with no findings")
    func valid() throws {
        #expect(Verifier.verifyManifest(at: manifestURL, keys: store).isEmpty)
        #expect(try permissions(of: manifestURL) == 0o600)
        #expect(try Verifier.verify(file: manifestURL, keys: store) == .valid(keyID: "k1"))
    }

    @Test("the manifest is pretty JSON with sorted keys and the expected totals")
    func jsonShape() throws {
        let text = try String(contentsOf: manifestURL, encoding: .utf8)
        #expect(text.contains("\"format\" : \"CHITRA-MANIFEST-1\""))
        #expect(text.contains("\"createdAt\" : \"2026-11-18T12:00:00Z\""))
        let keys = ["batchId", "createdAt", "files", "format", "period", "totals"]
        let positions = keys.map { text.range(of: "\"\($0)\"")!.lowerBound }
        #expect(positions == positions.sorted())
        let manifest = try Manifest.decode(Data(contentsOf: manifestURL))
        #expect(manifest.totals == Manifest.Totals(lineCount: 5, controlSum: 2_750_000))
    }

    @Test("a tampered payout file is reported by name")
    func tamperedFile() throws {
        let file = out.appendingPathComponent("vnpost-79.csv")
        try Data("id;amount\n1;500000\n2;950000\n".utf8).write(to: file)
        let findings = Verifier.verifyManifest(at: manifestURL, keys: store)
        #expect(findings.map(\.kind) == [.changedFile, .fileSignature])
        #expect(findings.allSatisfy { $0.fileName == "vnpost-79.csv" })
        #expect(findings[0].message.contains("vnpost-79.csv"))
        #expect(findings[1].signature == .fileChanged(keyID: "k1", signedBytes: 28, actualBytes: 28))
    }

    @Test("edited totals (re-signed with the same key) are reported as totals differ with both numbers")
    func editedTotals() throws {
        var manifest = try Manifest.decode(Data(contentsOf: manifestURL))
        manifest.totals.controlSum = 2_850_000
        try AtomicFile.write(try manifest.encoded(), to: manifestURL)
        try DetachedSignature.sign(file: manifestURL, with: store.activeKey())
        let findings = Verifier.verifyManifest(at: manifestURL, keys: store)
        #expect(findings.map(\.kind) == [.totalsDiffer])
        #expect(findings[0].message.contains("2.850.000 đồng"))
        #expect(findings[0].message.contains("2.750.000 đồng"))
    }

    @Test("an edited manifest without re-signing fails its own signature")
    func editedManifestUnsigned() throws {
        var manifest = try Manifest.decode(Data(contentsOf: manifestURL))
        manifest.batchId = 43
        try AtomicFile.write(try manifest.encoded(), to: manifestURL)
        let findings = Verifier.verifyManifest(at: manifestURL, keys: store)
        #expect(findings.map(\.kind) == [.manifestSignature])
    }

    @Test("a manifest listing ../x is refused as a path escape")
    func pathEscape() throws {
        let text = try String(contentsOf: manifestURL, encoding: .utf8)
            .replacingOccurrences(of: "\"vnpost-79.csv\"", with: "\"../x\"")
        try AtomicFile.write(Data(text.utf8), to: manifestURL)
        try DetachedSignature.sign(file: manifestURL, with: store.activeKey())
        let findings = Verifier.verifyManifest(at: manifestURL, keys: store)
        #expect(findings.map(\.kind) == [.unsafeFileName])
        #expect(findings[0].message.contains("thoát khỏi thư mục"))
    }

    @Test("building a manifest with an unsafe name is refused")
    func unsafeNameOnBuild() {
        let entry = Manifest.Entry(name: "../x", bytes: 1, sha256: String(repeating: "0", count: 64),
                                   lineCount: 1, controlSum: 1, institution: "970405")
        #expect(throws: SigningError.unsafeFileName("../x")) {
            try Manifest(batchId: 1, period: "2026-11", files: [entry])
        }
    }

    @Test("a missing payout file is reported by name")
    func missingFile() throws {
        try FileManager.default.removeItem(at: out.appendingPathComponent("pain001-970405.xml"))
        let findings = Verifier.verifyManifest(at: manifestURL, keys: store)
        #expect(findings.map(\.kind) == [.missingFile])
        #expect(findings[0].fileName == "pain001-970405.xml")
    }

    @Test("a file in the folder that the manifest does not list is a finding (a bank could be sent it)")
    func unlistedFile() throws {
        try Data("extra;1000000\n".utf8).write(to: out.appendingPathComponent("extra.csv"))
        try Data("x".utf8).write(to: out.appendingPathComponent(".hidden"))
        let findings = Verifier.verifyManifest(at: manifestURL, keys: store)
        #expect(findings.map(\.kind) == [.unlistedFile, .unlistedFile])
        #expect(findings.map(\.fileName) == [".hidden", "extra.csv"])
        #expect(findings[1].message.hasPrefix("TỆP NGOÀI BẢNG KÊ: \"extra.csv\""))
        #expect(findings[1].message.contains("không liệt kê"))
    }

    @Test("a temporary file left by an interrupted export is its own finding; a folder inside is unlisted too")
    func leftoverTemporary() throws {
        try Data("<Document>half".utf8).write(to: out.appendingPathComponent(".pain001-970416.xml.tmp-a1B2c3"))
        try FileManager.default.createDirectory(at: out.appendingPathComponent("old"), withIntermediateDirectories: false)
        let findings = Verifier.verifyManifest(at: manifestURL, keys: store)
        #expect(findings.map(\.kind) == [.leftoverTemporary, .unlistedFile])
        #expect(findings[0].fileName == ".pain001-970416.xml.tmp-a1B2c3")
        #expect(findings[0].message.hasPrefix("TỆP TẠM CÒN SÓT:"))
        #expect(findings[1].message.contains("thư mục \"old\""))
    }

    @Test("the manifest's and the listed files' .sig files are expected; a .sig of an unlisted file is not")
    func signaturesOfListedFilesOnly() throws {
        #expect(try dir.contents(of: out) == ["manifest.json", "manifest.json.sig", "pain001-970405.xml", "pain001-970405.xml.sig",
                                              "vnpost-79.csv", "vnpost-79.csv.sig"])
        try Data("x".utf8).write(to: out.appendingPathComponent("other.xml.sig"))
        #expect(Verifier.verifyManifest(at: manifestURL, keys: store).map(\.fileName) == ["other.xml.sig"])
    }

    @Test("an invalid period is refused")
    func invalidPeriod() {
        #expect(throws: SigningError.self) { try Manifest(batchId: 1, period: "2026-13", files: []) }
        #expect(throws: SigningError.self) { try Manifest(batchId: 1, period: "26-11", files: []) }
    }
}
