/// Where a payout line is: built into a draft, approved and exported with its batch, then paid,
/// failed or pending as the bank or post office reported; cancelled with its batch. Failed and
/// cancelled lines are no longer live.
///
/// The store reads it as `ChiTraStore.LineState` says: a line no return has settled is where its
/// batch is (its row holds `draft`); paid, failed, pending and cancelled are written on the line.
public enum PayoutLineState: String, Sendable, Codable, CaseIterable {
    case draft, approved, exported, paid, failed, pending, cancelled

    /// Whether the line still stands for its person, slot and month (the store's one-live-line rule).
    public var isLive: Bool { self != .failed && self != .cancelled }
}
