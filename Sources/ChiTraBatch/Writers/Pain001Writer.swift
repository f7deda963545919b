import ChiTraCore
import Foundation

/// Writes an ISO 20022 `pain.001.001.09` credit-transfer initiation: one group header, one
/// payment information block debiting the commune's account at the receiving bank, one
/// `CdtTrfTxInf` per line.
///
/// Choices that make the file valid against the official XSD and usable by Vietnamese banks:
/// - amounts in whole đồng without decimals (`<InstdAmt Ccy="VND">750000</InstdAmt>`);
/// - banks identified by their NAPAS BIN in `FinInstnId/ClrSysMmbId/MmbId`, the clearing system
///   named in `ClrSysId/Prtry` (`NAPAS`; no BIC needed): the debtor agent is the bank the file goes
///   to, each creditor agent the beneficiary's bank (another bank's BIN is an interbank credit);
/// - accounts in `Id/Othr/Id` (Vietnamese accounts have no IBAN);
/// - `PmtTpInf/CtgyPurp/Cd` `SSBE` (social security benefit, ISO external code set) and `ChrgBr`
///   `DEBT`: the commune bears the charges, the beneficiary receives the full amount;
/// - by default `Cdtr/Nm` is the payee's **ASCII name** (upper case, no diacritics), because that is
///   how banks hold account names and what their name check compares (reason BE01);
///   `creditorName: .payeeName` writes the NFC Vietnamese name instead, escaped UTF-8;
/// - the remittance text keeps its Vietnamese diacritics (the file is UTF-8); `remittance:
///   .remittanceASCII` folds it to ASCII for a bank that asks for that.
///
/// The output is built in a byte buffer, without an XML library (streamed to the file by the export). Values are escaped; control
/// characters and over-long values are refused with a `PayoutWriteError` rather than written.
public struct Pain001Writer: PayoutWriter {
    public static let namespace = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"

    /// Which name goes into `Cdtr/Nm`.
    public enum CreditorName: String, Sendable, CaseIterable { case payeeNameASCII, payeeName }
    /// Which remittance text goes into `RmtInf/Ustrd`.
    public enum Remittance: String, Sendable, CaseIterable { case remittanceASCII, remittance }

    public var formatName: String
    public var fileExtension: String { "xml" }
    public var creditorName: CreditorName
    public var remittance: Remittance
    /// `PmtTpInf/CtgyPurp/Cd`: 1–4 capital letters of ISO's ExternalCategoryPurpose1Code.
    public var categoryPurpose: String
    /// `ClrSysId/Prtry` of every agent: the clearing system whose member ids the BINs are.
    public var clearingSystem: String

    /// `SSBE`: "social security benefit, i.e. payment made by a government to support individuals".
    public static let defaultCategoryPurpose = "SSBE"
    /// The BINs are NAPAS member ids.
    public static let defaultClearingSystem = "NAPAS"

    public init(formatName: String = "pain.001.001.09", creditorName: CreditorName = .payeeNameASCII,
                remittance: Remittance = .remittance, categoryPurpose: String = Pain001Writer.defaultCategoryPurpose,
                clearingSystem: String = Pain001Writer.defaultClearingSystem) {
        self.formatName = formatName
        self.creditorName = creditorName
        self.remittance = remittance
        self.categoryPurpose = categoryPurpose
        self.clearingSystem = clearingSystem
    }

    public func write(_ doc: PayoutDocument) throws(PayoutWriteError) -> PayoutFile {
        let totals = try doc.validatedTotals()
        try checkHeader(doc)
        var out = ByteSink(reservingCapacity: 1_024 + doc.lines.count * 700)
        appendHeader(doc, totals: totals, to: &out)
        var running = RunningTotals()
        let loader = PayoutLineLoader()
        let scratch = ByteArena()
        for (i, line) in doc.lines.enumerated() {
            try appendLine(loader.load(line), number: i + 1, to: &out, running: &running, scratch: scratch)
        }
        appendFooter(to: &out)
        let written = try running.verify(against: totals)
        return PayoutFile(formatName: formatName, fileExtension: fileExtension, data: out.data, totals: written)
    }

    // The file in three parts, so that the export can stream it (header, then each line as it
    // is read from the store, then the footer) and ``write(_:)`` builds it in memory from the
    // very same code: both give the same bytes.

