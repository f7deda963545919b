// TEMPORARY: stand-ins for the Formats/Reasons types being written in the wt-returns worktree.
// Deleted at merge.
import ChiTraCore
import ChiTraBatch
import Foundation

public struct ReturnRecord: Sendable, Equatable {
    public enum Outcome: String, Sendable, Codable { case paid, rejected, pending }
    public enum Receiver: String, Sendable, Codable { case beneficiary, proxy }
    public var line: Int
    public var reference: String?
    public var amount: Int64?
    public var currency: String?
    public var accountNo: String?
    public var outcome: Outcome
    public var reasonCode: String?
    public var reasonText: String?
    public var receiver: Receiver?
    public var date: CivilDate?
}
public struct MalformedLine: Sendable { public var line: Int; public var message: String }
public struct ReturnDocument: Sendable {
    public var format: String
    public var messageID: String?
    public var originalMessageID: String?
    public var records: [ReturnRecord]
    public var malformed: [MalformedLine]
}
public enum ReturnFileReader {
    public static func read(url: URL, formatHint: String?, formats: URL) throws -> ReturnDocument { fatalError() }
}
public struct CanonicalReason: Sendable { public var code: String; public var vietnamese: String; public var retryable: Bool }
public struct ReasonTaxonomy: Sendable {
    public static func load(from url: URL) throws -> ReasonTaxonomy { fatalError() }
    public func classify(_ code: String?, text: String?) -> CanonicalReason { fatalError() }
}
