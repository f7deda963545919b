import Foundation

/// The paying unit, read from `formats/payer.json`.
public struct Payer: Sendable, Codable {
    public var name: String
    public var nameVi: String
    public var accountNo: String
    public var bankBIN: String
    public var unitCode: String
    public var postOfficeName: String
    public var executionDay: Int
    public var authorisationGraceDays: Int
    /// Pay people whose account the bank rejected through the post office (cash) until a new
    /// account is on file, instead of leaving them out.
    public var routeRejectedToPostOffice: Bool?

    public static func load(from url: URL) throws -> Payer {
        do { return try JSONDecoder().decode(Payer.self, from: Data(contentsOf: url)) }
        catch { throw BatchError("cannot read \(url.lastPathComponent): \(error)", remedy: "see formats/payer.md") }
    }
}

/// A batch error: what went wrong and what to do next. Never carries personal data.
public struct BatchError: Error, CustomStringConvertible {
    public let message: String
    public let remedy: String?
    public init(_ message: String, remedy: String? = nil) { self.message = message; self.remedy = remedy }
    public var description: String { remedy.map { "\(message). \($0.prefix(1).uppercased() + $0.dropFirst())" } ?? message }
}
