import ChiTraReturns
import Testing

@Suite("Reason taxonomy")
struct ReasonTaxonomyTests {
    @Test("AC04 is a closed account: not retryable as is, only after correction")
    func closed() throws {
        let c = try Paths.taxonomy().classify("AC04")
        #expect(c.reason == .closed && c.retry == .afterCorrection && !c.retryable && c.known)
        #expect(c.label == "Tài khoản đã đóng")
    }

    @Test("MD07 and the post office's DA_MAT mean deceased: never retried")
    func deceased() throws {
        let t = try Paths.taxonomy()
        for code in ["MD07", "DA_MAT", "R15"] {
            #expect(t.classify(code).reason == .deceased)
            #expect(t.classify(code).retry == .never)
        }
    }

    @Test("KHONG_NHAN and VANG_MAT are not collected, retryable; MS03 is retryable too")
    func retryable() throws {
        let t = try Paths.taxonomy()
        #expect(t.classify("KHONG_NHAN").reason == .notCollected && t.classify("KHONG_NHAN").retryable)
        #expect(t.classify("vang_mat").retryable)
        #expect(t.classify("MS03").reason == .other && t.classify("MS03").retryable)
        #expect(t.classify("AM05").reason == .duplicate && t.classify("AM05").retry == .never)
    }

    @Test("An unknown or missing code is other, not retryable, and says so")
    func unknown() throws {
        let t = try Paths.taxonomy()
        let c = t.classify("ZZ99")
        #expect(c.reason == .other && !c.retryable && !c.known)
        #expect(c.about.contains("not in return-reasons.json"))
        #expect(t.classify(nil).reason == .other)
    }

    @Test("Every code the simulator and the fixtures use is in the taxonomy")
    func coverage() throws {
        let t = try Paths.taxonomy()
        for code in ["AC01", "AC02", "AC03", "AC04", "AC06", "AG01", "AM04", "AM05", "BE01", "BE05", "DUPL", "MD07", "MS02", "MS03",
                     "NARR", "RR01", "RR02", "RR03", "RR04", "FF01", "RC01", "VANG_MAT", "DA_MAT", "CHUYEN_DI", "TU_CHOI", "KHONG_NHAN"] {
            #expect(t.classify(code).known, "\(code) is missing")
        }
    }
}
