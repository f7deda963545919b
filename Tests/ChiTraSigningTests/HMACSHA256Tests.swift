import Foundation
import Testing
import ChiTraSigning

/// RFC 4231 test vectors for HMAC-SHA256 (section 4).
struct RFC4231Case: Sendable, CustomStringConvertible {
    let number: Int
    let key: [UInt8]
    let data: [UInt8]
    let mac: String

    var description: String { "RFC 4231 case \(number)" }

    static let all: [RFC4231Case] = [
        RFC4231Case(number: 1, key: [UInt8](repeating: 0x0b, count: 20), data: Array("Hi There".utf8),
                    mac: "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
        RFC4231Case(number: 2, key: Array("Jefe".utf8), data: Array("what do ya want for nothing?".utf8),
                    mac: "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
        RFC4231Case(number: 3, key: [UInt8](repeating: 0xaa, count: 20), data: [UInt8](repeating: 0xdd, count: 50),
                    mac: "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"),
        RFC4231Case(number: 4, key: Array(1...25), data: [UInt8](repeating: 0xcd, count: 50),
                    mac: "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"),
        RFC4231Case(number: 6, key: [UInt8](repeating: 0xaa, count: 131),
                    data: Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
                    mac: "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
        RFC4231Case(number: 7, key: [UInt8](repeating: 0xaa, count: 131),
                    data: Array(("This is a test using a larger than block-size key and a larger than block-size data. "
                        + "The key needs to be hashed before being used by the HMAC algorithm.").utf8),
                    mac: "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"),
    ]
}

@Suite("HMAC-SHA256 through EVP_MAC")
struct HMACSHA256Tests {
    @Test("one-shot MAC matches RFC 4231", arguments: RFC4231Case.all)
    func oneShot(_ vector: RFC4231Case) throws {
        let mac = try HMACSHA256.mac(key: vector.key, data: vector.data)
        #expect(hexString(mac) == vector.mac)
    }

    @Test("a copy of a keyed context gives RFC 4231's MAC, twice from one template, and leaves the template untouched", arguments: RFC4231Case.all)
    func copiedContext(_ vector: RFC4231Case) throws {
        let template = try HMACSHA256(key: vector.key)
        for _ in 0..<2 {
            let h = try template.copy()
            try h.update(vector.data)
            #expect(hexString(try h.finalize()) == vector.mac)
        }
        try template.update(vector.data)
        #expect(hexString(try template.finalize()) == vector.mac)
    }

    @Test("KeyedHMAC gives the one-shot MAC for many messages under one key")
    func keyedHMAC() throws {
        let key = try SigningKey.generate(id: "k-test")
        let keyed = try KeyedHMAC(key: key)
        for n in [0, 1, 31, 64, 65, 1000] {
            let message = Data((0..<n).map { UInt8($0 & 0xff) })
            #expect(try keyed.mac(message) == key.mac(message))
        }
    }

    @Test("streaming MAC in odd chunk sizes matches RFC 4231", arguments: RFC4231Case.all, [1, 3, 7, 13, 64])
    func streaming(_ vector: RFC4231Case, chunkSize: Int) throws {
        let hmac = try HMACSHA256(key: vector.key)
        var rest = vector.data[...]
        while !rest.isEmpty {
            try hmac.update(Array(rest.prefix(chunkSize)))
            rest = rest.dropFirst(chunkSize)
        }
        #expect(hexString(try hmac.finalize()) == vector.mac)
    }

    @Test("RFC 4231 case 5: the first 128 bits of the MAC match")
    func truncated() throws {
        let mac = try HMACSHA256.mac(key: [UInt8](repeating: 0x0c, count: 20), data: Array("Test With Truncation".utf8))
        #expect(hexString(mac.prefix(16)) == "a3b6167473100ee06e0c796c2955552b")
    }

    @Test("a file MAC read in 1 MiB chunks equals the one-shot MAC")
    func fileMAC() throws {
        let dir = try TemporaryDirectory()
        let bytes = (0..<(3 * 1_048_576 + 17)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let file = dir.file("big.bin")
        try Data(bytes).write(to: file)
        let key = Array("file key".utf8)
        #expect(try HMACSHA256.mac(key: key, contentsOf: file) == HMACSHA256.mac(key: key, data: bytes))
    }

    @Test("constant-time comparison tells equal from different")
    func constantTimeEqual() {
        #expect(HMACSHA256.constantTimeEqual([1, 2, 3] as [UInt8], [1, 2, 3] as [UInt8]))
        #expect(!HMACSHA256.constantTimeEqual([1, 2, 3] as [UInt8], [1, 2, 4] as [UInt8]))
        #expect(!HMACSHA256.constantTimeEqual([1, 2, 3] as [UInt8], [1, 2] as [UInt8]))
    }

    @Test("SHA-256 via EVP_Digest matches the FIPS 180-2 'abc' vector")
    func sha256() throws {
        let digest = try SHA256Digest.hash(Array("abc".utf8))
        #expect(hexString(digest) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}
