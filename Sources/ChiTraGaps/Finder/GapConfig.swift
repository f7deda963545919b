import ChiTraCore
import Foundation

/// The worklist's data: labels, what to bring and priority weights (`formats/gaps.json`).
///
/// A case's score is `paymentAtRisk` (if any flag puts this month's payment at risk)
/// + `perYearOfAge` × age + the heaviest `categories` weight among the person's grants
/// + the sum of the weights of its reasons. See `formats/gaps.md`.
public struct GapConfig: Sendable {
    public struct Reason: Sendable, Codable {
        public let code: GapReason
        public let weight: Int
        public let paymentAtRisk: Bool
        public let label: String
        public let bring: [String]
    }
    public struct Defaults: Sendable, Codable {
        public let expiringDays: Int
        public let proxyMax: Int
        public let cashMonths: Int
    }
    public struct Priority: Sendable, Codable {
        public let paymentAtRisk: Int
        public let perYearOfAge: Int
        public let categories: [String: Int]
    }

    public let defaults: Defaults
    public let priority: Priority
    public let reasons: [GapReason: Reason]

    public func reason(_ r: GapReason) -> Reason { reasons[r]! }

    /// Loads and checks `gaps.json`: every reason code must be described once.
    public static func load(from url: URL) throws -> GapConfig {
        struct File: Decodable { let defaults: Defaults; let priority: Priority; let reasons: [Reason] }
        let name = url.lastPathComponent
        let f: File
        do { f = try JSONDecoder().decode(File.self, from: Data(contentsOf: url)) } catch let e as DecodingError {
            throw GapsError(Message("gaps.config.invalid", ["file": .text(name), "detail": .text("\(e)")]))
        } catch {
            throw GapsError(Message("gaps.config.unreadable", ["path": .text(url.path)]))
        }
        var d: [GapReason: Reason] = [:]
        for r in f.reasons {
            if d[r.code] != nil { throw GapsError(Message("gaps.config.duplicate_reason", ["file": .text(name), "reason": .text(r.code.rawValue)])) }
            d[r.code] = r
        }
        let missing = GapReason.allCases.filter { d[$0] == nil }
        if !missing.isEmpty {
            throw GapsError(Message("gaps.config.missing_reasons", ["file": .text(name), "reasons": .text(missing.map(\.rawValue).joined(separator: ", "))]))
        }
        if f.defaults.expiringDays < 0 || f.defaults.proxyMax < 1 || f.defaults.cashMonths < 1 {
            throw GapsError(Message("gaps.config.defaults", ["file": .text(name)]))
        }
        return GapConfig(defaults: f.defaults, priority: f.priority, reasons: d)
    }
}

/// A gaps error: what went wrong and what to do; never carries a full personal ID or account number.
public struct GapsError: Error, CustomStringConvertible, Sendable {
    /// The sentence (`formats/messages/gaps.json`).
    public let message: Message
    public init(_ message: Message) { self.message = message }
    public var description: String { message.text() }
}
