import ChiTraCore

extension PayoutDocument {
    /// Largest amount ISO 20022 allows (`totalDigits` 18); applied to every format.
    static let maxAmount: Int64 = 999_999_999_999_999_999

    /// Checks what every format needs: lines present, positive amounts, unique well-formed
    /// references, lines that belong to this institution (a bank file: accounts at that bank, or
    /// at any bank when it is ``interbank``), and (if given) the approved totals.
    /// Returns the control totals computed with overflow checks.
    func validatedTotals() throws(PayoutWriteError) -> PayoutTotals {
        guard !lines.isEmpty else { throw .emptyDocument }
        var seen: [String: Int] = [:]
        seen.reserveCapacity(lines.count)
        for (i, line) in lines.enumerated() {
            let place = PayoutWriteError.Place.line(number: i + 1, reference: line.reference)
            try TextRules.checkReference(line.reference, field: "reference", at: place)
            if let first = seen.updateValue(i + 1, forKey: line.reference) {
                throw .duplicateReference(line.reference, firstLine: first, line: i + 1)
            }
            guard line.amount > 0 else { throw .nonPositiveAmount(at: place) }
            guard line.amount <= Self.maxAmount else { throw .amountTooLarge(at: place) }
            switch institution.kind {
            case .bank:
                guard line.channel == .bank else {
                    throw .wrongInstitution(at: place, reason: "channel \(line.channel.rawValue) cannot go in a bank file")
                }
                guard line.bankBIN == institution.code || (interbank && line.bankBIN != nil) else {
                    throw .wrongInstitution(at: place, reason: "bank BIN \(line.bankBIN ?? "missing") differs from the file's bank \(institution.code), which takes no interbank credits")
                }
            case .postOffice:
                guard line.channel != .bank else {
                    throw .wrongInstitution(at: place, reason: "a bank-account payment cannot go in a post-office file")
                }
            }
        }
        let totals = PayoutTotals(count: lines.count, controlSum: try controlSum)
        guard totals.controlSum <= Self.maxAmount else { throw .amountTooLarge(at: .document) }
        if let expectedTotals, expectedTotals != totals {
            throw .totalsMismatch(expected: expectedTotals, written: totals)
        }
        return totals
    }
}

/// Adds amounts as they are written, so the writer can compare what it wrote with the document.
struct RunningTotals {
    private(set) var count = 0
    private(set) var sum: Int64 = 0

    mutating func add(_ amount: Int64) throws(PayoutWriteError) {
        let (s, overflow) = sum.addingReportingOverflow(amount)
        if overflow { throw .totalOverflow }
        sum = s
        count += 1
    }

    /// Throws unless what was written equals the document's totals.
    func verify(against expected: PayoutTotals) throws(PayoutWriteError) -> PayoutTotals {
        let written = PayoutTotals(count: count, controlSum: sum)
        guard written == expected else { throw .totalsMismatch(expected: expected, written: written) }
        return written
    }
}
