import ChiTraTestSupport
import Foundation
import GRDB
import Testing
@testable import ChiTraStore

/// Two `chitra` processes on the same store at once: both finish (the second waits on the busy
/// timeout: write transactions are IMMEDIATE), nothing is lost, the store stays whole.
@Suite(.serialized) struct ConcurrencyTests {
    func prepared(size: Int = 800) throws -> TempDir {
        let dir = try TempDir()
        try ChitraRun.setUpStore(in: dir.url)
        let key = try ChitraRun.run(["keys", "create", "--id", "k-conc-1"], in: dir.url, as: ChitraRun.admin)
        try #require(key.status == 0, "\(key.text)")
        for args in [["fixtures", "generate", "--size", "\(size)", "--seed", "11", "--as-of", "2026-11", "--out", "roll-a.csv"],
                     ["fixtures", "generate", "--size", "\(size)", "--seed", "12", "--as-of", "2026-11", "--out", "roll-b.csv"]] {
            let r = try ChitraRun.run(args, in: dir.url)
            try #require(r.status == 0, "\(args): \(r.text)")
        }
        return dir
    }

    func store(_ dir: TempDir) throws -> AppDatabase {
        try AppDatabase(path: dir.file("s.sqlite").path, auditKeyDirectory: dir.file("keys"))
    }

    func checkWhole(_ db: AppDatabase) throws {
        let integrity = try db.writer.read { try String.fetchOne($0, sql: "PRAGMA integrity_check") }
        #expect(integrity == "ok")
        let chain = try db.verifyAuditChain()
        #expect(chain.ok, "\(chain.message)")
    }

    @Test(.enabled(if: chitraBinary != nil, "needs the chitra executable"))
    func twoRollImportsAtOnce() throws {
        let dir = try prepared()
        let a = try ChitraRun(["roll", "import", "roll-a.csv"], in: dir.url, as: "an.nguyen")
        let b = try ChitraRun(["roll", "import", "roll-b.csv"], in: dir.url, as: "an.nguyen")
        let (ra, rb) = (a.finish(), b.finish())
        #expect(ra.status == 0, "\(ra.text)")
        #expect(rb.status == 0, "\(rb.text)")
        let db = try store(dir)
        let files = try db.writer.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM import_file WHERE kind = 'roll'") }
        let audits = try db.writer.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM audit_log WHERE action = 'roll.import'") }
        #expect(files == 2 && audits == 2)
        try checkWhole(db)
    }

    @Test(.enabled(if: chitraBinary != nil, "needs the chitra executable"))
    func theSameRollTwiceAtOnceAppliesOnce() throws {
        let dir = try prepared()
        let a = try ChitraRun(["roll", "import", "roll-a.csv"], in: dir.url, as: "an.nguyen")
        let b = try ChitraRun(["roll", "import", "roll-a.csv"], in: dir.url, as: "an.nguyen")
        let (ra, rb) = (a.finish(), b.finish())
        let db = try store(dir)
        let files = try db.writer.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM import_file WHERE kind = 'roll'") }
        #expect(files == 1)
        // Both succeed (the second finds the file already imported) or one is refused in a sentence.
        for r in [ra, rb] where r.status != 0 {
            #expect(r.text.contains("busy") || r.text.contains("already imported") || r.text.contains("đang bận") || r.text.contains("nhập cùng lúc") || r.text.contains("đã được nhập lúc"), "\(r.text)")
            #expect(!r.text.contains("SQLite error"), "\(r.text)")
        }
        #expect(ra.status == 0 || rb.status == 0)
        try checkWhole(db)
    }

    @Test(.enabled(if: chitraBinary != nil, "needs the chitra executable"))
    func returnsImportWhileTheNextBatchBuilds() throws {
        let dir = try prepared()
        for (args, login) in [(["roll", "import", "roll-a.csv"], "an.nguyen"), (["batch", "build", "--period", "2026-12"], "an.nguyen"),
                              (["batch", "approve", "1"], "binh.tran"), (["batch", "export", "1", "--out", "out"], "an.nguyen")] {
            let r = try ChitraRun.run(args, in: dir.url, as: login)
            try #require(r.status == 0, "\(args): \(r.text)")
        }
        let payouts = try FileManager.default.contentsOfDirectory(atPath: dir.file("out").path)
            .filter { $0.hasPrefix("CT") && !$0.hasSuffix(".sig") }.sorted()
        var returns: [String] = []
        for (i, f) in payouts.enumerated() {
            let ret = f.hasSuffix(".xml") ? "ret-\(i).xml" : "ret-\(i).csv"
            let r = try ChitraRun.run(["simulate", "out/\(f)", "--out", ret, "--fail-rate", "0.1", "--seed", "3", "--payment-date", "2026-12-05"], in: dir.url)
            try #require(r.status == 0, "\(r.text)")
            returns.append(ret)
        }
        // The same return file twice at once: applied once; the other run says so in a sentence.
        let twice = [try ChitraRun(["returns", "import", returns[0]], in: dir.url, as: "cuc.le"),
                     try ChitraRun(["returns", "import", returns[0]], in: dir.url, as: "cuc.le")].map { $0.finish() }
        #expect(twice.contains { $0.status == 0 }, "\(twice.map(\.text))")
        for r in twice where r.status != 0 {
            #expect(r.text.contains("busy") || r.text.contains("already imported") || r.text.contains("đang bận") || r.text.contains("nhập cùng lúc") || r.text.contains("đã được nhập lúc"), "\(r.text)")
            #expect(!r.text.contains("SQLite error"), "\(r.text)")
        }
        let build = try ChitraRun(["batch", "build", "--period", "2027-01", "--as-of", "2026-12-20"], in: dir.url, as: "an.nguyen")
        var imports: [(status: Int32, text: String)] = []
        for ret in returns { imports.append(try ChitraRun.run(["returns", "import", ret], in: dir.url, as: "cuc.le")) }
        let rb = build.finish()
        #expect(rb.status == 0, "\(rb.text)")
        for r in imports { #expect(r.status == 0, "\(r.text)") }
        let db = try store(dir)
        let (files, applied, batches) = try db.writer.read { d in
            (try Int.fetchOne(d, sql: "SELECT count(*) FROM import_file WHERE kind = 'return'"),
             try Int.fetchOne(d, sql: "SELECT count(*) FROM payout_line WHERE batch_id = 1 AND state IN ('paid','failed','pending')"),
             try Int.fetchOne(d, sql: "SELECT count(*) FROM batch WHERE period = '2027-01'"))
        }
        #expect(files == returns.count)
        #expect(applied == (try db.writer.read { try Int.fetchOne($0, sql: "SELECT line_count FROM batch WHERE id = 1") }))
        #expect(batches == 1)
        try checkWhole(db)
    }
}
