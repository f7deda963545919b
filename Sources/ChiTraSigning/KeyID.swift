import Foundation

/// Key id rules: `[A-Za-z0-9._-]{1,40}`.
public enum KeyID {
    /// Throws ``SigningError/invalidKeyID(_:)`` unless `id` matches `[A-Za-z0-9._-]{1,40}`.
    public static func validate(_ id: String) throws {
        guard isValid(id) else { throw SigningError.invalidKeyID(id) }
    }

    /// True when `id` matches `[A-Za-z0-9._-]{1,40}`.
    public static func isValid(_ id: String) -> Bool {
        let utf8 = id.utf8
        guard (1...40).contains(utf8.count) else { return false }
        // "." and ".." alone would be path components, not file names.
        guard id != ".", id != ".." else { return false }
        return utf8.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)
                || c == 0x2e || c == 0x5f || c == 0x2d
        }
    }

    /// The default id for a key created at `date`: `k` + UTC `yyyyMMdd'T'HHmmss`.
    public static func defaultID(at date: Date = Date()) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func pad(_ value: Int?, _ width: Int) -> String {
            let text = String(value ?? 0)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "k\(pad(c.year, 4))\(pad(c.month, 2))\(pad(c.day, 2))T\(pad(c.hour, 2))\(pad(c.minute, 2))\(pad(c.second, 2))"
    }
}
