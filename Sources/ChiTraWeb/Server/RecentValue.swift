import Foundation

/// A value computed from the store, once per key (a day and a store change marker), shared by
/// every request that asks for it while it is computed and after.
///
/// When the marker moves (a `chitra returns import` beside the server, an officer's update),
/// requests do not all queue behind the new computation: one computation starts, and requests
/// that arrive while it runs get the latest finished value of the same scope, marked as not yet
/// up to date, unless the new one finishes within `patience`. A first value (or a new scope, such
/// as a new day) is always waited for. At most one computation runs at a time per scope: a burst
/// of changes (a returns import of 26 files) costs one computation at a time, not one per file.
actor RecentValue<Value: Sendable> {
    private struct Finished { let key: String; let scope: String; let value: Value; let order: Int }
    private struct Running { let task: Task<Value, any Error>; let order: Int }
    private var latest: Finished?
    private var running: [String: Running] = [:]
    private var started = 0

    /// The value for `key`, or the latest finished one of `scope` with `upToDate: false`;
    /// `kept` when it was already there (nothing computed or awaited for this request); `key` the
    /// key of the value given.
    /// `fresh`: always the value for `key`, waited for (a page right after the person's own change).
    func value(for key: String, scope: String, patience: Duration = .milliseconds(40), fresh: Bool = false,
               _ make: @escaping @Sendable () async throws -> Value) async throws -> (value: Value, upToDate: Bool, kept: Bool, key: String) {
        if let l = latest, l.key == key { return (l.value, true, true, key) }
        // While a computation for an earlier change runs, the latest value stands.
        if !fresh, running[key] == nil, !running.isEmpty, let l = latest, l.scope == scope { return (l.value, false, true, l.key) }
        let run: Running
        if let r = running[key] { run = r } else {
            started += 1
            run = Running(task: Task { try await make() }, order: started)
            running[key] = run
            Task { await self.settle(key: key, scope: scope, run) }
        }
        guard !fresh, let l = latest, l.scope == scope else {
            let v = try await run.task.value
            keep(key: key, scope: scope, v, order: run.order)
            return (v, true, false, key)
        }
        if let fresh = await Self.within(patience, run.task) {
            keep(key: key, scope: scope, fresh, order: run.order)
            return (fresh, true, false, key)
        }
        return (l.value, false, true, l.key)
    }

    /// When a computation ends: kept if it succeeded (the next request of a failed one retries).
    private func settle(key: String, scope: String, _ run: Running) async {
        let result = await run.task.result
        if running[key]?.order == run.order { running[key] = nil }
        if case .success(let v) = result { keep(key: key, scope: scope, v, order: run.order) }
    }

    /// A computation started earlier that finishes later never replaces a newer value.
    private func keep(key: String, scope: String, _ value: Value, order: Int) {
        if order > (latest?.order ?? 0) { latest = Finished(key: key, scope: scope, value: value, order: order) }
    }

    /// The task's value if it finishes within `d`, else nil (the task goes on; nobody waits for it).
    private static func within(_ d: Duration, _ task: Task<Value, any Error>) async -> Value? {
        let once = Once<Value?>()
        return await withCheckedContinuation { continuation in
            Task { let v = try? await task.value; once.resume(continuation, with: v) }
            Task { try? await Task.sleep(for: d); once.resume(continuation, with: nil) }
        }
    }
}

/// Resumes a continuation once, from whichever of two racers comes first.
private final class Once<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var done = false

    func resume(_ c: CheckedContinuation<T, Never>, with value: T) {
        lock.lock()
        let first = !done
        done = true
        lock.unlock()
        if first { c.resume(returning: value) }
    }
}
