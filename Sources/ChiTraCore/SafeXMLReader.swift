import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// Limits that keep a hostile or broken XML file from exhausting memory or time.
public struct XMLLimits: Sendable, Equatable {
    /// Largest file accepted, in bytes (default 2 GiB).
    public var maxFileBytes: UInt64
    /// Longest text of one element, in bytes (default 64 KiB; ISO 20022 texts are ≤ 500 characters).
    public var maxTextBytes: Int
    /// Deepest element nesting (default 64; ISO 20022 messages need about 15).
    public var maxDepth: Int

    public init(maxFileBytes: UInt64 = 2 << 30, maxTextBytes: Int = 64 << 10, maxDepth: Int = 64) {
        self.maxFileBytes = maxFileBytes
        self.maxTextBytes = maxTextBytes
        self.maxDepth = maxDepth
    }
}

/// Why `SafeXMLReader` refused a file, as data: each caller says it in its own words (the
/// returns in theirs, the `.xlsx` roll reader from the message catalogue).
public struct SafeXMLFailure: Error, Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case unreadable
        case tooLarge(size: UInt64, limit: UInt64)
        case notUTF8(nearByte: Int64)
        case endsInsideCharacter
        case utf16or32
        /// A `<!DOCTYPE` or `<!ENTITY` found by the byte scan, before parsing.
        case doctype
        case empty
        case tooDeep(limit: Int, line: Int)
        case textTooLong(limit: Int, line: Int)
        /// Reported by the parser itself (the byte scan normally refuses these first).
        case declaresDTD, declaresEntity
        case notWellFormed(line: Int, detail: String)
        /// The file ends before its root element closes.
        case truncated(line: Int)
    }
    public let kind: Kind
    public let file: String
    public init(_ kind: Kind, file: String) { self.kind = kind; self.file = file }
}

/// Receives the elements of an XML file, one at a time (SAX), with the path from the root.
public protocol XMLEventHandler: AnyObject {
    /// `path` ends with the element just opened (local names, prefixes removed).
    func didStart(path: [String], attributes: [String: String], line: Int)
    /// `path` ends with the element being closed; `text` is its own trimmed text.
    func didEnd(path: [String], text: String, line: Int)
    /// True once the handler wants no more events (it found what it needed, or failed): the
    /// parse stops there and returns without error.
    var shouldStop: Bool { get }
}

extension XMLEventHandler {
    public var shouldStop: Bool { false }
}

extension Array where Element == String {
    /// True when the path ends with `suffix`, e.g. `["OrgnlTxRef", "Amt", "InstdAmt"]`.
    public func ends(with suffix: [String]) -> Bool {
        count >= suffix.count && zip(self[(count - suffix.count)...], suffix).allSatisfy { $0 == $1 }
    }
}

/// Streaming XML reading with the defences a file from outside needs (the bank's return files,
/// the sheets of an `.xlsx` roll):
///
/// - any `<!DOCTYPE` or `<!ENTITY` is refused **before** parsing (entity expansion,
///   "billion laughs", external entities): neither ISO 20022 messages nor spreadsheets need a DTD;
/// - UTF-16 and UTF-32 files are refused (the byte scan above would not see their DTDs);
/// - file size, element text length and nesting depth are capped (`XMLLimits`);
/// - the parser (FoundationXML's `XMLParser`, libxml2 SAX) reads the file in chunks from a stream.
public enum SafeXMLReader {
    /// Checks size, encoding and the absence of DTDs by scanning the bytes in 1 MiB chunks.
    public static func prescan(_ url: URL, limits: XMLLimits) throws(SafeXMLFailure) {
        let name = url.lastPathComponent
        let size: UInt64
        do {
            let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
            size = (attributes[.size] as? NSNumber)?.uint64Value ?? 0
        } catch {
            throw SafeXMLFailure(.unreadable, file: name)
        }
        if size > limits.maxFileBytes {
            throw SafeXMLFailure(.tooLarge(size: size, limit: limits.maxFileBytes), file: name)
        }
        guard let handle = FileHandle(forReadingAtPath: url.path) else {
            throw SafeXMLFailure(.unreadable, file: name)
        }
        defer { try? handle.close() }
        let patterns: [[UInt8]] = [Array("<!DOCTYPE".utf8), Array("<!ENTITY".utf8)]
        var carry: [UInt8] = []
        var first = true
        var utf8 = UTF8Check()
        var offset: UInt64 = 0
        while true {
            let chunk = handle.readData(ofLength: 1 << 20)
            if chunk.isEmpty { break }
            // Invalid UTF-8 is refused here: Foundation's XMLParser crashes on some of it (in comments).
            if !utf8.feed([UInt8](chunk), final: false) {
                throw SafeXMLFailure(.notUTF8(nearByte: max(0, Int64(offset) + Int64(utf8.badOffset))), file: name)
            }
            offset += UInt64(chunk.count)
            var bytes = carry
            bytes.append(contentsOf: chunk)
            if first {
                first = false
                if bytes.starts(with: [0xFE, 0xFF]) || bytes.starts(with: [0xFF, 0xFE])
                    || bytes.starts(with: [0x00, 0x3C]) || bytes.starts(with: [0x3C, 0x00]) || bytes.starts(with: [0x00, 0x00]) {
                    throw SafeXMLFailure(.utf16or32, file: name)
                }
            }
            for pattern in patterns where contains(bytes, pattern) {
                throw SafeXMLFailure(.doctype, file: name)
            }
            carry = Array(bytes.suffix(8))
        }
        if first {
            throw SafeXMLFailure(.empty, file: name)
        }
        if !utf8.feed([], final: true) {
            throw SafeXMLFailure(.endsInsideCharacter, file: name)
        }
    }

