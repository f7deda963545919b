import ChiTraCore
import Foundation

/// A return file that cannot be read at all (as opposed to a `MalformedLine`, which spoils one line).
///
/// The message is a catalogue sentence (`formats/messages/returns.json`) that follows the file's
/// name and says what to do; it never quotes personal data from the file.
public struct ReturnFileError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case unreadable, tooLarge, notUTF8, doctypeRefused, limitExceeded, notWellFormed,
             unknownFormat, unsupportedFormat, headerMismatch, emptyFile
    }
    public var code: Code
    public var file: String
    public var message: Message

    public init(_ code: Code, file: String, _ message: Message) {
        self.code = code
        self.file = file
        self.message = message
    }

    /// `file: sentence` in `language`.
    public func text(in language: Language) -> String {
        "\(SafeText.echo(file, limit: 200)): \(SafeText.clean(message.text(in: language), limit: 600))"
    }

    public var description: String { text(in: .current) }
}
