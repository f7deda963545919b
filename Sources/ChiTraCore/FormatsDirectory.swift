import Foundation

/// Finds the `formats/` folder: `--formats`, then `CHITRA_FORMATS`, then a `formats/` folder
/// beside or above the current directory or the executable.
public enum FormatsDirectory {
    public static func locate(explicit: String? = nil) throws -> URL {
        if let explicit { return URL(fileURLWithPath: explicit) }
        if let env = ProcessInfo.processInfo.environment["CHITRA_FORMATS"], !env.isEmpty {
            return URL(fileURLWithPath: env)
        }
        var starts = [URL(fileURLWithPath: FileManager.default.currentDirectoryPath)]
        starts.append(URL(fileURLWithPath: CommandLine.arguments.first ?? ".").resolvingSymlinksInPath().deletingLastPathComponent())
        for start in starts {
            var dir = start.standardizedFileURL
            for _ in 0..<8 {
                let candidate = dir.appendingPathComponent("formats")
                if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("tariff.json").path) {
                    return candidate
                }
                dir.deleteLastPathComponent()
            }
        }
        throw TariffError(file: "formats/", message: "cannot find the formats folder (with tariff.json); pass --formats DIR or set CHITRA_FORMATS")
    }
}

/// Known banks (`formats/banks.json`).
public struct BankDirectory: Sendable {
    public struct Bank: Sendable, Codable { public let bin: String; public let short: String; public let name: String }
    public let banks: [String: Bank]

    public init(banks: [Bank]) { self.banks = Dictionary(banks.map { ($0.bin, $0) }, uniquingKeysWith: { a, _ in a }) }

    public static func load(from url: URL) throws -> BankDirectory {
        struct File: Decodable { let banks: [Bank] }
        do {
            let f = try JSONDecoder().decode(File.self, from: Data(contentsOf: url))
            return BankDirectory(banks: f.banks)
        } catch {
            throw TariffError(file: url.lastPathComponent, message: "cannot read the bank list: \(error)")
        }
    }
    public func bank(_ bin: String) -> Bank? { banks[bin] }
}
