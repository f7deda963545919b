import ChiTraCore

/// The raw values of one XML transaction, collected element by element, then checked and turned
/// into a `ReturnRecord` or a `MalformedLine`.
struct TransactionDraft {
    var line: Int
    /// The transaction's position in the file (1-based).
    var position: Int
    /// The payout message it answers, when the transaction itself says.
    var originalMessageID: String?
    var reference: String?
    var amountText: String?
    var amountElement = "Amt"
    var currency: String?
    var accountNo: String?
    var statusCode: String?
    var reasonCode: String?
    var reasonText: String?
    var dateText: String?

    init(line: Int, position: Int) { self.line = line; self.position = position }

    mutating func addReasonText(_ text: String) {
        guard !text.isEmpty else { return }
        reasonText = reasonText.map { "\($0) \(text)" } ?? text
    }

    /// The record, or why there can be none. `what` names the transaction in messages.
    func finish(outcome: ReturnRecord.Outcome, acceptForeignCurrency: Bool, what: String) -> Result<ReturnRecord, MalformedLineError> {
        guard let reference, !reference.isEmpty else {
            return .failure(.init(MalformedLine(line: line, column: what == "TxDtls" ? "EndToEndId" : "OrgnlEndToEndId",
                message: Message("returns.line.no_end_to_end", ["element": .text(what)]).text(),
                position: position)))
        }
        var record = ReturnRecord(line: line, reference: reference, accountNo: accountNo, outcome: outcome,
                                  reasonCode: reasonCode, reasonText: reasonText,
                                  date: dateText.flatMap { CivilDate(String($0.prefix(10))) })
        record.position = position
        if let amountText {
            let ccy = currency ?? ""
            if ccy != "VND" {
                guard acceptForeignCurrency else {
                    return .failure(.init(MalformedLine(line: line, column: "\(amountElement)/@Ccy",
                        message: Message("returns.line.transaction_currency", ["ref": .text(reference), "currency": .text(ccy.isEmpty ? "—" : ccy)]).text(),
                        position: position, reference: reference)))
                }
                record.currency = ccy
                return .success(record)
            }
            switch ReturnAmount.parse(amountText, strictSeparators: false) {
            case .success(let value):
                record.amount = value
                record.currency = "VND"
            case .failure(let box):
                return .failure(.init(MalformedLine(line: line, column: amountElement,
                    message: Message("returns.line.transaction_amount", ["ref": .text(reference), "problem": .message(box.problem.message)]).text(), position: position, reference: reference)))
            }
        }
        return .success(record)
    }
}

/// A `MalformedLine` as an `Error`, for `Result`.
struct MalformedLineError: Error {
    let line: MalformedLine
    init(_ line: MalformedLine) { self.line = line }
}

extension ReturnDocument {
    mutating func add(_ result: Result<ReturnRecord, MalformedLineError>) {
        switch result {
        case .success(let r): records.append(r)
        case .failure(let e): malformed.append(e.line)
        }
    }
}
