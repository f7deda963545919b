import ChiTraCore
import Foundation

/// A detached signature: the `FILE.sig` text file written next to a signed file.
///
/// ```
/// format: CHITRA-SIG-1
/// algorithm: HMAC-SHA256
/// file: pain001-970405.xml
/// bytes: 12345
/// sha256: <64 hex>
/// key-id: k20261123T120000
/// kcv: 1a2b3c4d5e6f
/// mac: <64 hex>
/// ```
///
/// The MAC covers the exact bytes of the file and nothing else, so a bank can check it with
/// `openssl dgst -sha256 -mac HMAC -macopt hexkey:$(cat KEYFILE) FILE`. The other lines are
/// not authenticated: they help tell what went wrong (wrong key, changed size) when the MAC
/// does not match. See `formats/signature.md`.
public struct DetachedSignature: Sendable, Equatable {
    /// The format tag on the first line.
    public static let formatTag = "CHITRA-SIG-1"
    /// The algorithm on the second line.
    public static let algorithm = "HMAC-SHA256"
    /// The extension appended to the signed file's name.
    public static let fileExtension = "sig"
    /// The largest `.sig` file accepted by the parser.
    static let maximumSize = 4096

    /// Name (last path component) of the signed file.
    public var fileName: String
    /// Size of the signed file in bytes.
    public var byteCount: UInt64
    /// SHA-256 of the signed file, 64 lower-case hex digits.
    public var sha256: String
    /// Id of the signing key.
    public var keyID: String
    /// Check value of the signing key, 12 lower-case hex digits.
    public var kcv: String
    /// HMAC-SHA256 of the file's bytes, 64 lower-case hex digits.
    public var mac: String

    public init(fileName: String, byteCount: UInt64, sha256: String, keyID: String, kcv: String, mac: String) {
        self.fileName = fileName
        self.byteCount = byteCount
        self.sha256 = sha256
        self.keyID = keyID
        self.kcv = kcv
        self.mac = mac
    }

    /// `FILE.sig` for `FILE`.
    public static func signatureURL(for file: URL) -> URL {
        file.deletingLastPathComponent().appendingPathComponent(file.lastPathComponent + "." + fileExtension)
    }

    /// Signs `file` with `key` and writes `FILE.sig` next to it (atomically, mode 0600).
    ///
    /// The file is read once in 1 MiB chunks for both its SHA-256 and its MAC.
    @discardableResult
    public static func sign(file: URL, with key: SigningKey) throws -> DetachedSignature {
        try FileName.validate(file.lastPathComponent)
        return try sign(file: file, digest: try FileDigest.compute(file, key: key), with: key)
    }

    /// The `.sig` text, UTF-8, one `key: value` per line, each ending in `\n`.
    public func serialized() -> Data {
        let lines = [
            "format: \(Self.formatTag)",
            "algorithm: \(Self.algorithm)",
            "file: \(fileName)",
            "bytes: \(byteCount)",
            "sha256: \(sha256)",
            "key-id: \(keyID)",
            "kcv: \(kcv)",
            "mac: \(mac)",
        ]
        return Data(lines.map { $0 + "\n" }.joined().utf8)
    }

    /// Reads and parses a `.sig` file.
    public static func read(from url: URL) throws -> DetachedSignature {
        try parse(try FileChunks.readAll(url, limit: maximumSize))
    }

    /// Parses `.sig` content strictly: exactly the eight lines above, in that order, each
    /// `key: value` ending in `\n`, with valid values.
    ///
    /// - Throws: ``SigningError/malformedSignature(line:reason:)`` naming the offending line.
    public static func parse(_ data: Data) throws -> DetachedSignature {
        guard data.count <= maximumSize else {
            throw SigningError.malformedSignature(line: nil, reason: Message("signing.reason.too_big", ["bytes": .int(data.count)]))
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw SigningError.malformedSignature(line: nil, reason: Message("signing.reason.not_utf8"))
        }
        guard !text.isEmpty else { throw SigningError.malformedSignature(line: nil, reason: Message("signing.reason.empty")) }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.last == "" else {
            throw SigningError.malformedSignature(line: lines.count, reason: Message("signing.reason.no_final_newline"))
        }
        lines.removeLast()

        let expectedKeys = ["format", "algorithm", "file", "bytes", "sha256", "key-id", "kcv", "mac"]
        var values: [String] = []
        for (index, line) in lines.enumerated() {
            let number = index + 1
            guard index < expectedKeys.count else {
                throw SigningError.malformedSignature(line: number, reason: Message("signing.reason.extra_line"))
            }
            let expected = expectedKeys[index]
            if line.hasSuffix("\r") {
                throw SigningError.malformedSignature(line: number, reason: Message("signing.reason.crlf"))
            }
            guard let separator = line.range(of: ": ") else {
                throw SigningError.malformedSignature(line: number, reason: Message("signing.reason.no_separator", ["expected": .text(expected)]))
            }
            let key = line[..<separator.lowerBound]
            guard key == expected else {
                throw SigningError.malformedSignature(line: number, reason: Message("signing.reason.wrong_field", ["expected": .text(expected), "found": .text(String(key.prefix(40)))]))
            }
            values.append(String(line[separator.upperBound...]))
        }
        guard values.count == expectedKeys.count else {
            throw SigningError.malformedSignature(
                line: values.count + 1, reason: Message("signing.reason.missing_line", ["expected": .text(expectedKeys[values.count])]))
        }

        guard values[0] == formatTag else {
            throw SigningError.malformedSignature(line: 1, reason: Message("signing.reason.unsupported_format", ["found": .text(String(values[0].prefix(40))), "expected": .text(formatTag)]))
        }
        guard values[1] == algorithm else {
            throw SigningError.malformedSignature(line: 2, reason: Message("signing.reason.unsupported_algorithm", ["found": .text(String(values[1].prefix(40))), "expected": .text(algorithm)]))
        }
        guard FileName.isPlain(values[2]) else {
            throw SigningError.malformedSignature(line: 3, reason: Message("signing.reason.file_not_plain"))
        }
        let bytesText = values[3]
        guard !bytesText.isEmpty, bytesText.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
              bytesText == "0" || !bytesText.hasPrefix("0"), let byteCount = UInt64(bytesText) else {
            throw SigningError.malformedSignature(line: 4, reason: Message("signing.reason.bytes"))
        }
        guard Hex.isLowercaseHex(values[4], count: 64) else {
            throw SigningError.malformedSignature(line: 5, reason: Message("signing.reason.sha256"))
        }
        guard KeyID.isValid(values[5]) else {
            throw SigningError.malformedSignature(line: 6, reason: Message("signing.reason.key_id"))
        }
        guard Hex.isLowercaseHex(values[6], count: KeyCheckValue.byteCount * 2) else {
            throw SigningError.malformedSignature(line: 7, reason: Message("signing.reason.kcv"))
        }
        guard Hex.isLowercaseHex(values[7], count: HMACSHA256.byteCount * 2) else {
            throw SigningError.malformedSignature(line: 8, reason: Message("signing.reason.mac"))
        }
        return DetachedSignature(
            fileName: values[2], byteCount: byteCount, sha256: values[4],
            keyID: values[5], kcv: values[6], mac: values[7])
    }
}
