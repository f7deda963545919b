import ChiTraCore
import Foundation

/// Whether and when a failed payment may be paid again (the NACHA model in DOMAIN.md).
public enum RetryPolicy: String, Sendable, Codable, CaseIterable {
    /// Pay again unchanged in the next cycle (absent, not collected, transient bank reasons).
    case asIs = "as_is"
    /// Only once the data is corrected (a new account number, the right name).
    case afterCorrection = "after_correction"
    /// A person decides (unknown or unspecified reasons, refused, moved away).
    case review
    /// Never pay again (deceased, duplicate).
    case never
}

/// What a reason code means: its canonical reason, a Vietnamese label and the retry policy.
public struct ReasonClassification: Sendable, Equatable {
    /// The code as looked up (upper case), nil when the file gave none.
    public var code: String?
    public var reason: CanonicalReason
    /// Vietnamese, for clerks and printed lists.
    public var label: String
    public var retry: RetryPolicy
    /// False when the code was not in the taxonomy (then `reason` is `other`).
    public var known: Bool
    /// English note on the code, or why it is unknown.
    public var about: String

    /// True only when the same payment may simply be sent again.
    public var retryable: Bool { retry == .asIs }
}

/// Maps every reason code ChiTra may meet — ISO 20022 (`AC01`, `MD07`, …), NACHA-style (`R02`, …)
/// and the post office's own (`VANG_MAT`, …) — to one `CanonicalReason`, from
/// `formats/return-reasons.json` (documented in `return-formats.md`).
///
/// ```swift
/// let taxonomy = try ReasonTaxonomy.load(from: formats.appending(path: "return-reasons.json"))
/// taxonomy.classify("AC04")   // closed, retry after correction
/// taxonomy.classify("XX99")   // other, review, known == false
/// ```
public struct ReasonTaxonomy: Sendable {
    public struct Reason: Sendable, Equatable {
        public var label: String
        public var retry: RetryPolicy
    }
    public struct Code: Sendable, Equatable {
        public var code: String
        public var scheme: String
        public var reason: CanonicalReason
        public var retry: RetryPolicy?
        /// The wording in the file, for post-office codes (`Vắng mặt`).
        public var label: String?
        public var about: String
    }

    public let reasons: [CanonicalReason: Reason]
    public let codes: [String: Code]

    /// Classifies a code from a return file. A nil or empty code, or one not in the table, is
    /// `other` with a retry policy of `review`, and `known` false.
    public func classify(_ code: String?) -> ReasonClassification {
        let key = (code ?? "").trimmingCharacters(in: .whitespaces).uppercased()
        let other = reasons[.other]!
        guard !key.isEmpty else {
            return ReasonClassification(code: nil, reason: .other, label: other.label, retry: other.retry, known: false,
                                        about: "The file gives no reason code; read the reason text.")
        }
        guard let entry = codes[key] else {
            return ReasonClassification(code: key, reason: .other, label: other.label, retry: other.retry, known: false,
                                        about: "The code \(key) is not in return-reasons.json, so it is treated as \"other\" and not retried automatically; add it to the file once its meaning is known.")
        }
        let reason = reasons[entry.reason]!
        return ReasonClassification(code: key, reason: entry.reason, label: reason.label, retry: entry.retry ?? reason.retry,
                                    known: true, about: entry.about)
    }

    public static func load(from url: URL) throws(ReturnFormatsError) -> ReasonTaxonomy {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw ReturnFormatsError(source: url.lastPathComponent, key: "", message: "cannot be read (\(error.localizedDescription))")
        }
        return try parse(data, source: url.lastPathComponent)
    }

    public static func parse(_ data: Data, source: String = "return-reasons.json") throws(ReturnFormatsError) -> ReasonTaxonomy {
        func fail(_ key: String, _ message: String) -> ReturnFormatsError { ReturnFormatsError(source: source, key: key, message: message) }
        guard let top = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else { throw fail("", "is not a JSON object") }
        guard let rawReasons = top["reasons"] as? [[String: Any]] else { throw fail("reasons", "is required and must be an array of objects") }
        var reasons: [CanonicalReason: Reason] = [:]
        for (i, r) in rawReasons.enumerated() {
            guard let name = r["reason"] as? String, let reason = CanonicalReason(rawValue: name) else {
                throw fail("reasons[\(i)].reason", "must be one of \(CanonicalReason.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard let label = r["label"] as? String, !label.isEmpty else { throw fail("reasons[\(i)].label", "is required") }
            guard let rt = r["retry"] as? String, let retry = RetryPolicy(rawValue: rt) else {
                throw fail("reasons[\(i)].retry", "must be one of \(RetryPolicy.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard reasons[reason] == nil else { throw fail("reasons[\(i)].reason", "duplicate reason \"\(name)\"") }
            reasons[reason] = Reason(label: label, retry: retry)
        }
        for reason in CanonicalReason.allCases where reasons[reason] == nil {
            throw fail("reasons", "must define \"\(reason.rawValue)\"")
        }
        guard let rawCodes = top["codes"] as? [[String: Any]] else { throw fail("codes", "is required and must be an array of objects") }
        var codes: [String: Code] = [:]
        for (i, c) in rawCodes.enumerated() {
            let key = "codes[\(i)]"
            guard let code = (c["code"] as? String)?.uppercased(), !code.isEmpty else { throw fail("\(key).code", "is required") }
            guard codes[code] == nil else { throw fail("\(key).code", "duplicate code \"\(code)\"") }
            guard let name = c["reason"] as? String, let reason = CanonicalReason(rawValue: name) else {
                throw fail("\(key).reason", "must be one of \(CanonicalReason.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            var retry: RetryPolicy?
            if let rt = c["retry"] {
                guard let s = rt as? String, let v = RetryPolicy(rawValue: s) else {
                    throw fail("\(key).retry", "must be one of \(RetryPolicy.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                retry = v
            }
            codes[code] = Code(code: code, scheme: c["scheme"] as? String ?? "iso", reason: reason, retry: retry,
                               label: c["label"] as? String, about: c["about"] as? String ?? "")
        }
        return ReasonTaxonomy(reasons: reasons, codes: codes)
    }
}
