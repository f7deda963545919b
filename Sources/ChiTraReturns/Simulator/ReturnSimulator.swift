import ChiTraBatch
import ChiTraCore
import ChiTraSigning
import Foundation

/// Plays the bank or the post office: reads one of our payout files and writes the return file
/// they would send back, so that returns and reconciliation can be exercised end to end.
///
/// - pain.001.001.09 → `pain.002.001.10` (default) or `camt.054.001.08`;
/// - a CSV payout format → the CSV return format that `answers` it in return-formats.json
///   (`bank-csv` → `bank-csv-return`, `vnpost-list` → `vnpost-return`).
///
/// Deterministic: a line's fate depends only on (seed, reference), and nothing reads the clock,
/// so the same inputs give the same bytes. Failures follow a realistic mix (see `SimulatedFate`);
/// about 1% of the lines that do not fail are pending in a pain.002. The generated XML validates
/// against the official XSDs.
///
/// ```swift
/// let data = try ReturnSimulator.simulate(payoutFile: url, outputFormat: nil, failRate: 0.05, seed: 1,
///                                         formats: payoutFormats, returnFormats: returnFormats,
///                                         paymentDate: CivilDate(year: 2026, month: 12, day: 5)!)
/// ```
public enum ReturnSimulator {
    /// The return format the simulator writes for a payout file, given an optional explicit choice.
    public static func outputFormat(forPayoutFormat payout: String, requested: String?, returnFormats: ReturnFormats) throws(ReturnFileError) -> String {
        if payout == "pain.001.001.09" {
            let chosen = requested ?? "pain.002.001.10"
            guard ReturnFormats.simulatedXMLFormats.contains(chosen) else {
                throw ReturnFileError(.unsupportedFormat, file: payout,
                    "is answered by \(ReturnFormats.simulatedXMLFormats.joined(separator: " or ")); \"\(chosen)\" cannot be simulated for it.")
            }
            return chosen
        }
        guard let d = returnFormats.answering(payout) else {
            throw ReturnFileError(.unsupportedFormat, file: payout, "has no return format answering it in return-formats.json.")
        }
        if let requested, requested != d.name {
            throw ReturnFileError(.unsupportedFormat, file: payout, "is answered by \(d.name); \"\(requested)\" cannot be simulated for it.")
        }
        return d.name
    }

    public static func simulate(payoutFile: URL, outputFormat: String?, failRate: Double, seed: UInt64, formats: PayoutFormats,
                                returnFormats: ReturnFormats, paymentDate: CivilDate) throws(ReturnFileError) -> Data {
        guard failRate >= 0, failRate <= 1 else {
            throw ReturnFileError(.unsupportedFormat, file: payoutFile.lastPathComponent, "cannot be simulated with a fail rate of \(failRate); use a number from 0 to 1.")
        }
        let payout = try PayoutFileReader.read(payoutFile, formats: formats)
        let format = try self.outputFormat(forPayoutFormat: payout.format, requested: outputFormat, returnFormats: returnFormats)
        switch format {
        case "pain.002.001.10":
            let fates = payout.lines.map { SimulatedFate.bank(seed: seed, reference: $0.reference, failRate: failRate, allowPending: true) }
            return pain002(payout, fates: fates, date: paymentDate)
        case "camt.054.001.08":
            let fates = payout.lines.map { SimulatedFate.bank(seed: seed, reference: $0.reference, failRate: failRate, allowPending: false) }
            return camt054(payout, fates: fates, date: paymentDate)
        default:
            let d = returnFormats.csv[format]!
            let postal = !d.receivers.isEmpty
            let fates = payout.lines.map { line in
                postal ? SimulatedFate.post(seed: seed, reference: line.reference, failRate: failRate, hasProxy: line.proxyName != nil)
                       : SimulatedFate.bank(seed: seed, reference: line.reference, failRate: failRate, allowPending: false)
            }
            return csv(payout, fates: fates, descriptor: d, date: paymentDate)
        }
    }

    /// Writes a return file atomically (mode 0600) and, with a key, its detached signature
    /// `FILE.sig`, as a bank would sign what it sends.
    @discardableResult
    public static func write(_ data: Data, to url: URL, signingKey: SigningKey? = nil) throws -> DetachedSignature? {
        try AtomicFile.write(data, to: url, mode: 0o600)
        guard let signingKey else { return nil }
        return try DetachedSignature.sign(file: url, with: signingKey)
    }

    // MARK: - Writers

