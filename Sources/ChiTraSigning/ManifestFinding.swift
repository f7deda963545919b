/// One problem found when verifying a manifest: a full sentence saying what is wrong and what to do.
public struct ManifestFinding: Sendable, Equatable, CustomStringConvertible {
    /// What kind of problem.
    public enum Kind: String, Sendable {
        /// `manifest.json` does not verify against `manifest.json.sig`.
        case manifestSignature
        /// The manifest cannot be read or is invalid.
        case malformedManifest
        /// The manifest lists a name that is not a plain file name (path escape); it is refused.
        case unsafeFileName
        /// The totals differ from the sum of the files' figures.
        case totalsDiffer
        /// A listed file does not exist.
        case missingFile
        /// A listed file's size or SHA-256 differs from the manifest.
        case changedFile
        /// A listed file does not verify against its own `.sig`.
        case fileSignature
        /// The folder holds something the manifest does not list (nor is a listed file's `.sig` or
        /// the manifest's own): a bank could be sent it along with the batch.
        case unlistedFile
        /// The folder holds a hidden temporary file `.NAME.tmp-XXXXXX` that an interrupted export
        /// (or another interrupted atomic write) left behind.
        case leftoverTemporary
    }

    /// What kind of problem.
    public let kind: Kind
    /// The file concerned, if any.
    public let fileName: String?
    /// For signature findings, the verification result.
    public let signature: VerificationResult?
    /// The sentence to show.
    public let message: String

    public init(kind: Kind, fileName: String?, signature: VerificationResult? = nil, message: String) {
        self.kind = kind
        self.fileName = fileName
        self.signature = signature
        self.message = message
    }

    public var description: String { message }
}
