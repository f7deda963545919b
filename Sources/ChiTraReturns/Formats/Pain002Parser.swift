import ChiTraCore
/// Reads an ISO 20022 payment status report (`pain.002.001.03` and `.10`, and national variants
/// of the same structure) into a `ReturnDocument`.
///
/// - Each `OrgnlPmtInfAndSts/TxInfAndSts` becomes a record: `TxSts` ACSC/ACCC/ACSP/ACWC → paid,
///   RJCT → rejected, PDNG/ACTC/ACCP/RCVD → pending. A transaction without `TxSts` takes the
///   status of its payment information block, else of the group.
/// - `GrpSts` and `PmtInfSts` become `BlockStatus`es; a file with only a group status and no
///   transactions yields no records (see `ReturnDocument.isRejectedAsAWhole`).
/// - Reason: the first `StsRsnInf/Rsn/Cd` (or `Prtry`); text: the `AddtlInf`s joined.
/// - Amount: `OrgnlTxRef/Amt/InstdAmt` (else `IntrBkSttlmAmt`); account: `OrgnlTxRef/CdtrAcct`;
///   date: `AccptncDtTm`, else `OrgnlTxRef/IntrBkSttlmDt`, else `OrgnlTxRef/ReqdExctnDt`.
final class Pain002Parser: XMLEventHandler {
    var document: ReturnDocument
    let acceptForeignCurrency: Bool
    /// When set, records go there instead of into `document.records`.
    var sink: ReturnRecordSink?

    private var groupStatus: String?
    private var groupReasonCode: String?
    private var groupReasonText: String?
    private var groupLine = 0

    private var blockID: String?
    private var blockStatus: String?
    private var blockReasonCode: String?
    private var blockReasonText: String?
    private var blockLine = 0

    private var tx: TransactionDraft?
    /// Transactions met so far: the next one's position.
    private var transactions = 0

    init(format: String, acceptForeignCurrency: Bool) {
        document = ReturnDocument(format: format)
        self.acceptForeignCurrency = acceptForeignCurrency
    }

    /// TxSts → outcome.
    static func outcome(ofTransactionStatus code: String) -> ReturnRecord.Outcome? {
        switch code {
        case "ACSC", "ACCC", "ACSP", "ACWC": return .paid
        case "RJCT": return .rejected
        case "PDNG", "ACTC", "ACCP", "RCVD": return .pending
        default: return nil
        }
    }

    /// GrpSts / PmtInfSts → outcome, when the code says something definite about the lines.
    static func outcome(ofGroupStatus code: String) -> ReturnRecord.Outcome? {
        switch code {
        case "RCVC", "RVCM", "RVNC": return .pending      // verification of payee only: nothing settled yet
        case "PART": return nil
        default: return outcome(ofTransactionStatus: code)
        }
    }

    func didStart(path: [String], attributes: [String: String], line: Int) {
        switch path.last {
        case "OrgnlGrpInfAndSts": groupLine = line
        case "OrgnlPmtInfAndSts":
            blockID = nil; blockStatus = nil; blockReasonCode = nil; blockReasonText = nil; blockLine = line
        case "TxInfAndSts":
            transactions += 1
            tx = TransactionDraft(line: line, position: transactions)
        case "InstdAmt" where path.ends(with: ["OrgnlTxRef", "Amt", "InstdAmt"]):
            tx?.currency = attributes["Ccy"]; tx?.amountElement = "InstdAmt"
        case "IntrBkSttlmAmt" where path.ends(with: ["OrgnlTxRef", "IntrBkSttlmAmt"]) && tx?.amountText == nil:
            tx?.currency = attributes["Ccy"]; tx?.amountElement = "IntrBkSttlmAmt"
        default: break
        }
    }

    func didEnd(path: [String], text: String, line: Int) {
        if tx != nil {
            transactionEnd(path: path, text: text)
            return
        }
        if path.ends(with: ["GrpHdr", "MsgId"]) { document.messageID = text }
        else if path.ends(with: ["OrgnlGrpInfAndSts", "OrgnlMsgId"]) {
            // A file answering several payout files may carry several: keep them all, the first as
            // the file's own.
            if document.originalMessageID == nil { document.originalMessageID = text }
            document.noteOriginal(text)
        }
        else if path.ends(with: ["OrgnlGrpInfAndSts", "GrpSts"]) { groupStatus = text }
        else if path.ends(with: ["OrgnlGrpInfAndSts", "StsRsnInf", "Rsn", "Cd"]) || path.ends(with: ["OrgnlGrpInfAndSts", "StsRsnInf", "Rsn", "Prtry"]) {
            if groupReasonCode == nil { groupReasonCode = text }
        } else if path.ends(with: ["OrgnlGrpInfAndSts", "StsRsnInf", "AddtlInf"]) {
            groupReasonText = join(groupReasonText, text)
        } else if path.last == "OrgnlGrpInfAndSts", let status = groupStatus {
            document.blockStatuses.append(BlockStatus(level: .group, originalID: document.originalMessageID, status: status,
                outcome: Self.outcome(ofGroupStatus: status), reasonCode: groupReasonCode, reasonText: groupReasonText, line: groupLine))
        } else if path.ends(with: ["OrgnlPmtInfAndSts", "OrgnlPmtInfId"]) { blockID = text; document.noteOriginal(text) }
        else if path.ends(with: ["OrgnlPmtInfAndSts", "PmtInfSts"]) { blockStatus = text }
        else if path.ends(with: ["OrgnlPmtInfAndSts", "StsRsnInf", "Rsn", "Cd"]) || path.ends(with: ["OrgnlPmtInfAndSts", "StsRsnInf", "Rsn", "Prtry"]) {
            if blockReasonCode == nil { blockReasonCode = text }
        } else if path.ends(with: ["OrgnlPmtInfAndSts", "StsRsnInf", "AddtlInf"]) {
            blockReasonText = join(blockReasonText, text)
        } else if path.last == "OrgnlPmtInfAndSts" {
            if let status = blockStatus {
                document.blockStatuses.append(BlockStatus(level: .paymentInformation, originalID: blockID, status: status,
                    outcome: Self.outcome(ofGroupStatus: status), reasonCode: blockReasonCode, reasonText: blockReasonText, line: blockLine))
            }
            blockStatus = nil
        }
    }

