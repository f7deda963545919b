import ChiTraCore
import Foundation

/// Reads a return file — pain.002, camt.054 or a CSV return list — into a `ReturnDocument`,
/// finding the format from the file itself.
///
/// - XML: the root element's namespace, `urn:iso:std:iso:20022:tech:xsd:pain.002.001.03`
///   (also national variants whose namespace contains `pain.002.001.03`), `.10`,
///   `camt.054.001.02`, `camt.054.001.08`;
/// - CSV: the header row, matched against the descriptors of `return-formats.json`.
///
/// `formatHint` (the CLI's `--format NAME`) forces a format. Foreign currencies: by default a
/// transaction whose amount is not in VND is a `MalformedLine` (ChiTra only pays đồng, so such a
/// line cannot answer one of its payments); `acceptForeignCurrency` keeps it as a record with
/// `currency` set and `amount` nil, which is how the public sample files are read in tests.
///
/// ```swift
/// let doc = try ReturnFileReader.read(url: url, formatHint: nil, formats: formats)
/// for bad in doc.malformed { print(bad) }
/// ```
public struct ReturnFileReader: Sendable {
    public var limits: XMLLimits
    /// Longest CSV record, in bytes.
    public var maxRecordBytes: Int
    public var acceptForeignCurrency: Bool

    public init(limits: XMLLimits = XMLLimits(), maxRecordBytes: Int = 1 << 20, acceptForeignCurrency: Bool = false) {
        self.limits = limits
        self.maxRecordBytes = maxRecordBytes
        self.acceptForeignCurrency = acceptForeignCurrency
    }

    /// Reads with the default limits and strict currency.
    public static func read(url: URL, formatHint: String? = nil, formats: ReturnFormats) throws(ReturnFileError) -> ReturnDocument {
        try ReturnFileReader().read(url: url, formatHint: formatHint, formats: formats)
    }

    public func read(url: URL, formatHint: String? = nil, formats: ReturnFormats) throws(ReturnFileError) -> ReturnDocument {
        let (format, prescanned) = try detectFormat(url: url, formatHint: formatHint, formats: formats)
        if format.hasPrefix("pain.002") || format.hasPrefix("camt.054") {
            // `detect` already scanned the bytes when it found the format from the content.
            if !prescanned { try ReturnXML.prescan(url, limits: limits) }
            // The byte-level reader first; a file outside its plain subset is read again from the
            // start, with a fresh handler, by XMLParser (which gives any refusal).
            if format.hasPrefix("pain.002") {
                let fast = Pain002Parser(format: format, acceptForeignCurrency: acceptForeignCurrency)
                if FastXMLReader.parse(url, limits: limits, handler: fast) { return fast.document }
                let handler = Pain002Parser(format: format, acceptForeignCurrency: acceptForeignCurrency)
                try ReturnXML.parse(url, limits: limits, handler: handler)
                return handler.document
            }
            let fast = Camt054Parser(format: format, acceptForeignCurrency: acceptForeignCurrency)
            if FastXMLReader.parse(url, limits: limits, handler: fast) { return fast.document }
            let handler = Camt054Parser(format: format, acceptForeignCurrency: acceptForeignCurrency)
            try ReturnXML.parse(url, limits: limits, handler: handler)
            return handler.document
        }
        guard let descriptor = formats.csv[format] else {
            throw ReturnFileError(.unsupportedFormat, file: url.lastPathComponent,
                Message("returns.format.unknown_name", ["format": .text(format), "known": .text(formats.allNames.joined(separator: ", "))]))
        }
        try checkSize(url)
        return try ReturnCSVParser.read(url, descriptor: descriptor, maxRecordBytes: maxRecordBytes)
    }

    // MARK: - Streaming (the import)

    /// The byte-level XML path stepped aside after records had already gone to the sink: the
    /// caller undoes what it did with them and reads the file again with `fastXML: false`.
    struct FastXMLSteppedAside: Error {}

    /// The checks `read` makes before parsing (format, size, encoding, no DTD), with the same
    /// errors; returns the format to pass to `stream`.
    func prepare(url: URL, formatHint: String? = nil, formats: ReturnFormats) throws(ReturnFileError) -> String {
        let (format, prescanned) = try detectFormat(url: url, formatHint: formatHint, formats: formats)
        if format.hasPrefix("pain.002") || format.hasPrefix("camt.054") {
            if !prescanned { try ReturnXML.prescan(url, limits: limits) }
            return format
        }
        guard formats.csv[format] != nil else {
            throw ReturnFileError(.unsupportedFormat, file: url.lastPathComponent,
                Message("returns.format.unknown_name", ["format": .text(format), "known": .text(formats.allNames.joined(separator: ", "))]))
        }
        try checkSize(url)
        return format
    }

    /// Reads a file `prepare` accepted, handing each record to `sink` as it is read; the document
    /// returned holds everything else (its `records` stay empty). Throws what `read` throws for
    /// the file, else the sink's first error.
    ///
    /// The file is parsed on a second thread (`ReturnRecordPipeline`), a bounded number of records
    /// ahead; `sink` takes them here, on the caller's thread (the matcher's, which alone touches
    /// the store), in file order. Every record is taken, also after the sink's first error (then
    /// only counted), so that an error of the file itself still comes first.
    func stream(url: URL, format: String, formats: ReturnFormats, fastXML: Bool = true, sink: ReturnRecordSink) throws -> ReturnDocument {
        let reader = self
        let records = ReturnRecordPipeline { handed in
            try reader.parse(url: url, format: format, formats: formats, fastXML: fastXML, sink: handed)
        }
        defer { records.stop() }
        while let record = try records.next() { sink.take(record) }
        if let e = sink.error { throw e }
        return records.document!
    }

