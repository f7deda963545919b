import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs the store's synchronous use cases off Swift's cooperative threads (2 on this machine):
/// a page waiting for SQLite never stalls the server's other requests.
enum Offload {
    private static let queue = DispatchQueue(label: "chitra.web.store", qos: .userInitiated, attributes: .concurrent)

    static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                do { continuation.resume(returning: try body()) } catch { continuation.resume(throwing: error) }
            }
        }
    }

    /// For the long recomputations behind a page's cache (a 100,000-person worklist takes seconds):
    /// on a thread of its own, niced to 10, so that the requests answered meanwhile (from the
    /// previous figures) get the processor first. The thread ends with the work (raising a thread's
    /// priority back needs privileges a server should not have).
    static func recompute<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                #if os(Linux)
                // On Linux the nice value belongs to the thread: `who` 0 is the calling thread.
                setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 10)
                #endif
                do { continuation.resume(returning: try body()) } catch { continuation.resume(throwing: error) }
            }
            thread.name = "chitra.recompute"
            thread.stackSize = 8 << 20
            thread.start()
        }
    }
}