    private func join(_ a: String?, _ b: String) -> String? {
        guard !b.isEmpty else { return a }
        return a.map { "\($0) \(b)" } ?? b
    }

    private func transactionEnd(path: [String], text: String) {
        guard var draft = tx else { return }
        switch path.last {
        case "OrgnlEndToEndId" where path.ends(with: ["TxInfAndSts", "OrgnlEndToEndId"]): draft.reference = text
        case "OrgnlMsgId" where path.ends(with: ["TxInfAndSts", "OrgnlGrpInf", "OrgnlMsgId"]):
            draft.originalMessageID = text
            document.noteOriginal(text)
        case "TxSts": draft.statusCode = text
        case "Cd" where path.ends(with: ["TxInfAndSts", "StsRsnInf", "Rsn", "Cd"]),
             "Prtry" where path.ends(with: ["TxInfAndSts", "StsRsnInf", "Rsn", "Prtry"]):
            if draft.reasonCode == nil { draft.reasonCode = text }
        case "AddtlInf" where path.ends(with: ["TxInfAndSts", "StsRsnInf", "AddtlInf"]): draft.addReasonText(text)
        case "InstdAmt" where path.ends(with: ["OrgnlTxRef", "Amt", "InstdAmt"]): draft.amountText = text
        case "IntrBkSttlmAmt" where path.ends(with: ["OrgnlTxRef", "IntrBkSttlmAmt"]):
            if draft.amountText == nil { draft.amountText = text }
        case "IBAN" where path.ends(with: ["OrgnlTxRef", "CdtrAcct", "Id", "IBAN"]),
             "Id" where path.ends(with: ["OrgnlTxRef", "CdtrAcct", "Id", "Othr", "Id"]):
            draft.accountNo = text
        case "AccptncDtTm": draft.dateText = text
        case "IntrBkSttlmDt" where path.ends(with: ["OrgnlTxRef", "IntrBkSttlmDt"]),
             "Dt" where path.ends(with: ["OrgnlTxRef", "ReqdExctnDt", "Dt"]),
             "DtTm" where path.ends(with: ["OrgnlTxRef", "ReqdExctnDt", "DtTm"]):
            if draft.dateText == nil { draft.dateText = text }
        case "TxInfAndSts":
            tx = nil
            finishTransaction(draft)
            return
        default: break
        }
        tx = draft
    }

    private func finishTransaction(_ draft: TransactionDraft) {
        var d = draft
        let inherited = d.statusCode == nil
        let code = d.statusCode ?? blockStatus ?? groupStatus
        if inherited {
            if d.reasonCode == nil { d.reasonCode = blockStatus != nil ? blockReasonCode : groupReasonCode }
            if d.reasonText == nil { d.reasonText = blockStatus != nil ? blockReasonText : groupReasonText }
        }
        guard let code else {
            document.malformed.append(MalformedLine(line: d.line, column: "TxSts",
                message: "The transaction \(d.reference ?? "without reference") has no status (TxSts), and neither has its block or group; it was left out.",
                position: d.position, reference: d.reference))
            return
        }
        guard let outcome = inherited ? Self.outcome(ofGroupStatus: code) : Self.outcome(ofTransactionStatus: code) else {
            document.malformed.append(MalformedLine(line: d.line, column: "TxSts",
                message: "The transaction \(d.reference ?? "without reference") has the status \"\(code)\", which does not say whether it was paid; it was left out.",
                position: d.position, reference: d.reference))
            return
        }
        var result = d.finish(outcome: outcome, acceptForeignCurrency: acceptForeignCurrency, what: "TxInfAndSts")
        if case .success(var record) = result {
            record.originalMessageID = d.originalMessageID ?? blockID ?? document.originalMessageID
            result = .success(record)
        }
        document.add(result, sink: sink)
    }
}
