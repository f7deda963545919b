import ChiTraStore
import Foundation
import GRDB
import Testing

/// Issue 16: a batch's lines are stored in the order every later stage reads them (the payout
/// files group by group in reference order, the returns answering them, the reconciliation), not
/// in the order of the roll walk (`PayoutLineStaging`). The rules roll's December 2026 batch
/// (`ReturnsSetup`): its people are walked by personal ID and paid through several banks and the
/// post office, so the two orders differ.
@Suite("A batch's lines are stored by payout group, then reference")
struct LineOrderTests {
    struct StoredLine: Equatable {
        var id: Int64, group: String, reference: String, person: String
    }

    func lines(_ s: ReturnsSetup, _ batch: Int64) throws -> [StoredLine] {
        try s.db.writer.read { db in
            try Row.fetchAll(db, sql: "SELECT id, group_key, reference, person_key FROM payout_line WHERE batch_id = ? ORDER BY id", arguments: [batch])
                .map { StoredLine(id: $0["id"], group: $0["group_key"], reference: $0["reference"], person: $0["person_key"]) }
        }
    }

    func expectStoredInReadingOrder(_ rows: [StoredLine]) {
        #expect(Set(rows.map(\.group)).count >= 3)
        // One run of consecutive ids, in group then reference order.
        #expect(rows.last!.id - rows.first!.id + 1 == Int64(rows.count))
        let sorted = rows.sorted { ($0.group, $0.reference) < ($1.group, $1.reference) }
        #expect(rows.map(\.reference) == sorted.map(\.reference))
        // Not also the walk's order: the people do not come by personal ID (else this test could not tell).
        #expect(rows.map(\.person) != rows.map(\.person).sorted())
    }

    @Test("Built, and built again as a draft: the lines' ids run group by group, each group in reference order")
    func builtInReadingOrder() throws {
        let s = try ReturnsSetup(export: false)
        let first = try lines(s, s.batchID)
        #expect(first.count > 10)
        expectStoredInReadingOrder(first)

        // Rebuilding the draft replaces its lines: the new ones are stored the same way, after the old ids.
        let again = try s.build("2026-12")
        #expect(again == s.batchID)
        let rebuilt = try lines(s, again)
        #expect(rebuilt.map(\.reference) == first.map(\.reference))
        #expect(rebuilt.first!.id > first.last!.id)
        expectStoredInReadingOrder(rebuilt)
    }
}
