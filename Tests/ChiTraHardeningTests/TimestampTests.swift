import ChiTraStore
import Foundation
import XCTest

/// The store's timestamps read back exactly as Foundation's ISO 8601 formatter reads them.
final class TimestampTests: XCTestCase {
    func testTheFastReaderAgreesWithFoundationAndRefusesWhatIsNotATimestamp() {
        let f = ISO8601DateFormatter()
        for text in ["2026-11-28T10:02:45Z", "2024-02-29T23:59:59Z", "2000-03-01T00:00:00Z", "1969-12-31T23:59:59Z",
                     "2100-02-28T12:00:00Z", "2026-01-01T00:00:00Z", "2038-01-19T03:14:08Z"] {
            XCTAssertEqual(Timestamp.parse(text), f.date(from: text), text)
        }
        XCTAssertEqual(Timestamp.parse(Timestamp.format(Date(timeIntervalSince1970: 1_795_000_000))), Date(timeIntervalSince1970: 1_795_000_000))
        for bad in ["", "2026-13-01T00:00:00Z", "2026-11-28 10:02:45", "2026-11-28T10:02:45", "x026-11-28T10:02:45Z"] {
            XCTAssertNil(Timestamp.parse(bad), bad)
        }
    }
}
