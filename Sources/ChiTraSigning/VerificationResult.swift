import ChiTraCore
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
    case malformedSignature(reason: Message)

    /// True only for ``valid(keyID:)``.
    public var isValid: Bool {
        if case .valid = self { return true }
        return false
    }

    /// One sentence about `fileName`, saying what is wrong and what to do
    /// (`formats/messages/signing.json`), e.g. in English:
    ///
    /// ```
    /// CHANGED: pain001-970405.xml does not match its signature (key k20261123T120000):
    /// the file was altered after signing; do not send it.
    /// ```
    ///
    /// The advice is for the files ChiTra signs and sends; a caller about a file it received says
    /// its own after ``finding(for:)``.
    public func message(for fileName: String) -> Message {
        switch self {
        case .valid: return finding(for: fileName)
        case .unknownKey: return Message("signing.unknown_key", ["finding": .message(finding(for: fileName))])
        case .retiredKey: return Message("signing.retired_key", ["finding": .message(finding(for: fileName))])
        case .wrongKey: return Message("signing.wrong_key", ["finding": .message(finding(for: fileName))])
        case let .fileChanged(_, signedBytes, actualBytes):
            if signedBytes == actualBytes { return Message("signing.changed", ["finding": .message(finding(for: fileName))]) }
            return Message("signing.changed_size", ["finding": .message(finding(for: fileName))])
        case .missingSignature: return Message("signing.missing", ["finding": .message(finding(for: fileName))])
        case .malformedSignature: return Message("signing.malformed", ["finding": .message(finding(for: fileName))])
        }
    }

    /// What is wrong with `fileName`, without what to do: "CHANGED: x.csv does not match its
    /// signature (key k1): the file was altered after signing".
    public func finding(for fileName: String) -> Message {
        let file: MessageArg = .text(fileName)
        let sig: MessageArg = .text("\(fileName).\(DetachedSignature.fileExtension)")
        switch self {
        case let .valid(keyID):
            return Message("signing.valid", ["file": file, "key": .text(keyID)])
        case let .unknownKey(keyID):
            return Message("signing.finding.unknown_key", ["file": file, "key": .text(keyID)])
        case let .retiredKey(keyID):
            return Message("signing.finding.retired_key", ["file": file, "key": .text(keyID)])
        case let .wrongKey(keyID):
            return Message("signing.finding.wrong_key", ["file": file, "key": .text(keyID)])
        case let .fileChanged(keyID, signedBytes, actualBytes):
            if signedBytes == actualBytes { return Message("signing.finding.changed", ["file": file, "key": .text(keyID)]) }
            return Message("signing.finding.changed_size", ["file": file, "key": .text(keyID), "signed": .int(Int(signedBytes)), "actual": .int(Int(actualBytes))])
        case .missingSignature:
            return Message("signing.finding.missing", ["file": file, "sig": sig])
        case let .malformedSignature(reason):
            return Message("signing.finding.malformed", ["sig": sig, "reason": .message(reason)])
        }
    }

    /// ``message(for:)`` in the process's language.
    public func sentence(for fileName: String) -> String { message(for: fileName).text() }
}
