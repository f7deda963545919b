import ChiTraCore
import Foundation

/// The one engine for CSV return files (`bank-csv-return`, `vnpost-return`, …), driven by a
/// `ReturnCSVDescriptor`. Reads with `CSVReader` (streaming, BOM-aware, bounded record size).
///
/// Columns are found by header (NFC, trimmed), so their order does not matter and extra columns
/// are ignored. A bad line becomes a `MalformedLine` naming the line and the column; the rest
/// of the file is still read. A totals row (`Tổng cộng`) is checked against the lines.
public enum ReturnCSVParser {
    /// Normalised header cells of the first record.
    static func headers(of url: URL, maxRecordBytes: Int) throws(ReturnFileError) -> [String] {
        do {
            let reader = try CSVReader(url: url)
            reader.maxRecordBytes = maxRecordBytes
            guard let first = try reader.next() else {
                throw ReturnFileError(.emptyFile, file: url.lastPathComponent, Message("returns.file.empty"))
            }
            return first.fields.map(normalise)
        } catch let e as ReturnFileError {
            throw e
        } catch {
            throw ReturnFileError(.unreadable, file: url.lastPathComponent, Message("returns.csv.unreadable", ["detail": .text("\(error)")]))
        }
    }

    public static func normalise(_ s: String) -> String {
        // ASCII text is already NFC: skip Foundation's normalisation (most cells are references,
        // amounts and dates; the bridge to NSString was a tenth of a returns import).
        if s.utf8.allSatisfy({ $0 < 0x80 }) { return s.trimmedCell }
        return s.precomposedStringWithCanonicalMapping.trimmedCell
    }

    /// `normalise` remembering the last few non-ASCII cells it normalised: a return list repeats
    /// the same few words (`Đã chi`, `Đối tượng`, `Vắng mặt`) on every line. Only byte-identical
    /// input is looked up, so the result is exactly `normalise`'s.
    final class CellNormaliser {
        private var seen: [(raw: String, normalised: String)] = []
        private var next = 0

        func callAsFunction(_ s: String) -> String {
            if s.utf8.allSatisfy({ $0 < 0x80 }) { return s.trimmedCell }
            for entry in seen where entry.raw.utf8.elementsEqual(s.utf8) { return entry.normalised }
            let n = s.precomposedStringWithCanonicalMapping.trimmedCell
            if seen.count < 16 { seen.append((s, n)) } else { seen[next] = (s, n); next = (next + 1) % 16 }
            return n
        }
    }

    /// True when every column of the descriptor is among the headers.
    static func matches(_ headers: [String], _ d: ReturnCSVDescriptor) -> Bool {
        d.columns.allSatisfy { headers.contains($0.header) }
    }