    private static func escaped(_ s: String) -> String {
        var out = ""
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    private static func returnMessageID(_ payout: SimulatedPayout, prefix: String) -> String {
        String((prefix + (payout.messageID ?? "UNKNOWN")).prefix(35))
    }

    private static func creationTime(_ date: CivilDate) -> String { "\(date.description)T17:00:00+07:00" }

    static func pain002(_ payout: SimulatedPayout, fates: [SimulatedFate], date: CivilDate) -> Data {
        let paid = fates.filter { $0.outcome == .paid }.count
        let rejected = fates.filter { $0.outcome == .rejected }.count
        let groupStatus = paid == fates.count ? "ACSC" : rejected == fates.count ? "RJCT" : "PART"
        let sum = payout.lines.reduce(Int64(0)) { $0 &+ $1.amount }
        var x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        x += "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pain.002.001.10\">\n <CstmrPmtStsRpt>\n"
        x += "  <GrpHdr>\n   <MsgId>\(escaped(returnMessageID(payout, prefix: "STS-")))</MsgId>\n   <CreDtTm>\(creationTime(date))</CreDtTm>\n  </GrpHdr>\n"
        x += "  <OrgnlGrpInfAndSts>\n   <OrgnlMsgId>\(escaped(payout.messageID ?? "UNKNOWN"))</OrgnlMsgId>\n   <OrgnlMsgNmId>pain.001.001.09</OrgnlMsgNmId>\n"
        x += "   <OrgnlNbOfTxs>\(payout.lines.count)</OrgnlNbOfTxs>\n   <OrgnlCtrlSum>\(sum)</OrgnlCtrlSum>\n   <GrpSts>\(groupStatus)</GrpSts>\n  </OrgnlGrpInfAndSts>\n"
        x += "  <OrgnlPmtInfAndSts>\n   <OrgnlPmtInfId>\(escaped(payout.paymentInfoID ?? payout.messageID ?? "UNKNOWN"))</OrgnlPmtInfId>\n"
        for (line, fate) in zip(payout.lines, fates) {
            let status: String
            switch fate.outcome {
            case .paid: status = "ACSC"
            case .rejected: status = "RJCT"
            case .pending: status = "PDNG"
            }
            x += "   <TxInfAndSts>\n    <OrgnlEndToEndId>\(escaped(line.reference))</OrgnlEndToEndId>\n    <TxSts>\(status)</TxSts>\n"
            if let code = fate.reasonCode {
                x += "    <StsRsnInf>\n     <Rsn>\n      <Cd>\(code)</Cd>\n     </Rsn>\n"
                if let text = fate.reasonText { x += "     <AddtlInf>\(escaped(text))</AddtlInf>\n" }
                x += "    </StsRsnInf>\n"
            }
            x += "    <OrgnlTxRef>\n     <Amt>\n      <InstdAmt Ccy=\"VND\">\(line.amount)</InstdAmt>\n     </Amt>\n"
            if let d = payout.executionDate { x += "     <ReqdExctnDt>\n      <Dt>\(escaped(d))</Dt>\n     </ReqdExctnDt>\n" }
            if let account = line.accountNo {
                x += "     <CdtrAcct>\n      <Id>\n       <Othr>\n        <Id>\(escaped(account))</Id>\n       </Othr>\n      </Id>\n     </CdtrAcct>\n"
            }
            x += "    </OrgnlTxRef>\n   </TxInfAndSts>\n"
        }
        x += "  </OrgnlPmtInfAndSts>\n </CstmrPmtStsRpt>\n</Document>\n"
        return Data(x.utf8)
    }

    static func camt054(_ payout: SimulatedPayout, fates: [SimulatedFate], date: CivilDate) -> Data {
        let id = returnMessageID(payout, prefix: "NTF-")
        var x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        x += "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.054.001.08\">\n <BkToCstmrDbtCdtNtfctn>\n"
        x += "  <GrpHdr>\n   <MsgId>\(escaped(id))</MsgId>\n   <CreDtTm>\(creationTime(date))</CreDtTm>\n  </GrpHdr>\n"
        x += "  <Ntfctn>\n   <Id>\(escaped(id))</Id>\n   <CreDtTm>\(creationTime(date))</CreDtTm>\n"
        x += "   <Acct>\n    <Id>\n     <Othr>\n      <Id>\(escaped(payout.debtorAccount ?? "UNKNOWN"))</Id>\n     </Othr>\n    </Id>\n    <Ccy>VND</Ccy>\n   </Acct>\n"
        for (line, fate) in zip(payout.lines, fates) {
            // A paid line is the booked debit; a rejected one is the booked credit of the returned transfer.
            let returned = fate.outcome == .rejected
            let direction = returned ? "CRDT" : "DBIT"
            x += "   <Ntry>\n    <Amt Ccy=\"VND\">\(line.amount)</Amt>\n    <CdtDbtInd>\(direction)</CdtDbtInd>\n"
            x += "    <Sts>\n     <Cd>\(fate.outcome == .pending ? "PDNG" : "BOOK")</Cd>\n    </Sts>\n"
            x += "    <BookgDt>\n     <Dt>\(date.description)</Dt>\n    </BookgDt>\n    <ValDt>\n     <Dt>\(date.description)</Dt>\n    </ValDt>\n"
            x += "    <BkTxCd>\n     <Domn>\n      <Cd>PMNT</Cd>\n      <Fmly>\n       <Cd>ICDT</Cd>\n       <SubFmlyCd>\(returned ? "RRTN" : "DMCT")</SubFmlyCd>\n      </Fmly>\n     </Domn>\n    </BkTxCd>\n"
            x += "    <NtryDtls>\n     <TxDtls>\n      <Refs>\n"
            if let m = payout.messageID { x += "       <MsgId>\(escaped(m))</MsgId>\n" }
            if let p = payout.paymentInfoID { x += "       <PmtInfId>\(escaped(p))</PmtInfId>\n" }
            x += "       <EndToEndId>\(escaped(line.reference))</EndToEndId>\n      </Refs>\n"
            x += "      <Amt Ccy=\"VND\">\(line.amount)</Amt>\n      <CdtDbtInd>\(direction)</CdtDbtInd>\n"
            if let account = line.accountNo {
                x += "      <RltdPties>\n       <CdtrAcct>\n        <Id>\n         <Othr>\n          <Id>\(escaped(account))</Id>\n         </Othr>\n        </Id>\n       </CdtrAcct>\n      </RltdPties>\n"
            }
            if returned, let code = fate.reasonCode {
                x += "      <RtrInf>\n       <Rsn>\n        <Cd>\(code)</Cd>\n       </Rsn>\n"
                if let text = fate.reasonText { x += "       <AddtlInf>\(escaped(text))</AddtlInf>\n" }
                x += "      </RtrInf>\n"
            }
            x += "     </TxDtls>\n    </NtryDtls>\n   </Ntry>\n"
        }
        x += "  </Ntfctn>\n </BkToCstmrDbtCdtNtfctn>\n</Document>\n"
        return Data(x.utf8)
    }

    static func csv(_ payout: SimulatedPayout, fates: [SimulatedFate], descriptor d: ReturnCSVDescriptor, date: CivilDate) -> Data {
        var out = d.bom ? "\u{FEFF}" : ""
        let newline = d.lineEnding.text
        func row(_ cells: [String]) { out += cells.map { CSVCell.escape($0) }.joined(separator: ",") + newline }
        row(d.columns.map(\.header))
        var sum: Int64 = 0
        for (i, (line, fate)) in zip(payout.lines, fates).enumerated() {
            sum &+= line.amount
            row(d.columns.map { column in
                switch column.field {
                case .sequence: return String(i + 1)
                case .reference: return line.reference
                case .beneficiaryCode: return line.beneficiaryCode ?? ""
                case .beneficiaryName: return line.beneficiaryName ?? ""
                case .accountNo: return line.accountNo ?? ""
                case .amount: return String(line.amount)
                case .currency: return "VND"
                case .outcome: return d.outcomeTexts[fate.outcome] ?? fate.outcome.rawValue
                case .reasonCode: return fate.reasonCode.map { d.reasonLabels[$0] ?? $0 } ?? ""
                case .reasonText: return fate.reasonText ?? ""
                case .receiver: return fate.receiver.flatMap { d.receiverTexts[$0] } ?? ""
                case .date:
                    guard fate.outcome == .paid else { return "" }
                    return d.dateFormat == .iso ? date.description : date.vietnamese
                case .ignore: return ""
                }
            })
        }
        if let label = d.totalsLabel {
            row(d.columns.map { column in
                switch column.total {
                case .label: return label
                case .count: return String(payout.lines.count)
                case .sum: return String(sum)
                case nil: return ""
                }
            })
        }
        return Data(out.utf8)
    }
}
