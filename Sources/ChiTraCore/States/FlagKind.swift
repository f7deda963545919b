/// What a return asks someone to follow up. The first four are a person's flags
/// (`beneficiary_flag.kind`, shown on the person's page and on the reconciliation); the last is
/// kept on the funeral claim itself (its organiser's account was refused), not as a flag.
public enum FlagKind: String, Sendable, Codable, CaseIterable {
    case accountRejected = "account_rejected"
    case deceasedReported = "deceased_reported"
    case funeralCase = "funeral_case"
    case suspendNotCollected = "suspend_not_collected"
    case funeralClaimAccountRejected = "funeral_claim_account_rejected"

    /// What happened and what to do, as a returns import lists it (`formats/messages/returns.json`).
    public var message: Message {
        switch self {
        case .accountRejected: Message("returns.flag.account_rejected")
        case .deceasedReported: Message("returns.flag.deceased_reported")
        case .funeralCase: Message("returns.flag.funeral_case")
        case .suspendNotCollected: Message("returns.flag.suspend_not_collected")
        case .funeralClaimAccountRejected: Message("returns.flag.funeral_claim_account_rejected")
        }
    }

    public func text(in language: Language) -> String { message.text(in: language) }
    public var vietnamese: String { text(in: .vi) }
}