    static func read(_ url: URL, descriptor d: ReturnCSVDescriptor, maxRecordBytes: Int, sink: ReturnRecordSink? = nil) throws(ReturnFileError) -> ReturnDocument {
        let name = url.lastPathComponent
        var doc = ReturnDocument(format: d.name)
        do {
            let reader = try CSVReader(url: url)
            reader.maxRecordBytes = maxRecordBytes
            guard let header = try reader.next() else { throw ReturnFileError(.emptyFile, file: name, Message("returns.file.empty")) }
            let cells = header.fields.map(normalise)
            var index: [Int] = []
            for column in d.columns {
                guard let i = cells.firstIndex(of: column.header) else {
                    throw ReturnFileError(.headerMismatch, file: name,
                        Message("returns.csv.column_missing", ["column": .text(column.header), "format": .text(d.name), "header": .text(cells.joined(separator: ", "))]))
                }
                index.append(i)
            }
            var state = Totals()
            let normalise = CellNormaliser()
            while let row = try reader.next() {
                if row.fields.allSatisfy({ $0.trimmedCell.isEmpty }) { continue }
                func cell(_ field: ReturnCSVDescriptor.Field) -> String? {
                    guard let c = d.columns.firstIndex(where: { $0.field == field }) else { return nil }
                    let i = index[c]
                    return i < row.fields.count ? normalise(row.fields[i]) : ""
                }
                if let label = d.totalsLabel, let c = d.columns.firstIndex(where: { $0.total == .label }),
                   index[c] < row.fields.count, normalise(row.fields[index[c]]) == label {
                    if let seen = state.totalsLine {
                        doc.findings.append(DocumentFinding(line: row.line, message: Message("returns.finding.second_totals", ["label": .text(label), "first": .int(seen)]).text()))
                    } else {
                        state.totalsLine = row.line
                        check(row: row, index: index, descriptor: d, state: state, into: &doc)
                    }
                    continue
                }
                if let t = state.totalsLine {
                    doc.findings.append(DocumentFinding(line: row.line, message: Message("returns.finding.after_totals", ["label": .text(d.totalsLabel ?? ""), "line": .int(t)]).text()))
                }
                state.rows += 1
                switch line(row.line, cell: cell, descriptor: d) {
                case .success(let record):
                    if let a = record.amount { state.sum = state.sum.addingReportingOverflow(a).partialValue }
                    if let sink { sink.take(record) } else { doc.records.append(record) }
                case .failure(let e):
                    if e.line.column == d.column(.amount)?.header { state.unreadableAmounts += 1 }
                    else if let a = cell(.amount).flatMap({ try? ReturnAmount.parse($0, strictSeparators: true).get() }) {
                        state.sum = state.sum.addingReportingOverflow(a).partialValue
                    }
                    doc.malformed.append(e.line)
                }
            }
            if let label = d.totalsLabel, state.totalsLine == nil {
                doc.findings.append(DocumentFinding(message: Message("returns.finding.no_totals", ["label": .text(label), "rows": .int(state.rows)]).text()))
            }
        } catch let e as ReturnFileError {
            throw e
        } catch let f as CSVReader.Failure {
            throw ReturnFileError(.unreadable, file: name, Message("returns.csv.line_unreadable", ["line": .int(f.line), "detail": .text(f.message)]))
        } catch {
            throw ReturnFileError(.unreadable, file: name, Message("returns.file.read_failed", ["detail": .text("\(error)")]))
        }
        return doc
    }

    private struct Totals {
        var rows = 0
        var sum: Int64 = 0
        var unreadableAmounts = 0
        var totalsLine: Int?
    }

    private static func check(row: CSVReader.Record, index: [Int], descriptor d: ReturnCSVDescriptor, state: Totals, into doc: inout ReturnDocument) {
        func value(_ cell: ReturnCSVDescriptor.TotalCell) -> String {
            guard let c = d.columns.firstIndex(where: { $0.total == cell }), index[c] < row.fields.count else { return "" }
            return normalise(row.fields[index[c]])
        }
        let label = d.totalsLabel ?? ""
        let countText = value(.count), sumText = value(.sum)
        if Int(countText) != state.rows {
            doc.findings.append(DocumentFinding(line: row.line,
                message: Message("returns.finding.count_differs", ["label": .text(label), "given": .text(countText.isEmpty ? "0" : countText), "rows": .int(state.rows)]).text()))
        }
        let sum = try? ReturnAmount.parse(sumText, strictSeparators: true).get()
        if sum != state.sum || state.unreadableAmounts > 0 {
            let note = state.unreadableAmounts > 0 ? " " + Message("returns.finding.unreadable_note", ["n": .int(state.unreadableAmounts)]).text() : ""
            if sum != state.sum {
                doc.findings.append(DocumentFinding(line: row.line,
                    message: Message("returns.finding.sum_differs", ["label": .text(label), "given": .text(sumText.isEmpty ? "0" : sumText), "sum": .money(state.sum), "note": .text(note)]).text()))
            } else {
                doc.findings.append(DocumentFinding(line: row.line,
                    message: Message("returns.finding.readable_only", ["label": .text(label), "note": .text(note)]).text()))
            }
        }
    }