    /// Refuses a header the file could not carry (the checks ``write(_:)`` makes after the lines').
    func checkHeader(_ doc: PayoutDocument) throws(PayoutWriteError) {
        let header = PayoutWriteError.Place.document
        try TextRules.checkReference(doc.messageID, field: "messageID", at: header)
        _ = try TextRules.scan(doc.debtor.name, field: "debtor.name", at: header, maxLength: 140, required: true)
        try Self.checkDigits(doc.debtor.accountNo, field: "debtor.accountNo", at: header, max: 34)
        try Self.checkDigits(doc.debtor.bankBIN, field: "debtor.bankBIN", at: header, max: 35)
        if let code = doc.debtor.taxOrUnitCode {
            _ = try TextRules.scan(code, field: "debtor.taxOrUnitCode", at: header, maxLength: 35, required: true)
        }
        guard (1...4).contains(categoryPurpose.utf8.count), categoryPurpose.utf8.allSatisfy({ $0 >= 0x41 && $0 <= 0x5A }) else {
            throw .invalidField(field: "categoryPurpose", at: header, problem: .notAllowed(allowed: "1 to 4 capital letters"))
        }
        guard (1...35).contains(clearingSystem.utf8.count), clearingSystem.utf8.allSatisfy(Self.isCodeByte) else {
            throw .invalidField(field: "clearingSystem", at: header, problem: .notAllowed(allowed: "1 to 35 letters and digits"))
        }
    }

    private static func isCodeByte(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
    }

    /// Everything before the first `CdtTrfTxInf`; `totals` are the file's (checked beforehand).
    func appendHeader(_ doc: PayoutDocument, totals: PayoutTotals, to out: inout ByteSink) {
        out.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
        out.append("<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pain.001.001.09\">\n")
        out.append(" <CstmrCdtTrfInitn>\n  <GrpHdr>\n   <MsgId>")
        out.append(doc.messageID)
        out.append("</MsgId>\n   <CreDtTm>")
        out.append(Self.isoDateTime(doc.createdAt))
        out.append("</CreDtTm>\n   <NbOfTxs>")
        out.appendDecimal(Int64(totals.count))
        out.append("</NbOfTxs>\n   <CtrlSum>")
        out.appendDecimal(totals.controlSum)
        out.append("</CtrlSum>\n   <InitgPty>\n    <Nm>")
        out.appendXMLEscaped(doc.debtor.name)
        out.append("</Nm>\n   </InitgPty>\n  </GrpHdr>\n  <PmtInf>\n   <PmtInfId>")
        out.append(doc.messageID)
        out.append("</PmtInfId>\n   <PmtMtd>TRF</PmtMtd>\n   <BtchBookg>true</BtchBookg>\n   <NbOfTxs>")
        out.appendDecimal(Int64(totals.count))
        out.append("</NbOfTxs>\n   <CtrlSum>")
        out.appendDecimal(totals.controlSum)
        out.append("</CtrlSum>\n   <PmtTpInf>\n    <CtgyPurp>\n     <Cd>")
        out.append(categoryPurpose)
        out.append("</Cd>\n    </CtgyPurp>\n   </PmtTpInf>\n   <ReqdExctnDt>\n    <Dt>")
        out.append(doc.executionDate.description)
        out.append("</Dt>\n   </ReqdExctnDt>\n   <Dbtr>\n    <Nm>")
        out.appendXMLEscaped(doc.debtor.name)
        out.append("</Nm>\n")
        if let code = doc.debtor.taxOrUnitCode {
            out.append("    <Id>\n     <OrgId>\n      <Othr>\n       <Id>")
            out.appendXMLEscaped(code)
            out.append("</Id>\n      </Othr>\n     </OrgId>\n    </Id>\n")
        }
        out.append("   </Dbtr>\n   <DbtrAcct>\n    <Id>\n     <Othr>\n      <Id>")
        out.append(doc.debtor.accountNo)
        out.append("</Id>\n     </Othr>\n    </Id>\n   </DbtrAcct>\n   <DbtrAgt>\n    <FinInstnId>\n     <ClrSysMmbId>\n      <ClrSysId>\n       <Prtry>")
        out.append(clearingSystem)
        out.append("</Prtry>\n      </ClrSysId>\n      <MmbId>")
        out.append(doc.debtor.bankBIN)
        out.append("</MmbId>\n     </ClrSysMmbId>\n    </FinInstnId>\n   </DbtrAgt>\n   <ChrgBr>DEBT</ChrgBr>\n")
    }

