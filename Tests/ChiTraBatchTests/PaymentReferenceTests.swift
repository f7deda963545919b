import ChiTraCore
import ChiTraSigning
import Foundation
import Testing
@testable import ChiTraBatch

/// References and the SHA-256 under them, against values worked out outside ChiTra: the digests of
/// FIPS 180-4's examples (NIST's published SHA-256 test vectors), and references whose hash part is
/// the first 20 hex digits of `printf '%s' 'code|kind|YYYY-MM|attempt' | sha256sum` (coreutils).
@Suite struct PaymentReferenceTests {
    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    @Test("SHA-256 gives NIST's digests: empty, 'abc', the 448- and 896-bit messages (two blocks), a million 'a' (many)")
    func nistVectors() throws {
        let hasher = try SHA256Hasher()
        let vectors: [(String, String)] = [
            ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
            ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
            ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
            ("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
             "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"),
            (String(repeating: "a", count: 1_000_000), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"),
        ]
        // Twice over, through the one hasher: a reused context starts each message afresh.
        for _ in 0..<2 {
            for (message, digest) in vectors {
                #expect(Self.hex(try hasher.hash(Array(message.utf8))) == digest, "\(message.prefix(20))… (\(message.utf8.count) bytes)")
            }
        }
    }

    @Test("References for every kind, as worked out by hand: CT, month, kind letter, attempt, '-', 20 hex digits of SHA-256")
    func handWorkedReferences() throws {
        let dec = YearMonth(year: 2026, month: 12)!, jul = YearMonth(year: 2024, month: 7)!, jan = YearMonth(year: 2027, month: 1)!
        // One maker for all, as a build uses it: each reference is made from its own inputs only.
        let maker = try PaymentReference()
        let cases: [(String, EntitlementKind, YearMonth, Int, String)] = [
            ("DT0000011", .allowance, dec, 0, "CT202612A0-932C4F28E3D2BCD62A6C"),
            ("DT0000397", .care, jul, 1, "CT202407C1-8D961BE250055DE75A19"),
            ("DT0199897", .careArrears, jan, 12, "CT202701Q12-16B88091D1B5CCDB4F61"),
            ("DT0000794", .arrears, dec, 0, "CT202612R0-3B137CD0019E7BB5535A"),
            ("DT0000794", .funeral, dec, 0, "CT202612F0-C3EA912C689C20F1686D"),
            ("DT0000011", .care, dec, 1, "CT202612C1-A1893D851E207AF020E9"),
        ]
        for (code, kind, month, attempt, expected) in cases {
            #expect(try maker.make(code: code, kind: kind, forMonth: month, attempt: attempt) == expected)
            #expect(try BatchBuilder.reference(code: code, kind: kind, forMonth: month, attempt: attempt) == expected)
        }
    }

    @Test("A long or non-ASCII code hashes as its UTF-8 bytes")
    func unusualCodes() throws {
        let m = YearMonth(year: 2026, month: 12)!
        for (code, hash) in [("Đ0001", "F7A0248E61139162FD4F"), (String(repeating: "X", count: 70), "0E7531338F67100C83AC"), ("", "BD203B9D61589F09FE77")] {
            #expect(try BatchBuilder.reference(code: code, kind: .allowance, forMonth: m, attempt: 3) == "CT202612A3-" + hash)
        }
    }

    @Test("A carry-over's reference also hashes the slot it carries: allowance and care of one month differ; other kinds ignore the slot")
    func carryOverSlot() throws {
        let m = YearMonth(year: 2026, month: 12)!
        let allowance = try BatchBuilder.reference(code: "DT0000011", kind: .carryOver, forMonth: m, attempt: 2, slot: .allowance)
        let care = try BatchBuilder.reference(code: "DT0000011", kind: .carryOver, forMonth: m, attempt: 2, slot: .care)
        #expect(allowance == "CT202612O2-766101A58B4CAD07F874")
        #expect(care == "CT202612O2-57B36BB3C515D62DF5F8")
        #expect(try BatchBuilder.reference(code: "DT0000011", kind: .care, forMonth: m, attempt: 1, slot: .care) == "CT202612C1-A1893D851E207AF020E9")
    }
}
