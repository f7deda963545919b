import Foundation

/// Streams a file to disk atomically (``AtomicFileWriter``) while computing its size, SHA-256
/// and HMAC-SHA256 from the very bytes written, so a large payout file is written, hashed and
/// signed in one pass and in fixed memory, instead of being built in memory, written, and read
/// back twice (once for its `.sig`, once for the manifest).
///
/// ```swift
/// let out = try SignedFileWriter(destination: url, key: key)
/// try out.write(bytes: chunk)            // any number of times
/// let (signature, digest) = try out.commitAndSign()
/// ```
///
/// The file and its `.sig` appear exactly as ``AtomicFile/write(_:to:mode:)`` followed by
/// ``DetachedSignature/sign(file:with:)`` would make them: same bytes, same modes, same order
/// (the file first, then its signature). A writer dropped or abandoned before
/// ``commitAndSign()`` leaves nothing behind.
public final class SignedFileWriter {
    private let file: AtomicFileWriter
    private let sha: SHA256Digest
    private let hmac: HMACSHA256
    private let key: SigningKey
    private var byteCount: UInt64 = 0

    /// Where the file will appear.
    public var destination: URL { file.destination }

    /// Opens a temporary file (mode 0600) next to `destination`; `mode` is applied on commit.
    public init(destination: URL, key: SigningKey, mode: mode_t = 0o600) throws {
        self.file = try AtomicFileWriter(destination: destination, mode: mode)
        self.sha = try SHA256Digest()
        self.hmac = try key.makeHMAC()
        self.key = key
    }

    /// Appends bytes to the file and to both digests.
    public func write(bytes: UnsafeRawBufferPointer) throws {
        guard bytes.count > 0 else { return }
        try file.write(bytes: bytes)
        try sha.update(bytes: bytes)
        try hmac.update(bytes: bytes)
        byteCount += UInt64(bytes.count)
    }

    /// Appends `data` (e.g. a `[UInt8]` buffer).
    public func write(_ data: some ContiguousBytes) throws {
        try data.withUnsafeBytes { try write(bytes: $0) }
    }

    /// Renames the file into place (fsync, mode, directory fsync), then writes its detached
    /// signature `FILE.sig` from the digests computed while writing.
    ///
    /// - Returns: the signature and the file's size, SHA-256 and MAC (for a manifest entry).
    /// `syncingDirectory: false` leaves the directory's fsync to the caller, for both files
    /// (``AtomicFileWriter/commit(syncingDirectory:)``).
    @discardableResult
    public func commitAndSign(syncingDirectory: Bool = true) throws -> (signature: DetachedSignature, digest: FileDigest) {
        let digest = FileDigest(byteCount: byteCount, sha256: try sha.finalize(), mac: try hmac.finalize())
        try file.commit(syncingDirectory: syncingDirectory)
        let signature = try DetachedSignature.sign(file: file.destination, digest: digest, with: key, syncingDirectory: syncingDirectory)
        return (signature, digest)
    }

    /// Deletes the temporary file; the destination is left untouched.
    public func abandon() {
        file.abandon()
    }
}

extension DetachedSignature {
    /// Writes `FILE.sig` for a file whose size, SHA-256 and MAC under `key` were computed while
    /// it was written (``SignedFileWriter``), or just before (``sign(file:with:)``).
    @discardableResult
    static func sign(file: URL, digest: FileDigest, with key: SigningKey, syncingDirectory: Bool = true) throws -> DetachedSignature {
        try FileName.validate(file.lastPathComponent)
        let signature = DetachedSignature(
            fileName: file.lastPathComponent,
            byteCount: digest.byteCount,
            sha256: Hex.encode(digest.sha256),
            keyID: key.id,
            kcv: try key.checkValue,
            mac: Hex.encode(digest.mac ?? Data()))
        try AtomicFile.write(signature.serialized(), to: signatureURL(for: file), mode: 0o600, syncingDirectory: syncingDirectory)
        return signature
    }
}

extension Manifest.Entry {
    /// An entry for a file whose size and SHA-256 are already known (e.g. from ``SignedFileWriter``).
    public init(file: URL, digest: FileDigest, lineCount: Int, controlSum: Int64, institution: String) throws {
        try FileName.validate(file.lastPathComponent)
        self.init(name: file.lastPathComponent, bytes: digest.byteCount, sha256: Hex.encode(digest.sha256),
                  lineCount: lineCount, controlSum: controlSum, institution: institution)
    }
}
