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

/// Known banks (`formats/banks.json`), and which payee institutions sign the return files they
/// send back (`signsReturns`, see banks.md).
public struct BankDirectory: Sendable {
    public struct Bank: Sendable, Codable {
        public let bin: String; public let short: String; public let name: String
        /// The bank signs its return files (FILE.sig, HMAC-SHA256 with the shared key): an unsigned
        /// return about its payments is refused. Absent: false.
        public let signsReturns: Bool?
        public init(bin: String, short: String, name: String, signsReturns: Bool? = nil) {
            self.bin = bin; self.short = short; self.name = name; self.signsReturns = signsReturns
        }
    }
    /// The post office (every `VNPOST-…` payout group).
    public struct PostOffice: Sendable, Codable {
        public let short: String
        public let signsReturns: Bool?
        public init(short: String, signsReturns: Bool? = nil) { self.short = short; self.signsReturns = signsReturns }
    }
    public let banks: [String: Bank]
    public let postOffice: PostOffice?

    public init(banks: [Bank], postOffice: PostOffice? = nil) {
        self.banks = Dictionary(banks.map { ($0.bin, $0) }, uniquingKeysWith: { a, _ in a })
        self.postOffice = postOffice
    }

    public static func load(from url: URL) throws -> BankDirectory {
        struct File: Decodable { let banks: [Bank]; let postOffice: PostOffice? }
        do {
            let f = try JSONDecoder().decode(File.self, from: Data(contentsOf: url))
            return BankDirectory(banks: f.banks, postOffice: f.postOffice)
        } catch {
            throw TariffError(file: url.lastPathComponent, message: Message("core.banks.unreadable", ["detail": .text("\(error)")]).text())
        }
    }
    public func bank(_ bin: String) -> Bank? { banks[bin] }

    /// Whether the institution paid through a payout group (`BANK-<BIN>` or `VNPOST-…`) signs its returns.
    public func signsReturns(groupKey: String) -> Bool {
        if groupKey.hasPrefix("BANK-") { return banks[String(groupKey.dropFirst(5))]?.signsReturns ?? false }
        return groupKey.hasPrefix("VNPOST") ? postOffice?.signsReturns ?? false : false
    }

    /// Whether the institution of a manifest entry (a BIN, or a `VNPOST-…` group) signs its returns.
    public func signsReturns(institution code: String) -> Bool {
        if let bank = banks[code] { return bank.signsReturns ?? false }
        return code.hasPrefix("VNPOST") ? postOffice?.signsReturns ?? false : false
    }

    /// The institution of a payout group, for messages: the bank's short name or the post office's.
    public func institutionName(groupKey: String) -> String {
        if groupKey.hasPrefix("BANK-") { let bin = String(groupKey.dropFirst(5)); return banks[bin].map { "\($0.short) (\(bin))" } ?? bin }
        return postOffice?.short ?? "the post office"
    }
}
