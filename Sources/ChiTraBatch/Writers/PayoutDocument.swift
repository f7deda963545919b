import ChiTraCore
import Foundation

/// One payee institution's share of a monthly batch: everything a writer needs to produce
/// the payout file for that bank or post office, and nothing else.
///
/// The batch builder fills it from the approved batch; writers only format it. Money is whole
/// đồng in `Int64` (VND has no minor unit). If `expectedTotals` is set (the totals the batch was
/// approved with), every writer refuses to produce a file whose totals differ.
///
/// ```swift
/// let file = try PayoutFormats.load(from: formatsURL).writer(for: doc.institution).write(doc)
/// ```
public struct PayoutDocument: Sendable {
    /// ≤ 35 characters, unique per file, e.g. `CT-202612-B7-970405`.
    public var messageID: String
    public var createdAt: Date
    /// The month being paid.
    public var period: YearMonth
    /// The requested execution date.
    public var executionDate: CivilDate
    /// The paying commune.
    public var debtor: Debtor
    public var institution: Institution
    public var lines: [PayoutLine]
    /// Totals the batch was approved with; writers cross-check them when set.
    public var expectedTotals: PayoutTotals?
    /// The file goes to the commune's own bank and may carry credits to accounts at other banks
    /// (interbank, creditor agent by BIN). False: every line is an account at the file's bank.
    public var interbank: Bool

    public init(messageID: String, createdAt: Date, period: YearMonth, executionDate: CivilDate,
                debtor: Debtor, institution: Institution, lines: [PayoutLine], expectedTotals: PayoutTotals? = nil,
                interbank: Bool = false) {
        self.messageID = messageID
        self.createdAt = createdAt
        self.period = period
        self.executionDate = executionDate
        self.debtor = debtor
        self.institution = institution
        self.lines = lines
        self.expectedTotals = expectedTotals
        self.interbank = interbank
    }

    /// Number of lines (transactions).
    public var count: Int { lines.count }

    /// Sum of the line amounts in đồng, computed with overflow checks.
    public var controlSum: Int64 {
        get throws(PayoutWriteError) {
            var sum: Int64 = 0
            for line in lines {
                let (s, overflow) = sum.addingReportingOverflow(line.amount)
                if overflow { throw .totalOverflow }
                sum = s
            }
            return sum
        }
    }
}

/// The paying commune (the debtor of the transfers).
public struct Debtor: Sendable, Equatable {
    public var name: String
    /// The commune's account at the institution the file goes to (`payer.json` `accounts`).
    public var accountNo: String
    /// BIN of the bank holding that account: the bank the file goes to (the debtor agent).
    public var bankBIN: String
    public var taxOrUnitCode: String?

    public init(name: String, accountNo: String, bankBIN: String, taxOrUnitCode: String? = nil) {
        self.name = name
        self.accountNo = accountNo
        self.bankBIN = bankBIN
        self.taxOrUnitCode = taxOrUnitCode
    }
}

/// The payee institution a file goes to.
public struct Institution: Sendable, Equatable, Hashable {
    public enum Kind: String, Sendable, Codable, CaseIterable { case bank, postOffice }
    public var kind: Kind
    /// The NAPAS BIN for a bank (`970405`); `VNPOST-<commune>` for a post office.
    public var code: String
    public var name: String

    public init(kind: Kind, code: String, name: String) {
        self.kind = kind
        self.code = code
        self.name = name
    }
}

/// One payment to one payee.
public struct PayoutLine: Sendable, Equatable {
    /// How the payee receives the money (the roll's channel).
    public typealias Channel = ChiTraCore.Channel

    /// What the money is for.
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case allowance, care, funeral, arrears
        case careArrears = "care_arrears"
        case carryOver = "carry_over"

        public var vietnamese: String {
            switch self {
            case .allowance: return "Trợ cấp hằng tháng"
            case .care: return "Hỗ trợ chăm sóc"
            case .funeral: return "Mai táng phí"
            case .arrears: return "Truy lĩnh trợ cấp"
            case .careArrears: return "Truy lĩnh hỗ trợ chăm sóc"
            case .carryOver: return "Chi bổ sung tháng trước chưa nhận"
            }
        }
    }

    /// End-to-end reference: ≤ 35 characters of `[A-Za-z0-9-]`, unique in the file.
    public var reference: String
    public var beneficiaryCode: String
    /// NFC Vietnamese.
    public var beneficiaryName: String
    /// Who receives: the beneficiary, a guardian or a proxy (NFC).
    public var payeeName: String
    /// Upper case without diacritics (Đ → D), as banks hold account names.
    public var payeeNameASCII: String
    /// Set when the payee is not the beneficiary.
    public var proxyRelation: String?
    /// Already masked by the caller (`PersonalID.masked`).
    public var personalIDMasked: String
    public var channel: Channel
    public var bankBIN: String?
    public var accountNo: String?
    /// Whole đồng, > 0.
    public var amount: Int64
    public var kind: Kind
    /// The month the money is owed for.
    public var forMonth: YearMonth
    public var commune: String
    public var village: String
    public var address: String
    public var phone: String?
    /// e.g. `Trợ cấp hằng tháng 12/2026 DT0000123` (``RemittanceText``); ≤ 140 characters. Writers
    /// fold it to ASCII where the format asks for that.
    public var remittance: String

    public init(reference: String, beneficiaryCode: String, beneficiaryName: String, payeeName: String,
                payeeNameASCII: String, proxyRelation: String? = nil, personalIDMasked: String,
                channel: Channel, bankBIN: String? = nil, accountNo: String? = nil, amount: Int64,
                kind: Kind, forMonth: YearMonth, commune: String, village: String, address: String,
                phone: String? = nil, remittance: String) {
        self.reference = reference
        self.beneficiaryCode = beneficiaryCode
        self.beneficiaryName = beneficiaryName
        self.payeeName = payeeName
        self.payeeNameASCII = payeeNameASCII
        self.proxyRelation = proxyRelation
        self.personalIDMasked = personalIDMasked
        self.channel = channel
        self.bankBIN = bankBIN
        self.accountNo = accountNo
        self.amount = amount
        self.kind = kind
        self.forMonth = forMonth
        self.commune = commune
        self.village = village
        self.address = address
        self.phone = phone
        self.remittance = remittance
    }

    /// The proxy's name when someone other than the beneficiary receives, else nil.
    public var proxyName: String? { proxyRelation == nil ? nil : payeeName }
}

/// A file's control totals: number of lines and sum of amounts in đồng.
public struct PayoutTotals: Sendable, Equatable, Hashable, CustomStringConvertible {
    public var count: Int
    public var controlSum: Int64
    public init(count: Int, controlSum: Int64) {
        self.count = count
        self.controlSum = controlSum
    }
    public var description: String { "\(count) lines, \(controlSum) đồng" }
}

/// The bytes of one payout file and the totals that were written into it.
public struct PayoutFile: Sendable {
    /// The format name from `payout-formats.json`, e.g. `pain.001.001.09`.
    public var formatName: String
    /// `xml` or `csv`.
    public var fileExtension: String
    public var data: Data
    public var totals: PayoutTotals
}

/// Something that turns a payout document into file bytes.
public protocol PayoutWriter: Sendable {
    var formatName: String { get }
    var fileExtension: String { get }
    /// Writes the file, or refuses with a `PayoutWriteError` naming the line and field.
    func write(_ document: PayoutDocument) throws(PayoutWriteError) -> PayoutFile
}
