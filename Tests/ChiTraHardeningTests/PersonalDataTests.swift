import ChiTraCore
import ChiTraStore
import GRDB
import ChiTraTestSupport
import Foundation
import Testing

/// Runs the monthly cycle through the command line and looks for any full personal ID or
/// account number of the roll in what the commands print (stdout and stderr).
@Suite(.serialized) struct PersonalDataTests {
    /// Values of `column` in a roll CSV with a header row (no quoted commas in these columns).
    func column(_ name: String, in url: URL) throws -> Set<String> {
        let reader = try CSVReader(url: url)
        let col = try #require(RollColumn(rawValue: name))
        guard let header = try reader.next(),
              let i = header.fields.firstIndex(where: { $0 == name || $0 == col.vietnameseHeader }) else { return [] }
        var out: Set<String> = []
        while let r = try reader.next() {
            guard r.fields.count > i else { continue }
            let v = r.fields[i].trimmingCharacters(in: .whitespaces)
            if v.count >= 8 { out.insert(v) }
        }
        return out
    }

    @Test(.enabled(if: chitraBinary != nil, "needs the chitra executable"))
    func noFullPersonalIDOrAccountInCommandOutput() throws {
        let dir = try TempDir()
        var printed = ""
        func run(_ args: [String], as login: String? = nil, mustSucceed: Bool = true) throws {
            let r = try ChitraRun.run(args, in: dir.url, as: login)
            printed += "\n" + r.text   // not the command line: it holds what the officer typed
            if mustSucceed { try #require(r.status == 0, "\(args): \(r.text)") }
        }
        try ChitraRun.setUpStore(in: dir.url)
        try run(["keys", "create", "--id", "k-pii-1"], as: ChitraRun.admin)
        try run(["fixtures", "generate", "--size", "400", "--seed", "21", "--as-of", "2026-11", "--broken", "25", "--out", "roll.csv"])
        try FileManager.default.copyItem(at: Paths.fixtures.appendingPathComponent("rules/broken-roll.csv"), to: dir.file("broken.csv"))
        try run(["roll", "import", "roll.csv"], as: "an.nguyen")
        try run(["roll", "import", "broken.csv"], as: "an.nguyen")
        try run(["batch", "build", "--period", "2026-12"], as: "an.nguyen")
        try run(["batch", "approve", "1"], as: "binh.tran")
        try run(["batch", "export", "1", "--out", "out"], as: "an.nguyen")
        try run(["batch", "show", "1"], as: "binh.tran")
        let payouts = try FileManager.default.contentsOfDirectory(atPath: dir.file("out").path).filter { $0.hasPrefix("CT") && !$0.hasSuffix(".sig") }
        for (i, f) in payouts.sorted().enumerated() {
            let ret = f.hasSuffix(".xml") ? "ret-\(i).xml" : "ret-\(i).csv"
            try run(["simulate", "out/\(f)", "--out", ret, "--fail-rate", "0.2", "--seed", "5", "--payment-date", "2026-12-05"])
            try run(["returns", "import", ret], as: "cuc.le")
        }
        try run(["batch", "reconcile", "1", "--csv", "doi-chieu.csv"], as: "cuc.le", mustSucceed: false)
        try run(["report", "payment-list", "1", "--csv", "danh-sach.csv"], as: "ha.le")
        try run(["report", "periodic", "--period", "2026-12", "--csv", "bao-cao.csv"], as: "ha.le")
        try run(["gaps", "--as-of", "2026-11-23", "--csv", "gaps.csv", "--html", "gaps-html"], as: "ha.le", mustSucceed: false)
        try run(["backup", "--out", "backup.sqlite"], as: ChitraRun.admin)
        try run(["exceptions", "list", "--all"], as: "cuc.le", mustSucceed: false)
        try run(["gaps", "--as-of", "2026-11-23"], as: "ha.le", mustSucceed: false)
        try run(["audit", "show", "--last", "100"], as: "binh.tran")
        try run(["audit", "verify"])
        let code = try #require(try column("code", in: dir.file("roll.csv")).sorted().first)
        try run(["explain", code, "--period", "2026-12"], as: "ha.le", mustSucceed: false)
        try run(["beneficiary", "set-account", code, "--channel", "bank", "--bin", "970405", "--account", "12345678901234", "--account-name", "X"], as: "ha.le", mustSucceed: false)

        // On request, the full ID is shown, and the request is in the audit log.
        let shown = try ChitraRun.run(["explain", code, "--period", "2026-12", "--show-personal-data"], in: dir.url, as: "ha.le")
        #expect(shown.status == 0, "\(shown.text)")
        let db = try AppDatabase(path: dir.file("s.sqlite").path, auditKeyDirectory: dir.file("keys"))
        let logged = try db.writer.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM audit_log WHERE action = 'personal-data.show' AND entity_id = ?", arguments: [code]) }
        #expect(logged == 1)
        #expect(try db.verifyAuditChain().ok)

        var secrets = try column("personal_id", in: dir.file("roll.csv"))
        secrets.formUnion(try column("account_no", in: dir.file("roll.csv")))
        secrets.formUnion(try column("proxy_id", in: dir.file("roll.csv")))
        secrets.formUnion(try column("personal_id", in: dir.file("broken.csv")))
        secrets.formUnion(try column("account_no", in: dir.file("broken.csv")))
        secrets.insert("12345678901234")
        #expect(secrets.count > 300)
        let leaks = secrets.filter { printed.contains($0) }
        // Every file a command wrote holds personal data: mode 0600 (the generated test roll aside).
        let written = FileManager.default.enumerator(atPath: dir.url.path)!.compactMap { $0 as? String }
            .filter { !["roll.csv", "roll.csv.broken.json", "broken.csv"].contains($0) && !$0.hasPrefix(".out-") && !$0.hasPrefix("keys") }
        var wide: [String] = []
        for f in written {
            var isDir: ObjCBool = false
            FileManager.default.fileExists(atPath: dir.file(f).path, isDirectory: &isDir)
            if !isDir.boolValue && fileMode(dir.file(f).path) & 0o077 != 0 { wide.append("\(f) \(String(fileMode(dir.file(f).path), radix: 8))") }
        }
        #expect(wide.isEmpty, "files readable by others: \(wide.sorted())")
        var context = ""
        if let first = leaks.first, let range = printed.range(of: first) {
            let start = printed.index(range.lowerBound, offsetBy: -100, limitedBy: printed.startIndex) ?? printed.startIndex
            context = String(printed[start..<range.lowerBound])
        }
        #expect(leaks.isEmpty, "\(leaks.count) full personal IDs or account numbers printed; the first after: \(context)")

        // No password and no password hash in anything printed, in the audit log or in any history row,
        // nor in any file written but the store and its backup (which hold the hashes).
        let passwords = ([ChitraRun.admin] + ChitraRun.accounts.map(\.login)).map(ChitraRun.password)
        let hashes = try db.writer.read { try String.fetchAll($0, sql: "SELECT password_hash FROM app_user WHERE password_hash IS NOT NULL") }
        #expect(hashes.count == 5 && hashes.allSatisfy { $0.hasPrefix("scrypt$15$8$1$") })
        let history = try db.writer.read { d in
            try String.fetchAll(d, sql: "SELECT at || actor || action || entity || entity_id || detail || ifnull(role, '') FROM audit_log")
            + String.fetchAll(d, sql: "SELECT ifnull(old_value, '') || ifnull(new_value, '') || changed_by FROM roll_change")
            + String.fetchAll(d, sql: "SELECT note || recorded_by FROM gap_case_event")
        }.joined(separator: "\n")
        var files = ""
        for f in written where !f.hasSuffix(".sqlite") && !f.contains(".sqlite-") {
            if let data = FileManager.default.contents(atPath: dir.file(f).path) { files += String(decoding: data, as: UTF8.self) }
        }
        for secret in passwords + hashes + hashes.map { String($0.split(separator: "$").last!) } {
            #expect(!printed.contains(secret), "a password or hash was printed")
            #expect(!history.contains(secret), "a password or hash is in the audit log or history")
            #expect(!files.contains(secret), "a password or hash is in a file written")
        }
        #expect(!printed.contains("scrypt$") && !history.contains("scrypt$") && !files.contains("scrypt$"))
    }
}
