/// Who collected a post-office payment (stored as the raw value in `return_line.receiver` and
/// `payout_line.result_receiver`).
public enum ReturnReceiver: String, Sendable, Codable, CaseIterable {
    case beneficiary, proxy
}
