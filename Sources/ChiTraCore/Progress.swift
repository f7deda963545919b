import Foundation

/// How far a long job has got, for whoever watches it (the CLI's progress line on a terminal).
///
/// A use case that takes long on a large roll (build, export, an import) takes an optional
/// `ProgressReport` and calls it now and then with what is done and, when known, the total; the
/// use case never formats or prints anything itself. Calls come from the thread doing the work,
/// at most once per `ProgressCounter.stride` items, so a report costs nothing measurable.
public struct ProgressReport: Sendable {
    public let update: @Sendable (_ done: Int, _ total: Int?) -> Void
    public init(_ update: @escaping @Sendable (_ done: Int, _ total: Int?) -> Void) { self.update = update }
}

/// Counts items and reports every `stride` of them (and once at the end).
public struct ProgressCounter {
    public let report: ProgressReport?
    public var total: Int?
    public private(set) var done = 0
    private var next: Int
    public let stride: Int

    public init(_ report: ProgressReport?, total: Int?, stride: Int = 2_000) {
        self.report = report; self.total = total; self.stride = max(1, stride); self.next = max(1, stride)
    }

    @inline(__always)
    public mutating func advance(by n: Int = 1) {
        done += n
        if done >= next {
            next = done + stride
            report?.update(done, total)
        }
    }

    /// The last report: everything counted (the total becomes what was done if it was an estimate).
    public mutating func finish() {
        if let t = total, done < t { total = done }
        report?.update(done, total ?? done)
    }
}

/// The text of a progress line: `Lập bảng chi: 120.000/500.000 dòng · 45.000 dòng/giây · còn 9 giây`.
public enum ProgressLine {
    public static func text(label: Message, unit: Message, done: Int, total: Int?, elapsed: TimeInterval, language: Language) -> String {
        let rate = elapsed > 0.05 ? Int(Double(done) / elapsed) : 0
        var args: [String: MessageArg] = ["label": .message(label), "unit": .message(unit), "done": .int(done), "rate": .int(rate)]
        guard let total, total > 0 else {
            return Message("progress.line.open", args).text(in: language)
        }
        args["total"] = .int(total)
        let left = rate > 0 ? max(0, Int((Double(total - done) / Double(rate)).rounded(.up))) : nil
        args["left"] = .message(left.map(timeLeft) ?? Message("progress.unknown"))
        return Message("progress.line", args).text(in: language)
    }

    /// `7 giây`, `2 phút 5 giây` (a minute and more as minutes).
    static func timeLeft(_ seconds: Int) -> Message {
        seconds < 60 ? Message("progress.seconds", ["n": .int(seconds)])
            : Message("progress.minutes", ["m": .int(seconds / 60), "s": .int(seconds % 60)])
    }
}