    /// Streaming UTF-8 validation: a character split between two chunks is carried over.
    public struct UTF8Check {
        public init() {}
        private var pending: [UInt8] = []
        /// Offset of the chunk's first byte from where the bad sequence starts (approximate).
        public private(set) var badOffset = 0

        /// False when `chunk` (after what was pending) is not valid UTF-8.
        public mutating func feed(_ chunk: [UInt8], final: Bool) -> Bool {
            var bytes = pending
            bytes.append(contentsOf: chunk)
            var cut = bytes.count
            if !final {
                // Keep back an incomplete sequence at the end (at most 3 bytes).
                var i = bytes.count - 1
                while i >= 0 && i >= bytes.count - 3 {
                    let b = bytes[i]
                    if b & 0xC0 != 0x80 {
                        let need = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1
                        if bytes.count - i < need { cut = i }
                        break
                    }
                    i -= 1
                }
            }
            pending = Array(bytes[cut...])
            if String(validating: bytes[..<cut], as: UTF8.self) == nil {
                var valid = 0
                var it = bytes[..<cut].makeIterator()
                var decoder = UTF8()
                loop: while true {
                    switch decoder.decode(&it) {
                    case .scalarValue(let v): valid += UTF8.width(v)
                    case .emptyInput, .error: break loop
                    }
                }
                badOffset = valid - (bytes.count - chunk.count)
                return false
            }
            return true
        }
    }