    /// `stream`'s reading half, on the reading thread: the file's records to `sink` (the
    /// pipeline's), everything else in the document returned. Touches nothing but the file.
    private func parse(url: URL, format: String, formats: ReturnFormats, fastXML: Bool, sink: ReturnRecordSink) throws -> ReturnDocument {
        if format.hasPrefix("pain.002") || format.hasPrefix("camt.054") {
            func handler() -> XMLEventHandler & StreamingHandler {
                if format.hasPrefix("pain.002") {
                    let h = Pain002Parser(format: format, acceptForeignCurrency: acceptForeignCurrency); h.sink = sink; return h
                }
                let h = Camt054Parser(format: format, acceptForeignCurrency: acceptForeignCurrency); h.sink = sink; return h
            }
            if fastXML {
                let fast = handler()
                if FastXMLReader.parse(url, limits: limits, handler: fast) { return fast.document }
                // Records were handed on (the matcher takes them before this error): it undoes them
                // and asks again without the fast path.
                if sink.count > 0 { throw FastXMLSteppedAside() }
            }
            let slow = handler()
            try ReturnXML.parse(url, limits: limits, handler: slow)
            return slow.document
        }
        return try ReturnCSVParser.read(url, descriptor: formats.csv[format]!, maxRecordBytes: maxRecordBytes, sink: sink)
    }

    /// The format name of a return file: `formatHint` if given (checked), else from the content.
    public func detect(url: URL, formatHint: String? = nil, formats: ReturnFormats) throws(ReturnFileError) -> String {
        try detectFormat(url: url, formatHint: formatHint, formats: formats).format
    }

    /// The format, and whether the XML prescan (size, encoding, no DTD) already ran on the file.
    private func detectFormat(url: URL, formatHint: String?, formats: ReturnFormats) throws(ReturnFileError) -> (format: String, prescanned: Bool) {
        let name = url.lastPathComponent
        if let hint = formatHint {
            guard formats.allNames.contains(hint) else {
                throw ReturnFileError(.unsupportedFormat, file: name,
                    Message("returns.format.unknown_name", ["format": .text(hint), "known": .text(formats.allNames.joined(separator: ", "))]))
            }
            return (hint, false)
        }
        try checkSize(url)
        if try looksLikeXML(url) {
            try ReturnXML.prescan(url, limits: limits)
            let ns = try ReturnXML.rootNamespace(url, limits: limits) ?? ""
            for format in ReturnFormats.xmlFormats where ns == "urn:iso:std:iso:20022:tech:xsd:\(format)" { return (format, true) }
            // National variants (e.g. Swiss `…/pain.002.001.03.ch.02.xsd`) keep the structure.
            for format in ReturnFormats.xmlFormats where ns.contains(format) { return (format, true) }
            throw ReturnFileError(.unknownFormat, file: name,
                Message("returns.format.unknown_namespace", ["namespace": .text(ns), "known": .text(ReturnFormats.xmlFormats.joined(separator: ", "))]))
        }
        let headers = try ReturnCSVParser.headers(of: url, maxRecordBytes: maxRecordBytes)
        for d in formats.csv.values.sorted(by: { $0.name < $1.name }) where ReturnCSVParser.matches(headers, d) { return (d.name, false) }
        throw ReturnFileError(.unknownFormat, file: name,
            Message("returns.format.unknown_header", ["header": .text(headers.prefix(12).map { SafeText.echo($0, limit: 40) }.joined(separator: ", "))]))
    }

    private func checkSize(_ url: URL) throws(ReturnFileError) {
        let name = url.lastPathComponent
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: url.path) else {
            throw ReturnFileError(.unreadable, file: name, Message("returns.file.unreadable"))
        }
        let size = (attributes[.size] as? NSNumber)?.uint64Value ?? 0
        if size > limits.maxFileBytes {
            throw ReturnFileError(.tooLarge, file: name, Message("returns.file.too_large", ["size": .int(Int(size)), "limit": .int(Int(limits.maxFileBytes))]))
        }
        if size == 0 { throw ReturnFileError(.emptyFile, file: name, Message("returns.file.empty")) }
    }

    /// First non-blank character after an optional BOM is `<`.
    private func looksLikeXML(_ url: URL) throws(ReturnFileError) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: url.path) else {
            throw ReturnFileError(.unreadable, file: url.lastPathComponent, Message("returns.file.unreadable"))
        }
        defer { try? handle.close() }
        var bytes = [UInt8](handle.readData(ofLength: 4096))
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        if bytes.starts(with: [0xFE, 0xFF]) || bytes.starts(with: [0xFF, 0xFE]) { return true }   // UTF-16: prescan refuses it
        return bytes.first { ![0x20, 0x09, 0x0A, 0x0D].contains($0) } == UInt8(ascii: "<")
    }
}

/// An XML parser whose records can go to a sink.
protocol StreamingHandler: AnyObject {
    var document: ReturnDocument { get }
}
extension Pain002Parser: StreamingHandler {}
extension Camt054Parser: StreamingHandler {}
