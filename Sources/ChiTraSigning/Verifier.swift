import ChiTraCore
import Foundation

/// Checks files against their detached signatures with the keys of a ``KeyStore``.
///
/// ```swift
/// let result = try Verifier.verify(file: url, keys: store)
/// print(result.sentence(for: url.lastPathComponent))
/// ```
public enum Verifier {
    /// Verifies `file` against `signature` (default `FILE.sig`).
    ///
    /// Checks, in order: the signature parses and names this file; its key is in the store and
    /// not retired; the stored key's check value equals the signature's (else ``VerificationResult/wrongKey(keyID:)``);
    /// the MAC over the file's bytes equals the signature's, compared in constant time
    /// (else ``VerificationResult/fileChanged(keyID:signedBytes:actualBytes:)``).
    ///
    /// - Throws: when the file cannot be read, or a key file is unsafe (e.g. mode wider than 0600).
    public static func verify(file: URL, signature: URL? = nil, keys: KeyStore) throws -> VerificationResult {
        try check(file: file, signature: signature, keys: keys).result
    }

    /// The result and, when the file was read, its size and SHA-256 (so callers need not read it twice).
    static func check(file: URL, signature: URL? = nil, keys: KeyStore)
        throws -> (result: VerificationResult, digest: FileDigest?)
    {
        let signatureURL = signature ?? DetachedSignature.signatureURL(for: file)
        guard FileManager.default.fileExists(atPath: file.path) else {
            throw SigningError.io(operation: "read", path: file.path, errno: ENOENT)
        }
        guard FileManager.default.fileExists(atPath: signatureURL.path) else { return (.missingSignature, nil) }

        let sig: DetachedSignature
        do {
            sig = try DetachedSignature.parse(try FileChunks.readAll(signatureURL, limit: DetachedSignature.maximumSize))
        } catch let SigningError.malformedSignature(line, reason) {
            // The reason with its line number, in the reader's language (a clerk reads it when a
            // return file is refused).
            return (.malformedSignature(reason: line.map { Message("signing.reason.at_line", ["line": .int($0), "reason": .message(reason)]) } ?? reason), nil)
        }
        guard sig.fileName == file.lastPathComponent else {
            return (.malformedSignature(reason: Message("signing.reason.other_file", ["signed": .text(sig.fileName), "file": .text(file.lastPathComponent)])), nil)
        }

        guard let info = try keys.keyring().entry(id: sig.keyID) else { return (.unknownKey(keyID: sig.keyID), nil) }
        if info.state == .retired { return (.retiredKey(keyID: sig.keyID), nil) }
        let key = try keys.key(id: sig.keyID)
        guard try key.checkValue == sig.kcv else { return (.wrongKey(keyID: sig.keyID), nil) }

        let digest = try FileDigest.compute(file, key: key)
        guard let expectedMAC = Hex.decode(sig.mac), let actualMAC = digest.mac,
              HMACSHA256.constantTimeEqual(expectedMAC, actualMAC) else {
            return (.fileChanged(keyID: sig.keyID, signedBytes: sig.byteCount, actualBytes: digest.byteCount), digest)
        }
        // The MAC is authentic, so the bytes are; the informative lines must agree with them.
        guard sig.byteCount == digest.byteCount, sig.sha256 == Hex.encode(digest.sha256) else {
            return (.malformedSignature(reason: Message("signing.reason.edited")), digest)
        }
        return (.valid(keyID: sig.keyID), digest)
    }
}
