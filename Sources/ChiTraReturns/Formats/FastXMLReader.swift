import ChiTraCore
import Foundation

/// A byte-level reader for the plain subset of XML that payment status files are written in,
/// giving the handler exactly the events `SafeXMLReader.parse` (FoundationXML's `XMLParser`)
/// gives, several times faster: no `String` per callback, no Objective-C-style delegate.
///
/// It is an optimistic fast path, never a second opinion: on anything outside the subset it
/// stops and answers false, and the caller reads the file again from the start, with a fresh
/// handler, through `SafeXMLReader.parse`, which then accepts or refuses it with its own errors.
/// So every refusal (malformed XML, limits, …) still comes from one place, with the same words.
///
/// The subset (everything else answers false):
/// - an optional XML declaration, exactly `<?xml version="1.0" encoding="UTF-8"?>` (or `utf-8`,
///   or without the encoding), at the very start of the file; no BOM;
/// - elements with ASCII names and no prefix, each tag on one line; attributes `name="value"`
///   (or single quotes) with ASCII names, values without `<`, `&`, tabs, CR or LF, no duplicates;
///   namespace declarations `xmlns="urn:…"`/`"http…"` and `xmlns:p="…"` (not used by prefixed names);
/// - text without `&` (no entity or character references), without `>` (so no `]]>`), without
///   control characters other than tab, LF and CRLF, and without bytes 0xEF (U+F000–U+FFFF, which
///   holds U+FFFE/U+FFFF); no comments, CDATA, processing instructions or DOCTYPE;
/// - only white space outside the one root element; nesting and text within `XMLLimits`.
///
/// Events are those of `SafeXMLReader`'s delegate: `didStart` with the path of local names, the
/// attributes (namespace declarations left out, as `XMLParser` does) and the line of the tag;
/// `didEnd` with the element's own text (bytes since the last start or end tag, trimmed with
/// `trimmedCell`) and the line of the end tag. A self-closing tag gives both, with empty text.
struct FastXMLReader {
    /// True when the whole file was read and every event handed to `handler`; false when the file
    /// is outside the subset (the handler may then have received some events and must be discarded).
    static func parse(_ url: URL, limits: XMLLimits, handler: XMLEventHandler) -> Bool {
        guard let file = FileHandle(forReadingAtPath: url.path) else { return false }
        defer { try? file.close() }
        var reader = FastXMLReader(limits: limits, handler: handler)
        return reader.run(file)
    }

    private let limits: XMLLimits
    private let handler: XMLEventHandler
    private var path: [String] = []
    private var text: [UInt8] = []
    private var textHasCR = false
    private var line = 1
    private var rootSeen = false
    private var rootClosed = false
    /// Element names already turned into `String`s (an ISO 20022 file uses a few dozen).
    private var names: [(bytes: [UInt8], name: String)] = []

    /// A tag longer than this is not in the subset (ISO 20022 tags are well under 200 bytes).
    private static let maxTagBytes = 4096

    private init(limits: XMLLimits, handler: XMLEventHandler) {
        self.limits = limits
        self.handler = handler
    }

