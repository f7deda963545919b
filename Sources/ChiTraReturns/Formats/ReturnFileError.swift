import ChiTraCore
import Foundation

/// A return file that cannot be read at all (as opposed to a `MalformedLine`, which spoils one line).
///
/// Descriptions are full sentences naming the file and saying what to do; they never quote
/// personal data from the file.
public struct ReturnFileError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case unreadable, tooLarge, notUTF8, doctypeRefused, limitExceeded, notWellFormed,
             unknownFormat, unsupportedFormat, headerMismatch, emptyFile
    }
    public var code: Code
    public var file: String
    public var message: String

    public init(_ code: Code, file: String, _ message: String) {
        self.code = code
        self.file = file
        self.message = message
    }

    public var description: String { "\(SafeText.echo(file, limit: 200)): \(SafeText.clean(message, limit: 600))" }
}
