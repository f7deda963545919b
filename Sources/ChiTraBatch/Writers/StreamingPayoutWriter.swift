/// A writer that can produce its file in three parts (header, one line at a time, footer), so
/// that the export streams a group's lines from the store to the file without holding them.
///
/// ``PayoutWriter/write(_:)`` of these writers is built from the same three parts, so a file
/// streamed by the export and a file built in memory from the same document are the same bytes.
/// The checks `write(_:)` makes on the whole document first (``PayoutDocument/validatedTotals()``)
/// are the caller's job when streaming.
protocol StreamingPayoutWriter: PayoutWriter {
    /// False when the format reorders lines (a `sort`): the group is then kept whole (as bytes) first.
    var streamsInDocumentOrder: Bool { get }
    /// The line values the format reads (the export reads only these from the store).
    var fieldsRead: [PayoutField] { get }
    /// The header checks `write(_:)` makes after validating the lines.
    func checkHeader(_ doc: PayoutDocument) throws(PayoutWriteError)
    func appendHeader(_ doc: PayoutDocument, totals: PayoutTotals, to out: inout ByteSink)
    /// The order lines are written in (``order(_:)`` of the CSV writer); nil keeps the store's.
    func outputOrder(_ lines: BufferedLines) -> [Int]?
    /// One line; `number` is its 1-based position in the document (for messages), `sequence`
    /// its position in the file.
    func appendLine(_ line: PayoutLineBytes, number: Int, sequence: Int, to out: inout ByteSink, running: inout RunningTotals,
                    scratch: ByteArena) throws(PayoutWriteError)
    /// After the last line; `written` are the checked totals of what was written.
    func appendFooter(written: PayoutTotals, to out: inout ByteSink)
}

extension Pain001Writer: StreamingPayoutWriter {
    var streamsInDocumentOrder: Bool { true }

    var fieldsRead: [PayoutField] {
        [.reference, .amount, .accountNo, .bankBIN, creditorName == .payeeNameASCII ? .payeeNameASCII : .payeeName,
         remittance == .remittanceASCII ? .remittanceASCII : .remittance]
    }

    func appendFooter(written: PayoutTotals, to out: inout ByteSink) { appendFooter(to: &out) }

    func outputOrder(_ lines: BufferedLines) -> [Int]? { nil }

    func appendLine(_ line: PayoutLineBytes, number: Int, sequence: Int, to out: inout ByteSink, running: inout RunningTotals,
                    scratch: ByteArena) throws(PayoutWriteError) {
        try appendLine(line, number: number, to: &out, running: &running, scratch: scratch)
    }
}

extension DescriptorCSVWriter: StreamingPayoutWriter {
    var fieldsRead: [PayoutField] { descriptor.columns.map(\.field) + descriptor.sort }

    func checkHeader(_ doc: PayoutDocument) throws(PayoutWriteError) {}

    func appendHeader(_ doc: PayoutDocument, totals: PayoutTotals, to out: inout ByteSink) { appendHeader(to: &out) }

    func outputOrder(_ lines: BufferedLines) -> [Int]? { streamsInDocumentOrder ? nil : order(lines) }

    func appendFooter(written: PayoutTotals, to out: inout ByteSink) { appendTotals(written, to: &out) }
}
