import ChiTraBatch
import ChiTraCore
import ChiTraReturns
import Foundation

/// What the simulator needs of one of our payout files.
struct SimulatedPayout {
    struct Line {
        var reference: String
        var amount: Int64
        var accountNo: String?
        var beneficiaryCode: String?
        var beneficiaryName: String?
        var proxyName: String?
        var line: Int
    }
    /// `pain.001.001.09`, `bank-csv`, `vnpost-list`, … (the name in payout-formats.json).
    var format: String
    var messageID: String?
    var paymentInfoID: String?
    var executionDate: String?
    var debtorAccount: String?
    var lines: [Line]
}

/// Reads our own payout files back: pain.001.001.09 through the same guarded XML reader as the
/// returns, CSV formats through their payout descriptors (columns found by header).
enum PayoutFileReader {
    static func read(_ url: URL, formats: PayoutFormats, limits: XMLLimits = XMLLimits()) throws(ReturnFileError) -> SimulatedPayout {
        let name = url.lastPathComponent
        if try isXML(url) {
            try checkPain001(url, limits: limits)
            let handler = Pain001Reader()
            try ReturnXML.parse(url, limits: limits, handler: handler)
            if let problem = handler.problem { throw ReturnFileError(.notWellFormed, file: name, problem) }
            guard !handler.payout.lines.isEmpty else {
                throw ReturnFileError(.emptyFile, file: name, Message("returns.payout.no_lines"))
            }
            return handler.payout
        }
        return try readCSV(url, formats: formats)
    }

    /// True when the file starts (after a byte order mark and blanks) with `<`: XML; else CSV.
    static func isXML(_ url: URL) throws(ReturnFileError) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: url.path) else {
            throw ReturnFileError(.unreadable, file: url.lastPathComponent, Message("returns.file.unreadable"))
        }
        var head = [UInt8](handle.readData(ofLength: 64))
        try? handle.close()
        if head.starts(with: [0xEF, 0xBB, 0xBF]) { head.removeFirst(3) }
        return head.first { ![0x20, 0x09, 0x0A, 0x0D].contains($0) } == UInt8(ascii: "<")
    }

    /// Refuses an XML file that is not safe to read (size, encoding, DTD) or not a pain.001.001.09.
    static func checkPain001(_ url: URL, limits: XMLLimits = XMLLimits()) throws(ReturnFileError) {
        try ReturnXML.prescan(url, limits: limits)
        let ns = try ReturnXML.rootNamespace(url, limits: limits)
        guard ns == Pain001Writer.namespace else {
            throw ReturnFileError(.unknownFormat, file: url.lastPathComponent, Message("returns.payout.namespace", ["namespace": .text(ns ?? "")]))
        }
    }

    private static func readCSV(_ url: URL, formats: PayoutFormats) throws(ReturnFileError) -> SimulatedPayout {
        let lines = try CSVPayoutLines(url, formats: formats)
        var payout = SimulatedPayout(format: lines.formatName, lines: [])
        while let line = try lines.next() { payout.lines.append(line) }
        guard !payout.lines.isEmpty else { throw lines.emptyFileError }
        return payout
    }

    /// Collects the pain.001.001.09 fields the simulator answers with.
    private final class Pain001Reader: XMLEventHandler {
        var payout = SimulatedPayout(format: "pain.001.001.09", lines: [])
        var current: SimulatedPayout.Line?
        var currentCurrency: String?
        var problem: Message?

        func didStart(path: [String], attributes: [String: String], line: Int) {
            if path.last == "CdtTrfTxInf" { current = .init(reference: "", amount: -1, line: line); currentCurrency = nil }
            if path.ends(with: ["CdtTrfTxInf", "Amt", "InstdAmt"]) { currentCurrency = attributes["Ccy"] }
        }

        func didEnd(path: [String], text: String, line: Int) {
            if current != nil {
                if path.ends(with: ["CdtTrfTxInf", "PmtId", "EndToEndId"]) { current?.reference = text }
                else if path.ends(with: ["CdtTrfTxInf", "Amt", "InstdAmt"]) {
                    if currentCurrency == "VND", let v = try? ReturnAmount.parse(text, strictSeparators: false).get() { current?.amount = v }
                } else if path.ends(with: ["CdtrAcct", "Id", "Othr", "Id"]) { current?.accountNo = text }
                else if path.ends(with: ["Cdtr", "Nm"]) { current?.beneficiaryName = text }
                else if path.last == "CdtTrfTxInf", let c = current {
                    current = nil
                    if c.reference.isEmpty || c.amount < 0 {
                        if problem == nil { problem = Message("returns.payout.transaction_unreadable", ["line": .int(c.line)]) }
                    } else {
                        payout.lines.append(c)
                    }
                }
                return
            }
            if path.ends(with: ["GrpHdr", "MsgId"]) { payout.messageID = text }
            else if path.ends(with: ["PmtInf", "PmtInfId"]) { payout.paymentInfoID = text }
            else if path.ends(with: ["PmtInf", "ReqdExctnDt", "Dt"]) { payout.executionDate = text }
            else if path.ends(with: ["PmtInf", "DbtrAcct", "Id", "Othr", "Id"]) { payout.debtorAccount = text }
        }
    }
}

