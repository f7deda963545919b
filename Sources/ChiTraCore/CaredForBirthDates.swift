/// The birth dates of the persons a foster carer cares for, as the store keeps them in
/// `grant_record.cared_for_birth_dates`: ISO dates (`YYYY-MM-DD`) joined by `;`, in the roll's
/// order; NULL when the roll gives none.
public enum CaredForBirthDates {
    /// The stored text of `dates`, or nil for none.
    public static func stored(_ dates: [CivilDate]) -> String? {
        dates.isEmpty ? nil : dates.map(\.description).joined(separator: ";")
    }

    /// The dates of a stored text (nil or empty: none). A part that is not a date is skipped: the
    /// roll import writes only dates, and the grant seal covers the column.
    public static func parse(_ text: String?) -> [CivilDate] {
        guard let text, !text.isEmpty else { return [] }
        return text.split(separator: ";").compactMap { CivilDate(String($0)) }
    }
}