    private static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard haystack.count >= needle.count, let f = needle.first else { return false }
        var i = 0
        let last = haystack.count - needle.count
        while i <= last {
            if haystack[i] == f {
                var j = 1
                while j < needle.count && haystack[i + j] == needle[j] { j += 1 }
                if j == needle.count { return true }
            }
            i += 1
        }
        return false
    }

    /// The namespace of the root element; reading stops there.
    public static func rootNamespace(_ url: URL, limits: XMLLimits) throws(SafeXMLFailure) -> String? {
        let sniffer = RootSniffer()
        try parse(url, limits: limits, handler: sniffer, stopAtRoot: true)
        return sniffer.namespace
    }

    /// Parses the whole file into `handler`. Call `prescan` first.
    public static func parse(_ url: URL, limits: XMLLimits, handler: XMLEventHandler, stopAtRoot: Bool = false, trimText: Bool = true) throws(SafeXMLFailure) {
        let name = url.lastPathComponent
        guard let stream = InputStream(url: url) else {
            throw SafeXMLFailure(.unreadable, file: name)
        }
        let parser = XMLParser(stream: stream)
        parser.shouldProcessNamespaces = true
        parser.shouldReportNamespacePrefixes = false
        parser.shouldResolveExternalEntities = false
        let delegate = Delegate(handler: handler, limits: limits, stopAtRoot: stopAtRoot, trimText: trimText)
        parser.delegate = delegate
        let ok = parser.parse()
        if let failure = delegate.failure {
            throw SafeXMLFailure(failure, file: name)
        }
        if !ok && !delegate.stopped {
            let detail = parser.parserError.map { ($0 as NSError).localizedDescription } ?? "unknown error"
            throw SafeXMLFailure(.notWellFormed(line: parser.lineNumber, detail: detail), file: name)
        }
        // XMLParser (libxml2 on Linux) reports success for a file cut off between two elements;
        // a status file that ends before its root element closes must not half-apply.
        if !stopAtRoot && !delegate.rootClosed && !delegate.stopped {
            throw SafeXMLFailure(.truncated(line: parser.lineNumber), file: name)
        }
    }

    private final class RootSniffer: XMLEventHandler {
        var namespace: String?
        func didStart(path: [String], attributes: [String: String], line: Int) {}
        func didEnd(path: [String], text: String, line: Int) {}
    }

    private final class Delegate: NSObject, XMLParserDelegate {
        let handler: XMLEventHandler
        let limits: XMLLimits
        let stopAtRoot: Bool
        var path: [String] = []
        var text: [UInt8] = []
        var failure: SafeXMLFailure.Kind?
        var stopped = false
        /// The root element's end tag was read (a file cut off anywhere earlier never sets it).
        var rootClosed = false

        let trimText: Bool

        init(handler: XMLEventHandler, limits: XMLLimits, stopAtRoot: Bool, trimText: Bool) {
            self.trimText = trimText
            self.handler = handler
            self.limits = limits
            self.stopAtRoot = stopAtRoot
        }

        private func fail(_ parser: XMLParser, _ kind: SafeXMLFailure.Kind) {
            if failure == nil { failure = kind }
            parser.abortParsing()
        }

        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                    qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
            guard failure == nil, !stopped else { return }
            if stopAtRoot {
                (handler as? RootSniffer)?.namespace = namespaceURI
                stopped = true
                parser.abortParsing()
                return
            }
            if path.count >= limits.maxDepth {
                fail(parser, .tooDeep(limit: limits.maxDepth, line: parser.lineNumber))
                return
            }
            let local = elementName.split(separator: ":").last.map(String.init) ?? elementName
            path.append(local)
            text.removeAll(keepingCapacity: true)
            handler.didStart(path: path, attributes: attributeDict, line: parser.lineNumber)
            if handler.shouldStop { stopped = true; parser.abortParsing() }
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
            guard failure == nil, !stopped, !path.isEmpty else { return }
            let raw = String(decoding: text, as: UTF8.self)
            let value = trimText ? raw.trimmedCell : raw
            handler.didEnd(path: path, text: value, line: parser.lineNumber)
            if handler.shouldStop { stopped = true; parser.abortParsing() }
            path.removeLast()
            if path.isEmpty { rootClosed = true }
            text.removeAll(keepingCapacity: true)
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            guard failure == nil, !stopped else { return }
            text.append(contentsOf: string.utf8)
            if text.count > limits.maxTextBytes {
                fail(parser, .textTooLong(limit: limits.maxTextBytes, line: parser.lineNumber))
            }
        }

        func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
            guard failure == nil, !stopped else { return }
            text.append(contentsOf: CDATABlock)
            if text.count > limits.maxTextBytes {
                fail(parser, .textTooLong(limit: limits.maxTextBytes, line: parser.lineNumber))
            }
        }

        func parser(_ parser: XMLParser, foundInternalSubsetDeclarationWithName name: String, externalID: String?, systemID: String?) {
            fail(parser, .declaresDTD)
        }

        func parser(_ parser: XMLParser, foundInternalEntityDeclarationWithName name: String, value: String?) {
            fail(parser, .declaresEntity)
        }
    }
}

extension String {
    /// Without leading and trailing spaces, tabs, no-break spaces, CR and LF.
    public var trimmedCell: String {
        // Fast path: every blank character starts and ends with one of these scalars.
        func mayBeBlank(_ u: Unicode.Scalar?) -> Bool {
            guard let v = u?.value else { return false }
            return v == 0x20 || v == 0x09 || v == 0xA0 || v == 0x0D || v == 0x0A
        }
        if !mayBeBlank(unicodeScalars.first) && !mayBeBlank(unicodeScalars.last) { return self }
        var s = Substring(self)
        let blank = Self.blankCells
        while let f = s.first, blank.contains(f) { s.removeFirst() }
        while let l = s.last, blank.contains(l) { s.removeLast() }
        return String(s)
    }
    private static let blankCells: Set<Character> = [" ", "\t", "\u{A0}", "\r", "\n", "\r\n"]
}