    private static let declarations: [[UInt8]] = [
        Array(#"<?xml version="1.0" encoding="UTF-8"?>"#.utf8),
        Array(#"<?xml version="1.0" encoding="utf-8"?>"#.utf8),
        Array(#"<?xml version="1.0"?>"#.utf8),
    ]

    private mutating func run(_ file: FileHandle) -> Bool {
        var buffer: [UInt8] = []
        var pos = 0
        var eof = false
        var first = true
        while true {
            if !eof && (buffer.count - pos) < Self.maxTagBytes + 8 {
                let chunk = file.readData(ofLength: 1 << 20)
                if chunk.isEmpty { eof = true } else {
                    if pos > 0 { buffer.removeFirst(pos); pos = 0 }
                    buffer.append(contentsOf: chunk)
                }
            }
            if first {
                first = false
                // An XML declaration, exactly one of the usual ones, or none.
                if buffer.starts(with: Array("<?".utf8)) {
                    guard let d = Self.declarations.first(where: { buffer.starts(with: $0) }) else { return false }
                    pos = d.count
                }
            }
            if pos >= buffer.count {
                if eof { break }
                continue
            }
            let step = buffer.withUnsafeBufferPointer { consume($0, from: pos, final: eof) }
            guard let next = step else { return false }
            if next == pos && eof { return false }   // an unfinished tag at the end of the file
            pos = next
        }
        return rootSeen && rootClosed && path.isEmpty
    }

    /// Reads text and whole tags from `pos`; returns where it stopped (at a tag or character it
    /// needs more bytes for), or nil when the file is outside the subset.
    private mutating func consume(_ b: UnsafeBufferPointer<UInt8>, from start: Int, final: Bool) -> Int? {
        var pos = start
        let end = b.count
        while pos < end {
            let c = b[pos]
            if c == UInt8(ascii: "<") {
                // A whole tag on one line: find its '>' (no LF before it).
                var close = pos + 1
                while close < end && b[close] != UInt8(ascii: ">") {
                    if b[close] == 0x0A || b[close] == 0x0D || b[close] == UInt8(ascii: "<") { return nil }
                    close += 1
                }
                if close >= end {
                    if close - pos > Self.maxTagBytes { return nil }
                    return final ? nil : pos
                }
                guard tag(UnsafeBufferPointer(rebasing: b[(pos + 1)..<close])) else { return nil }
                pos = close + 1
                continue
            }
            // Text: up to the next '<'.
            var stop = pos
            while stop < end {
                let t = b[stop]
                if t == UInt8(ascii: "<") { break }
                if t < 0x20 {
                    if t == 0x0A { line += 1 }
                    else if t == 0x0D {
                        // CRLF only (XMLParser turns a lone CR into a line break of its own).
                        if stop + 1 >= end {
                            if final { return nil }
                            break
                        }
                        if b[stop + 1] != 0x0A { return nil }
                        textHasCR = true
                    } else if t != 0x09 { return nil }
                } else if t == UInt8(ascii: "&") || t == UInt8(ascii: ">") || t == 0xEF {
                    return nil
                }
                stop += 1
            }
            if stop > pos {
                if path.isEmpty {
                    // Outside the root element: white space only.
                    for i in pos..<stop where ![0x20, 0x09, 0x0A, 0x0D].contains(b[i]) { return nil }
                } else {
                    text.append(contentsOf: UnsafeBufferPointer(rebasing: b[pos..<stop]))
                    if text.count > limits.maxTextBytes { return nil }
                }
            }
            if stop < end && b[stop] != UInt8(ascii: "<") { return stop }   // a CR at the end of the bytes read so far
            pos = stop
        }
        return pos
    }

    /// One tag, without its `<` and `>`.
    private mutating func tag(_ t: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let first = t.first else { return false }
        if first == UInt8(ascii: "/") {
            // `</Name>`, exactly, closing the innermost open element.
            guard let open = path.last, t.count - 1 == open.utf8.count,
                  open.utf8.elementsEqual(UnsafeBufferPointer(rebasing: t[1...])) else { return false }
            guard finishText() else { return false }
            handler.didEnd(path: path, text: takeText(), line: line)
            path.removeLast()
            if path.isEmpty { rootClosed = true }
            return true
        }
        guard Self.isNameStart(first), !rootClosed, !(path.isEmpty && rootSeen) else { return false }
        var i = 1
        while i < t.count && Self.isNameByte(t[i]) { i += 1 }
        let name = intern(UnsafeBufferPointer(rebasing: t[0..<i]))
        var attributes: [String: String] = [:]
        var selfClosing = false
        while i < t.count {
            // White space, then an attribute, or the end (`/` of a self-closing tag).
            var blank = false
            while i < t.count && (t[i] == 0x20 || t[i] == 0x09) { i += 1; blank = true }
            if i == t.count { break }
            if t[i] == UInt8(ascii: "/") {
                guard i == t.count - 1 else { return false }
                selfClosing = true
                break
            }
            guard blank, Self.isNameStart(t[i]) else { return false }
            let nameStart = i
            var colon = -1
            while i < t.count && (Self.isNameByte(t[i]) || t[i] == UInt8(ascii: ":")) {
                if t[i] == UInt8(ascii: ":") { if colon >= 0 { return false }; colon = i }
                i += 1
            }
            let attrName = UnsafeBufferPointer(rebasing: t[nameStart..<i])
            while i < t.count && (t[i] == 0x20 || t[i] == 0x09) { i += 1 }
            guard i < t.count, t[i] == UInt8(ascii: "=") else { return false }
            i += 1
            while i < t.count && (t[i] == 0x20 || t[i] == 0x09) { i += 1 }
            guard i < t.count, t[i] == UInt8(ascii: "\"") || t[i] == UInt8(ascii: "'") else { return false }
            let quote = t[i]
            i += 1
            let valueStart = i
            while i < t.count && t[i] != quote {
                let v = t[i]
                if v < 0x20 || v == UInt8(ascii: "<") || v == UInt8(ascii: "&") || v == 0xEF { return false }
                i += 1
            }
            guard i < t.count else { return false }
            let value = String(decoding: UnsafeBufferPointer(rebasing: t[valueStart..<i]), as: UTF8.self)
            i += 1
            let key = String(decoding: attrName, as: UTF8.self)
            if key == "xmlns" || key.hasPrefix("xmlns:") {
                // A namespace declaration: XMLParser does not list it among the attributes.
                guard key != "xmlns:", value.hasPrefix("urn:") || value.hasPrefix("http") else { return false }
                if colon >= 0 && key.utf8.count == 6 { return false }
                continue
            }
            guard colon < 0, attributes[key] == nil else { return false }
            attributes[key] = value
        }
        guard path.count < limits.maxDepth else { return false }
        rootSeen = true
        path.append(name)
        text.removeAll(keepingCapacity: true)
        textHasCR = false
        handler.didStart(path: path, attributes: attributes, line: line)
        if selfClosing {
            handler.didEnd(path: path, text: "", line: line)
            path.removeLast()
            if path.isEmpty { rootClosed = true }
        }
        return true
    }

    /// False when the text of the element cannot be given as XMLParser gives it (a CR inside it).
    private func finishText() -> Bool {
        guard textHasCR else { return true }
        return !String(decoding: text, as: UTF8.self).trimmedCell.utf8.contains(0x0D)
    }

    /// The element's own text, trimmed as `SafeXMLReader` trims it; the buffer is emptied.
    private mutating func takeText() -> String {
        let value = text.isEmpty ? "" : String(decoding: text, as: UTF8.self).trimmedCell
        text.removeAll(keepingCapacity: true)
        textHasCR = false
        return value
    }

    private mutating func intern(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        for entry in names where entry.bytes.count == bytes.count && entry.bytes.elementsEqual(bytes) { return entry.name }
        let name = String(decoding: bytes, as: UTF8.self)
        names.append((Array(bytes), name))
        return name
    }

    private static func isNameStart(_ c: UInt8) -> Bool {
        (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z")) || (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || c == UInt8(ascii: "_")
    }

    private static func isNameByte(_ c: UInt8) -> Bool {
        isNameStart(c) || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) || c == UInt8(ascii: "-") || c == UInt8(ascii: ".")
    }
}
