/// Rules for file names written into signatures and manifests.
public enum FileName {
    /// True when `name` is a plain file name: not empty, not `.` or `..`, at most 255 bytes,
    /// no `/`, `\`, NUL or other control characters. Anything else could escape the
    /// directory it is resolved in (path escape) or break the line-based `.sig` format.
    public static func isPlain(_ name: String) -> Bool {
        guard !name.isEmpty, name.utf8.count <= 255, name != ".", name != ".." else { return false }
        return name.unicodeScalars.allSatisfy { scalar in
            scalar != "/" && scalar != "\\" && scalar.value >= 0x20 && scalar.value != 0x7f
        }
    }

    /// Throws ``SigningError/unsafeFileName(_:)`` unless `name` is plain.
    public static func validate(_ name: String) throws {
        guard isPlain(name) else { throw SigningError.unsafeFileName(name) }
    }
}
