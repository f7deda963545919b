import ChiTraCore
import Foundation

/// The declarative definition of a CSV return format, as read from `formats/return-formats.json`
/// (documented in `return-formats.md`). One engine (`ReturnCSVParser`) reads every such format,
/// and the simulator writes them.
public struct ReturnCSVDescriptor: Sendable, Equatable {
    /// What a column holds.
    public enum Field: String, Sendable, CaseIterable {
        /// 1, 2, 3… (read and ignored; written by the simulator).
        case sequence
        case reference, beneficiaryCode
        /// Read and ignored (personal data the record does not need); written by the simulator.
        case beneficiaryName
        case accountNo, amount, currency
        /// The result, through `outcomes`.
        case outcome
        /// A code or, through `reasons`, a label the code is looked up from.
        case reasonCode
        case reasonText
        /// Through `receivers`.
        case receiver
        /// Through `dateFormat`.
        case date
        /// Ignored.
        case ignore
    }

    public enum DateFormat: String, Sendable, CaseIterable {
        case iso = "YYYY-MM-DD", vietnamese = "DD/MM/YYYY"
    }

    public enum TotalCell: String, Sendable, CaseIterable { case label, count, sum }

    public struct Column: Sendable, Equatable {
        public var header: String
        public var field: Field
        /// An empty cell makes the line malformed.
        public var required: Bool
        /// What the column shows on the totals row.
        public var total: TotalCell?
    }

    public var name: String
    /// The payout format this one answers (`bank-csv`, `vnpost-list`).
    public var answers: String
    public var bom: Bool
    public var lineEnding: CSVFormatLineEnding
    public var columns: [Column]
    /// Cell text → outcome, e.g. `Đã chi` → paid. Compared after NFC normalisation and trimming.
    public var outcomes: [String: ReturnRecord.Outcome]
    /// Cell text → receiver.
    public var receivers: [String: ReturnRecord.Receiver]
    /// Label → reason code (`Vắng mặt` → `VANG_MAT`); the codes themselves are accepted too.
    public var reasons: [String: String]
    public var dateFormat: DateFormat
    /// Currency when the file has no currency column.
    public var impliedCurrency: String
    /// The label of the final totals row (`Tổng cộng`), if the format has one.
    public var totalsLabel: String?

    /// The cell text written for an outcome (the first key mapping to it, in file order).
    public var outcomeTexts: [ReturnRecord.Outcome: String]
    public var receiverTexts: [ReturnRecord.Receiver: String]
    /// Reason code → the label written by the simulator.
    public var reasonLabels: [String: String]

    public func column(_ field: Field) -> Column? { columns.first { $0.field == field } }
}

public enum CSVFormatLineEnding: String, Sendable, CaseIterable {
    case crlf, lf
    public var text: String { self == .crlf ? "\r\n" : "\n" }
}

/// The return formats of `formats/return-formats.json`: which CSV layouts the bank and the post
/// office answer with. The ISO 20022 formats need no descriptor.
///
/// ```swift
/// let formats = try ReturnFormats.load(from: formatsDir.appending(path: "return-formats.json"))
/// let doc = try ReturnFileReader.read(url: file, formatHint: nil, formats: formats)
/// ```
public struct ReturnFormats: Sendable {
    /// The ISO 20022 return formats ChiTra reads.
    public static let xmlFormats = ["pain.002.001.03", "pain.002.001.10", "camt.054.001.02", "camt.054.001.08"]
    /// The ISO 20022 return formats the simulator writes.
    public static let simulatedXMLFormats = ["pain.002.001.10", "camt.054.001.08"]

    public let csv: [String: ReturnCSVDescriptor]

    /// The CSV return format answering a payout format.
    public func answering(_ payoutFormat: String) -> ReturnCSVDescriptor? {
        csv.values.sorted { $0.name < $1.name }.first { $0.answers == payoutFormat }
    }

    /// All format names, ISO 20022 ones first.
    public var allNames: [String] { Self.xmlFormats + csv.keys.sorted() }

