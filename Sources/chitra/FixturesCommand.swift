import ArgumentParser
import ChiTraCore
import ChiTraFixtures
import Foundation

/// `chitra fixtures …`: deterministic test data.
struct FixturesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fixtures",
        abstract: "Generate deterministic, realistic test data.",
        subcommands: [Generate.self]
    )

    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "generate",
            abstract: "Write a beneficiary roll CSV (formats/roll-csv.md).",
            discussion: """
            The same --size, --seed and --as-of always give the same bytes. With --broken N, N invalid \
            lines of every kind are appended and listed in FILE.broken.json (line, code, kind).
            """
        )

        @Option(help: "Number of beneficiary codes.")
        var size: Int

        @OptionGroup var language: LanguageOption

        @Option(help: "Seed of the pseudo-random generator.")
        var seed: UInt64

        @Option(help: "Output CSV file (written atomically).")
        var out: String

        @Option(help: "Deliberately broken lines to append.")
        var broken: Int = 0

        @Option(name: .customLong("as-of"), help: "Reference month YYYY-MM (default \(RollGenerator.defaultAsOf)).")
        var asOf: String?

        func validate() throws {
            guard size >= 1 else { throw ValidationError("--size must be at least 1") }
            guard broken >= 0 else { throw ValidationError("--broken must not be negative") }
            if let asOf {
                guard let m = YearMonth(asOf) else { throw ValidationError("--as-of must be YYYY-MM, got \(asOf)") }
                guard m >= RollGenerator.earliestAsOf else {
                    throw ValidationError("--as-of must be \(RollGenerator.earliestAsOf) or later")
                }
            }
        }

        func run() throws {
            let month = asOf.flatMap { YearMonth($0) } ?? RollGenerator.defaultAsOf
            let url = URL(fileURLWithPath: out)
            let started = Date()
            let summary = try RollGenerator.generate(size: size, seed: seed, to: url,
                                                     options: .init(asOf: month, brokenRows: broken))
            let brokenURL = URL(fileURLWithPath: out + ".broken.json")
            if !summary.broken.isEmpty {
                let enc = JSONEncoder()
                enc.outputFormatting = [.prettyPrinted, .sortedKeys]
                try enc.encode(summary.broken).write(to: brokenURL, options: .atomic)
            } else if FileManager.default.fileExists(atPath: brokenURL.path) {
                try FileManager.default.removeItem(at: brokenURL)
            }
            print("wrote \(out)")
            print(summary.description)
            if !summary.broken.isEmpty { print("broken lines listed in \(brokenURL.path)") }
            let ms = Int(Date().timeIntervalSince(started) * 1000)
            print("took \(ms / 1000).\(String(format: "%03d", ms % 1000)) s")
        }
    }
}
