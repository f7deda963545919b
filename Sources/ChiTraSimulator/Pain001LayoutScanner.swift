import ChiTraCore
import ChiTraBatch
import ChiTraReturns
import Foundation

/// Reads a pain.001.001.09 file laid out exactly as ChiTra's `Pain001Writer` writes it (one
/// element per line, fixed indentation), line by line in 1 MiB chunks, without an XML parser.
///
/// It is the simulator's fast path: it gives the values `PayoutFileReader`'s XML reading gives,
/// or declines. Anything it does not recognise (another layout, an entity or character
/// reference other than `&amp; &lt; &gt; &quot; &apos;`, a character XML forbids, a value that
/// is not plain digits or a plain reference, a file without transactions) makes ``scan(_:visit:)``
/// return nil, and the simulator reads the file with the XML parser as before. Run
/// `SafeXMLReader.prescan` and the namespace check first: they stay the judges of encoding,
/// DTDs and size.
enum Pain001LayoutScanner {
    /// What the file says besides its transactions.
    struct Header {
        var messageID: String?
        var paymentInfoID: String?
        var executionDate: String?
        var debtorAccount: String?
    }

    /// Reads the whole file, calling `visit` with each transaction in file order; nil (after
    /// some calls, possibly) when the file is not in the expected layout. Errors thrown by
    /// `visit` and read errors propagate.
    static func scan(_ url: URL, visit: (SimulatedPayout.Line) throws -> Void) throws -> Header? {
        let lines = try LineReader(url)
        var header = Header()
        func next() throws -> UnsafeBufferPointer<UInt8>? { try lines.next() }
        func literal(_ expected: StaticString) throws -> Bool {
            guard let line = try next() else { return false }
            return expected.withUTF8Buffer { equal(line, $0) }
        }
        func value(_ prefix: StaticString, _ suffix: StaticString, _ kind: Token) throws -> String? {
            guard let line = try next() else { return nil }
            return Self.value(line, prefix, suffix, kind)
        }
        func literals(_ expected: [StaticString]) throws -> Bool {
            for e in expected where try !literal(e) { return false }
            return true
        }
        /// An agent's `<MmbId>`, after the clearing system's `<ClrSysId><Prtry>` when present
        /// (written since issue 15); `indent` is the `<MmbId>` line's.
        func memberID(indent: Int) throws -> Bool {
            guard let line = try next() else { return false }
            let pad = String(repeating: " ", count: indent)
            if line.elementsEqual((pad + "<ClrSysId>").utf8) {
                guard let prtry = try next(), Self.value(prtry, pad + " <Prtry>", "</Prtry>", .code) != nil,
                      let close = try next(), close.elementsEqual((pad + "</ClrSysId>").utf8),
                      let id = try next() else { return false }
                return Self.value(id, pad + "<MmbId>", "</MmbId>", .digits) != nil
            }
            return Self.value(line, pad + "<MmbId>", "</MmbId>", .digits) != nil
        }

        guard try literals(["<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
                            "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pain.001.001.09\">",
                            " <CstmrCdtTrfInitn>", "  <GrpHdr>"]),
              let messageID = try value("   <MsgId>", "</MsgId>", .reference),
              try value("   <CreDtTm>", "</CreDtTm>", .dateTime) != nil,
              try value("   <NbOfTxs>", "</NbOfTxs>", .digits) != nil,
              try value("   <CtrlSum>", "</CtrlSum>", .digits) != nil,
              try literal("   <InitgPty>"),
              try value("    <Nm>", "</Nm>", .text) != nil,
              try literals(["   </InitgPty>", "  </GrpHdr>", "  <PmtInf>"]),
              let paymentInfoID = try value("   <PmtInfId>", "</PmtInfId>", .reference),
              try literals(["   <PmtMtd>TRF</PmtMtd>", "   <BtchBookg>true</BtchBookg>"]),
              try value("   <NbOfTxs>", "</NbOfTxs>", .digits) != nil,
              try value("   <CtrlSum>", "</CtrlSum>", .digits) != nil,
              var dateLine = try next()
        else { return nil }
        // The payment type (category purpose), written since issue 15.
        if dateLine.elementsEqual("   <PmtTpInf>".utf8) {
            guard try literal("    <CtgyPurp>"), try value("     <Cd>", "</Cd>", .code) != nil,
                  try literals(["    </CtgyPurp>", "   </PmtTpInf>"]), let after = try next() else { return nil }
            dateLine = after
        }
        guard dateLine.elementsEqual("   <ReqdExctnDt>".utf8),
              let executionDate = try value("    <Dt>", "</Dt>", .date),
              try literals(["   </ReqdExctnDt>", "   <Dbtr>"]),
              try value("    <Nm>", "</Nm>", .text) != nil,
              var line = try next()
        else { return nil }
        header.messageID = messageID
        header.paymentInfoID = paymentInfoID
        header.executionDate = executionDate
        // The debtor's optional organisation id.
        if line.elementsEqual("    <Id>".utf8) {
            guard try literals(["     <OrgId>", "      <Othr>"]),
                  try value("       <Id>", "</Id>", .text) != nil,
                  try literals(["      </Othr>", "     </OrgId>", "    </Id>"]),
                  let after = try next() else { return nil }
            line = after
        }
        guard line.elementsEqual("   </Dbtr>".utf8),
              try literals(["   <DbtrAcct>", "    <Id>", "     <Othr>"]),
              let debtorAccount = try value("      <Id>", "</Id>", .digits),
              try literals(["     </Othr>", "    </Id>", "   </DbtrAcct>", "   <DbtrAgt>", "    <FinInstnId>", "     <ClrSysMmbId>"]),
              try memberID(indent: 6),
              try literals(["     </ClrSysMmbId>", "    </FinInstnId>", "   </DbtrAgt>"]),
              var open = try next()
        else { return nil }
        header.debtorAccount = debtorAccount
        // Who bears the charges, written since issue 15.
        if open.elementsEqual("   <ChrgBr>DEBT</ChrgBr>".utf8) {
            guard let after = try next() else { return nil }
            open = after
        }

        var count = 0
        var first = true
        while true {
            if !first {
                guard let line = try next() else { return nil }
                open = line
            }
            first = false
            if open.elementsEqual("  </PmtInf>".utf8) { break }
            guard open.elementsEqual("   <CdtTrfTxInf>".utf8), try literal("    <PmtId>"),
                  let reference = try value("     <EndToEndId>", "</EndToEndId>", .reference),
                  try literals(["    </PmtId>", "    <Amt>"]),
                  let amountText = try value("     <InstdAmt Ccy=\"VND\">", "</InstdAmt>", .amount),
                  let amount = Int64(amountText),
                  try literals(["    </Amt>", "    <CdtrAgt>", "     <FinInstnId>", "      <ClrSysMmbId>"]),
                  try memberID(indent: 7),
                  try literals(["      </ClrSysMmbId>", "     </FinInstnId>", "    </CdtrAgt>", "    <Cdtr>"]),
                  let name = try value("     <Nm>", "</Nm>", .text),
                  try literals(["    </Cdtr>", "    <CdtrAcct>", "     <Id>", "      <Othr>"]),
                  let account = try value("       <Id>", "</Id>", .digits),
                  try literals(["      </Othr>", "     </Id>", "    </CdtrAcct>", "    <RmtInf>"]),
                  try value("     <Ustrd>", "</Ustrd>", .text) != nil,
                  try literals(["    </RmtInf>", "   </CdtTrfTxInf>"])
            else { return nil }
            count += 1
            // `line` (where the XML reader saw the transaction start) only ever appears in an
            // error message, and a file read here has none.
            try visit(SimulatedPayout.Line(reference: reference, amount: amount, accountNo: account,
                                           beneficiaryCode: nil, beneficiaryName: Self.unescaped(name).trimmedCell, proxyName: nil, line: 0))
        }
        guard count > 0, try literals([" </CstmrCdtTrfInitn>", "</Document>"]), try lines.atEnd() else { return nil }
        return header
    }

