import Foundation

/// The language of what a clerk or officer reads: errors, summaries, rejects reasons.
///
/// Vietnamese by default; `--lang en` (or `CHITRA_LANG=en`) for English. The process-wide choice
/// is made once at start-up (`chitra` sets it from `--lang`); code that must show one language
/// whatever the process chose (a test, a file format) passes it explicitly to `Message.text(in:)`.
public enum Language: String, Sendable, CaseIterable, Codable {
    case vi, en

    /// The language messages are shown in when none is asked for: `CHITRA_LANG` if it names one,
    /// else Vietnamese.
    public static var current: Language {
        get { state.withLock { $0 } }
        set { state.withLock { $0 = newValue } }
    }

    /// Parses `vi`, `en` (any case, `vi-VN`/`en_US` forms too); nil for anything else.
    public init?(code: String) {
        let c = code.lowercased()
        if c == "vi" || c.hasPrefix("vi-") || c.hasPrefix("vi_") { self = .vi }
        else if c == "en" || c.hasPrefix("en-") || c.hasPrefix("en_") { self = .en }
        else { return nil }
    }

    private static let state = LockedValue<Language>(
        ProcessInfo.processInfo.environment["CHITRA_LANG"].flatMap(Language.init(code:)) ?? .vi)
}

/// A value behind a lock (the process-wide language; read from any thread).
final class LockedValue<Value: Sendable>: @unchecked Sendable {
    private var value: Value
    private let lock = NSLock()
    init(_ value: Value) { self.value = value }
    func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        lock.lock(); defer { lock.unlock() }
        return try body(&value)
    }
}
