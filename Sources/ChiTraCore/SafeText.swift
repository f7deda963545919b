/// Text from a hostile or broken file, made safe to show in a message.
///
/// Error messages quote what they found (a header cell, a JSON key) so a person can fix the
/// file; a mutated file must not turn that into a 300 KB message or write control characters
/// (NUL, escape sequences) to the terminal.
///
/// ```swift
/// "unknown header \"\(SafeText.echo(cell))\""
/// ```
public enum SafeText {
    /// Control characters (except newline and tab) become `?`; beyond `limit` characters the
    /// text is cut with `… (N characters)`.
    public static func clean(_ text: String, limit: Int = 400) -> String {
        var out = String.UnicodeScalarView()
        var count = 0
        for scalar in text.unicodeScalars {
            count += 1
            if count > limit { continue }
            let control = scalar.properties.generalCategory == .control || scalar.properties.generalCategory == .format
            out.append(control && scalar != "\n" && scalar != "\t" ? "?" : scalar)
        }
        return count > limit ? String(out) + "… (\(count) characters)" : String(out)
    }

    /// A short quotation of a value: at most `limit` characters (60 by default), one line.
    public static func echo(_ value: String, limit: Int = 60) -> String {
        clean(value.replacingOccurrences(of: "\n", with: " "), limit: limit)
    }
}
