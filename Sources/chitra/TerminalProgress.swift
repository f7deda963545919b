import ChiTraCore
import Foundation

/// The progress line of a long command on a terminal: on stderr, rewritten in place at most five
/// times a second — what is done of the total, the rate and the time left — and erased at the end.
/// Nothing at all when stderr is not a terminal (a pipe, a log file, CI) or with `--json`.
final class TerminalProgress: @unchecked Sendable {
    private let label: Message
    private let unit: Message
    private let start = Date()
    private var lastDraw = Date.distantPast
    private var drawn = false
    private let lock = NSLock()

    /// nil when there is no terminal to draw on (or `--json`): callers pass `report` (nil then) on.
    init?(label: Message, unit: Message, json: Bool) {
        guard !json, isatty(STDERR_FILENO) == 1 else { return nil }
        self.label = label; self.unit = unit
    }

    /// The report to give a use case.
    var report: ProgressReport { ProgressReport { [self] done, total in self.show(done: done, total: total) } }

    func show(done: Int, total: Int?) {
        lock.lock(); defer { lock.unlock() }
        let now = Date()
        guard now.timeIntervalSince(lastDraw) >= 0.2 || (total != nil && done >= total!) else { return }
        lastDraw = now
        let text = ProgressLine.text(label: label, unit: unit, done: done, total: total, elapsed: now.timeIntervalSince(start), language: .current)
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + text).utf8))
        drawn = true
    }

    /// Erases the line (the command's own output follows on a clean line).
    func finish() {
        lock.lock(); defer { lock.unlock() }
        if drawn { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)); drawn = false }
    }
}
