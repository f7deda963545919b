import ChiTraCore

/// The remittance text of a payout line (pain.001 `RmtInf/Ustrd`, the lists' `Nội dung`):
/// what the money is for, the month it is owed for and the beneficiary's code, in Vietnamese —
/// `Trợ cấp hằng tháng 12/2026 DT0000114`, `Truy lĩnh hỗ trợ chăm sóc 08/2026 DT0000114`.
///
/// Allowance arrears and care arrears are labelled apart, and a carry-over says what it carries
/// (`Chi bổ sung truy lĩnh trợ cấp 08/2026 …`). A format that takes ASCII only folds the text
/// (`remittanceASCII`: `Truy linh ho tro cham soc 08/2026 DT0000114`).
public enum RemittanceText {
    /// `<label> <MM/YYYY> <code>`.
    public static func make(kind: EntitlementKind, slot: EntitlementKind, forMonth: YearMonth, code: String) -> String {
        "\(label(kind: kind, slot: slot)) \(forMonth.vietnamese) \(code)"
    }

    /// What the money is for. `slot` is what a carry-over carries (for any other kind, the kind itself).
    public static func label(kind: EntitlementKind, slot: EntitlementKind) -> String {
        switch kind {
        case .allowance, .care, .arrears, .careArrears, .funeral:
            return PayoutLine.Kind(kind).vietnamese
        case .carryOver:
            let carried = slot == .carryOver ? "khoản tháng trước" : PayoutLine.Kind(slot).vietnamese
            return "Chi bổ sung " + carried.prefix(1).lowercased() + carried.dropFirst()
        }
    }
}
