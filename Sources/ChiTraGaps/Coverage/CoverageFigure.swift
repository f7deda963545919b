import ChiTraCore

/// A non-cash share: people with a usable non-cash channel over all active people.
///
/// Printed the Vietnamese way, dots grouping thousands and a decimal comma:
/// `CoverageFigure(noncash: 1715, total: 2066).vietnamese == "1.715/2.066 = 83,01%"`.
public struct CoverageFigure: Sendable, Codable, Equatable {
    public var noncash: Int
    public var total: Int

    public init(noncash: Int, total: Int) { self.noncash = noncash; self.total = total }

    /// The share in hundredths of a percent, rounded half up (8301 for 83,01%); nil when nobody is active.
    public var basisPoints: Int? {
        guard total > 0 else { return nil }
        return (noncash * 20_000 / total + 1) / 2
    }

    /// `83,01%`, or `—` with no active beneficiary.
    public var percentVietnamese: String { basisPoints.map { Self.hundredths($0) + "%" } ?? "—" }

    /// `1.715/2.066 = 83,01%`.
    public var vietnamese: String {
        "\(Money.vietnamese(Int64(noncash)))/\(Money.vietnamese(Int64(total))) = \(percentVietnamese)"
    }

    /// `8301` → `83,01`; negative values keep their sign.
    public static func hundredths(_ v: Int) -> String {
        let m = v.magnitude
        return (v < 0 ? "-" : "") + "\(m / 100)," + (m % 100 < 10 ? "0" : "") + "\(m % 100)"
    }

    /// The change against an earlier figure in percentage points: `+1,25 điểm %`.
    public func changeVietnamese(since earlier: CoverageFigure) -> String? {
        guard let now = basisPoints, let then = earlier.basisPoints else { return nil }
        let d = now - then
        return (d > 0 ? "+" : "") + Self.hundredths(d) + " điểm %"
    }
}
