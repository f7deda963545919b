import Foundation

/// One sentence a person reads, as a key of the message catalogue (`formats/messages/*.json`)
/// and its values; the text is made in the language asked for, when it is shown.
///
/// ```swift
/// throw MessageError("roll.file.empty", ["file": .text(name)])
/// // vi: "roll.csv: tệp rỗng; hãy xuất lại danh sách"   en: "roll.csv: the file is empty; export the roll again"
/// ```
///
/// Placeholders in the catalogue are `{name}`; every value is named. Numbers are written the
/// way the language writes them (`1.250.000` in Vietnamese, `1,250,000` in English).
public struct Message: Sendable, Equatable, Hashable, CustomStringConvertible, Codable {
    public let key: String
    public let args: [String: MessageArg]

    public init(_ key: String, _ args: [String: MessageArg] = [:]) {
        self.key = key; self.args = args
    }

    /// The sentence in `language` (the process's language by default).
    public func text(in language: Language = .current) -> String {
        MessageCatalogue.shared.render(self, in: language)
    }

    public var description: String { text() }
}

/// A value put into a message.
public enum MessageArg: Sendable, Equatable, Hashable, Codable {
    /// Shown as is (a file name, a code, a masked ID).
    case text(String)
    /// A count or a line number: digits grouped only from 10,000 up (`1.476`, `12.345` in Vietnamese).
    case int(Int)
    /// Whole đồng: `1.250.000 đồng` / `1,250,000 VND`.
    case money(Int64)
    /// Another message, made in the same language (a reason inside a sentence).
    case message(Message)

    func rendered(in language: Language) -> String {
        switch self {
        case .text(let s): return s
        case .int(let n): return MessageArg.grouped(Int64(n), language: language, minimum: 10_000)
        case .money(let m):
            let digits = MessageArg.grouped(m, language: language, minimum: 0)
            return language == .vi ? "\(digits) đồng" : "\(digits) VND"
        case .message(let m): return m.text(in: language)
        }
    }

    /// `1234567` → `1.234.567` (vi) or `1,234,567` (en), as `Money` writes amounts; numbers below
    /// `minimum` ungrouped.
    static func grouped(_ n: Int64, language: Language, minimum: Int64) -> String {
        if n.magnitude < minimum.magnitude { return String(n) }
        return language == .vi ? Money.vietnamese(n) : Money.english(n)
    }
}

extension MessageArg: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByStringInterpolation {
    public init(stringLiteral value: String) { self = .text(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
}

/// An error whose whole text is one catalogue message.
public struct MessageError: Error, Sendable, CustomStringConvertible, Equatable {
    public let message: Message
    public init(_ message: Message) { self.message = message }
    public init(_ key: String, _ args: [String: MessageArg] = [:]) { self.message = Message(key, args) }
    public var description: String { message.text() }
    public func text(in language: Language) -> String { message.text(in: language) }
}
