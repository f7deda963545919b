import ChiTraCore

/// What the bank or the post office says happened to one payout line, whatever the file format.
///
/// Parsers fill it from pain.002 (`TxInfAndSts`), camt.054 (`TxDtls`) or a return CSV row;
/// the matcher compares it with the payout line of the same `reference`. Optional fields are
/// nil when the file does not carry them: nothing is guessed.
public struct ReturnRecord: Sendable, Equatable {
    public typealias Outcome = ReturnOutcome
    public typealias Receiver = ReturnReceiver

    /// Physical line (CSV) or the line the transaction starts on (XML), for messages.
    public var line: Int
    /// `OrgnlEndToEndId` / `EndToEndId` / the reference column.
    public var reference: String?
    /// Whole đồng, when present and in VND.
    public var amount: Int64?
    /// As in the file (`VND`); a foreign code only when the reader accepts foreign currencies.
    public var currency: String?
    /// The creditor account, when the file carries it.
    public var accountNo: String?
    public var outcome: Outcome
    /// As in the file: `AC01`, `AC04`, `MD07`, … or the post office's code (`VANG_MAT`, …).
    public var reasonCode: String?
    /// Free text from the file (`AddtlInf`, `reason_text`, the post office's wording).
    public var reasonText: String?
    /// Post office: paid to the beneficiary or to the proxy.
    public var receiver: Receiver?
    /// Payment or booking date.
    public var date: CivilDate?
    /// The beneficiary code, when the file carries it (post office lists do).
    public var beneficiaryCode: String?
    /// XML: the transaction's position in the file (1 for the first `TxInfAndSts` / `TxDtls`).
    /// A bank's file may be a single line, so messages name the transaction, not the line.
    public var position: Int?
    /// XML: the id of the payout message the transaction answers, as specific as the file says
    /// (pain.002: the transaction's `OrgnlGrpInf/OrgnlMsgId`, else its block's `OrgnlPmtInfId`,
    /// else the file's `OrgnlMsgId`; camt.054: `Refs/PmtInfId` or `Refs/MsgId`, else `Btch/PmtInfId`
    /// or `Btch/MsgId`).
    public var originalMessageID: String?

    public init(line: Int, reference: String?, amount: Int64? = nil, currency: String? = nil, accountNo: String? = nil,
                outcome: Outcome, reasonCode: String? = nil, reasonText: String? = nil, receiver: Receiver? = nil,
                date: CivilDate? = nil, beneficiaryCode: String? = nil) {
        self.line = line
        self.reference = reference
        self.amount = amount
        self.currency = currency
        self.accountNo = accountNo
        self.outcome = outcome
        self.reasonCode = reasonCode
        self.reasonText = reasonText
        self.receiver = receiver
        self.date = date
        self.beneficiaryCode = beneficiaryCode
    }

    /// Where the record is in its file: "transaction 17 (EndToEndId …)" for XML, "line 12" for CSV.
    public var location: ReturnLocation { ReturnLocation(line: line, transaction: position, endToEndID: reference) }
}

/// Where something is in a return file, as a clerk can find it: the transaction's position and
/// its EndToEndId in an XML file (which may be one line long), the line in a CSV file.
public struct ReturnLocation: Sendable, Equatable, Codable {
    public var line: Int
    public var transaction: Int?
    public var endToEndID: String?

    public init(line: Int, transaction: Int? = nil, endToEndID: String? = nil) {
        self.line = line; self.transaction = transaction; self.endToEndID = endToEndID.flatMap { $0.isEmpty ? nil : $0 }
    }

    private var e2e: String { endToEndID.map { " (EndToEndId \(SafeText.echo($0, limit: 40)))" } ?? "" }
    public var english: String { transaction.map { "transaction \($0)\(e2e)" } ?? "line \(line)" }
    public var vietnamese: String { transaction.map { "giao dịch thứ \($0)\(e2e)" } ?? "dòng \(line)" }
    /// The location in `language` (the process's language by default).
    public func text(in language: Language = .current) -> String { language == .vi ? vietnamese : english }
}

/// A line (or XML transaction) that could not be read; the rest of the file still is.
public struct MalformedLine: Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    /// The column header or XML element at fault, when one is.
    public var column: String?
    /// A full sentence saying what is wrong and, where possible, what to do.
    public var message: String
    /// XML: the transaction's position in the file, and its EndToEndId when it has one.
    public var position: Int?
    public var reference: String?

    public init(line: Int, column: String? = nil, message: String, position: Int? = nil, reference: String? = nil) {
        self.line = line
        self.column = column
        self.message = message
        self.position = position
        self.reference = reference
    }

    public var location: ReturnLocation { ReturnLocation(line: line, transaction: position, endToEndID: reference) }

    /// The column and the message, without the location.
    public var detail: String { column.map { Message("returns.line.column", ["column": .text($0), "detail": .text(message)]).text() } ?? message }

    public var description: String { "\(location.text()): \(detail)" }
}

