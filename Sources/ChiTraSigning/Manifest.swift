import Foundation

/// The manifest of a payout batch: `manifest.json`, listing every payout file with its size,
/// SHA-256 and figures, signed like any file (`manifest.json.sig`).
///
/// JSON with sorted keys, pretty-printed:
/// ```json
/// {
///   "batchId" : 42,
///   "createdAt" : "2026-11-23T12:00:00Z",
///   "files" : [ { "bytes" : 12345, "controlSum" : 1500000, "institution" : "970405",
///                 "lineCount" : 3, "name" : "pain001-970405.xml", "sha256" : "…" } ],
///   "format" : "CHITRA-MANIFEST-1",
///   "period" : "2026-11",
///   "totals" : { "controlSum" : 1500000, "lineCount" : 3 }
/// }
/// ```
/// Amounts are whole đồng. File names are plain names, resolved in the manifest's directory.
public struct Manifest: Codable, Sendable, Equatable {
    /// The format tag.
    public static let formatTag = "CHITRA-MANIFEST-1"
    /// The manifest's file name.
    public static let fileName = "manifest.json"

    /// One payout file.
    public struct Entry: Codable, Sendable, Equatable {
        /// Plain file name, in the manifest's directory.
        public var name: String
        /// Size in bytes.
        public var bytes: UInt64
        /// SHA-256, 64 lower-case hex digits.
        public var sha256: String
        /// Number of payment lines.
        public var lineCount: Int
        /// Sum of the amounts, whole đồng.
        public var controlSum: Int64
        /// The paying institution (e.g. a bank BIN or "VNPOST").
        public var institution: String

        public init(name: String, bytes: UInt64, sha256: String, lineCount: Int, controlSum: Int64, institution: String) {
            self.name = name
            self.bytes = bytes
            self.sha256 = sha256
            self.lineCount = lineCount
            self.controlSum = controlSum
            self.institution = institution
        }

        /// An entry for an existing file: size and SHA-256 are read from it.
        public init(file: URL, lineCount: Int, controlSum: Int64, institution: String) throws {
            try FileName.validate(file.lastPathComponent)
            let digest = try FileDigest.compute(file)
            self.init(name: file.lastPathComponent, bytes: digest.byteCount, sha256: Hex.encode(digest.sha256),
                      lineCount: lineCount, controlSum: controlSum, institution: institution)
        }
    }

    /// Batch totals.
    public struct Totals: Codable, Sendable, Equatable {
        /// Sum of the files' line counts.
        public var lineCount: Int
        /// Sum of the files' control sums, whole đồng.
        public var controlSum: Int64

        public init(lineCount: Int, controlSum: Int64) {
            self.lineCount = lineCount
            self.controlSum = controlSum
        }
    }

    /// Always ``formatTag``.
    public var format: String
    /// The batch id.
    public var batchId: Int64
    /// The paid month, `YYYY-MM`.
    public var period: String
    /// When the manifest was made (ISO 8601, UTC, whole seconds).
    public var createdAt: Date
    /// The payout files.
    public var files: [Entry]
    /// Totals over ``files``.
    public var totals: Totals
    /// The batch's approval seal (hex) the files were written from: `chitra verify` with the store
    /// checks it against the store's sealed approval. Absent in manifests made before seals.
    public var approvalSeal: String?

    /// A manifest whose totals are computed from `files`.
    ///
    /// - Throws: for an invalid period, unsafe or duplicate file names, or totals that overflow.
    public init(batchId: Int64, period: String, createdAt: Date = Date(), files: [Entry], approvalSeal: String? = nil) throws {
        self.format = Self.formatTag
        self.approvalSeal = approvalSeal
        self.batchId = batchId
        self.period = period
        self.createdAt = Date(timeIntervalSince1970: createdAt.timeIntervalSince1970.rounded(.down))
        self.files = files
        guard let totals = Self.sum(files) else {
            throw SigningError.malformedManifest(reason: "the totals overflow")
        }
        self.totals = totals
        try validate()
    }