    /// What a value may be; anything else declines the file.
    private enum Token {
        /// 1–35 letters and digits (a code: `SSBE`, `NAPAS`).
        case code
        /// `[A-Za-z0-9-]`, 1–35.
        case reference
        /// 1–34 digits.
        case digits
        /// 1–18 digits without a leading zero (what `ReturnAmount` reads to the same number).
        case amount
        /// `YYYY-MM-DD`.
        case date
        /// `YYYY-MM-DDThh:mm:ss+hh:mm`.
        case dateTime
        /// Character data: no `<`, `>` or control character, `&` only in the five predefined
        /// entities, no U+FFFE/U+FFFF, ≤ 4 KiB (read as the XML reader does: entities replaced, trimmed).
        case text
    }

    private static func value(_ line: UnsafeBufferPointer<UInt8>, _ prefix: String, _ suffix: StaticString,
                              _ kind: Token) -> String? {
        let p = prefix.utf8.count, s = suffix.utf8CodeUnitCount
        guard line.count > p + s, line[0..<p].elementsEqual(prefix.utf8),
              suffix.withUTF8Buffer({ equal(UnsafeBufferPointer(rebasing: line[(line.count - s)...]), $0) })
        else { return nil }
        let v = UnsafeBufferPointer(rebasing: line[p..<(line.count - s)])
        guard isValid(v, kind) else { return nil }
        return String(decoding: v, as: UTF8.self)
    }

    private static func value(_ line: UnsafeBufferPointer<UInt8>, _ prefix: StaticString, _ suffix: StaticString,
                              _ kind: Token) -> String? {
        let p = prefix.utf8CodeUnitCount, s = suffix.utf8CodeUnitCount
        guard line.count > p + s,
              prefix.withUTF8Buffer({ equal(UnsafeBufferPointer(rebasing: line[0..<p]), $0) }),
              suffix.withUTF8Buffer({ equal(UnsafeBufferPointer(rebasing: line[(line.count - s)...]), $0) })
        else { return nil }
        let v = UnsafeBufferPointer(rebasing: line[p..<(line.count - s)])
        guard isValid(v, kind) else { return nil }
        return String(decoding: v, as: UTF8.self)
    }

