import ChiTraCore
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

/// Receives the elements of an XML file, one at a time (SAX), with the path from the root.
protocol XMLEventHandler: AnyObject {
    /// `path` ends with the element just opened (local names, prefixes removed).
    func didStart(path: [String], attributes: [String: String], line: Int)
    /// `path` ends with the element being closed; `text` is its own trimmed text.
    func didEnd(path: [String], text: String, line: Int)
}

extension Array where Element == String {
    /// True when the path ends with `suffix`, e.g. `["OrgnlTxRef", "Amt", "InstdAmt"]`.
    func ends(with suffix: [String]) -> Bool {
        count >= suffix.count && zip(self[(count - suffix.count)...], suffix).allSatisfy { $0 == $1 }
    }
}

/// Streaming XML reading with the defences a file from outside needs:
///
/// - any `<!DOCTYPE` or `<!ENTITY` is refused **before** parsing (entity expansion,
///   "billion laughs", external entities): ISO 20022 messages never need a DTD;
/// - UTF-16 and UTF-32 files are refused (the byte scan above would not see their DTDs);
/// - file size, element text length and nesting depth are capped (`XMLLimits`);
/// - the parser (FoundationXML's `XMLParser`, libxml2 SAX) reads the file in chunks from a stream.
enum SafeXMLReader {
    /// Checks size, encoding and the absence of DTDs by scanning the bytes in 1 MiB chunks.
    static func prescan(_ url: URL, limits: XMLLimits) throws(ReturnFileError) {
        let name = url.lastPathComponent
        let size: UInt64
        do {
            let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
            size = (attributes[.size] as? NSNumber)?.uint64Value ?? 0
        } catch {
            throw ReturnFileError(.unreadable, file: name, Message("returns.file.unreadable"))
        }
        if size > limits.maxFileBytes {
            throw ReturnFileError(.tooLarge, file: name, Message("returns.file.too_large", ["size": .int(Int(size)), "limit": .int(Int(limits.maxFileBytes))]))
        }
        guard let handle = FileHandle(forReadingAtPath: url.path) else {
            throw ReturnFileError(.unreadable, file: name, Message("returns.file.unreadable"))
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
                throw ReturnFileError(.notUTF8, file: name, Message("returns.file.bad_utf8", ["byte": .int(Int(max(0, Int64(offset) + Int64(utf8.badOffset))))]))
            }
            offset += UInt64(chunk.count)
            var bytes = carry
            bytes.append(contentsOf: chunk)
            if first {
                first = false
                if bytes.starts(with: [0xFE, 0xFF]) || bytes.starts(with: [0xFF, 0xFE])
                    || bytes.starts(with: [0x00, 0x3C]) || bytes.starts(with: [0x3C, 0x00]) || bytes.starts(with: [0x00, 0x00]) {
                    throw ReturnFileError(.notUTF8, file: name, Message("returns.file.utf16"))
                }
            }
            for pattern in patterns where contains(bytes, pattern) {
                throw ReturnFileError(.doctypeRefused, file: name, Message("returns.file.doctype"))
            }
            carry = Array(bytes.suffix(8))
        }
        if first {
            throw ReturnFileError(.emptyFile, file: name, Message("returns.file.empty"))
        }
        if !utf8.feed([], final: true) {
            throw ReturnFileError(.notUTF8, file: name, Message("returns.file.utf8_cut"))
        }
    }

    /// Streaming UTF-8 validation: a character split between two chunks is carried over.
    struct UTF8Check {
        private var pending: [UInt8] = []
        /// Offset of the chunk's first byte from where the bad sequence starts (approximate).
        private(set) var badOffset = 0

        /// False when `chunk` (after what was pending) is not valid UTF-8.
        mutating func feed(_ chunk: [UInt8], final: Bool) -> Bool {
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
    static func rootNamespace(_ url: URL, limits: XMLLimits) throws(ReturnFileError) -> String? {
        let sniffer = RootSniffer()
        try parse(url, limits: limits, handler: sniffer, stopAtRoot: true)
        return sniffer.namespace
    }

    /// Parses the whole file into `handler`. Call `prescan` first.
    static func parse(_ url: URL, limits: XMLLimits, handler: XMLEventHandler, stopAtRoot: Bool = false) throws(ReturnFileError) {
        let name = url.lastPathComponent
        guard let stream = InputStream(url: url) else {
            throw ReturnFileError(.unreadable, file: name, Message("returns.file.unreadable"))
        }
        let parser = XMLParser(stream: stream)
        parser.shouldProcessNamespaces = true
        parser.shouldReportNamespacePrefixes = false
        parser.shouldResolveExternalEntities = false
        let delegate = Delegate(handler: handler, limits: limits, stopAtRoot: stopAtRoot)
        parser.delegate = delegate
        let ok = parser.parse()
        if let failure = delegate.failure {
            throw ReturnFileError(failure.code, file: name, failure.message)
        }
        if !ok && !delegate.stopped {
            let detail = parser.parserError.map { ($0 as NSError).localizedDescription } ?? "unknown error"
            throw ReturnFileError(.notWellFormed, file: name, Message("returns.xml.not_well_formed", ["line": .int(parser.lineNumber), "detail": .text(detail)]))
        }
        // XMLParser (libxml2 on Linux) reports success for a file cut off between two elements;
        // a status file that ends before its root element closes must not half-apply.
        if !stopAtRoot && !delegate.rootClosed {
            throw ReturnFileError(.notWellFormed, file: name, Message("returns.xml.unclosed", ["line": .int(parser.lineNumber)]))
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
        var failure: (code: ReturnFileError.Code, message: Message)?
        var stopped = false
        /// The root element's end tag was read (a file cut off anywhere earlier never sets it).
        var rootClosed = false

        init(handler: XMLEventHandler, limits: XMLLimits, stopAtRoot: Bool) {
            self.handler = handler
            self.limits = limits
            self.stopAtRoot = stopAtRoot
        }

        private func fail(_ parser: XMLParser, _ code: ReturnFileError.Code, _ message: Message) {
            if failure == nil { failure = (code, message) }
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
                fail(parser, .limitExceeded, Message("returns.xml.too_deep", ["depth": .int(limits.maxDepth), "line": .int(parser.lineNumber)]))
                return
            }
            let local = elementName.split(separator: ":").last.map(String.init) ?? elementName
            path.append(local)
            text.removeAll(keepingCapacity: true)
            handler.didStart(path: path, attributes: attributeDict, line: parser.lineNumber)
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
            guard failure == nil, !stopped, !path.isEmpty else { return }
            let value = String(decoding: text, as: UTF8.self).trimmedCell
            handler.didEnd(path: path, text: value, line: parser.lineNumber)
            path.removeLast()
            if path.isEmpty { rootClosed = true }
            text.removeAll(keepingCapacity: true)
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            guard failure == nil, !stopped else { return }
            text.append(contentsOf: string.utf8)
            if text.count > limits.maxTextBytes {
                fail(parser, .limitExceeded, Message("returns.xml.text_too_long", ["bytes": .int(limits.maxTextBytes), "line": .int(parser.lineNumber)]))
            }
        }

        func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
            guard failure == nil, !stopped else { return }
            text.append(contentsOf: CDATABlock)
            if text.count > limits.maxTextBytes {
                fail(parser, .limitExceeded, Message("returns.xml.text_too_long", ["bytes": .int(limits.maxTextBytes), "line": .int(parser.lineNumber)]))
            }
        }

        func parser(_ parser: XMLParser, foundInternalSubsetDeclarationWithName name: String, externalID: String?, systemID: String?) {
            fail(parser, .doctypeRefused, Message("returns.xml.dtd"))
        }

        func parser(_ parser: XMLParser, foundInternalEntityDeclarationWithName name: String, value: String?) {
            fail(parser, .doctypeRefused, Message("returns.xml.entity"))
        }
    }
}
