import COpenSSL

/// Reads and clears OpenSSL's thread-local error queue.
///
/// Only the library/reason strings are kept (e.g. "invalid key length"), never data,
/// so the result is safe to put in an error description.
enum OpenSSLErrorQueue {
    static func drain() -> String {
        var reasons: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            if let reason = ERR_reason_error_string(code) {
                reasons.append(String(cString: reason))
            } else {
                reasons.append("error code \(code)")
            }
        }
        return reasons.isEmpty ? "no reason given" : reasons.joined(separator: "; ")
    }

    static func clear() {
        ERR_clear_error()
    }
}