/// Something about the whole file rather than one line: totals that do not add up,
/// a missing totals row, a status block.
public struct DocumentFinding: Sendable, Equatable, CustomStringConvertible {
    public var line: Int?
    public var message: String

    public init(line: Int? = nil, message: String) {
        self.line = line
        self.message = message
    }

    public var description: String { line.map { "line \($0): \(message)" } ?? message }
}

/// A status given to a whole block in pain.002: the group (`GrpSts`) or one payment
/// information block (`PmtInfSts`), with its reason.
///
/// Kept apart from the records: a file that only says "group rejected" has no lines, and
/// inventing one per payout line is the matcher's decision, not the parser's.
public struct BlockStatus: Sendable, Equatable {
    public enum Level: String, Sendable, Codable { case group, paymentInformation }
    public var level: Level
    /// `OrgnlPmtInfId` for a payment information block, nil for the group.
    public var originalID: String?
    /// The code as in the file: `RJCT`, `ACSC`, `PART`, `RCVC`, …
    public var status: String
    /// What the code means for the lines, when it says something definite (nil for `PART` and unknown codes).
    public var outcome: ReturnRecord.Outcome?
    public var reasonCode: String?
    public var reasonText: String?
    public var line: Int

    public init(level: Level, originalID: String?, status: String, outcome: ReturnRecord.Outcome?,
                reasonCode: String?, reasonText: String?, line: Int) {
        self.level = level
        self.originalID = originalID
        self.status = status
        self.outcome = outcome
        self.reasonCode = reasonCode
        self.reasonText = reasonText
        self.line = line
    }
}

/// One return file, normalised: its identity, one record per transaction line, and what
/// could not be read.
public struct ReturnDocument: Sendable {
    /// `pain.002.001.03`, `pain.002.001.10`, `camt.054.001.02`, `camt.054.001.08`,
    /// `bank-csv-return`, `vnpost-return`.
    public var format: String
    /// The return's own id (`GrpHdr/MsgId`); nil for CSV.
    public var messageID: String?
    /// `OrgnlMsgId` when present (the first, should a file carry several): the `MsgId` of our pain.001.
    public var originalMessageID: String?
    /// Every payout message or payment-information id the file names, each once, in the order met:
    /// pain.002 `OrgnlMsgId`s, `OrgnlPmtInfId`s and transactions' `OrgnlGrpInf/OrgnlMsgId`;
    /// camt.054 `Btch/MsgId`, `Btch/PmtInfId`, `Refs/MsgId` and `Refs/PmtInfId`. A return answering
    /// several payout files names each of them.
    public var originalIDs: [String] = []
    public var records: [ReturnRecord]
    /// Lines that could not be read, each with its line number and a full sentence.
    public var malformed: [MalformedLine]
    /// Group and payment-information statuses (pain.002 only).
    public var blockStatuses: [BlockStatus]
    /// Findings about the whole file (totals row, trailing rows, ignored entries).
    public var findings: [DocumentFinding]

    public init(format: String, messageID: String? = nil, originalMessageID: String? = nil, records: [ReturnRecord] = [],
                malformed: [MalformedLine] = [], blockStatuses: [BlockStatus] = [], findings: [DocumentFinding] = []) {
        self.format = format
        self.messageID = messageID
        self.originalMessageID = originalMessageID
        self.records = records
        self.malformed = malformed
        self.blockStatuses = blockStatuses
        self.findings = findings
    }

    /// The group status (`OrgnlGrpInfAndSts/GrpSts`), if the file gives one.
    public var groupStatus: BlockStatus? { blockStatuses.first { $0.level == .group } }

    /// Adds `id` to `originalIDs` unless it is empty or already there.
    mutating func noteOriginal(_ id: String) {
        guard !id.isEmpty, !originalIDs.contains(id) else { return }
        originalIDs.append(id)
    }

    /// True when the bank rejected the whole file at group level and listed no transaction:
    /// every line of the original message is unpaid.
    public var isRejectedAsAWhole: Bool { records.isEmpty && groupStatus?.outcome == .rejected }
}
