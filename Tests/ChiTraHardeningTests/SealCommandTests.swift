import ChiTraCore
import ChiTraTestSupport
import Foundation
import GRDB
import Testing
@testable import ChiTraStore

/// Issue 12, scenario 1 through the command line: after export, lines changed under a restored
/// trigger make `chitra verify` (with the store) and `chitra audit verify` fail, naming them.
@Suite(.serialized) struct SealCommandTests {
    @Test("verify with the store and audit verify report approved lines changed after export",
          .enabled(if: chitraBinary != nil, "needs the chitra executable"))
    func tamperedAfterExport() throws {
        let dir = try TempDir()
        try ChitraRun.setUpStore(in: dir.url)
        try FileManager.default.copyItem(at: Paths.fixtures.appendingPathComponent("rules/rules-roll.csv"), to: dir.file("roll.csv"))
        for (args, login) in [(["keys", "create", "--id", "k-seal"], ChitraRun.admin), (["roll", "import", "roll.csv"], "an.nguyen"),
                              (["batch", "build", "--period", "2026-12", "--as-of", "2026-11-28"], "an.nguyen"), (["batch", "approve", "1"], "binh.tran"),
                              (["batch", "export", "1", "--out", "out"], "an.nguyen")] {
            let r = try ChitraRun.run(args, in: dir.url, as: login)
            try #require(r.status == 0, "\(args): \(r.text)")
        }
        var r = try ChitraRun.run(["verify", "out/manifest.json"], in: dir.url)
        #expect(r.status == 0 && r.text.contains("ĐÚNG NHƯ ĐÃ DUYỆT: các dòng của danh sách chi trả #1 trong"), "\(r.text)")
        // verify has no store options of its own, yet takes --lang like every command.
        r = try ChitraRun.run(["verify", "out/manifest.json", "--lang", "en"], in: dir.url)
        #expect(r.status == 0 && r.text.contains("AS APPROVED: batch #1's lines") && r.text.contains("VALID: manifest.json and the "), "\(r.text)")
        r = try ChitraRun.run(["audit", "verify"], in: dir.url)
        #expect(r.status == 0 && r.text.contains("ĐẠT: mọi danh sách chi trả đã duyệt khớp phê duyệt đã niêm phong"), "\(r.text)")

        // The attacker: the frozen trigger dropped, one account changed, the trigger put back.
        let db = try DatabaseQueue(path: dir.file("s.sqlite").path)
        let ref = try db.writeWithoutTransaction { d -> String in
            let trigger = try String.fetchOne(d, sql: "SELECT sql FROM sqlite_schema WHERE name = 'payout_line_frozen_update'")!
            let ref = try String.fetchOne(d, sql: "SELECT reference FROM payout_line WHERE channel = 'bank' ORDER BY id LIMIT 1")!
            try d.execute(sql: "DROP TRIGGER payout_line_frozen_update")
            try d.execute(sql: "UPDATE payout_line SET account_no = '9999888877776666' WHERE reference = ?", arguments: [ref])
            try d.execute(sql: trigger)
            return ref
        }
        try db.close()
        r = try ChitraRun.run(["verify", "out/manifest.json"], in: dir.url)
        #expect(r.status == 1 && r.text.contains("KHÔNG ĐÚNG NHƯ ĐÃ DUYỆT: danh sách chi trả #1: 1 dòng đã bị sửa sau khi duyệt (\(ref)"), "\(r.text)")
        r = try ChitraRun.run(["audit", "verify"], in: dir.url)
        #expect(r.status == 4 && r.text.contains("BỊ SỬA: danh sách chi trả #1: 1 dòng đã bị sửa sau khi duyệt"), "\(r.text)")
        r = try ChitraRun.run(["batch", "export", "1", "--out", "out2"], in: dir.url, as: "an.nguyen")
        #expect(r.status != 0 && r.text.contains("không xuất được danh sách chi trả #1") && !FileManager.default.fileExists(atPath: dir.file("out2/manifest.json").path), "\(r.text)")
    }

    @Test("A batch status edited into the store outside chitra stops approve and list with a sentence naming the column, not a crash; nothing is approved",
          .enabled(if: chitraBinary != nil, "needs the chitra executable"))
    func unknownStatusEditedIn() throws {
        let dir = try TempDir()
        try ChitraRun.setUpStore(in: dir.url)
        try FileManager.default.copyItem(at: Paths.fixtures.appendingPathComponent("rules/rules-roll.csv"), to: dir.file("roll.csv"))
        for (args, login) in [(["roll", "import", "roll.csv"], "an.nguyen"),
                              (["batch", "build", "--period", "2026-12", "--as-of", "2026-11-28"], "an.nguyen")] {
            let r = try ChitraRun.run(args, in: dir.url, as: login)
            try #require(r.status == 0, "\(args): \(r.text)")
        }
        // The attacker (or a careless fix by hand): CHECK constraints ignored, the draft's status typed in capitals.
        let db = try DatabaseQueue(path: dir.file("s.sqlite").path)
        try db.writeWithoutTransaction { d in
            try d.execute(sql: "PRAGMA ignore_check_constraints = ON")
            try d.execute(sql: "UPDATE batch SET status = 'APPROVED' WHERE id = 1")
        }
        try db.close()
        for (args, login) in [(["batch", "approve", "1"], Optional("binh.tran")), (["batch", "list"], nil)] {
            let r = try ChitraRun.run(args, in: dir.url, as: login)
            #expect(r.status != 0 && r.text.contains("kho dữ liệu có giá trị không hợp lệ ở cột batch.status: 'APPROVED'") && !r.text.contains("Fatal error"), "\(args): \(r.text)")
        }
        let check = try DatabaseQueue(path: dir.file("s.sqlite").path)
        let approvedBy = try check.read { try String.fetchOne($0, sql: "SELECT approved_by FROM batch WHERE id = 1") }
        #expect(approvedBy == nil)
    }
}