    public static func load(from url: URL) throws(ReturnFormatsError) -> ReturnFormats {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw ReturnFormatsError(source: url.lastPathComponent, key: "", message: "cannot be read (\(error.localizedDescription))")
        }
        return try parse(data, source: url.lastPathComponent)
    }

    public static func parse(_ data: Data, source: String = "return-formats.json") throws(ReturnFormatsError) -> ReturnFormats {
        func fail(_ key: String, _ message: String) -> ReturnFormatsError { ReturnFormatsError(source: source, key: key, message: message) }
        let root: Any
        do { root = try JSONSerialization.jsonObject(with: data) } catch {
            throw fail("", "is not valid JSON (\(error.localizedDescription))")
        }
        guard let top = root as? [String: Any] else { throw fail("", "must hold a JSON object") }
        for k in top.keys.sorted() where !["about", "formats"].contains(k) { throw fail(k, "unknown key; allowed keys are about, formats") }
        guard let list = top["formats"] as? [Any] else { throw fail("formats", "is required and must be an array") }
        var out: [String: ReturnCSVDescriptor] = [:]
        let allowed: Set<String> = ["name", "answers", "about", "bom", "delimiter", "lineEnding", "columns", "outcomes",
                                    "receivers", "reasons", "dateFormat", "currency", "totalsRow"]
        for (i, raw) in list.enumerated() {
            let key = "formats[\(i)]"
            guard let d = raw as? [String: Any] else { throw fail(key, "must be an object") }
            for k in d.keys.sorted() where !allowed.contains(k) {
                throw fail("\(key).\(k)", "unknown key; allowed keys are \(allowed.sorted().joined(separator: ", "))")
            }
            func string(_ name: String, default def: String? = nil) throws(ReturnFormatsError) -> String {
                guard let v = d[name] else {
                    if let def { return def }
                    throw fail("\(key).\(name)", "is required")
                }
                guard let s = v as? String, !s.isEmpty else { throw fail("\(key).\(name)", "must be a non-empty string") }
                return s
            }
            func orderedMap(_ name: String) throws(ReturnFormatsError) -> [(String, String)] {
                guard let v = d[name] else { return [] }
                // Arrays of [text, value] pairs keep the order, so the first text of a value is the one written.
                guard let pairs = v as? [Any] else { throw fail("\(key).\(name)", "must be an array of [text, value] pairs") }
                var out: [(String, String)] = []
                for (j, p) in pairs.enumerated() {
                    guard let pair = p as? [String], pair.count == 2, !pair[0].isEmpty, !pair[1].isEmpty else {
                        throw fail("\(key).\(name)[\(j)]", "must be a pair of non-empty strings")
                    }
                    out.append((pair[0].precomposedStringWithCanonicalMapping, pair[1]))
                }
                return out
            }
            let name = try string("name")
            if out[name] != nil || xmlFormats.contains(name) { throw fail("\(key).name", "duplicate format \"\(name)\"") }
            let answers = try string("answers")
            let delimiter = try string("delimiter", default: ",")
            guard delimiter == "," else { throw fail("\(key).delimiter", "must be \",\" (the CSV reader reads commas only)") }
            guard let lineEnding = CSVFormatLineEnding(rawValue: try string("lineEnding", default: "crlf")) else {
                throw fail("\(key).lineEnding", "must be crlf or lf")
            }
            let bom = d["bom"] as? Bool ?? false
            guard let dateFormat = ReturnCSVDescriptor.DateFormat(rawValue: try string("dateFormat", default: "YYYY-MM-DD")) else {
                throw fail("\(key).dateFormat", "must be YYYY-MM-DD or DD/MM/YYYY")
            }
            let currency = try string("currency", default: "VND")

            var outcomes: [String: ReturnRecord.Outcome] = [:]
            var outcomeTexts: [ReturnRecord.Outcome: String] = [:]
            for (j, (text, value)) in try orderedMap("outcomes").enumerated() {
                guard let o = ReturnRecord.Outcome(rawValue: value) else {
                    throw fail("\(key).outcomes[\(j)]", "unknown outcome \"\(value)\"; known: paid, rejected, pending")
                }
                outcomes[text] = o
                if outcomeTexts[o] == nil { outcomeTexts[o] = text }
            }
            guard !outcomes.isEmpty else { throw fail("\(key).outcomes", "must list at least one [text, outcome] pair") }
            var receivers: [String: ReturnRecord.Receiver] = [:]
            var receiverTexts: [ReturnRecord.Receiver: String] = [:]
            for (j, (text, value)) in try orderedMap("receivers").enumerated() {
                guard let r = ReturnRecord.Receiver(rawValue: value) else {
                    throw fail("\(key).receivers[\(j)]", "unknown receiver \"\(value)\"; known: beneficiary, proxy")
                }
                receivers[text] = r
                if receiverTexts[r] == nil { receiverTexts[r] = text }
            }
            var reasons: [String: String] = [:]
            var reasonLabels: [String: String] = [:]
            for (text, code) in try orderedMap("reasons") {
                reasons[text] = code
                if reasonLabels[code] == nil { reasonLabels[code] = text }
            }

            var totalsLabel: String?
            if let t = d["totalsRow"], !(t is NSNull) {
                guard let tl = (t as? [String: Any])?["label"] as? String, !tl.isEmpty else {
                    throw fail("\(key).totalsRow", "must be an object with a non-empty \"label\"")
                }
                totalsLabel = tl.precomposedStringWithCanonicalMapping
            }

            guard let rawColumns = d["columns"] as? [Any], !rawColumns.isEmpty else {
                throw fail("\(key).columns", "is required and must list at least one column")
            }
            var columns: [ReturnCSVDescriptor.Column] = []
            var headers: Set<String> = []
            for (j, rc) in rawColumns.enumerated() {
                let ck = "\(key).columns[\(j)]"
                guard let c = rc as? [String: Any] else { throw fail(ck, "must be an object") }
                for k in c.keys.sorted() where !["header", "field", "required", "total"].contains(k) {
                    throw fail("\(ck).\(k)", "unknown key; allowed keys are field, header, required, total")
                }
                guard let header = (c["header"] as? String)?.precomposedStringWithCanonicalMapping, !header.isEmpty else {
                    throw fail("\(ck).header", "is required")
                }
                guard headers.insert(header).inserted else { throw fail("\(ck).header", "duplicate header \"\(header)\"") }
                guard let fieldName = c["field"] as? String, let field = ReturnCSVDescriptor.Field(rawValue: fieldName) else {
                    throw fail("\(ck).field", "must be one of \(ReturnCSVDescriptor.Field.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                if field != .ignore, columns.contains(where: { $0.field == field }) {
                    throw fail("\(ck).field", "field \"\(fieldName)\" appears twice")
                }
                var total: ReturnCSVDescriptor.TotalCell?
                if let t = c["total"] {
                    guard let ts = t as? String, let tc = ReturnCSVDescriptor.TotalCell(rawValue: ts) else {
                        throw fail("\(ck).total", "must be label, count or sum")
                    }
                    guard totalsLabel != nil else { throw fail("\(ck).total", "is set but the format has no totalsRow") }
                    total = tc
                }
                columns.append(.init(header: header, field: field, required: c["required"] as? Bool ?? false, total: total))
            }
            for needed in [ReturnCSVDescriptor.Field.reference, .amount, .outcome] where !columns.contains(where: { $0.field == needed }) {
                throw fail("\(key).columns", "needs a column with field \"\(needed.rawValue)\"")
            }
            if totalsLabel != nil {
                for cell in ReturnCSVDescriptor.TotalCell.allCases where columns.filter({ $0.total == cell }).count != 1 {
                    throw fail("\(key).columns", "with a totalsRow, exactly one column needs \"total\": \"\(cell.rawValue)\"")
                }
            }
            out[name] = ReturnCSVDescriptor(name: name, answers: answers, bom: bom, lineEnding: lineEnding, columns: columns,
                                            outcomes: outcomes, receivers: receivers, reasons: reasons, dateFormat: dateFormat,
                                            impliedCurrency: currency, totalsLabel: totalsLabel, outcomeTexts: outcomeTexts,
                                            receiverTexts: receiverTexts, reasonLabels: reasonLabels)
        }
        return ReturnFormats(csv: out)
    }
}

/// A return-formats file that cannot be used, naming the key at fault.
public struct ReturnFormatsError: Error, Sendable, Equatable, CustomStringConvertible {
    public var source: String
    public var key: String
    public var message: String
    public var description: String {
        key.isEmpty ? "\(source) \(SafeText.clean(message))." : "\(source): \(SafeText.clean(key, limit: 120)): \(SafeText.clean(message))."
    }
}
