import ChiTraCore

/// One reason a case is on the list, with the sentence an officer reads.
public struct GapFlag: Sendable, Codable, Equatable {
    public var reason: GapReason
    /// Short Vietnamese label from `formats/gaps.json`.
    public var label: String
    /// What is missing, as a Vietnamese sentence with the particulars (dates, masked IDs).
    public var detail: String
    /// Whether this flag means the coming month's payment will be missed.
    public var paymentAtRisk: Bool
}

/// The last follow-up recorded for a case (`chitra gaps record`).
public struct GapEvent: Sendable, Codable, Equatable {
    public var id: Int64
    public var code: String
    public var status: GapFollowUpStatus
    public var note: String
    public var recordedBy: String
    public var recordedAt: String
}

/// One beneficiary on the worklist: who, where, how to reach them, what is missing, what to bring.
public struct GapCase: Sendable, Codable {
    public var code: String
    public var name: String
    public var age: Int
    public var commune: String
    public var village: String
    public var address: String
    /// The phone number, or nil when none is on file (shown as "không có").
    public var phone: String?
    /// Category codes of the person's current grants.
    public var categories: [String]
    /// Vietnamese names of those categories.
    public var categoryNames: [String]
    /// `046******105`: province code and the last three digits only.
    public var personalIDMasked: String
    public var flags: [GapFlag]
    /// What is missing: the flags' sentences together.
    public var missing: String
    /// What to bring on the visit, deduplicated.
    public var bring: String
    public var paymentAtRisk: Bool
    /// Higher first; see `formats/gaps.md`.
    public var score: Int
    public var lastEvent: GapEvent?

    public var phoneText: String { phone ?? "không có" }
    public var categoryText: String { categoryNames.joined(separator: "; ") }
    public var reasonCodes: [GapReason] { flags.map(\.reason) }
}

/// The cases of one village, in priority order.
public struct GapVillage: Sendable, Codable {
    public var commune: String
    public var village: String
    /// Active beneficiaries living in the village (the denominator officers compare with).
    public var activeCount: Int
    public var cases: [GapCase]
    public var atRiskCount: Int { cases.filter(\.paymentAtRisk).count }
}

/// The whole worklist, village by village.
public struct GapWorklist: Sendable, Codable {
    /// `YYYY-MM-DD`.
    public var asOf: String
    public var expiringDays: Int
    public var proxyMax: Int
    public var cashMonths: Int
    /// The most recent non-cancelled batch the exclusions come from, if any (`#id YYYY-MM`).
    public var latestBatch: String?
    public var activeCount: Int
    public var villages: [GapVillage]
    public var caseCount: Int { villages.reduce(0) { $0 + $1.cases.count } }

    public var asOfDate: CivilDate { CivilDate(asOf)! }

    /// One beneficiary's case, if they are on the list.
    public func `case`(_ code: String) -> GapCase? {
        for v in villages { if let c = v.cases.first(where: { $0.code == code }) { return c } }
        return nil
    }
}
