import ChiTraCore
/// Reads an ISO 20022 debit/credit notification (`camt.054.001.02` and `.08`) into a
/// `ReturnDocument`: one record per `Ntry/NtryDtls/TxDtls`.
///
/// - `TxDtls/RtrInf` present → rejected (a returned transfer), reason `RtrInf/Rsn/Cd` or `Prtry`,
///   text the `AddtlInf`s;
/// - else an entry with status `PDNG`, `INFO` or `FUTR` → pending;
/// - else a booked debit entry (`CdtDbtInd` DBIT on the entry) → paid;
/// - a booked credit without return information is not an answer to a payout: it is skipped
///   and reported as a document finding.
///
/// Reference `Refs/EndToEndId`; amount `TxDtls/Amt`, else the entry's `Amt` when the entry holds
/// a single transaction; account `RltdPties/CdtrAcct`; date `BookgDt` (else `ValDt`). Status is read
/// both as `<Sts>BOOK</Sts>` (v2) and `<Sts><Cd>BOOK</Cd></Sts>` (v8).
final class Camt054Parser: XMLEventHandler {
    var document: ReturnDocument
    let acceptForeignCurrency: Bool
    /// When set, records go there instead of into `document.records`.
    var sink: ReturnRecordSink?

    private struct Entry {
        var line: Int
        var amountText: String?
        var currency: String?
        var direction: String?
        var status: String?
        var bookingDate: String?
        var valueDate: String?
        /// `NtryDtls/Btch/PmtInfId` or `MsgId`: the payout file the entry's transactions answer.
        var batchMessageID: String?
        var transactions: [(draft: TransactionDraft, returned: Bool, hasOwnAmount: Bool)] = []
    }
    private var entry: Entry?
    private var tx: TransactionDraft?
    private var txReturned = false
    /// Transactions met so far: the next one's position.
    private var transactions = 0

    init(format: String, acceptForeignCurrency: Bool) {
        document = ReturnDocument(format: format)
        self.acceptForeignCurrency = acceptForeignCurrency
    }

    func didStart(path: [String], attributes: [String: String], line: Int) {
        switch path.last {
        case "Ntry": entry = Entry(line: line)
        case "TxDtls":
            transactions += 1
            tx = TransactionDraft(line: line, position: transactions); txReturned = false
        case "RtrInf" where tx != nil: txReturned = true
        case "Amt" where path.ends(with: ["TxDtls", "Amt"]): tx?.currency = attributes["Ccy"]
        case "Amt" where path.ends(with: ["Ntry", "Amt"]): entry?.currency = attributes["Ccy"]
        default: break
        }
    }

    func didEnd(path: [String], text: String, line: Int) {
        if var draft = tx {
            switch path.last {
            case "EndToEndId" where path.ends(with: ["TxDtls", "Refs", "EndToEndId"]): draft.reference = text
            case "MsgId" where path.ends(with: ["TxDtls", "Refs", "MsgId"]):
                if document.originalMessageID == nil { document.originalMessageID = text }
                document.noteOriginal(text)
                if draft.originalMessageID == nil { draft.originalMessageID = text }
            case "PmtInfId" where path.ends(with: ["TxDtls", "Refs", "PmtInfId"]):
                document.noteOriginal(text)
                draft.originalMessageID = text
            case "Amt" where path.ends(with: ["TxDtls", "Amt"]): draft.amountText = text
            case "IBAN" where path.ends(with: ["RltdPties", "CdtrAcct", "Id", "IBAN"]),
                 "Id" where path.ends(with: ["RltdPties", "CdtrAcct", "Id", "Othr", "Id"]):
                draft.accountNo = text
            case "Cd" where path.ends(with: ["RtrInf", "Rsn", "Cd"]), "Prtry" where path.ends(with: ["RtrInf", "Rsn", "Prtry"]):
                if draft.reasonCode == nil { draft.reasonCode = text }
            case "AddtlInf" where path.ends(with: ["RtrInf", "AddtlInf"]): draft.addReasonText(text)
            case "TxDtls":
                tx = nil
                entry?.transactions.append((draft, txReturned, draft.amountText != nil))
                return
            default: break
            }
            tx = draft
            return
        }
        if path.ends(with: ["GrpHdr", "MsgId"]) { document.messageID = text; return }
        if path.ends(with: ["NtryDtls", "Btch", "MsgId"]) {
            if document.originalMessageID == nil { document.originalMessageID = text }
            document.noteOriginal(text)
            if entry?.batchMessageID == nil { entry?.batchMessageID = text }
            return
        }
        if path.ends(with: ["NtryDtls", "Btch", "PmtInfId"]) {
            document.noteOriginal(text)
            entry?.batchMessageID = text
            return
        }
        guard entry != nil else { return }
        if path.ends(with: ["Ntry", "Amt"]) { entry?.amountText = text }
        else if path.ends(with: ["Ntry", "CdtDbtInd"]) { entry?.direction = text }
        else if path.ends(with: ["Ntry", "Sts"]) { if !text.isEmpty { entry?.status = text } }
        else if path.ends(with: ["Ntry", "Sts", "Cd"]) || path.ends(with: ["Ntry", "Sts", "Prtry"]) { entry?.status = text }
        else if path.ends(with: ["Ntry", "BookgDt", "Dt"]) || path.ends(with: ["Ntry", "BookgDt", "DtTm"]) { entry?.bookingDate = text }
        else if path.ends(with: ["Ntry", "ValDt", "Dt"]) || path.ends(with: ["Ntry", "ValDt", "DtTm"]) { entry?.valueDate = text }
        else if path.last == "Ntry", let e = entry {
            entry = nil
            finishEntry(e)
        }
    }

    private func finishEntry(_ e: Entry) {
        guard !e.transactions.isEmpty else {
            document.malformed.append(MalformedLine(line: e.line, column: "NtryDtls",
                message: "The entry has no transaction details (TxDtls with an EndToEndId), so it cannot be matched to payout lines; ask the bank for a notification with details."))
            return
        }
        let status = e.status ?? "BOOK"
        for (var draft, returned, hasOwnAmount) in e.transactions {
            if !hasOwnAmount && e.transactions.count == 1 {
                draft.amountText = e.amountText
                draft.currency = e.currency
                draft.amountElement = "Ntry/Amt"
            } else if !hasOwnAmount, let ccy = e.currency, ccy != "VND", !acceptForeignCurrency {
                // The per-transaction amount is unknown, but the entry says the money was not đồng.
                draft.amountText = e.amountText
                draft.currency = ccy
                draft.amountElement = "Ntry/Amt"
            }
            draft.dateText = e.bookingDate ?? e.valueDate
            let outcome: ReturnRecord.Outcome
            if returned {
                outcome = .rejected
            } else if ["PDNG", "INFO", "FUTR"].contains(status) {
                outcome = .pending
            } else if e.direction == "CRDT" {
                document.findings.append(DocumentFinding(line: draft.line,
                    message: "A booked credit without return information (\(draft.reference ?? "no reference")) is not an answer to a payout line and was skipped."))
                continue
            } else {
                outcome = .paid
            }
            var result = draft.finish(outcome: outcome, acceptForeignCurrency: acceptForeignCurrency, what: "TxDtls")
            if case .success(var record) = result {
                if !hasOwnAmount, e.transactions.count > 1 {
                    record.amount = nil   // entry total of several transactions: not this one's amount
                    record.currency = e.currency
                }
                record.originalMessageID = draft.originalMessageID ?? e.batchMessageID ?? document.originalMessageID
                result = .success(record)
            }
            document.add(result, sink: sink)
        }
    }
}
