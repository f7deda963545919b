import ChiTraCore
import Foundation

/// A payout format by kind: the ISO 20022 code, or a descriptor read by `DescriptorCSVWriter`.
public enum PayoutFormat: Sendable, Equatable {
    case pain001(creditorName: Pain001Writer.CreditorName, remittance: Pain001Writer.Remittance,
                 categoryPurpose: String = Pain001Writer.defaultCategoryPurpose, clearingSystem: String = Pain001Writer.defaultClearingSystem)
    case csv(CSVFormatDescriptor)
}

/// Which payout format each institution gets, and how each CSV-style format is laid out:
/// the contents of `formats/payout-formats.json` (documented in `payout-formats.md`).
///
/// ```swift
/// let formats = try PayoutFormats.load(from: root.appending(path: "formats/payout-formats.json"))
/// let file = try formats.writer(for: document.institution).write(document)
/// ```
public struct PayoutFormats: Sendable {
    /// Format name per institution kind.
    public let defaults: [Institution.Kind: String]
    /// Format name per institution code (BIN), overriding the default.
    public let institutionFormats: [String: String]
    public let formats: [String: PayoutFormat]

    /// The format name an institution gets: its override, else the default for its kind.
    public func formatName(for institution: Institution) -> String {
        institutionFormats[institution.code] ?? defaults[institution.kind]!
    }

    /// The writer for an institution. Validation at load time guarantees every name resolves.
    public func writer(for institution: Institution) -> any PayoutWriter {
        writer(named: formatName(for: institution))!
    }

    /// The writer of a named format, or nil if the file defines no such format.
    public func writer(named name: String) -> (any PayoutWriter)? {
        switch formats[name] {
        case .pain001(let creditorName, let remittance, let categoryPurpose, let clearingSystem)?:
            return Pain001Writer(formatName: name, creditorName: creditorName, remittance: remittance,
                                 categoryPurpose: categoryPurpose, clearingSystem: clearingSystem)
        case .csv(let descriptor)?:
            return DescriptorCSVWriter(formatName: name, descriptor: descriptor)
        case nil:
            return nil
        }
    }

    /// Reads and validates a descriptor file; errors name the file and the key.
    public static func load(from url: URL) throws(PayoutFormatsError) -> PayoutFormats {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw PayoutFormatsError(source: url.lastPathComponent, key: "", message: "cannot be read (\(error.localizedDescription))")
        }
        return try parse(data, source: url.lastPathComponent)
    }

    /// Validates descriptor JSON held in memory.
    public static func parse(_ data: Data, source: String = "payout-formats.json") throws(PayoutFormatsError) -> PayoutFormats {
        let root: Any
        do { root = try JSONSerialization.jsonObject(with: data) } catch {
            throw PayoutFormatsError(source: source, key: "", message: "is not valid JSON (\(error.localizedDescription))")
        }
        return try Parser(source: source).parse(root)
    }
}

/// A descriptor file that cannot be used, naming the key at fault,
/// e.g. `payout-formats.json: formats[1].columns[3].field: unknown field "acountNo"; …`.
public struct PayoutFormatsError: Error, Sendable, Equatable, CustomStringConvertible {
    public var source: String
    /// Path of the key in the JSON, e.g. `institutions[2].format`.
    public var key: String
    public var message: String
    public var description: String {
        key.isEmpty ? "\(source) \(SafeText.clean(message))." : "\(source): \(SafeText.clean(key, limit: 120)): \(SafeText.clean(message))."
    }
}

/// Walks the JSON tree, checking every key against what is allowed.
private struct Parser {
    let source: String

    func fail(_ key: String, _ message: String) -> PayoutFormatsError {
        PayoutFormatsError(source: source, key: key, message: message)
    }

    func object(_ value: Any?, _ key: String, allowed: Set<String>) throws(PayoutFormatsError) -> [String: Any] {
        guard let dict = value as? [String: Any] else { throw fail(key, "must be an object") }
        for k in dict.keys.sorted() where !allowed.contains(k) {
            throw fail(key.isEmpty ? k : "\(key).\(k)", "unknown key; allowed keys are \(allowed.sorted().joined(separator: ", "))")
        }
        return dict
    }

    func string(_ dict: [String: Any], _ name: String, at key: String, default def: String? = nil) throws(PayoutFormatsError) -> String {
        guard let raw = dict[name] else {
            if let def { return def }
            throw fail(join(key, name), "is required")
        }
        guard let s = raw as? String, !s.isEmpty else { throw fail(join(key, name), "must be a non-empty string") }
        return s
    }

