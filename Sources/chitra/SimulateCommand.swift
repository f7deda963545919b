import ArgumentParser
import ChiTraBatch
import ChiTraCore
import ChiTraReturns
import ChiTraSimulator
import ChiTraSigning
import Foundation

struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Play the bank or post office: write the return file for one of our payout files (or for each of several).",
        discussion: """
            pain.001 → pain.002.001.10 (or --format camt.054.001.08); bank-csv → bank-csv-return; \
            vnpost-list → vnpost-return. A line's fate depends only on --seed and its reference, so the \
            same command writes the same bytes. The return is signed with the active key (FILE.sig) when the \
            institution it plays signs its returns (formats/banks.json signsReturns; the institution is read from \
            the manifest.json beside the payout file), as the real one would; --sign signs it anyway, --unsigned \
            never (to see an unsigned return refused).
            With several payout files, or a folder of them (its .xml and .csv files), --out is a folder: \
            each return is written there as NAME.pain002.xml (NAME.camt054.xml with --format camt.054.001.08) \
            or NAME.return.csv, NAME being the payout file's name without its extension.
            Example: chitra simulate out/2026-12/pain001-970436.xml --out returns/pain002-970436.xml --fail-rate 0.1
            Example: chitra simulate out/2026-12 --out returns/2026-12 --fail-rate 0.1
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var keys: KeysCommand.StoreOptions
    @Argument(help: ArgumentHelp("One of our payout files; or several, or a folder of them.", valueName: "PAYOUT_FILE"))
    var payoutFiles: [String]
    @Option(help: ArgumentHelp("Where to write the return file (a folder for several payout files or a folder).", valueName: "RETURN_FILE"))
    var out: String
    @Option(help: ArgumentHelp("Return format, e.g. camt.054.001.08 (default: the one answering the payout format).", valueName: "NAME"))
    var format: String?
    @Option(name: .customLong("fail-rate"), help: "Share of lines that fail, 0 to 1.") var failRate: Double = 0.05
    @Option(help: "Seed of the deterministic simulation.") var seed: UInt64 = 1
    @Option(name: .customLong("payment-date"), help: ArgumentHelp("Payment / booking date (default: today).", valueName: "YYYY-MM-DD"))
    var paymentDate: String?
    @Flag(help: "Sign the return file with the active key of --keys (default: when the institution signs its returns).") var sign = false
    @Flag(help: "Do not sign the return file, even when the institution signs its returns.") var unsigned = false

    func validate() throws {
        guard !payoutFiles.isEmpty else { throw ValidationError("name a payout file, e.g. out/2026-12/CT202612-B000001-970418.xml") }
        if sign && unsigned { throw ValidationError("--sign and --unsigned cannot go together") }
        guard (0...1).contains(failRate) else { throw ValidationError("--fail-rate must be between 0 and 1, e.g. 0.05") }
        if let paymentDate, paymentDate.count != 10 || CivilDate(paymentDate) == nil {
            throw ValidationError("--payment-date must be YYYY-MM-DD, e.g. 2026-12-05")
        }
    }

    func run() throws {
        let date: CivilDate
        if let paymentDate { date = CivilDate(paymentDate)! } else {
            var cal = Calendar(identifier: .gregorian)
            cal.timeZone = TimeZone(secondsFromGMT: 7 * 3600)!
            let c = cal.dateComponents([.year, .month, .day], from: Date())
            date = CivilDate(year: c.year!, month: c.month!, day: c.day!)!
        }
        let dir = try global.formatsDir()
        let payoutFormats = try PayoutFormats.load(from: dir.appendingPathComponent("payout-formats.json"))
        let returnFormats = try ReturnFormats.load(from: dir.appendingPathComponent("return-formats.json"))
        let banks = try global.banks()
        /// Whether the institution a payout file is addressed to signs its returns: its entry in the
        /// manifest beside it names the institution (a BIN, or the post office's group).
        func institutionSigns(_ payout: URL) -> Bool {
            let manifest = payout.deletingLastPathComponent().appendingPathComponent("manifest.json")
            guard let data = try? Data(contentsOf: manifest), let m = try? Manifest.decode(data),
                  let entry = m.files.first(where: { $0.name == payout.lastPathComponent }) else { return false }
            return banks.signsReturns(institution: entry.institution)
        }

        /// Simulates one payout into `output`; the sentence (or JSON object) it reports.
        func simulate(_ payout: URL, into output: URL) throws -> [String: String] {
            let written = try ReturnSimulator.simulate(
                payoutFile: payout, outputFormat: format, failRate: failRate, seed: seed,
                formats: payoutFormats, returnFormats: returnFormats, paymentDate: date, to: output,
                signingKey: sign || (!unsigned && institutionSigns(payout)) ? try keys.keyStore.activeKey() : nil)
            var result = ["file": output.path, "bytes": "\(written.byteCount)", "seed": "\(seed)", "failRate": "\(failRate)"]
            if let signature = written.signature {
                result["signature"] = DetachedSignature.signatureURL(for: output).path
                result["keyID"] = signature.keyID
            }
            return result
        }
        func sentence(_ r: [String: String], file: String) -> String {
            "Wrote \(file) (\(r["bytes"]!) bytes), seed \(seed), fail rate \(failRate)\(r["keyID"].map { ", signed with key \($0)" } ?? "")."
        }

        // One payout file: --out is the return file, as it always was.
        var isDirectory: ObjCBool = false
        if payoutFiles.count == 1, !(FileManager.default.fileExists(atPath: payoutFiles[0], isDirectory: &isDirectory) && isDirectory.boolValue) {
            var r = try simulate(URL(fileURLWithPath: payoutFiles[0]), into: URL(fileURLWithPath: out))
            r["file"] = out
            if global.json { try printJSON(r); return }
            print(sentence(r, file: out))
            return
        }

        // Several, or folders of them, in one process: --out is a folder.
        var payouts: [URL] = []
        for path in payoutFiles {
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
                let names = try FileManager.default.contentsOfDirectory(atPath: path)
                    .filter { !$0.hasPrefix(".") && ($0.hasSuffix(".xml") || $0.hasSuffix(".csv")) }
                    .sorted()
                payouts += names.map { URL(fileURLWithPath: path).appendingPathComponent($0) }
            } else {
                payouts.append(URL(fileURLWithPath: path))
            }
        }
        guard !payouts.isEmpty else { throw ValidationError("\(payoutFiles.joined(separator: ", ")) holds no payout file (.xml or .csv)") }
        let outDir = URL(fileURLWithPath: out)
        try FileManager.default.createDirectory(at: outDir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        var results: [[String: String]] = []
        for payout in payouts {
            let base = payout.deletingPathExtension().lastPathComponent
            let suffix = format?.hasPrefix("camt.054") == true ? "camt054.xml" : payout.pathExtension == "xml" ? "pain002.xml" : "return.csv"
            let output = outDir.appendingPathComponent("\(base).\(suffix)")
            let r = try simulate(payout, into: output)
            if global.json { results.append(r) } else { print(sentence(r, file: output.path)) }
        }
        if global.json { try printJSON(results) }
    }
}