    private static func line(_ n: Int, cell: (ReturnCSVDescriptor.Field) -> String?, descriptor d: ReturnCSVDescriptor) -> Result<ReturnRecord, MalformedLineError> {
        func bad(_ field: ReturnCSVDescriptor.Field, _ message: String) -> Result<ReturnRecord, MalformedLineError> {
            .failure(.init(MalformedLine(line: n, column: d.column(field)?.header, message: message)))
        }
        for column in d.columns where column.required && (cell(column.field) ?? "").isEmpty {
            return bad(column.field, column.field == .reference
                ? Message("returns.line.no_reference").text()
                : Message("returns.line.empty_cell", ["column": .text(column.header)]).text())
        }
        let reference = cell(.reference) ?? ""
        if reference.isEmpty { return bad(.reference, Message("returns.line.no_reference").text()) }

        var amount: Int64?
        if let text = cell(.amount), !text.isEmpty {
            switch ReturnAmount.parse(text, strictSeparators: true) {
            case .success(let v): amount = v
            case .failure(let box): return bad(.amount, Message("returns.line.amount", ["amount": .text(text), "ref": .text(reference), "problem": .message(box.problem.message)]).text())
            }
        }
        var currency = d.impliedCurrency
        if let c = cell(.currency), !c.isEmpty { currency = c.uppercased() }
        if currency != "VND" { return bad(.currency, Message("returns.line.currency", ["ref": .text(reference), "currency": .text(currency)]).text()) }

        let outcomeText = cell(.outcome) ?? ""
        guard let outcome = d.outcomes[outcomeText] ?? d.outcomes.first(where: { $0.key.lowercased() == outcomeText.lowercased() })?.value else {
            return bad(.outcome, Message("returns.line.outcome", ["value": .text(outcomeText), "ref": .text(reference), "known": .text(d.outcomes.keys.sorted().map { "\"\($0)\"" }.joined(separator: ", "))]).text())
        }

        var receiver: ReturnRecord.Receiver?
        if let r = cell(.receiver), !r.isEmpty {
            guard let v = d.receivers[r] ?? d.receivers.first(where: { $0.key.lowercased() == r.lowercased() })?.value else {
                return bad(.receiver, Message("returns.line.receiver", ["value": .text(r), "ref": .text(reference), "known": .text(d.receivers.keys.sorted().map { "\"\($0)\"" }.joined(separator: ", "))]).text())
            }
            receiver = v
        }

        var reasonCode: String?
        var reasonText = cell(.reasonText).flatMap { $0.isEmpty ? nil : $0 }
        if let r = cell(.reasonCode), !r.isEmpty {
            if d.reasons.isEmpty {
                reasonCode = r
            } else if let code = d.reasons[r] ?? d.reasons.first(where: { $0.key.lowercased() == r.lowercased() })?.value {
                reasonCode = code
                if reasonText == nil { reasonText = r }
            } else if Set(d.reasons.values).contains(r.uppercased()) {
                reasonCode = r.uppercased()
            } else {
                reasonText = reasonText ?? r   // an unlisted wording: kept as text, the taxonomy will say "other"
            }
        }

        var date: CivilDate?
        if let t = cell(.date), !t.isEmpty {
            let ok: Bool
            switch d.dateFormat {
            case .iso: ok = t.count == 10 && t.contains("-")
            case .vietnamese: ok = t.contains("/")
            }
            guard ok, let v = CivilDate(t) else {
                return bad(.date, Message("returns.line.date", ["value": .text(t), "ref": .text(reference), "format": .text(d.dateFormat.rawValue)]).text())
            }
            date = v
        }

        return .success(ReturnRecord(line: n, reference: reference, amount: amount, currency: "VND",
                                     accountNo: cell(.accountNo).flatMap { $0.isEmpty ? nil : $0 }, outcome: outcome,
                                     reasonCode: reasonCode, reasonText: reasonText, receiver: receiver, date: date,
                                     beneficiaryCode: cell(.beneficiaryCode).flatMap { $0.isEmpty ? nil : $0 }))
    }
}
