import ChiTraStore
@testable import ChiTraWeb
import Foundation
import GRDB
import Hummingbird
import HummingbirdTesting
import XCTest

final class AuditPagesTests: XCTestCase {
    /// The rows of the audit table, each as the text a person reads.
    static func rows(_ html: String) -> [String] {
        html.components(separatedBy: "<tr>").dropFirst().filter { $0.contains("<td") }.map(readable)
    }

    func testTheBatchTrailShowsWhoBuiltApprovedAndExported() async throws {
        let s = try ReturnsWebSetup()
        try await s.h.app.test(.router) { client in
            let b = Browser()
            _ = try await b.login(client, "test.admin")
            let r = try await b.get(client, "/audit/batch/\(s.batchID)")
            XCTAssertEqual(r.status, .ok)
            let rows = Self.rows(b.lastBody).filter { $0.contains("bảng chi số \(s.batchID)") }
            XCTAssertEqual(rows.count, 3, "\(rows)")
            guard rows.count == 3 else { return }
            XCTAssertTrue(rows[0].contains("test.maker (Người Thử Nghiệm) người lập lập bảng chi"), rows[0])
            XCTAssertTrue(rows[1].contains("test.checker (Người Thử Nghiệm) người duyệt duyệt"), rows[1])
            XCTAssertTrue(rows[2].contains("test.maker (Người Thử Nghiệm) người lập xuất tệp"), rows[2])
            XCTAssertTrue(rows[0].contains("tháng: 12/2026; số dòng: "), rows[0])

            // The look-up form leads to the trails; a code that is not on the roll is not found.
            var l = try await b.get(client, "/audit?batch=\(s.batchID)")
            XCTAssertEqual(l.status, .seeOther)
            XCTAssertEqual(l.headers[.location], "/audit/batch/\(s.batchID)")
            l = try await b.get(client, "/audit?code=R01")
            XCTAssertEqual(l.headers[.location], "/audit/person/R01")
            l = try await b.get(client, "/audit/person/R01")
            XCTAssertEqual(l.status, .ok)
            XCTAssertTrue(b.lastBody.contains("Chưa có mục nhật ký nào."))
            l = try await b.get(client, "/audit/person/KHONG-CO")
            XCTAssertEqual(l.status, .notFound)
            l = try await b.get(client, "/audit?batch=abc")
            XCTAssertEqual(l.status, .badRequest)
            XCTAssertTrue(readable(b.lastBody).contains("Số bảng chi \"abc\" không hợp lệ"))
            l = try await b.get(client, "/audit/batch/99")
            XCTAssertEqual(l.status, .notFound)
        }
    }

    func testTheAuditPageSaysTheChainIsIntactAndListsTheLatestEntries() async throws {
        let s = try ReturnsWebSetup()
        try await s.h.app.test(.router) { client in
            let admin = Browser()
            _ = try await admin.login(client, "test.admin")
            let r = try await admin.get(client, "/audit")
            XCTAssertEqual(r.status, .ok)
            let page = readable(admin.lastBody)
            XCTAssertTrue(page.contains("Chuỗi nhật ký toàn vẹn:"), page)
            XCTAssertTrue(admin.lastBody.contains("href=\"/audit?full=1\""), "the whole check on request")
            let rows = Self.rows(admin.lastBody)
            XCTAssertTrue(rows.first?.contains("test.admin (Quản Trị Thử) — đăng nhập") ?? false, "newest first: \(rows.prefix(2))")
            XCTAssertTrue(rows.contains { $0.contains("nhập danh sách đối tượng") }, "\(rows)")
            XCTAssertTrue(rows.contains { $0.contains("thêm tài khoản") }, "\(rows)")
            _ = try await admin.get(client, "/audit?full=1")
            XCTAssertTrue(readable(admin.lastBody).contains("mọi bảng chi đã duyệt khớp với dấu niêm phong khi duyệt"), readable(admin.lastBody))

            let checker = Browser()
            _ = try await checker.login(client, "test.checker")
            var status = try await checker.get(client, "/audit").status
            XCTAssertEqual(status, .ok)
            status = try await checker.get(client, "/audit/batch/\(s.batchID)").status
            XCTAssertEqual(status, .ok)
            let officer = Browser()
            _ = try await officer.login(client, "test.officer")
            status = try await officer.get(client, "/audit").status
            XCTAssertEqual(status, .forbidden)
            status = try await officer.get(client, "/audit/batch/\(s.batchID)").status
            XCTAssertEqual(status, .forbidden)
        }
    }

    func testAnEntryAddedOutsideChiTraIsReported() async throws {
        let h = try WebHarness()
        // An entry written straight into the store, without its seal (the insert trigger refuses
        // a row without a MAC, so give it a wrong one).
        try await h.db.writer.write { d in
            try d.execute(sql: """
                INSERT INTO audit_log(at, actor, action, entity, entity_id, detail, user_id, role, prev_mac, mac)
                VALUES ('2026-12-01T00:00:00Z', 'x', 'batch.approve', 'batch', '1', '', 1, 'checker', zeroblob(32), zeroblob(32))
                """)
        }
        try await h.app.test(.router) { client in
            let b = Browser()
            _ = try await b.login(client, "test.admin")
            for path in ["/audit", "/audit?full=1"] {
                _ = try await b.get(client, path)
                let page = readable(b.lastBody)
                XCTAssertTrue(page.contains("PHÁT HIỆN DỮ LIỆU BỊ SỬA NGOÀI CHITRA"), page)
                XCTAssertTrue(page.contains("Chuỗi nhật ký KHÔNG toàn vẹn"), page)
            }
        }
    }

    func testDetailsReadInVietnamese() {
        XCTAssertEqual(AuditDetail.readable("period=2026-12 lines=16 sum=14750000 excluded=3"),
                       "tháng: 12/2026; số dòng: 16; tổng tiền: 14.750.000 đ; số người không đưa vào: 3")
        XCTAssertEqual(AuditDetail.readable("kind=amount_differs resolution=apply note=bank says a=b ok"),
                       "loại: Số tiền khác số đã gửi; cách xử lý: áp dụng kết quả của ngân hàng; ghi chú: bank says a=b ok")
        XCTAssertEqual(AuditDetail.readable("x.csv format=bank-csv-return odd=1"), "x.csv; định dạng: bank-csv-return; odd=1")
        XCTAssertEqual(AuditDetail.readable("web"), "trên trang web")
    }

    func testPersonalIDsAndAccountNumbersAreMaskedInDetails() {
        XCTAssertEqual(Mask.personal("note=CCCD 046146000101, TK 4091759675258."), "note=CCCD 046******101, TK *********5258.")
        XCTAssertEqual(Mask.personal("CMND 123456789"), "CMND 123***789")
        // Amounts, digests, references and dates stay as they are.
        let kept = "period=2026-12 lines=1995 sum=1501750000 sha256=1e56eef3d4b1474f8581eba65e912c9b15ffaac5961624012439b869b3096a44 ref CT202612-000001 at 20261128T101838Z"
        XCTAssertEqual(Mask.personal(kept), kept)
    }
}
