import ChiTraCore

/// What the worklist is computed for: a date, thresholds and an optional place filter.
public struct GapOptions: Sendable {
    /// The day the list is for (default: today in Vietnam, UTC+7).
    public var asOf: CivilDate
    /// An authorisation ending within this many days is flagged as expiring.
    public var expiringDays: Int
    /// A proxy receiving for more than this many unrelated households is flagged.
    public var proxyMax: Int
    /// Paid in cash in each of this many latest monthly batches is flagged.
    public var cashMonths: Int
    /// Only this commune / village (compared without regard to case or normalisation form).
    public var commune: String?
    public var village: String?

    public init(asOf: CivilDate = .today(), config: GapConfig, commune: String? = nil, village: String? = nil) {
        self.asOf = asOf
        expiringDays = config.defaults.expiringDays
        proxyMax = config.defaults.proxyMax
        cashMonths = config.defaults.cashMonths
        self.commune = commune
        self.village = village
    }

    /// The first day of the next payment month: a non-guardian authorisation must still be
    /// valid on that day for the next batch to pay the proxy (as the batch builder checks).
    public var nextPaymentDay: CivilDate {
        let m = asOf.yearMonth.next
        return CivilDate(year: m.year, month: m.month, day: 1)!
    }
}

extension CivilDate {
    /// Whole years from `self` (a birth date) to `date`.
    func age(on date: CivilDate) -> Int {
        date.year - year - ((date.month, date.day) < (month, day) ? 1 : 0)
    }
}
