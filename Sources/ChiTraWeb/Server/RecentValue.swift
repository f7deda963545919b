import Foundation

/// A value computed from the store, once per key (a day and a store change marker), shared by
/// every request that asks for it while it is computed and after.
///
/// When the marker moves (a `chitra returns import` beside the server, an officer's update),
/// requests do not all queue behind the new computation: one computation starts, and requests
/// that arrive while it runs get the latest finished value of the same scope, marked as not yet
/// up to date, unless the new one finishes within `patience`. A first value (or a new scope, such
/// as a new day) is always waited for. At most one computation runs at a time per scope.
actor RecentValue<Value: Sendable> {
    private var latest: (key: String, scope: String, value: Value, order: Int)?
    private var running: [String: Task<Value, any Error>] = [:]
    private var started = 0

    /// The value for `key`, or the latest finished one of `scope` with `upToDate: false`;
    /// `kept` when it was already there (nothing computed or awaited for this request).
    func value(for key: String, scope: String, patience: Duration = .milliseconds(40),
               _ make: @escaping @Sendable () async throws -> Value) async throws -> (value: Value, upToDate: Bool, kept: Bool) {
        if let l = latest, l.key == key { return (l.value, true, true) }
        // One computation at a time: while one runs (for an earlier change), the latest value
        // stands; the newest key is computed when it is done. A burst of changes (a returns
        // import of 26 files) costs one computation at a time, not one per file at once.
        if running[key] == nil, !running.isEmpty, let l = latest, l.scope == scope { return (l.value, false, true) }
        let task: Task<Value, any Error>
        if let t = running[key] { task = t } else {
            task = Task { try await make() }
            running[key] = task
            started += 1
            let order = started
            Task { await self.settle(key: key, scope: scope, order: order, task) }
        }
        guard let l = latest, l.scope == scope else { return (try await task.value, true, false) }
        if let fresh = await Self.within(patience, task) { return (fresh, true, false) }
        return (l.value, false, true)
    }

    /// Keeps a finished computation as the latest value; forgets a failed one (the next request retries).
    private func settle(key: String, scope: String, order: Int, _ task: Task<Value, any Error>) async {
        let result = await task.result
        running[key] = nil
        // A computation started earlier that finishes later does not replace a newer value.
        if case .success(let v) = result, order > (latest?.order ?? 0) { latest = (key, scope, v, order) }
        // Computations for older keys may finish later: keep only what the newest request asked for.
        if running.count > 4 { running.removeAll() }
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