    func bool(_ dict: [String: Any], _ name: String, at key: String, default def: Bool) throws(PayoutFormatsError) -> Bool {
        guard let raw = dict[name] else { return def }
        guard let b = raw as? Bool else { throw fail(join(key, name), "must be true or false") }
        return b
    }

    func array(_ dict: [String: Any], _ name: String, at key: String) throws(PayoutFormatsError) -> [Any] {
        guard let a = dict[name] as? [Any] else { throw fail(join(key, name), dict[name] == nil ? "is required" : "must be an array") }
        return a
    }

    func join(_ key: String, _ name: String) -> String { key.isEmpty ? name : "\(key).\(name)" }

    func enumValue<E: RawRepresentable & CaseIterable>(_ s: String, _ type: E.Type, at key: String, what: String) throws(PayoutFormatsError) -> E where E.RawValue == String {
        guard let v = E(rawValue: s) else {
            throw fail(key, "unknown \(what) \"\(s)\"; known: \(E.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return v
    }

    func parse(_ root: Any) throws(PayoutFormatsError) -> PayoutFormats {
        let top = try object(root, "", allowed: ["about", "defaults", "institutions", "formats"])

        // formats first, so references can be checked against them.
        var formats: [String: PayoutFormat] = [:]
        var formatKeys: [String: String] = [:]
        for (i, raw) in try array(top, "formats", at: "").enumerated() {
            let key = "formats[\(i)]"
            let dict = try object(raw, key, allowed: ["name", "engine", "about", "fileExtension", "bom", "delimiter",
                                                      "lineEnding", "headerRow", "totalsRow", "sort", "columns",
                                                      "creditorName", "remittance", "categoryPurpose", "clearingSystem"])
            let name = try string(dict, "name", at: key)
            if let first = formatKeys[name] { throw fail(join(key, "name"), "duplicate format \"\(name)\" (also at \(first))") }
            formatKeys[name] = key
            formats[name] = try format(dict, at: key)
        }
        let known = formats.keys.sorted().joined(separator: ", ")

        var defaults: [Institution.Kind: String] = [:]
        let defs = try object(top["defaults"], "defaults", allowed: Set(Institution.Kind.allCases.map(\.rawValue)))
        for kind in Institution.Kind.allCases {
            let name = try string(defs, kind.rawValue, at: "defaults")
            guard formats[name] != nil else {
                throw fail("defaults.\(kind.rawValue)", "unknown format \"\(name)\"; defined formats: \(known)")
            }
            defaults[kind] = name
        }

        var overrides: [String: String] = [:]
        var overrideKeys: [String: String] = [:]
        for (i, raw) in try array(top, "institutions", at: "").enumerated() {
            let key = "institutions[\(i)]"
            let dict = try object(raw, key, allowed: ["code", "name", "format", "about"])
            let code = try string(dict, "code", at: key)
            if let first = overrideKeys[code] { throw fail(join(key, "code"), "duplicate institution \"\(code)\" (also at \(first))") }
            overrideKeys[code] = key
            let name = try string(dict, "format", at: key)
            guard formats[name] != nil else {
                throw fail(join(key, "format"), "unknown format \"\(name)\" for institution \(code); defined formats: \(known)")
            }
            overrides[code] = name
        }
        return PayoutFormats(defaults: defaults, institutionFormats: overrides, formats: formats)
    }

    func format(_ dict: [String: Any], at key: String) throws(PayoutFormatsError) -> PayoutFormat {
        let engine = try string(dict, "engine", at: key)
        switch engine {
        case "pain.001.001.09":
            for k in ["bom", "delimiter", "lineEnding", "headerRow", "totalsRow", "sort", "columns"] where dict[k] != nil {
                throw fail(join(key, k), "does not apply to engine pain.001.001.09")
            }
            if let ext = dict["fileExtension"] as? String, ext != "xml" { throw fail(join(key, "fileExtension"), "must be xml for pain.001.001.09") }
            let creditor = try enumValue(try string(dict, "creditorName", at: key, default: "payeeNameASCII"),
                                         Pain001Writer.CreditorName.self, at: join(key, "creditorName"), what: "creditor name field")
            let remittance = try enumValue(try string(dict, "remittance", at: key, default: "remittance"),
                                           Pain001Writer.Remittance.self, at: join(key, "remittance"), what: "remittance field")
            let purpose = try string(dict, "categoryPurpose", at: key, default: Pain001Writer.defaultCategoryPurpose)
            guard (1...4).contains(purpose.utf8.count), purpose.utf8.allSatisfy({ $0 >= 0x41 && $0 <= 0x5A }) else {
                throw fail(join(key, "categoryPurpose"), "must be an ISO 20022 category purpose code: 1 to 4 capital letters (SSBE)")
            }
            let clearing = try string(dict, "clearingSystem", at: key, default: Pain001Writer.defaultClearingSystem)
            guard (1...35).contains(clearing.utf8.count), clearing.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) }) else {
                throw fail(join(key, "clearingSystem"), "must be 1 to 35 letters and digits (NAPAS)")
            }
            return .pain001(creditorName: creditor, remittance: remittance, categoryPurpose: purpose, clearingSystem: clearing)
        case "csv":
            for k in ["creditorName", "remittance", "categoryPurpose", "clearingSystem"] where dict[k] != nil { throw fail(join(key, k), "does not apply to engine csv") }
            return .csv(try csv(dict, at: key))
        default:
            throw fail(join(key, "engine"), "unknown engine \"\(engine)\"; known: csv, pain.001.001.09")
        }
    }

    func csv(_ dict: [String: Any], at key: String) throws(PayoutFormatsError) -> CSVFormatDescriptor {
        let ext = try string(dict, "fileExtension", at: key, default: "csv")
        let bom = try bool(dict, "bom", at: key, default: false)
        let delimiterText = try string(dict, "delimiter", at: key, default: ",")
        guard delimiterText.count == 1, let delimiter = delimiterText.first, [",", ";", "\t", "|"].contains(delimiter) else {
            throw fail(join(key, "delimiter"), "must be one of \",\", \";\", \"|\" or a tab")
        }
        let lineEnding = try enumValue(try string(dict, "lineEnding", at: key, default: "crlf"),
                                       CSVFormatDescriptor.LineEnding.self, at: join(key, "lineEnding"), what: "line ending")
        let headerRow = try bool(dict, "headerRow", at: key, default: true)

        var totalsLabel: String?
        if let raw = dict["totalsRow"], !(raw is NSNull) {
            let t = try object(raw, join(key, "totalsRow"), allowed: ["label"])
            totalsLabel = try string(t, "label", at: join(key, "totalsRow"))
        }

        var sort: [PayoutField] = []
        if dict["sort"] != nil {
            for (i, raw) in try array(dict, "sort", at: key).enumerated() {
                let k = "\(key).sort[\(i)]"
                guard let s = raw as? String else { throw fail(k, "must be a field name") }
                let field = try enumValue(s, PayoutField.self, at: k, what: "field")
                guard field.isSortable else { throw fail(k, "field \"\(s)\" cannot order lines") }
                sort.append(field)
            }
        }

        var columns: [CSVFormatDescriptor.Column] = []
        let rawColumns = try array(dict, "columns", at: key)
        guard !rawColumns.isEmpty else { throw fail(join(key, "columns"), "must list at least one column") }
        for (i, raw) in rawColumns.enumerated() {
            let k = "\(key).columns[\(i)]"
            let c = try object(raw, k, allowed: ["header", "field", "required", "maxLength", "total"])
            let header = try string(c, "header", at: k)
            let field = try enumValue(try string(c, "field", at: k), PayoutField.self, at: join(k, "field"), what: "field")
            let required = try bool(c, "required", at: k, default: false)
            var maxLength: Int?
            if let m = c["maxLength"] {
                guard let n = m as? Int, n > 0 else { throw fail(join(k, "maxLength"), "must be a positive integer") }
                maxLength = n
            }
            var total: CSVFormatDescriptor.TotalCell?
            if c["total"] != nil {
                total = try enumValue(try string(c, "total", at: k), CSVFormatDescriptor.TotalCell.self, at: join(k, "total"), what: "total cell")
                guard totalsLabel != nil else { throw fail(join(k, "total"), "is set but the format has no totalsRow") }
            }
            columns.append(.init(header: header, field: field, required: required, maxLength: maxLength, total: total))
        }
        if totalsLabel != nil {
            for cell in CSVFormatDescriptor.TotalCell.allCases where columns.filter({ $0.total == cell }).count != 1 {
                throw fail(join(key, "columns"), "with a totalsRow, exactly one column needs \"total\": \"\(cell.rawValue)\"")
            }
        }
        return CSVFormatDescriptor(fileExtension: ext, bom: bom, delimiter: delimiter, lineEnding: lineEnding,
                                   headerRow: headerRow, totalsLabel: totalsLabel, sort: sort, columns: columns)
    }
}