    /// The sum of the files' line counts and control sums, or nil on overflow.
    public static func sum(_ files: [Entry]) -> Totals? {
        var lines = 0
        var amount: Int64 = 0
        for file in files {
            let (l, o1) = lines.addingReportingOverflow(file.lineCount)
            let (a, o2) = amount.addingReportingOverflow(file.controlSum)
            if o1 || o2 { return nil }
            lines = l
            amount = a
        }
        return Totals(lineCount: lines, controlSum: amount)
    }

    /// Checks the format, period, file names (plain, unique) and non-negative figures.
    /// Totals are not checked here: ``Verifier/verifyManifest(at:keys:)`` reports them.
    public func validate() throws {
        guard format == Self.formatTag else {
            throw SigningError.malformedManifest(reason: "its format is \"\(format.prefix(40))\", expected \(Self.formatTag)")
        }
        guard Self.isPeriod(period) else {
            throw SigningError.malformedManifest(reason: "the period \"\(period.prefix(20))\" is not YYYY-MM")
        }
        var names = Set<String>()
        for file in files {
            try FileName.validate(file.name)
            guard file.name != Self.fileName, !file.name.hasSuffix("." + DetachedSignature.fileExtension) else {
                throw SigningError.malformedManifest(reason: "it lists \(file.name), which is not a payout file")
            }
            guard names.insert(file.name).inserted else {
                throw SigningError.malformedManifest(reason: "it lists \(file.name) twice")
            }
            guard Hex.isLowercaseHex(file.sha256, count: 64) else {
                throw SigningError.malformedManifest(reason: "the sha256 of \(file.name) is not 64 lower-case hex digits")
            }
            guard file.lineCount >= 0, file.controlSum >= 0 else {
                throw SigningError.malformedManifest(reason: "\(file.name) has a negative line count or control sum")
            }
        }
    }

    /// The JSON text: sorted keys, pretty-printed, ISO 8601 dates, ending in a newline.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        var data = try encoder.encode(self)
        data.append(0x0a)
        return data
    }

    /// Parses and validates manifest JSON.
    public static func decode(_ data: Data) throws -> Manifest {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let manifest: Manifest
        do {
            manifest = try decoder.decode(Manifest.self, from: data)
        } catch let error as DecodingError {
            throw SigningError.malformedManifest(reason: Self.explain(error))
        }
        try manifest.validate()
        return manifest
    }

    /// Writes `manifest.json` into `directory` atomically (mode 0600) and signs it with `key`.
    ///
    /// - Returns: the manifest's URL; its signature is `manifest.json.sig`.
    @discardableResult
    public func write(to directory: URL, signingWith key: SigningKey) throws -> URL {
        try validate()
        let url = directory.appendingPathComponent(Self.fileName)
        try AtomicFile.write(try encoded(), to: url, mode: 0o600)
        try DetachedSignature.sign(file: url, with: key)
        return url
    }

    static func isPeriod(_ text: String) -> Bool {
        let u = Array(text.utf8)
        guard u.count == 7, u[4] == 0x2d else { return false }
        let digits = u[0..<4] + u[5..<7]
        guard digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let month = Int(String(decoding: u[5..<7], as: UTF8.self)) else {
            return false
        }
        return (1...12).contains(month)
    }

    private static func explain(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let text = context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
            return text.isEmpty ? "the top level" : "`\(text)`"
        }
        switch error {
        case let .keyNotFound(key, context):
            return "the field `\(key.stringValue)` is missing at \(path(context))"
        case let .typeMismatch(_, context), let .valueNotFound(_, context):
            return "the field \(path(context)) has the wrong type"
        case let .dataCorrupted(context):
            return context.codingPath.isEmpty ? "it is not valid JSON" : "the field \(path(context)) is not valid"
        @unknown default:
            return "it is not a valid manifest"
        }
    }
}
