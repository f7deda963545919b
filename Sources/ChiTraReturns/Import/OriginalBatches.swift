import ChiTraCore
import ChiTraStore
import GRDB

/// Which of our batches a payout message id names (`PayoutMessageID.batch`), each id looked up
/// once per import.
struct OriginalBatches {
    let db: Database
    private var known: [String: Int64?] = [:]

    init(db: Database) { self.db = db }

    mutating func batch(of id: String) throws -> Int64? {
        if let hit = known[id] { return hit }
        let found = try PayoutMessageID.batch(db, of: id)
        known[id] = .some(found)
        return found
    }
}
