@testable import ChiTraWeb
import XCTest

/// The pages' cache under a change: the first value is waited for; after a change, one new
/// computation runs while requests get the previous value marked not up to date.
final class RecentValueTests: XCTestCase {
    func testAChangeServesThePreviousValueWhileOneNewComputationRuns() async throws {
        let cache = RecentValue<String>()
        let computed = Counter()
        let first = try await cache.value(for: "m1", scope: "day") { await computed.bump(); return "v1" }
        XCTAssertEqual(first.value, "v1"); XCTAssertTrue(first.upToDate); XCTAssertFalse(first.kept)
        let again = try await cache.value(for: "m1", scope: "day") { await computed.bump(); return "never" }
        XCTAssertEqual(again.value, "v1"); XCTAssertTrue(again.kept)

        // The store changed (m2): the new computation takes 300 ms; ten requests meanwhile get v1 at once.
        let slow: @Sendable () async throws -> String = { await computed.bump(); try await Task.sleep(for: .milliseconds(300)); return "v2" }
        let start = ContinuousClock.now
        let answers = try await withThrowingTaskGroup(of: (String, Bool).self) { group in
            for _ in 0..<10 { group.addTask { let r = try await cache.value(for: "m2", scope: "day", slow); return (r.value, r.upToDate) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        XCTAssertEqual(answers.map(\.0), Array(repeating: "v1", count: 10))
        XCTAssertEqual(answers.map(\.1), Array(repeating: false, count: 10))
        XCTAssertLessThan(ContinuousClock.now - start, .milliseconds(250), "nobody waited for the new computation (each waits 40 ms at most)")
        try await Task.sleep(for: .milliseconds(400))
        let later = try await cache.value(for: "m2", scope: "day", slow)
        XCTAssertEqual(later.value, "v2"); XCTAssertTrue(later.upToDate)
        let n = await computed.n
        XCTAssertEqual(n, 2, "one computation per key, however many requests")
    }

    func testANewScopeIsWaitedFor() async throws {
        let cache = RecentValue<String>()
        _ = try await cache.value(for: "a", scope: "2026-11-28") { "yesterday's list" }
        let r = try await cache.value(for: "b", scope: "2026-11-29") { try await Task.sleep(for: .milliseconds(100)); return "today's list" }
        XCTAssertEqual(r.value, "today's list", "a new day never shows the previous day's list")
        XCTAssertTrue(r.upToDate)
    }

    actor Counter { var n = 0; func bump() { n += 1 } }
}

extension RecentValueTests {
    func testABurstOfChangesRunsOneComputationAtATime() async throws {
        let cache = RecentValue<Int>()
        let running = Counter(), most = Counter()
        _ = try await cache.value(for: "0", scope: "s") { 0 }
        // 20 changes in a row while each computation takes 100 ms: never two at once.
        for k in 1...20 {
            let r = try await cache.value(for: "\(k)", scope: "s") {
                await running.bump()
                await most.raise(to: await running.n)
                try await Task.sleep(for: .milliseconds(100))
                await running.drop()
                return k
            }
            XCTAssertLessThan(r.value, k + 1)
            try await Task.sleep(for: .milliseconds(10))
        }
        let peak = await most.n
        XCTAssertEqual(peak, 1, "one computation at a time")
    }
}

extension RecentValueTests.Counter {
    func drop() { n -= 1 }
    func raise(to v: Int) { n = max(n, v) }
}
