import ChiTraBatch
import ChiTraCore
import ChiTraReturns
import Foundation

/// Paths, loaders and sample payout documents for the returns tests.
enum Paths {
    /// The package root, from this file's path.
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    /// `shared/` beside the package root (samples, XSDs); tests needing it skip plainly without it.
    static let shared = packageRoot.deletingLastPathComponent().appendingPathComponent("shared")
    static let samples = shared.appendingPathComponent("iso20022/samples")
    static let xsd = shared.appendingPathComponent("iso20022/xsd")
    static let formats = packageRoot.appendingPathComponent("formats")
    static let fixtures = packageRoot.appendingPathComponent("fixtures/returns")

    static var hasSamples: Bool { FileManager.default.fileExists(atPath: samples.path) }
    static let xmllint: String? = ["/usr/bin/xmllint", "/usr/local/bin/xmllint", "/opt/homebrew/bin/xmllint"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }
    static var canValidate: Bool { xmllint != nil && FileManager.default.fileExists(atPath: xsd.path) }

    static func sample(_ name: String) -> URL { samples.appendingPathComponent(name) }
    static func returnFormats() throws -> ReturnFormats { try ReturnFormats.load(from: formats.appendingPathComponent("return-formats.json")) }
    static func payoutFormats() throws -> PayoutFormats { try PayoutFormats.load(from: formats.appendingPathComponent("payout-formats.json")) }
    static func taxonomy() throws -> ReasonTaxonomy { try ReasonTaxonomy.load(from: formats.appendingPathComponent("return-reasons.json")) }
}

/// A fresh temporary directory, removed when the value is dropped.
final class TempDir {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("chitra-returns-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(at: url) }
    func file(_ name: String) -> URL { url.appendingPathComponent(name) }
    func write(_ name: String, _ text: String) throws -> URL {
        let u = file(name)
        try Data(text.utf8).write(to: u)
        return u
    }
}

/// Runs `xmllint --noout --schema XSD FILE`; returns (exit status, messages).
func xmllint(schema: URL, file: URL) throws -> (Int32, String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: Paths.xmllint!)
    process.arguments = ["--noout", "--schema", schema.path, file.path]
    let pipe = Pipe()
    process.standardError = pipe
    process.standardOutput = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// Payout documents like the ones the batch exporter writes.
enum SamplePayout {
    static let december = YearMonth(year: 2026, month: 12)!
    static let vietcombank = Institution(kind: .bank, code: "970436", name: "Vietcombank")
    static let agribank = Institution(kind: .bank, code: "970405", name: "Agribank")
    static let postOffice = Institution(kind: .postOffice, code: "VNPOST-HUONGTRA", name: "Bưu điện Hương Trà")
    static let debtor = Debtor(name: "UBND phường Hương Trà", accountNo: "3712000012345", bankBIN: "970418", taxOrUnitCode: "1234567")
    static let paymentDate = CivilDate(year: 2026, month: 12, day: 5)!

    /// Amounts vary between 500,000 and 2,450,000 so sums are not trivial.
    static func amount(_ n: Int) -> Int64 { 500_000 + Int64(n % 40) * 50_000 }

    static func bankLine(_ n: Int, bin: String) -> PayoutLine {
        let code = String(format: "BTXH-%06d", n)
        return PayoutLine(reference: String(format: "CT202612-%06d", n), beneficiaryCode: code,
                          beneficiaryName: "Nguyễn Thị Hoa", payeeName: "Nguyễn Thị Hoa", payeeNameASCII: "NGUYEN THI HOA",
                          personalIDMasked: "079******123", channel: .bank, bankBIN: bin,
                          accountNo: String(format: "01234%05d", n), amount: amount(n), kind: .allowance, forMonth: december,
                          commune: "Hương Trà", village: "Tổ \(n % 7 + 1)", address: "12 Lý Thái Tổ", phone: "0912345678",
                          remittance: "TCXH 12/2026 \(code)")
    }

    /// Every fifth line is received by a proxy.
    static func postLine(_ n: Int) -> PayoutLine {
        let code = String(format: "BTXH-%06d", n)
        let proxy = n % 5 == 0
        return PayoutLine(reference: String(format: "CT202612-%06d", n), beneficiaryCode: code,
                          beneficiaryName: "Lê Văn Tám \(n)", payeeName: proxy ? "Lê Thị Hai" : "Lê Văn Tám \(n)",
                          payeeNameASCII: proxy ? "LE THI HAI" : "LE VAN TAM", proxyRelation: proxy ? "Con gái" : nil,
                          personalIDMasked: "079******456", channel: .postCash, amount: amount(n), kind: .allowance,
                          forMonth: december, commune: "Hương Trà", village: "Thôn \(n % 5 + 1)", address: "Thôn \(n % 5 + 1)",
                          remittance: "TCXH 12/2026 \(code)")
    }

    static func document(_ institution: Institution, _ lines: [PayoutLine]) -> PayoutDocument {
        PayoutDocument(messageID: "CT-202612-B7-\(institution.code.prefix(6))", createdAt: Date(timeIntervalSince1970: 1_795_000_000),
                       period: december, executionDate: CivilDate(year: 2026, month: 11, day: 24)!,
                       debtor: debtor, institution: institution, lines: lines)
    }

    /// Writes the payout file of `format` for `count` lines into `dir`; returns its URL.
    static func write(format: String, count: Int, in dir: TempDir) throws -> URL {
        let formats = try Paths.payoutFormats()
        let doc: PayoutDocument
        switch format {
        case "vnpost-list": doc = document(postOffice, (1...count).map(postLine))
        case "bank-csv": doc = document(agribank, (1...count).map { bankLine($0, bin: "970405") })
        default: doc = document(vietcombank, (1...count).map { bankLine($0, bin: "970436") })
        }
        let file = try formats.writer(named: format)!.write(doc)
        let url = dir.file("payout-\(format).\(file.fileExtension)")
        try file.data.write(to: url)
        return url
    }
}