    /// One `CdtTrfTxInf`. `number` is the line's 1-based position, for error messages; `scratch`
    /// holds a remittance text folded to ASCII when it had diacritics.
    @inline(__always)
    func appendLine(_ line: PayoutLineBytes, number: Int, to out: inout ByteSink, running: inout RunningTotals,
                    scratch: ByteArena) throws(PayoutWriteError) {
        let place = { PayoutWriteError.Place.line(number: number, reference: line.referenceString) }
        let account = line.accountNo ?? .empty
        try TextRules.checkDigits(account, field: "accountNo", at: place, max: 34)
        let bin = line.bankBIN ?? .empty
        try TextRules.checkDigits(bin, field: "bankBIN", at: place, max: 35)
        let name: ByteView
        switch creditorName {
        case .payeeNameASCII:
            name = line.payeeNameASCII
            _ = try TextRules.scan(name, field: "payeeNameASCII", at: place, maxLength: 140, required: true, asciiOnly: true)
        case .payeeName:
            name = line.payeeName
            _ = try TextRules.scan(name, field: "payeeName", at: place, maxLength: 140, required: true)
        }
        let text: ByteView
        switch remittance {
        case .remittanceASCII:
            guard let folded = TextRules.asciiFold(line.remittance, arena: scratch) else {
                throw .invalidField(field: "remittance", at: place(), problem: .notASCII)
            }
            text = folded
        case .remittance:
            text = line.remittance
        }
        _ = try TextRules.scan(text, field: "remittance", at: place, maxLength: 140, required: true)

        out.append("   <CdtTrfTxInf>\n    <PmtId>\n     <EndToEndId>")
        out.append(line.reference)
        out.append("</EndToEndId>\n    </PmtId>\n    <Amt>\n     <InstdAmt Ccy=\"VND\">")
        out.appendDecimal(line.amount)
        try running.add(line.amount)
        out.append("</InstdAmt>\n    </Amt>\n    <CdtrAgt>\n     <FinInstnId>\n      <ClrSysMmbId>\n       <ClrSysId>\n        <Prtry>")
        out.append(clearingSystem)
        out.append("</Prtry>\n       </ClrSysId>\n       <MmbId>")
        out.append(bin)
        out.append("</MmbId>\n      </ClrSysMmbId>\n     </FinInstnId>\n    </CdtrAgt>\n    <Cdtr>\n     <Nm>")
        out.appendXMLEscaped(name)
        out.append("</Nm>\n    </Cdtr>\n    <CdtrAcct>\n     <Id>\n      <Othr>\n       <Id>")
        out.append(account)
        out.append("</Id>\n      </Othr>\n     </Id>\n    </CdtrAcct>\n    <RmtInf>\n     <Ustrd>")
        out.appendXMLEscaped(text)
        out.append("</Ustrd>\n    </RmtInf>\n   </CdtTrfTxInf>\n")
    }

    /// Closes the payment information block and the document.
    func appendFooter(to out: inout ByteSink) {
        out.append("  </PmtInf>\n </CstmrCdtTrfInitn>\n</Document>\n")
    }

    /// 1–`max` ASCII digits.
    private static func checkDigits(_ value: String, field: String, at place: PayoutWriteError.Place, max: Int) throws(PayoutWriteError) {
        guard !value.isEmpty else { throw .invalidField(field: field, at: place, problem: .missing) }
        guard value.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
            throw .invalidField(field: field, at: place, problem: .notAllowed(allowed: "digits"))
        }
        guard value.utf8.count <= max else {
            throw .invalidField(field: field, at: place, problem: .tooLong(max: max, actual: value.utf8.count))
        }
    }

    /// `2026-11-20T09:30:00+07:00`: Vietnam time, the time zone the commune works in.
    static func isoDateTime(_ date: Date) -> String {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(secondsFromGMT: 7 * 3600)!
        let c = cal.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d+07:00",
                      c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
    }
}
