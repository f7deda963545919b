import ChiTraCore
import ChiTraStore

/// One validated line of the roll: a person and one grant.
public struct RollRow: Sendable {
    public var line: Int
    public var code: String
    public var fullName: String
    public var nameBank: String
    public var birthDate: CivilDate
    public var birthYearOnly: Bool
    public var sex: PersonalID.Sex
    public var personalID: String
    public var idLegacy: Bool
    public var commune: String
    public var village: String
    public var address: String
    public var phone: String
    public var category: String
    public var children: Int?
    public var decisionNo: String
    public var decisionDate: CivilDate
    public var startMonth: YearMonth
    public var endMonth: YearMonth?
    public var deathDate: CivilDate?
    public var status: PersonFacts.Status
    public var channel: Channel
    public var bankBIN: String?
    public var accountNo: String?
    public var accountName: String?
    public var proxyName: String?
    public var proxyID: String?
    public var proxyRelation: String?
    public var authorisationUntil: CivilDate?
    /// Recorded as unable to collect in person: needs a proxy.
    public var needsProxy: Bool
    /// A foster carer's grant: the birth date of each person cared for (the coefficient follows
    /// their age). Empty when the column is absent or empty.
    public var caredForBirthDates: [CivilDate] = []
    /// The personal ID as the file wrote it when its leading zeros were restored
    /// (`PersonalID.restoringLeadingZeros`), else nil.
    public var personalIDRestoredFrom: String? = nil

    /// Person fields as stored (column → text), for change history and consistency checks.
    /// The person's status is not among them: it is derived from their grants' statuses.
    public var personFields: [(String, String?)] {
        [("full_name", fullName), ("name_bank", nameBank), ("birth_date", birthDate.description),
         ("birth_year_only", birthYearOnly ? "1" : "0"), ("sex", sex.rawValue), ("personal_id", personalID),
         ("id_legacy", idLegacy ? "1" : "0"), ("commune", commune), ("village", village), ("address", address),
         ("phone", phone), ("death_date", deathDate?.description),
         ("channel", channel.rawValue), ("bank_bin", bankBIN), ("account_no", accountNo), ("account_name", accountName),
         ("proxy_name", proxyName), ("proxy_id", proxyID), ("proxy_relation", proxyRelation),
         ("authorisation_until", authorisationUntil?.description), ("needs_proxy", needsProxy ? "1" : "0")]
    }

    /// The column names of `personFields`, in order.
    public static let personColumns = RollImportStatements.personColumns

    /// Grant fields as stored.
    public var grantFields: [(String, String?)] {
        [("children", children.map(String.init)), ("decision_no", decisionNo), ("decision_date", decisionDate.description),
         ("start_month", startMonth.description), ("end_month", endMonth?.description), ("status", status.rawValue),
         ("cared_for_birth_dates", CaredForBirthDates.stored(caredForBirthDates))]
    }
}
