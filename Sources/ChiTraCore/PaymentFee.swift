import ChiTraCore

/// The payment fee (chi phí chi trả) a payment service organisation is owed for a batch: the
/// percentage the province set (`payer.json` `feePercent`) of what it **actually paid** — the
/// lines it reported paid, not what was sent — rounded to the nearest whole đồng, a half đồng
/// upwards (``FeeRate/fee(on:)``). Circular 76/2021/TT-BTC Art. 3.7; documented in payer.md.
public struct PaymentFee: Sendable, Codable, Equatable {
    /// The bank's BIN, or `VNPOST` for the post office.
    public var institution: String
    /// `VietinBank (970415)`, `Bưu điện phường Hương Trà`.
    public var name: String
    /// The payout groups it paid (`BANK-970415`; one `VNPOST-…` per commune).
    public var groups: [String]
    public var paidCount: Int
    public var paidSum: Int64
    /// The rate as written in payer.json (`0.1`), nil when payer.json gives none.
    public var ratePercent: String?
    /// The fee in đồng; nil without a rate.
    public var fee: Int64?

    /// The fee of every institution that paid something in the batch, banks by BIN then the post
    /// office, from each payout group's paid total. Totals are checked.
    public static func compute(paidByGroup: [(group: String, count: Int, sum: Int64)], payer: Payer, banks: BankDirectory) throws -> [PaymentFee] {
        var byInstitution: [String: PaymentFee] = [:]
        for g in paidByGroup {
            let isBank = g.group.hasPrefix("BANK-")
            let code = isBank ? String(g.group.dropFirst(5)) : "VNPOST"
            var fee = byInstitution[code] ?? PaymentFee(
                institution: code,
                name: isBank ? "\(banks.bank(code)?.short ?? code) (\(code))"
                             : payer.postOfficeAccount?.name ?? banks.postOffice?.short ?? payer.postOfficeName,
                groups: [], paidCount: 0, paidSum: 0,
                ratePercent: payer.account(forGroup: g.group)?.feePercent?.description, fee: nil)
            fee.groups.append(g.group)
            fee.paidCount += g.count
            fee.paidSum = try Money.sum([fee.paidSum, g.sum])
            byInstitution[code] = fee
        }
        return byInstitution.keys.sorted { ($0 == "VNPOST" ? 1 : 0, $0) < ($1 == "VNPOST" ? 1 : 0, $1) }.map { code in
            var f = byInstitution[code]!
            f.fee = f.ratePercent.flatMap { FeeRate(percent: $0) }?.fee(on: f.paidSum)
            return f
        }
    }
}
