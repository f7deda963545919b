import ChiTraBatch
import ChiTraCore
import ChiTraSigning
import ChiTraReturns
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
                    Message("returns.simulate.not_answering", ["formats": .text(ReturnFormats.simulatedXMLFormats.joined(separator: ", ")), "requested": .text(chosen)]))
            }
            return chosen
        }
        guard let d = returnFormats.answering(payout) else {
            throw ReturnFileError(.unsupportedFormat, file: payout, Message("returns.simulate.no_format"))
        }
        if let requested, requested != d.name {
            throw ReturnFileError(.unsupportedFormat, file: payout, Message("returns.simulate.not_answering", ["formats": .text(d.name), "requested": .text(requested)]))
        }
        return d.name
    }

    public static func simulate(payoutFile: URL, outputFormat: String?, failRate: Double, seed: UInt64, formats: PayoutFormats,
                                returnFormats: ReturnFormats, paymentDate: CivilDate) throws(ReturnFileError) -> Data {
        let out = ReturnFileOutput()
        do {
            try run(payoutFile: payoutFile, outputFormat: outputFormat, failRate: failRate, seed: seed, formats: formats,
                    returnFormats: returnFormats, paymentDate: paymentDate, open: { out })
        } catch let error as ReturnFileError {
            throw error
        } catch {
            preconditionFailure("writing into memory cannot fail: \(error)")
        }
        return out.data
    }

    /// What ``simulate(payoutFile:outputFormat:failRate:seed:formats:returnFormats:paymentDate:to:signingKey:)`` wrote.
    public struct WrittenFile: Sendable {
        /// Size of the return file in bytes.
        public var byteCount: Int
        /// Its detached signature, when a key was given.
        public var signature: DetachedSignature?
    }

    /// ``simulate(payoutFile:outputFormat:failRate:seed:formats:returnFormats:paymentDate:)`` straight into
    /// the file `url`, written as ``write(_:to:signingKey:)`` writes it (atomically, mode 0600, with
    /// `FILE.sig` when a key is given) but streamed: memory does not grow with the file.
    /// Same bytes, same errors, in the same order (a payout that cannot be read is refused before
    /// a return format that does not answer it, which is refused before a missing key or a file
    /// that cannot be written: `signingKey` is only asked for when the first byte is ready).
    public static func simulate(payoutFile: URL, outputFormat: String?, failRate: Double, seed: UInt64, formats: PayoutFormats,
                                returnFormats: ReturnFormats, paymentDate: CivilDate,
                                to url: URL, signingKey: @autoclosure () throws -> SigningKey? = nil) throws -> WrittenFile {
        var out: ReturnFileOutput?
        do {
            try run(payoutFile: payoutFile, outputFormat: outputFormat, failRate: failRate, seed: seed, formats: formats,
                    returnFormats: returnFormats, paymentDate: paymentDate, open: {
                        let o = try ReturnFileOutput(file: url, signingKey: try signingKey())
                        out = o
                        return o
                    })
            guard let out else { preconditionFailure("a simulation that succeeds has written its file") }
            let signature = try out.commit()
            return WrittenFile(byteCount: out.byteCount, signature: signature)
        } catch {
            out?.abandon()
            throw error
        }
    }

    /// Reads the payout and writes its return into `open()`, which is called once, when the first
    /// byte is ready to go (so that reading errors come first, as they always have).
    private static func run(payoutFile: URL, outputFormat: String?, failRate: Double, seed: UInt64, formats: PayoutFormats,
                            returnFormats: ReturnFormats, paymentDate: CivilDate,
                            open: () throws -> ReturnFileOutput) throws {
        guard failRate >= 0, failRate <= 1 else {
            throw ReturnFileError(.unsupportedFormat, file: payoutFile.lastPathComponent, Message("returns.simulate.fail_rate", ["rate": .text("\(failRate)")]))
        }
        func inMemory() throws {
            let payout = try PayoutFileReader.read(payoutFile, formats: formats)
            let format = try self.outputFormat(forPayoutFormat: payout.format, requested: outputFormat, returnFormats: returnFormats)
            try write(payout, format: format, failRate: failRate, seed: seed, returnFormats: returnFormats, date: paymentDate,
                      lines: { body in try payout.lines.forEach(body) }, count: payout.lines.count,
                      sum: payout.lines.reduce(Int64(0)) { $0 &+ $1.amount }, open: open)
        }

        if try PayoutFileReader.isXML(payoutFile) {
            // Our own pain.001 layout is read line by line, twice (totals, then lines); anything
            // else goes through the XML parser as before.
            try PayoutFileReader.checkPain001(payoutFile)
            let format = Result { () throws(ReturnFileError) in
                try self.outputFormat(forPayoutFormat: "pain.001.001.09", requested: outputFormat, returnFormats: returnFormats)
            }
            let allowPending = (try? format.get()) == "pain.002.001.10"
            var count = 0, sum: Int64 = 0, paid = 0, rejected = 0
            let scanned = try Pain001LayoutScanner.scan(payoutFile) { line in
                count += 1
                sum &+= line.amount
                switch SimulatedFate.bank(seed: seed, reference: line.reference, failRate: failRate, allowPending: allowPending).outcome {
                case .paid: paid += 1
                case .rejected: rejected += 1
                case .pending: break
                }
            }
            guard let header = scanned else { return try inMemory() }
            let chosen = try format.get()
            let payout = SimulatedPayout(format: "pain.001.001.09", messageID: header.messageID, paymentInfoID: header.paymentInfoID,
                                         executionDate: header.executionDate, debtorAccount: header.debtorAccount, lines: [])
            try write(payout, format: chosen, failRate: failRate, seed: seed, returnFormats: returnFormats, date: paymentDate,
                      lines: { body in
                          guard try Pain001LayoutScanner.scan(payoutFile, visit: body) != nil else {
                              throw ReturnFileError(.notWellFormed, file: payoutFile.lastPathComponent, Message("returns.simulate.changed"))
                          }
                      },
                      count: count, sum: sum, outcomes: (paid, rejected), open: open)
            return
        }

        // A CSV payout is read once, each line answered as it is read.
        let lines = try CSVPayoutLines(payoutFile, formats: formats)
        /// Reads the rest of the file, for its errors; then `error`.
        func refuse(after error: Error) throws -> Never {
            while try lines.next() != nil {}
            throw error
        }
        let format: String
        do {
            format = try self.outputFormat(forPayoutFormat: lines.formatName, requested: outputFormat, returnFormats: returnFormats)
        } catch {
            // Reading errors, then an empty file, come before a format that does not answer.
            var any = false
            while try lines.next() != nil { any = true }
            if !any { throw lines.emptyFileError }
            throw error
        }
        guard let d = returnFormats.csv[format] else { preconditionFailure("a CSV payout is answered by a CSV return format") }
        let postal = !d.receivers.isEmpty
        guard let first = try lines.next() else { throw lines.emptyFileError }
        let out: ReturnFileOutput
        do { out = try open() } catch { try refuse(after: error) }
        var sum: Int64 = 0
        var count = 0
        do {
            csvHeader(d, to: out)
            var line: SimulatedPayout.Line? = first
            while let l = line {
                let fate = postal ? SimulatedFate.post(seed: seed, reference: l.reference, failRate: failRate, hasProxy: l.proxyName != nil)
                                  : SimulatedFate.bank(seed: seed, reference: l.reference, failRate: failRate, allowPending: false)
                sum &+= l.amount
                count += 1
                csvLine(count, l, fate, descriptor: d, date: paymentDate, to: out)
                do { try out.flushIfFull() } catch { try refuse(after: error) }
                line = try lines.next()
            }
            csvTotals(d, count: count, sum: sum, to: out)
        }
    }

    /// Writes a return from lines given one by one (`lines` may read the payout file again).
    private static func write(_ payout: SimulatedPayout, format: String, failRate: Double, seed: UInt64, returnFormats: ReturnFormats,
                              date: CivilDate, lines: ((SimulatedPayout.Line) throws -> Void) throws -> Void,
                              count: Int, sum: Int64, outcomes: (paid: Int, rejected: Int)? = nil,
                              open: () throws -> ReturnFileOutput) throws {
        switch format {
        case "pain.002.001.10":
            var counted = outcomes
            if counted == nil {
                var paid = 0, rejected = 0
                try lines { line in
                    switch SimulatedFate.bank(seed: seed, reference: line.reference, failRate: failRate, allowPending: true).outcome {
                    case .paid: paid += 1
                    case .rejected: rejected += 1
                    case .pending: break
                    }
                }
                counted = (paid, rejected)
            }
            let (paid, rejected) = counted!
            let groupStatus = paid == count ? "ACSC" : rejected == count ? "RJCT" : "PART"
            let out = try open()
            pain002Header(payout, count: count, sum: sum, groupStatus: groupStatus, date: date, to: out)
            try lines { line in
                pain002Line(line, SimulatedFate.bank(seed: seed, reference: line.reference, failRate: failRate, allowPending: true),
                            executionDate: payout.executionDate, to: out)
                try out.flushIfFull()
            }
            out.append("  </OrgnlPmtInfAndSts>\n </CstmrPmtStsRpt>\n</Document>\n")
        case "camt.054.001.08":
            let out = try open()
            camt054Header(payout, date: date, to: out)
            try lines { line in
                camt054Line(line, SimulatedFate.bank(seed: seed, reference: line.reference, failRate: failRate, allowPending: false),
                            payout: payout, date: date, to: out)
                try out.flushIfFull()
            }
            out.append("  </Ntfctn>\n </BkToCstmrDbtCdtNtfctn>\n</Document>\n")
        default:
            let d = returnFormats.csv[format]!
            let postal = !d.receivers.isEmpty
            let out = try open()
            csvHeader(d, to: out)
            var i = 0
            var total: Int64 = 0
            try lines { line in
                let fate = postal ? SimulatedFate.post(seed: seed, reference: line.reference, failRate: failRate, hasProxy: line.proxyName != nil)
                                  : SimulatedFate.bank(seed: seed, reference: line.reference, failRate: failRate, allowPending: false)
                i += 1
                total &+= line.amount
                csvLine(i, line, fate, descriptor: d, date: date, to: out)
                try out.flushIfFull()
            }
            csvTotals(d, count: i, sum: total, to: out)
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
    //
    // Each return file in parts (header, one line, end), written as bytes into the output: the
    // same text the simulator has always written.

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

    private static func pain002Header(_ payout: SimulatedPayout, count: Int, sum: Int64, groupStatus: String, date: CivilDate,
                                      to out: ReturnFileOutput) {
        var x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        x += "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pain.002.001.10\">\n <CstmrPmtStsRpt>\n"
        x += "  <GrpHdr>\n   <MsgId>\(escaped(returnMessageID(payout, prefix: "STS-")))</MsgId>\n   <CreDtTm>\(creationTime(date))</CreDtTm>\n  </GrpHdr>\n"
        x += "  <OrgnlGrpInfAndSts>\n   <OrgnlMsgId>\(escaped(payout.messageID ?? "UNKNOWN"))</OrgnlMsgId>\n   <OrgnlMsgNmId>pain.001.001.09</OrgnlMsgNmId>\n"
        x += "   <OrgnlNbOfTxs>\(count)</OrgnlNbOfTxs>\n   <OrgnlCtrlSum>\(sum)</OrgnlCtrlSum>\n   <GrpSts>\(groupStatus)</GrpSts>\n  </OrgnlGrpInfAndSts>\n"
        x += "  <OrgnlPmtInfAndSts>\n   <OrgnlPmtInfId>\(escaped(payout.paymentInfoID ?? payout.messageID ?? "UNKNOWN"))</OrgnlPmtInfId>\n"
        out.append(x)
    }

    @inline(__always)
    private static func pain002Line(_ line: SimulatedPayout.Line, _ fate: SimulatedFate, executionDate: String?, to out: ReturnFileOutput) {
        out.append("   <TxInfAndSts>\n    <OrgnlEndToEndId>")
        out.appendEscaped(line.reference)
        out.append("</OrgnlEndToEndId>\n    <TxSts>")
        switch fate.outcome {
        case .paid: out.append("ACSC")
        case .rejected: out.append("RJCT")
        case .pending: out.append("PDNG")
        }
        out.append("</TxSts>\n")
        if let code = fate.reasonCode {
            out.append("    <StsRsnInf>\n     <Rsn>\n      <Cd>")
            out.append(code)
            out.append("</Cd>\n     </Rsn>\n")
            if let text = fate.reasonText {
                out.append("     <AddtlInf>")
                out.appendEscaped(text)
                out.append("</AddtlInf>\n")
            }
            out.append("    </StsRsnInf>\n")
        }
        out.append("    <OrgnlTxRef>\n     <Amt>\n      <InstdAmt Ccy=\"VND\">")
        out.append(line.amount)
        out.append("</InstdAmt>\n     </Amt>\n")
        if let d = executionDate {
            out.append("     <ReqdExctnDt>\n      <Dt>")
            out.appendEscaped(d)
            out.append("</Dt>\n     </ReqdExctnDt>\n")
        }
        if let account = line.accountNo {
            out.append("     <CdtrAcct>\n      <Id>\n       <Othr>\n        <Id>")
            out.appendEscaped(account)
            out.append("</Id>\n       </Othr>\n      </Id>\n     </CdtrAcct>\n")
        }
        out.append("    </OrgnlTxRef>\n   </TxInfAndSts>\n")
    }

    private static func camt054Header(_ payout: SimulatedPayout, date: CivilDate, to out: ReturnFileOutput) {
        let id = returnMessageID(payout, prefix: "NTF-")
        var x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        x += "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.054.001.08\">\n <BkToCstmrDbtCdtNtfctn>\n"
        x += "  <GrpHdr>\n   <MsgId>\(escaped(id))</MsgId>\n   <CreDtTm>\(creationTime(date))</CreDtTm>\n  </GrpHdr>\n"
        x += "  <Ntfctn>\n   <Id>\(escaped(id))</Id>\n   <CreDtTm>\(creationTime(date))</CreDtTm>\n"
        x += "   <Acct>\n    <Id>\n     <Othr>\n      <Id>\(escaped(payout.debtorAccount ?? "UNKNOWN"))</Id>\n     </Othr>\n    </Id>\n    <Ccy>VND</Ccy>\n   </Acct>\n"
        out.append(x)
    }

    @inline(__always)
    private static func camt054Line(_ line: SimulatedPayout.Line, _ fate: SimulatedFate, payout: SimulatedPayout, date: CivilDate,
                                    to out: ReturnFileOutput) {
        // A paid line is the booked debit; a rejected one is the booked credit of the returned transfer.
        let returned = fate.outcome == .rejected
        let direction = returned ? "CRDT" : "DBIT"
        let day = date.description
        out.append("   <Ntry>\n    <Amt Ccy=\"VND\">")
        out.append(line.amount)
        out.append("</Amt>\n    <CdtDbtInd>")
        out.append(direction)
        out.append("</CdtDbtInd>\n    <Sts>\n     <Cd>")
        out.append(fate.outcome == .pending ? "PDNG" : "BOOK")
        out.append("</Cd>\n    </Sts>\n    <BookgDt>\n     <Dt>")
        out.append(day)
        out.append("</Dt>\n    </BookgDt>\n    <ValDt>\n     <Dt>")
        out.append(day)
        out.append("</Dt>\n    </ValDt>\n    <BkTxCd>\n     <Domn>\n      <Cd>PMNT</Cd>\n      <Fmly>\n       <Cd>ICDT</Cd>\n       <SubFmlyCd>")
        out.append(returned ? "RRTN" : "DMCT")
        out.append("</SubFmlyCd>\n      </Fmly>\n     </Domn>\n    </BkTxCd>\n    <NtryDtls>\n     <TxDtls>\n      <Refs>\n")
        if let m = payout.messageID {
            out.append("       <MsgId>")
            out.appendEscaped(m)
            out.append("</MsgId>\n")
        }
        if let p = payout.paymentInfoID {
            out.append("       <PmtInfId>")
            out.appendEscaped(p)
            out.append("</PmtInfId>\n")
        }
        out.append("       <EndToEndId>")
        out.appendEscaped(line.reference)
        out.append("</EndToEndId>\n      </Refs>\n      <Amt Ccy=\"VND\">")
        out.append(line.amount)
        out.append("</Amt>\n      <CdtDbtInd>")
        out.append(direction)
        out.append("</CdtDbtInd>\n")
        if let account = line.accountNo {
            out.append("      <RltdPties>\n       <CdtrAcct>\n        <Id>\n         <Othr>\n          <Id>")
            out.appendEscaped(account)
            out.append("</Id>\n         </Othr>\n        </Id>\n       </CdtrAcct>\n      </RltdPties>\n")
        }
        if returned, let code = fate.reasonCode {
            out.append("      <RtrInf>\n       <Rsn>\n        <Cd>")
            out.append(code)
            out.append("</Cd>\n       </Rsn>\n")
            if let text = fate.reasonText {
                out.append("       <AddtlInf>")
                out.appendEscaped(text)
                out.append("</AddtlInf>\n")
            }
            out.append("      </RtrInf>\n")
        }
        out.append("     </TxDtls>\n    </NtryDtls>\n   </Ntry>\n")
    }

    private static func csvRow(_ cells: [String], _ d: ReturnCSVDescriptor, to out: ReturnFileOutput) {
        for (i, cell) in cells.enumerated() {
            if i > 0 { out.append(",") }
            out.appendCell(cell)
        }
        out.append(d.lineEnding.text)
    }

    private static func csvHeader(_ d: ReturnCSVDescriptor, to out: ReturnFileOutput) {
        if d.bom { out.append("\u{FEFF}") }
        csvRow(d.columns.map(\.header), d, to: out)
    }

    /// Line `i` (1-based).
    private static func csvLine(_ i: Int, _ line: SimulatedPayout.Line, _ fate: SimulatedFate, descriptor d: ReturnCSVDescriptor,
                                date: CivilDate, to out: ReturnFileOutput) {
        for (c, column) in d.columns.enumerated() {
            if c > 0 { out.append(",") }
            switch column.field {
            case .sequence: out.append(Int64(i))
            case .reference: out.appendCell(line.reference)
            case .beneficiaryCode: out.appendCell(line.beneficiaryCode ?? "")
            case .beneficiaryName: out.appendCell(line.beneficiaryName ?? "")
            case .accountNo: out.appendCell(line.accountNo ?? "")
            case .amount: if line.amount >= 0 { out.append(line.amount) } else { out.appendCell(String(line.amount)) }
            case .currency: out.append("VND")
            case .outcome: out.appendCell(d.outcomeTexts[fate.outcome] ?? fate.outcome.rawValue)
            case .reasonCode: out.appendCell(fate.reasonCode.map { d.reasonLabels[$0] ?? $0 } ?? "")
            case .reasonText: out.appendCell(fate.reasonText ?? "")
            case .receiver: out.appendCell(fate.receiver.flatMap { d.receiverTexts[$0] } ?? "")
            case .date:
                if fate.outcome == .paid { out.appendCell(d.dateFormat == .iso ? date.description : date.vietnamese) }
            case .ignore: break
            }
        }
        out.append(d.lineEnding.text)
    }

    private static func csvTotals(_ d: ReturnCSVDescriptor, count: Int, sum: Int64, to out: ReturnFileOutput) {
        guard let label = d.totalsLabel else { return }
        csvRow(d.columns.map { column in
            switch column.total {
            case .label: return label
            case .count: return String(count)
            case .sum: return String(sum)
            case nil: return ""
            }
        }, d, to: out)
    }
}
