import Foundation

/// Items made on a second thread, a bounded number ahead of the one thread that takes them, in
/// the order they were made (issue 16: the second core used where the work splits). The roll
/// import reads and validates its lines this way (`RollLinePipeline`), the returns import parses
/// its files (`ReturnRecordPipeline`); both stay exactly the sequential reading because the
/// producing side reads a file and nothing the taker writes (never the store).
///
/// `produce` runs on the reading thread and calls `emit` for each item; the items are queued in
/// chunks of `chunkSize`, at most `depth` chunks ahead, so memory stays bounded whatever the size
/// of the file. The taker sees exactly what a sequential run would give: the items in order, then
/// either the end (and `outcome`, what `produce` returned) or `produce`'s error at the place it
/// happened, after every item emitted before it.
///
/// The taker must call `stop()` when it is done, or gives up early: the reading thread is told to
/// stop (`emit` then throws) and is waited for, so no thread is left reading the file.
///
/// `@unchecked Sendable`: the queue (`chunks`, `result`, `stopped`) is touched only under
/// `condition`; `current`, `position` and `outcome` only by the taker's thread; `produce` and what
/// it captures only by the reading thread (it is handed over once, in `Box`).
public final class ReadAhead<Item, Outcome>: @unchecked Sendable {
    private let condition = NSCondition()
    private var chunks: [[Item]] = []
    private var result: Result<Outcome, any Error>?
    private var stopped = false
    private let done = DispatchSemaphore(value: 0)
    private var current: [Item] = []
    private var position = 0
    private let depth: Int
    /// What `produce` returned, once `next()` has returned nil.
    public private(set) var outcome: Outcome?

    /// Thrown by `emit` once the taker has stopped.
    public struct Stopped: Error {}

    /// Starts `produce` on a thread named `name`. It must touch nothing the taker's thread uses
    /// (it may capture a reader the caller then leaves alone until `stop()` has returned).
    public init(name: String, chunkSize: Int = 1024, depth: Int = 8,
                produce: @escaping (_ emit: @escaping (Item) throws -> Void) throws -> Outcome) {
        self.depth = depth
        let work = Box(produce)
        let thread = Thread { [self] in
            defer { done.signal() }
            var chunk: [Item] = []
            chunk.reserveCapacity(chunkSize)
            let produced = Result {
                try work.value { item in
                    chunk.append(item)
                    if chunk.count >= chunkSize {
                        guard self.hand(chunk) else { throw Stopped() }
                        chunk = []
                        chunk.reserveCapacity(chunkSize)
                    }
                }
            }
            // The items emitted before the end (or the error) go first.
            if !chunk.isEmpty { guard hand(chunk) else { return } }
            finish(produced)
        }
        thread.name = name
        thread.stackSize = 1 << 22
        thread.start()
    }

    /// Queues a chunk for the taker, waiting while `depth` chunks wait; false once stopped.
    private func hand(_ chunk: [Item]) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while chunks.count >= depth && !stopped { condition.wait() }
        if stopped { return false }
        chunks.append(chunk)
        condition.broadcast()
        return true
    }

    private func finish(_ produced: Result<Outcome, any Error>) {
        condition.lock()
        result = produced
        condition.broadcast()
        condition.unlock()
    }

    /// The next item in order, nil at the end (`outcome` is then set); throws `produce`'s error at
    /// its place.
    public func next() throws -> Item? {
        if position < current.count {
            position += 1
            return current[position - 1]
        }
        condition.lock()
        while chunks.isEmpty && result == nil { condition.wait() }
        if chunks.isEmpty {
            let produced = result!
            condition.unlock()
            current = []
            position = 0
            outcome = try produced.get()
            return nil
        }
        current = chunks.removeFirst()
        condition.broadcast()
        condition.unlock()
        position = 1
        return current[0]
    }

    /// Stops the reading thread (if still running) and waits for it. Call once, after the last `next()`.
    public func stop() {
        condition.lock()
        stopped = true
        chunks.removeAll()
        condition.broadcast()
        condition.unlock()
        done.wait()
    }

    /// Hands a value that is not `Sendable` to exactly one other thread, which alone uses it.
    private final class Box<T>: @unchecked Sendable {
        let value: T
        init(_ value: T) { self.value = value }
    }
}
