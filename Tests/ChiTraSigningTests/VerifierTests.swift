import ChiTraCore
import Foundation
import Testing
import ChiTraSigning

@Suite("Signing and verifying files")
struct VerifierTests {
    let dir: TemporaryDirectory
    let store: KeyStore
    let file: URL

    init() throws {
        dir = try TemporaryDirectory()
        store = KeyStore(directory: dir.file("keys"))
        try store.create(id: "k20261123T120000")
        file = try dir.write("pain001-970405.xml", "<Document>payout 1500000 VND</Document>\n")
    }

    @discardableResult
    func sign() throws -> DetachedSignature {
        try DetachedSignature.sign(file: file, with: store.activeKey())
    }

    @Test("a freshly signed file verifies with its key")
    func valid() throws {
        try sign()
        #expect(try Verifier.verify(file: file, keys: store) == .valid(keyID: "k20261123T120000"))
    }

    @Test("the .sig is written next to the file with mode 0600 and all eight lines")
    func signatureFile() throws {
        let sig = try sign()
        let sigURL = dir.file("pain001-970405.xml.sig")
        #expect(try permissions(of: sigURL) == 0o600)
        let text = try String(contentsOf: sigURL, encoding: .utf8)
        #expect(text.hasPrefix("format: CHITRA-SIG-1\nalgorithm: HMAC-SHA256\nfile: pain001-970405.xml\n"))
        #expect(text.contains("\nbytes: 40\n"))
        #expect(try DetachedSignature.parse(Data(text.utf8)) == sig)
        #expect(try sig.sha256 == hexString(SHA256Digest.hash(Data(contentsOf: file))))
    }

    @Test("flipping one byte is reported as a changed file")
    func flippedByte() throws {
        try sign()
        var bytes = try Data(contentsOf: file)
        bytes[10] ^= 0x01
        try bytes.write(to: file)
        #expect(try Verifier.verify(file: file, keys: store)
            == .fileChanged(keyID: "k20261123T120000", signedBytes: 40, actualBytes: 40))
    }

    @Test("appending a byte is reported as a changed file with both sizes")
    func appendedByte() throws {
        try sign()
        let handle = try FileHandle(forWritingTo: file)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data([0x20]))
        try handle.close()
        let result = try Verifier.verify(file: file, keys: store)
        #expect(result == .fileChanged(keyID: "k20261123T120000", signedBytes: 40, actualBytes: 41))
        #expect(result.sentence(for: "pain001-970405.xml").contains("(khi ký tệp có 40 byte, nay có 41 byte): tệp đã bị sửa sau khi ký; không gửi tệp này."))
        #expect(result.message(for: "pain001-970405.xml").text(in: .en).contains("40 bytes when signed and has 41 now"))
    }

    @Test("a store holding a different key under the same id gives wrongKey")
    func wrongKey() throws {
        try sign()
        let other = KeyStore(directory: dir.file("other-keys"))
        try other.create(id: "k20261123T120000")
        #expect(try Verifier.verify(file: file, keys: other) == .wrongKey(keyID: "k20261123T120000"))
    }

    @Test("a store without the key id gives unknownKey")
    func unknownKey() throws {
        try sign()
        let other = KeyStore(directory: dir.file("other-keys"))
        try other.create(id: "bank-key")
        #expect(try Verifier.verify(file: file, keys: other) == .unknownKey(keyID: "k20261123T120000"))
    }

    @Test("a deleted .sig gives missingSignature")
    func missingSignature() throws {
        try sign()
        try FileManager.default.removeItem(at: dir.file("pain001-970405.xml.sig"))
        #expect(try Verifier.verify(file: file, keys: store) == .missingSignature)
    }

    @Test("a garbled .sig gives malformedSignature naming the line")
    func garbledSignature() throws {
        try sign()
        let sigURL = dir.file("pain001-970405.xml.sig")
        let text = try String(contentsOf: sigURL, encoding: .utf8).replacingOccurrences(of: "kcv: ", with: "kcv=")
        try Data(text.utf8).write(to: sigURL)
        let result = try Verifier.verify(file: file, keys: store)
        guard case let .malformedSignature(reason) = result else {
            Issue.record("expected malformedSignature, got \(result)")
            return
        }
        #expect(reason.text(in: .en).contains("line 7"))
        // What a clerk reads when a return file comes with this .sig: Vietnamese only.
        #expect(result.message(for: "pain001-970405.xml").text(in: .vi)
                == "CHỮ KÝ HỎNG: pain001-970405.xml.sig không dùng được (dòng 7: cần `kcv: …` nhưng không có dấu `: `); hãy ký lại tệp.")
    }

    @Test("after rotation a file signed with the old key still verifies")
    func verifiesAfterRotation() throws {
        try sign()
        try store.rotate(newID: "k2")
        #expect(try Verifier.verify(file: file, keys: store) == .valid(keyID: "k20261123T120000"))
    }

    @Test("after retiring the old key its files give retiredKey")
    func retiredAfterRotation() throws {
        try sign()
        try store.rotate(newID: "k2")
        try store.retire(id: "k20261123T120000")
        #expect(try Verifier.verify(file: file, keys: store) == .retiredKey(keyID: "k20261123T120000"))
    }

    @Test("an edited bytes line with an intact MAC is malformed, not valid")
    func editedInformativeLine() throws {
        try sign()
        let sigURL = dir.file("pain001-970405.xml.sig")
        let text = try String(contentsOf: sigURL, encoding: .utf8).replacingOccurrences(of: "bytes: 40", with: "bytes: 41")
        try Data(text.utf8).write(to: sigURL)
        let result = try Verifier.verify(file: file, keys: store)
        guard case .malformedSignature = result else {
            Issue.record("an edited .sig must not verify")
            return
        }
        #expect(result.message(for: "pain001-970405.xml").text(in: .vi)
                == "CHỮ KÝ HỎNG: pain001-970405.xml.sig không dùng được (dòng bytes hoặc sha256 không khớp với tệp trong khi mã MAC khớp, tức là tệp .sig đã bị sửa); hãy ký lại tệp.")
    }

    @Test("a .sig belonging to another file is malformed, not valid")
    func signatureOfAnotherFile() throws {
        let other = try dir.write("pain001-970422.xml", "<Document>other</Document>\n")
        try DetachedSignature.sign(file: other, with: store.activeKey())
        try FileManager.default.copyItem(at: dir.file("pain001-970422.xml.sig"), to: dir.file("pain001-970405.xml.sig"))
        let result = try Verifier.verify(file: file, keys: store)
        guard case .malformedSignature = result else {
            Issue.record("a swapped signature must not verify")
            return
        }
        // The sentence names both files, in the reader's language, with no English left in it.
        #expect(result.message(for: "pain001-970405.xml").text(in: .vi)
                == "CHỮ KÝ HỎNG: pain001-970405.xml.sig không dùng được (đây là chữ ký của tệp pain001-970422.xml, không phải của pain001-970405.xml); hãy ký lại tệp.")
        #expect(result.message(for: "pain001-970405.xml").text(in: .en)
                == "MALFORMED SIGNATURE: pain001-970405.xml.sig cannot be used (it is the signature of pain001-970422.xml, not of pain001-970405.xml); sign the file again.")
    }

    @Test("the stock openssl CLI computes the same MAC as the mac: line")
    func opensslAgrees() throws {
        let openssl = "/usr/bin/openssl"
        guard FileManager.default.isExecutableFile(atPath: openssl) else {
            print("SKIPPED: \(openssl) is missing, so the cross-check with the stock CLI was not run.")
            return
        }
        let sig = try sign()
        let hex = try String(contentsOf: store.keyFileURL(id: sig.keyID), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: openssl)
        process.arguments = ["dgst", "-sha256", "-mac", "HMAC", "-macopt", "hexkey:\(hex)", file.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        // "HMAC-SHA2-256(FILE)= <hex>" (wording varies between OpenSSL versions): take the last field.
        let printed = output.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: " ").last.map(String.init)
        #expect(printed == sig.mac)
    }
}

