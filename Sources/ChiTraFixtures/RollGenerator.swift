import ChiTraCore
import Foundation

/// Generates realistic, deterministic beneficiary rolls (`formats/roll-csv.md`) for tests,
/// demos and load measurements.
///
/// - Output: UTF-8 with BOM, Vietnamese headers in `RollColumn.allCases` order, **LF** line ends,
///   RFC 4180 quoting where a field needs it (some addresses contain commas or quotes).
/// - Deterministic: the bytes depend only on `size`, `seed` and the options — same input, same
///   file, on any machine (own PRNG, integer arithmetic only, no locale, no clock).
/// - Streaming: rows are formatted straight into a 1 MiB buffer and written chunk by chunk;
///   memory does not grow with `size`.
/// - Atomic: written to a hidden temporary file beside `url`, then renamed over it.
///
/// `size` is the number of beneficiary codes. About 3 % of them get a second line (same code,
/// a second category), about 0.2 % are a person already on the roll under another code
/// (a duplicate the import must report), and `brokenRows` deliberately invalid lines are appended
/// at the end (listed in `RollSummary.broken`).
public enum RollGenerator {
    /// The default reference month: ages, statuses, deaths and authorisations are relative to it.
    public static let defaultAsOf = YearMonth(year: 2026, month: 11)!
    /// The earliest reference month supported: the social pension (from 07/2025) must be payable
    /// for two months before it.
    public static let earliestAsOf = YearMonth(year: 2025, month: 9)!
    /// Up to this size the roll is one ward (“Phường Hương Trà”); above, ~2,000 per commune.
    public static let singleCommuneLimit = 20_000

    public struct Options: Sendable, Equatable {
        /// Reference month; the reference *day* is the 15th of it.
        public var asOf: YearMonth
        /// Deliberately invalid lines appended after the valid ones, cycling through every kind.
        public var brokenRows: Int

        public init(asOf: YearMonth = RollGenerator.defaultAsOf, brokenRows: Int = 0) {
            self.asOf = asOf
            self.brokenRows = brokenRows
        }
    }

    /// Writes a roll of `size` beneficiaries to `url` and returns what it wrote.
    @discardableResult
    public static func generate(size: Int, seed: UInt64, to url: URL, options: Options = Options()) throws -> RollSummary {
        guard size >= 1 else { throw RollGeneratorError.invalidSize(size) }
        guard options.brokenRows >= 0 else { throw RollGeneratorError.invalidBrokenRows(options.brokenRows) }
        guard options.asOf >= earliestAsOf else { throw RollGeneratorError.asOfTooEarly(options.asOf) }

        let dir = url.deletingLastPathComponent()
        let tmp = dir.appendingPathComponent(".\(url.lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0 ... .max))")
        guard FileManager.default.createFile(atPath: tmp.path, contents: nil) else {
            throw RollGeneratorError.cannotCreate(tmp.path)
        }
        var renamed = false
        defer { if !renamed { try? FileManager.default.removeItem(at: tmp) } }

        let handle = try FileHandle(forWritingTo: tmp)
        let summary: RollSummary
        do {
            let engine = RollEngine(size: size, seed: seed, asOf: options.asOf, handle: handle)
            summary = try engine.run(brokenRows: options.brokenRows)
            try handle.close()
        } catch {
            try? handle.close()
            throw error
        }
        guard rename(tmp.path, url.path) == 0 else {
            throw RollGeneratorError.cannotRename(from: tmp.path, to: url.path, errno: errno)
        }
        renamed = true
        return summary
    }

    /// Convenience form of `generate(size:seed:to:options:)`.
    @discardableResult
    public static func generate(size: Int, seed: UInt64, to url: URL,
                                asOf: YearMonth = defaultAsOf, brokenRows: Int = 0) throws -> RollSummary {
        try generate(size: size, seed: seed, to: url, options: Options(asOf: asOf, brokenRows: brokenRows))
    }
}

public enum RollGeneratorError: Error, Equatable, CustomStringConvertible {
    case invalidSize(Int)
    case invalidBrokenRows(Int)
    case asOfTooEarly(YearMonth)
    case cannotCreate(String)
    case cannotRename(from: String, to: String, errno: Int32)

    public var description: String {
        switch self {
        case .invalidSize(let n): return "size must be at least 1 (got \(n))"
        case .invalidBrokenRows(let n): return "the number of broken rows must not be negative (got \(n))"
        case .asOfTooEarly(let m): return "reference month \(m) is before \(RollGenerator.earliestAsOf), the first month the generated roll can describe"
        case .cannotCreate(let p): return "cannot create \(p)"
        case .cannotRename(let f, let t, let e): return "cannot rename \(f) to \(t) (errno \(e))"
        }
    }
}

