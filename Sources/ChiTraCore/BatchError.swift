import Foundation

/// A batch error: what went wrong and what to do next. Never carries personal data.
public struct BatchError: Error, CustomStringConvertible {
    /// The sentence (`formats/messages/batch.json`); nil only for a text not yet in the catalogue (`legacy`).
    public let message: Message?
    let legacy: String?

    public init(_ message: Message) { self.message = message; self.legacy = nil }

    /// A plain English text; kept for code not yet moved to the catalogue.
    @available(*, deprecated, message: "name a catalogue message: BatchError(Message(\"batch.…\", …))")
    public init(_ text: String, remedy: String? = nil) {
        self.message = nil
        self.legacy = remedy.map { "\(text). \($0.prefix(1).uppercased() + $0.dropFirst())" } ?? text
    }

    public func text(in language: Language) -> String { message?.text(in: language) ?? legacy ?? "" }
    public var description: String { text(in: .current) }
}