/// The lines of one of our CSV payout files, one at a time: the format is recognised by the
/// header row (its columns found by header), then each row gives a line. The simulator streams
/// a CSV payout through this; ``PayoutFileReader`` collects the same lines.
final class CSVPayoutLines {
    let name: String
    /// The payout format's name in payout-formats.json.
    let formatName: String
    private let reader: CSVReader
    private let refIndex: Int, amountIndex: Int
    private let labelIndex: Int?, accountIndex: Int?, codeIndex: Int?, nameIndex: Int?, payeeIndex: Int?, proxyIndex: Int?
    private let totalsLabel: String?

    /// Reads the header row; refuses a file that is empty or in no CSV payout format.
    init(_ url: URL, formats: PayoutFormats) throws(ReturnFileError) {
        let name = url.lastPathComponent
        self.name = name
        do {
            let reader = try CSVReader(url: url)
            guard let header = try reader.next() else { throw ReturnFileError(.emptyFile, file: name, Message("returns.file.empty")) }
            let cells = header.fields.map(ReturnCSVParser.normalise)
            var chosen: (String, CSVFormatDescriptor)?
            for (formatName, format) in formats.formats.sorted(by: { $0.key < $1.key }) {
                guard case .csv(let d) = format, d.headerRow else { continue }
                if d.columns.allSatisfy({ cells.contains($0.header.precomposedStringWithCanonicalMapping) }) { chosen = (formatName, d); break }
            }
            guard let (formatName, d) = chosen else {
                throw ReturnFileError(.unknownFormat, file: name, Message("returns.payout.unknown_header"))
            }
            func index(_ field: PayoutField) -> Int? {
                d.columns.first { $0.field == field }.flatMap { cells.firstIndex(of: $0.header.precomposedStringWithCanonicalMapping) }
            }
            guard let refIndex = index(.reference), let amountIndex = index(.amount) else {
                throw ReturnFileError(.headerMismatch, file: name, Message("returns.payout.no_reference_column", ["format": .text(formatName)]))
            }
            self.reader = reader
            self.formatName = formatName
            self.refIndex = refIndex
            self.amountIndex = amountIndex
            // Looked up once here (the same for every row).
            labelIndex = d.columns.first { $0.total == .label }.flatMap { cells.firstIndex(of: $0.header.precomposedStringWithCanonicalMapping) }
            accountIndex = index(.accountNo)
            codeIndex = index(.beneficiaryCode)
            nameIndex = index(.beneficiaryName)
            payeeIndex = index(.payeeName)
            proxyIndex = index(.proxyName)
            totalsLabel = d.totalsLabel?.precomposedStringWithCanonicalMapping
        } catch let e as ReturnFileError {
            throw e
        } catch {
            throw ReturnFileError(.unreadable, file: name, Message("returns.csv.unreadable", ["detail": .text("\(error)")]))
        }
    }

    /// The next payout line, or nil at the end; blank rows and the totals row are skipped.
    func next() throws(ReturnFileError) -> SimulatedPayout.Line? {
        do {
            while let row = try reader.next() {
                func value(_ i: Int?) -> String? {
                    guard let i, i < row.fields.count else { return nil }
                    let v = Self.normalise(row.fields[i])
                    return v.isEmpty ? nil : v
                }
                if row.fields.allSatisfy({ $0.isEmpty }) { continue }
                if let label = totalsLabel, value(labelIndex) == label { continue }
                guard let reference = value(refIndex), let amountText = value(amountIndex),
                      let amount = try? ReturnAmount.parse(amountText, strictSeparators: true).get() else {
                    throw ReturnFileError(.notWellFormed, file: name, Message("returns.payout.line_unreadable", ["line": .int(row.line)]))
                }
                return .init(reference: reference, amount: amount, accountNo: value(accountIndex),
                             beneficiaryCode: value(codeIndex),
                             beneficiaryName: value(nameIndex) ?? value(payeeIndex),
                             proxyName: value(proxyIndex), line: row.line)
            }
            return nil
        } catch let e as ReturnFileError {
            throw e
        } catch {
            throw ReturnFileError(.unreadable, file: name, Message("returns.csv.unreadable", ["detail": .text("\(error)")]))
        }
    }

    /// `ReturnCSVParser.normalise`: ASCII text is already NFC, so only the rest goes through Foundation.
    private static func normalise(_ cell: String) -> String {
        cell.utf8.allSatisfy({ $0 < 0x80 }) ? cell.trimmedCell : ReturnCSVParser.normalise(cell)
    }

    /// The refusal of a file whose rows hold no payout line.
    var emptyFileError: ReturnFileError {
        ReturnFileError(.emptyFile, file: name, Message("returns.payout.no_lines"))
    }
}