    private static func isValid(_ v: UnsafeBufferPointer<UInt8>, _ kind: Token) -> Bool {
        func digit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
        switch kind {
        case .code:
            return v.count <= 35 && v.allSatisfy { digit($0) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) }
        case .reference:
            return v.count <= 35 && v.allSatisfy { digit($0) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x2D }
        case .digits:
            return v.count <= 34 && v.allSatisfy(digit)
        case .amount:
            return v.count <= 18 && v[0] != 0x30 && v.allSatisfy(digit)
        case .date:
            return v.count == 10 && v.enumerated().allSatisfy { i, b in i == 4 || i == 7 ? b == 0x2D : digit(b) }
        case .dateTime:
            return v.count == 25 && v.enumerated().allSatisfy { i, b in
                switch i {
                case 4, 7: return b == 0x2D
                case 10: return b == 0x54
                case 13, 16, 22: return b == 0x3A
                case 19: return b == 0x2B || b == 0x2D
                default: return digit(b)
                }
            }
        case .text:
            guard v.count <= 4_096 else { return false }
            var i = 0
            while i < v.count {
                let b = v[i]
                if b < 0x20 || b == 0x7F || b == 0x3C || b == 0x3E { return false }
                if b == 0xEF, i + 2 < v.count, v[i + 1] == 0xBF, v[i + 2] >= 0xBE { return false }
                if b == 0x26 {
                    guard let length = entityLength(v, at: i) else { return false }
                    i += length
                    continue
                }
                i += 1
            }
            return true
        }
    }

    private static let entities: [(text: [UInt8], value: UInt8)] = [
        (Array("&amp;".utf8), 0x26), (Array("&lt;".utf8), 0x3C), (Array("&gt;".utf8), 0x3E),
        (Array("&quot;".utf8), 0x22), (Array("&apos;".utf8), 0x27),
    ]

    private static func entityLength(_ v: UnsafeBufferPointer<UInt8>, at i: Int) -> Int? {
        for e in entities where i + e.text.count <= v.count && v[i..<(i + e.text.count)].elementsEqual(e.text) {
            return e.text.count
        }
        return nil
    }

    /// The character data of a `.text` value, its five entities replaced.
    private static func unescaped(_ s: String) -> String {
        guard s.utf8.contains(0x26) else { return s }
        var out: [UInt8] = []
        let bytes = Array(s.utf8)
        var i = 0
        while i < bytes.count {
            if bytes[i] == 0x26, let e = entities.first(where: { i + $0.text.count <= bytes.count && bytes[i..<(i + $0.text.count)].elementsEqual($0.text) }) {
                out.append(e.value)
                i += e.text.count
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func equal(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        a.count == b.count && (a.count == 0 || memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0)
    }
}

/// The lines of a file (each without its `\n`), read in 1 MiB chunks into one reused buffer.
/// A line is valid until the next call. A last line without `\n` counts as no line.
final class LineReader {
    private let fd: Int32
    private let path: String
    private var buffer: UnsafeMutablePointer<UInt8>
    private var capacity = 1 << 20
    private var start = 0
    private var end = 0
    private var eof = false

    init(_ url: URL) throws {
        path = url.path
        fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw ReturnFileError(.unreadable, file: url.lastPathComponent, Message("returns.file.unreadable"))
        }
        buffer = .allocate(capacity: capacity)
    }

    deinit {
        buffer.deallocate()
        close(fd)
    }

    /// The next line, or nil at the end (or before an unterminated last line).
    func next() throws -> UnsafeBufferPointer<UInt8>? {
        while true {
            if let newline = memchr(buffer + start, 0x0A, end - start) {
                let at = newline.assumingMemoryBound(to: UInt8.self) - buffer
                let line = UnsafeBufferPointer(start: UnsafePointer(buffer + start), count: at - start)
                start = at + 1
                return line
            }
            guard try fill() else { return nil }
        }
    }

    /// True when nothing at all is left to read.
    func atEnd() throws -> Bool {
        if start < end { return false }
        return try !fill()
    }

    /// Moves what is left to the front and reads more; false at the end of the file.
    private func fill() throws -> Bool {
        if eof { return false }
        if start > 0 {
            if end > start { (buffer).update(from: buffer + start, count: end - start) }
            end -= start
            start = 0
        }
        if end == capacity {
            // A line longer than the buffer: no line of our layout is; stop (the caller declines).
            return false
        }
        while true {
            let n = read(fd, buffer + end, capacity - end)
            if n < 0 {
                if errno == EINTR { continue }
                throw ReturnFileError(.unreadable, file: URL(fileURLWithPath: path).lastPathComponent, Message("returns.file.unreadable"))
            }
            if n == 0 { eof = true; return false }
            end += n
            return true
        }
    }
}