/// The kinds of deliberately invalid line, each breaking exactly one rule of `formats/roll-csv.md`.
public enum BrokenRowKind: String, CaseIterable, Codable, Sendable {
    /// Personal ID digit 4 disagrees with sex and birth century.
    case idCenturySexDigit = "id_century_sex_digit"
    /// Personal ID digits 5–6 are not the birth year's last two digits.
    case idBirthYearDigits = "id_birth_year_digits"
    /// A 10-digit personal ID (neither 12 nor a 9-digit CMND).
    case idTenDigits = "id_ten_digits"
    /// Bank channel with BIN 999999, not in `banks.json`.
    case unknownBIN = "unknown_bin"
    /// Account number with letters (O for 0, I for 1).
    case accountWithLetters = "account_with_letters"
    /// Birth date 31/02/1950.
    case impossibleBirthDate = "impossible_birth_date"
    /// `Thôi hưởng` with an end month before the start month.
    case startAfterEnd = "start_after_end"
    /// A category code not in `tariff.json`.
    case unknownCategory = "unknown_category"
    /// Bank channel without an account number.
    case bankWithoutAccount = "bank_without_account"
    /// `DON_THAN_NUOI_CON` without the number of children.
    case missingChildrenCount = "missing_children_count"
    /// A proxy who is not a guardian (`Con`) without an authorisation date.
    case proxyWithoutAuthorisation = "proxy_without_authorisation"
    /// A repeat of an earlier line: the same code with the same category.
    case duplicateCodeCategory = "duplicate_code_category"

    /// The column at fault.
    public var column: RollColumn {
        switch self {
        case .idCenturySexDigit, .idBirthYearDigits, .idTenDigits: return .personalID
        case .unknownBIN: return .bankBIN
        case .accountWithLetters, .bankWithoutAccount: return .accountNo
        case .impossibleBirthDate: return .birthDate
        case .startAfterEnd: return .endMonth
        case .unknownCategory, .duplicateCodeCategory: return .category
        case .missingChildrenCount: return .children
        case .proxyWithoutAuthorisation: return .authorisationUntil
        }
    }
}

/// One deliberately invalid line: its line number in the file (the header is line 1), its code
/// and what is wrong with it.
public struct BrokenRow: Codable, Sendable, Equatable {
    public let line: Int
    public let code: String
    public let kind: BrokenRowKind
    public var column: String { kind.column.rawValue }

    public init(line: Int, code: String, kind: BrokenRowKind) {
        self.line = line; self.code = code; self.kind = kind
    }
}

/// What a generation wrote. Counts of people and channels are over the valid lines only.
public struct RollSummary: Codable, Sendable, Equatable, CustomStringConvertible {
    public var size: Int
    public var seed: UInt64
    public var asOf: String
    /// Data lines (header excluded), broken lines included.
    public var lines: Int
    /// Distinct beneficiary codes among the valid lines (= size).
    public var beneficiaries: Int
    /// Distinct people (personal IDs) among the valid lines: size minus duplicates.
    public var people: Int
    /// Valid lines that repeat a code with a second category.
    public var secondLines: Int
    /// Codes whose person (same personal ID and name) already appears under another code.
    public var duplicatePersons: Int
    public var communes: Int
    /// Per beneficiary code: `Tài khoản ngân hàng`, `Tài khoản bưu điện`, `Tiền mặt tại bưu điện`.
    public var bank: Int
    public var postAccount: Int
    public var postCash: Int
    /// Beneficiary codes with a proxy (guardians of children included).
    public var withProxy: Int
    /// Beneficiary codes with a death date.
    public var deceased: Int
    /// Valid lines per category code.
    public var linesPerCategory: [String: Int]
    public var bytes: Int
    public var broken: [BrokenRow]

    public var description: String {
        func pct(_ n: Int) -> String {
            guard beneficiaries > 0 else { return "0%" }
            let tenths = (n * 1000 + beneficiaries / 2) / beneficiaries
            return "\(tenths / 10).\(tenths % 10)%"
        }
        var s = "roll: \(lines) lines (\(beneficiaries) beneficiaries, \(people) people, \(secondLines) second-category lines, "
        s += "\(duplicatePersons) duplicate persons, \(broken.count) broken lines), \(communes) commune(s), \(bytes) bytes\n"
        s += "  seed \(seed), size \(size), as of \(asOf)\n"
        s += "  bank \(bank) (\(pct(bank))), post account \(postAccount) (\(pct(postAccount))), post cash \(postCash) (\(pct(postCash)))\n"
        s += "  with proxy \(withProxy), deceased \(deceased)"
        if !broken.isEmpty {
            var byKind: [BrokenRowKind: Int] = [:]
            for b in broken { byKind[b.kind, default: 0] += 1 }
            s += "\n  broken: " + BrokenRowKind.allCases.compactMap { k in byKind[k].map { "\(k.rawValue) \($0)" } }.joined(separator: ", ")
        }
        return s
    }
}
