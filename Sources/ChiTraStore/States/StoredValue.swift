import ChiTraCore

/// Decodes a state, channel or reason the store holds as text into its enum (ChiTraCore/States).
/// The schema's CHECK constraints hold these columns to the enums' raw values; a store changed
/// outside chitra that holds another value gets a `StoreError` naming the column, not a crash.
enum StoredValue {
    static func decode<E: RawRepresentable>(_ raw: String, _ column: String) throws -> E where E.RawValue == String {
        guard let value = E(rawValue: raw) else {
            throw StoreError(Message("store.bad_value", ["column": .text(column), "value": .text(raw)]))
        }
        return value
    }
}
