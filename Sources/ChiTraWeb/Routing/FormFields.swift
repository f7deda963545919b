import Foundation
import Hummingbird

/// The fields of a posted form (`application/x-www-form-urlencoded`), at most 64 KiB.
public struct FormFields: Sendable {
    public private(set) var values: [String: String] = [:]

    public init(_ values: [String: String] = [:]) { self.values = values }

    public subscript(_ name: String) -> String? { values[name] }

    /// A field that must be present and not blank, trimmed.
    public func required(_ name: String, _ label: String) throws -> String {
        guard let v = values[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !v.isEmpty else {
            throw WebError.badRequest("Thiếu \(label): điền vào ô \"\(label)\" rồi gửi lại.")
        }
        return v
    }

    public func trimmed(_ name: String) -> String? {
        values[name].map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.flatMap { $0.isEmpty ? nil : $0 }
    }

    static func read(_ request: Request, limit: Int = 64 * 1024) async throws -> FormFields {
        let type = request.headers[.contentType] ?? ""
        guard type.lowercased().hasPrefix("application/x-www-form-urlencoded") else {
            throw WebError(.unsupportedMediaType, "Biểu mẫu gửi lên không đúng dạng.")
        }
        let buffer: ByteBuffer
        do { buffer = try await request.body.collect(upTo: limit) }
        catch { throw WebError(.contentTooLarge, "Biểu mẫu quá lớn (tối đa \(limit / 1024) KiB).") }
        return FormFields(parse(String(buffer: buffer)))
    }

    /// `a=1&b=x+y%C3%A1` → fields; the last of a repeated name wins.
    static func parse(_ body: String) -> [String: String] {
        var out: [String: String] = [:]
        for pair in body.split(separator: "&", omittingEmptySubsequences: true) {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String {
                String(s).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            }
            out[decode(kv[0])] = kv.count > 1 ? decode(kv[1]) : ""
        }
        return out
    }
}

/// Constant-time comparison of two tokens (CSRF).
func tokensMatch(_ a: String, _ b: String) -> Bool {
    let x = Array(a.utf8), y = Array(b.utf8)
    guard x.count == y.count, !x.isEmpty else { return false }
    var diff: UInt8 = 0
    for i in x.indices { diff |= x[i] ^ y[i] }
    return diff == 0
}
