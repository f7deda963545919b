import ChiTraCore
import Foundation
import Testing

@Suite struct ProgressTests {
    @Test func theLineSaysDoneOfTotalRateAndTimeLeftInEachLanguage() {
        // 120,000 of 500,000 in 2 s: 60,000 a second; 380,000 left → 6.33 s → 7 s.
        let build = Message("progress.label.build"), lines = Message("progress.unit.lines")
        #expect(ProgressLine.text(label: build, unit: lines, done: 120_000, total: 500_000, elapsed: 2, language: .vi)
                == "Lập bảng chi: 120.000/500.000 dòng · 60.000 dòng/giây · còn 7 giây")
        #expect(ProgressLine.text(label: build, unit: lines, done: 120_000, total: 500_000, elapsed: 2, language: .en)
                == "Building the batch: 120,000/500,000 lines · 60,000 lines/s · 7 s left")
        // 10,000 of 1,000,000 in 4 s: 2,500 a second; 990,000 left → 396 s = 6 min 36 s.
        #expect(ProgressLine.text(label: Message("progress.label.roll_import"), unit: lines, done: 10_000, total: 1_000_000, elapsed: 4, language: .vi)
                == "Nhập danh sách: 10.000/1.000.000 dòng · 2500 dòng/giây · còn 6 phút 36 giây")
        // No total known: what is done and the rate only.
        #expect(ProgressLine.text(label: Message("progress.label.returns_import"), unit: Message("progress.unit.files"), done: 3, total: nil, elapsed: 1, language: .vi)
                == "Nhập tệp trả về: 3 tệp · 3 tệp/giây")
    }

    @Test func theCounterReportsEveryStrideAndOnceAtTheEnd() {
        final class Seen: @unchecked Sendable { var calls: [(Int, Int?)] = []; let lock = NSLock() }
        let seen = Seen()
        var counter = ProgressCounter(ProgressReport { done, total in seen.lock.lock(); seen.calls.append((done, total)); seen.lock.unlock() },
                                      total: 10, stride: 4)
        for _ in 0..<9 { counter.advance() }
        counter.finish()
        // At 4 and 8, then the end: 9 done, the estimate of 10 corrected to 9.
        #expect(seen.calls.map(\.0) == [4, 8, 9])
        #expect(seen.calls.last!.1 == 9)
        // Nobody watching: counting costs a few additions and reports nothing.
        var silent = ProgressCounter(nil, total: nil)
        for _ in 0..<5 { silent.advance() }
        silent.finish()
        #expect(silent.done == 5)
    }
}
