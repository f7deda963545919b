import ChiTraCore
import ChiTraSigning
import Foundation
import Testing
@testable import ChiTraBatch

@Suite struct PaymentReferenceTests {
    /// The reference as it was made before the batch build was sped up: OpenSSL's SHA-256 over `Data`.
    static func referenceBefore(code: String, kind: EntitlementKind, forMonth: YearMonth, attempt: Int) -> String {
        let letter = String(UnicodeScalar(PaymentReference.letter(kind)))
        let h = FileDigest.sha256Hex(Data("\(code)|\(kind.rawValue)|\(forMonth)|\(attempt)".utf8))
        return "CT\(forMonth.compact)\(letter)\(attempt)-" + h.prefix(20).uppercased()
    }

    @Test("References are byte for byte those made through OpenSSL, for every kind, many codes, months and attempts")
    func sameAsOpenSSL() {
        var n = 0
        for i in stride(from: 0, to: 200_000, by: 397) {
            let code = "DT" + String(repeating: "0", count: max(0, 7 - String(i).count)) + String(i)
            for kind in EntitlementKind.allCases {
                for (m, attempt) in [(YearMonth(year: 2026, month: 12)!, 0), (YearMonth(year: 2024, month: 7)!, 1), (YearMonth(year: 2027, month: 1)!, 12)] {
                    #expect(BatchBuilder.reference(code: code, kind: kind, forMonth: m, attempt: attempt)
                            == Self.referenceBefore(code: code, kind: kind, forMonth: m, attempt: attempt))
                    n += 1
                }
            }
        }
        #expect(n > 9_000)
    }

    @Test("SHA-256 of messages of every length from 0 to 300 bytes equals OpenSSL's (one, two and more blocks)")
    func sha256Lengths() throws {
        var message: [UInt8] = []
        for len in 0...300 {
            let digest = SHA256.hash(message)
            #expect(digest == Array(try SHA256Digest.hash(Data(message))), "length \(len)")
            message.append(UInt8(truncatingIfNeeded: len &* 31 &+ 7))
        }
    }

    @Test("A long or non-ASCII code hashes as its UTF-8 bytes")
    func unusualCodes() {
        let m = YearMonth(year: 2026, month: 12)!
        for code in ["Đ0001", String(repeating: "X", count: 70), ""] {
            #expect(BatchBuilder.reference(code: code, kind: .allowance, forMonth: m, attempt: 3)
                    == Self.referenceBefore(code: code, kind: .allowance, forMonth: m, attempt: 3))
        }
    }

    @Test("A carry-over's reference also hashes the slot it carries: allowance and care of one month differ; other kinds ignore the slot")
    func carryOverSlot() {
        let m = YearMonth(year: 2026, month: 12)!
        let allowance = BatchBuilder.reference(code: "DT0000011", kind: .carryOver, forMonth: m, attempt: 2, slot: .allowance)
        let care = BatchBuilder.reference(code: "DT0000011", kind: .carryOver, forMonth: m, attempt: 2, slot: .care)
        #expect(allowance != care)
        #expect(allowance.hasPrefix("CT202612O2-") && care.hasPrefix("CT202612O2-") && care.count == 31)
        let h = FileDigest.sha256Hex(Data("DT0000011|carry_over|2026-12|2|care".utf8))
        #expect(care == "CT202612O2-" + h.prefix(20).uppercased())
        #expect(BatchBuilder.reference(code: "DT0000011", kind: .care, forMonth: m, attempt: 1, slot: .care)
                == Self.referenceBefore(code: "DT0000011", kind: .care, forMonth: m, attempt: 1))
    }
}
