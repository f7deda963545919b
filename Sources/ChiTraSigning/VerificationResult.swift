/// The outcome of checking one file against its detached signature.
public enum VerificationResult: Sendable, Equatable {
    /// The file is unchanged since it was signed with this key, and the key is accepted.
    case valid(keyID: String)
    /// The signature names a key that is not in the key store.
    case unknownKey(keyID: String)
    /// The signature names a key that has been retired.
    case retiredKey(keyID: String)
    /// The key store holds a key under this id, but its check value differs from the
    /// signature's: the signer and the verifier hold different keys under the same id.
    case wrongKey(keyID: String)
    /// The key matches (same check value) but the MAC does not: the file's bytes changed.
    /// `signedBytes` and `actualBytes` differ when the size changed too.
    case fileChanged(keyID: String, signedBytes: UInt64, actualBytes: UInt64)
    /// There is no `.sig` file.
    case missingSignature
    /// The `.sig` file cannot be parsed, or does not belong to this file.
    case malformedSignature(reason: String)

    /// True only for ``valid(keyID:)``.
    public var isValid: Bool {
        if case .valid = self { return true }
        return false
    }

    /// One plain English sentence about `fileName`, saying what is wrong and what to do.
    ///
    /// ```
    /// CHANGED: pain001-970405.xml does not match its signature (key k20261123T120000):
    /// the file was altered after signing; do not send it.
    /// ```
    public func sentence(for fileName: String) -> String {
        switch self {
        case let .valid(keyID):
            return "VALID: \(fileName) matches its signature (key \(keyID))."
        case let .unknownKey(keyID):
            return "UNKNOWN KEY: \(fileName) is signed with key \(keyID), which is not in this key store; check --keys, or ask the sender which key they used."
        case let .retiredKey(keyID):
            return "RETIRED KEY: \(fileName) is signed with key \(keyID), which has been retired; have the file signed again with the active key."
        case let .wrongKey(keyID):
            return "WRONG KEY: \(fileName) is signed with a different key than the one held here as \(keyID) (the key check values differ); exchange the key again with the other side before trusting this file."
        case let .fileChanged(keyID, signedBytes, actualBytes):
            let size = signedBytes == actualBytes
                ? ""
                : " (it had \(signedBytes) bytes when signed and has \(actualBytes) now)"
            return "CHANGED: \(fileName) does not match its signature (key \(keyID))\(size): the file was altered after signing; do not send it."
        case .missingSignature:
            return "MISSING SIGNATURE: \(fileName) has no signature file \(fileName).\(DetachedSignature.fileExtension); sign the file before sending it."
        case let .malformedSignature(reason):
            return "MALFORMED SIGNATURE: \(fileName).\(DetachedSignature.fileExtension) cannot be used (\(reason)); sign the file again."
        }
    }
}
