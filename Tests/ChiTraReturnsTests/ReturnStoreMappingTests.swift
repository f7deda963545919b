import ChiTraCore
import ChiTraStore
import Testing

@Suite("Returns: the store's typed mapping of outcomes and message ids")
struct ReturnStoreMappingTests {
    @Test("An outcome settles a payout line to the stored state, and the stored state reads back as that outcome")
    func outcomes() {
        #expect(ReturnSettlement.lineState(.paid) == .paid)
        #expect(ReturnSettlement.lineState(.rejected) == .failed)
        #expect(ReturnSettlement.lineState(.pending) == .pending)
        for o in ReturnOutcome.allCases { #expect(ReturnSettlement.outcome(ofLineState: ReturnSettlement.lineState(o).rawValue) == o) }
        for unsettled in ["draft", "approved", "exported", "cancelled"] { #expect(ReturnSettlement.outcome(ofLineState: unsettled) == nil) }
    }

    @Test("Payout message ids, worked by hand: a bank's BIN, a post-office group's hash prefix")
    func messageIDs() {
        let dec = YearMonth("2026-12")!
        #expect(PayoutMessageID.make(period: dec, batchID: 1, groupKey: "BANK-970418") == "CT202612-B000001-970418")
        #expect(PayoutMessageID.make(period: dec, batchID: 1_234_567, groupKey: "BANK-970415") == "CT202612-B1234567-970415")
        // "P" + the first 8 hex digits of SHA-256("VNPOST-X"), upper case.
        // (`printf VNPOST-X | sha256sum` begins aa650dc0).
        #expect(PayoutMessageID.make(period: dec, batchID: 2, groupKey: "VNPOST-X") == "CT202612-B000002-PAA650DC0")
    }

    @Test("The kinds that hold money are the three about the outcome of one of our payments")
    func holdingKinds() {
        #expect(OpenExceptions.holdingKinds == ["conflicting_outcome", "amount_differs", "account_differs"])
    }
}