@Suite("Parsing .sig files strictly")
struct DetachedSignatureParsingTests {
    static let good = """
        format: CHITRA-SIG-1
        algorithm: HMAC-SHA256
        file: pain001-970405.xml
        bytes: 12345
        sha256: \(String(repeating: "ab", count: 32))
        key-id: k20261123T120000
        kcv: 1a2b3c4d5e6f
        mac: \(String(repeating: "0f", count: 32))

        """

    @Test("a well-formed signature parses and serializes back to the same text")
    func roundTrip() throws {
        let sig = try DetachedSignature.parse(Data(Self.good.utf8))
        #expect(sig.byteCount == 12345)
        #expect(sig.keyID == "k20261123T120000")
        #expect(String(decoding: sig.serialized(), as: UTF8.self) == Self.good)
    }

    @Test("each kind of damage is refused with the line it is on", arguments: [
        ("format: CHITRA-SIG-2", "format: CHITRA-SIG-1", 1),
        ("algorithm: HMAC-MD5", "algorithm: HMAC-SHA256", 2),
        ("file: ../etc/passwd", "file: pain001-970405.xml", 3),
        ("bytes: -1", "bytes: 12345", 4),
        ("bytes: 012", "bytes: 12345", 4),
        ("sha256: ABAB", "sha256: " + String(repeating: "ab", count: 32), 5),
        ("key-id: a/b", "key-id: k20261123T120000", 6),
        ("kcv: 1a2b", "kcv: 1a2b3c4d5e6f", 7),
        ("mac: zz", "mac: " + String(repeating: "0f", count: 32), 8),
        ("size: 12", "bytes: 12345", 4),
        ("kcv 1a2b3c4d5e6f", "kcv: 1a2b3c4d5e6f", 7),
    ])
    func damaged(replacement: String, original: String, line: Int) throws {
        let text = Self.good.replacingOccurrences(of: original, with: replacement)
        #expect(text != Self.good)
        let error = #expect(throws: SigningError.self) { try DetachedSignature.parse(Data(text.utf8)) }
        guard case let .malformedSignature(reportedLine, _)? = error else {
            Issue.record("unexpected error \(String(describing: error))")
            return
        }
        #expect(reportedLine == line)
    }

    @Test("a missing line, an extra line, CRLF and a missing final newline are refused")
    func structure() {
        let lines = Self.good.split(separator: "\n").map(String.init)
        let variants = [
            lines.dropLast().joined(separator: "\n") + "\n",
            Self.good + "note: hello\n",
            lines.joined(separator: "\r\n") + "\r\n",
            String(Self.good.dropLast()),
            "",
        ]
        for text in variants {
            #expect(throws: SigningError.self) { try DetachedSignature.parse(Data(text.utf8)) }
        }
    }
}
