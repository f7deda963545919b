import ArgumentParser
import ChiTraBatch
import ChiTraCore
import ChiTraReturns
import ChiTraSigning
import Foundation

struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Play the bank or post office: write the return file for one of our payout files.",
        discussion: """
            pain.001 → pain.002.001.10 (or --format camt.054.001.08); bank-csv → bank-csv-return; \
            vnpost-list → vnpost-return. A line's fate depends only on --seed and its reference, so the \
            same command writes the same bytes. --sign signs the return file with the active key (FILE.sig).
            Example: chitra simulate out/2026-12/pain001-970436.xml --out returns/pain002-970436.xml --fail-rate 0.1
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var keys: KeysCommand.StoreOptions
    @Argument(help: ArgumentHelp("One of our payout files.", valueName: "PAYOUT_FILE")) var payoutFile: String
    @Option(help: ArgumentHelp("Where to write the return file.", valueName: "RETURN_FILE")) var out: String
    @Option(help: ArgumentHelp("Return format, e.g. camt.054.001.08 (default: the one answering the payout format).", valueName: "NAME"))
    var format: String?
    @Option(name: .customLong("fail-rate"), help: "Share of lines that fail, 0 to 1.") var failRate: Double = 0.05
    @Option(help: "Seed of the deterministic simulation.") var seed: UInt64 = 1
    @Option(name: .customLong("payment-date"), help: ArgumentHelp("Payment / booking date (default: today).", valueName: "YYYY-MM-DD"))
    var paymentDate: String?
    @Flag(help: "Sign the return file with the active key of --keys.") var sign = false

    func validate() throws {
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
        let data = try ReturnSimulator.simulate(
            payoutFile: URL(fileURLWithPath: payoutFile), outputFormat: format, failRate: failRate, seed: seed,
            formats: try PayoutFormats.load(from: dir.appendingPathComponent("payout-formats.json")),
            returnFormats: try ReturnFormats.load(from: dir.appendingPathComponent("return-formats.json")),
            paymentDate: date)
        let key = sign ? try keys.keyStore.activeKey() : nil
        let signature = try ReturnSimulator.write(data, to: URL(fileURLWithPath: out), signingKey: key)
        if global.json {
            var result = ["file": out, "bytes": "\(data.count)", "seed": "\(seed)", "failRate": "\(failRate)"]
            if let signature { result["signature"] = DetachedSignature.signatureURL(for: URL(fileURLWithPath: out)).path; result["keyID"] = signature.keyID }
            try printJSON(result)
            return
        }
        print("Wrote \(out) (\(data.count) bytes), seed \(seed), fail rate \(failRate)\(signature.map { ", signed with key \($0.keyID)" } ?? "").")
    }
}
