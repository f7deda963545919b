import Dispatch

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
}
