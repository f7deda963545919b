import ChiTraCore
import ChiTraStore
import GRDB
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
        func run(_ args: [String], mustSucceed: Bool = true) throws {
            let r = try ChitraRun.run(args, in: dir.url)
            printed += "\n" + r.text   // not the command line: it holds what the officer typed
            if mustSucceed { try #require(r.status == 0, "\(args): \(r.text)") }
        }
        try run(["init"])
        try run(["keys", "create", "--id", "k-pii-1"])
        try run(["fixtures", "generate", "--size", "400", "--seed", "21", "--as-of", "2026-11", "--broken", "25", "--out", "roll.csv"])
        try FileManager.default.copyItem(at: Paths.fixtures.appendingPathComponent("rules/broken-roll.csv"), to: dir.file("broken.csv"))
        try run(["roll", "import", "roll.csv", "--by", "A"])
        try run(["roll", "import", "broken.csv", "--by", "A"])
        try run(["batch", "build", "--period", "2026-12", "--by", "A"])
        try run(["batch", "approve", "1", "--by", "B"])
        try run(["batch", "export", "1", "--out", "out", "--by", "A"])
        try run(["batch", "show", "1"])
        let payouts = try FileManager.default.contentsOfDirectory(atPath: dir.file("out").path).filter { $0.hasPrefix("CT") && !$0.hasSuffix(".sig") }
        for (i, f) in payouts.sorted().enumerated() {
            let ret = f.hasSuffix(".xml") ? "ret-\(i).xml" : "ret-\(i).csv"
            try run(["simulate", "out/\(f)", "--out", ret, "--fail-rate", "0.2", "--seed", "5", "--payment-date", "2026-12-05"])
            try run(["returns", "import", ret, "--by", "C"])
        }
        try run(["batch", "reconcile", "1", "--csv", "doi-chieu.csv"], mustSucceed: false)
        try run(["gaps", "--as-of", "2026-11-23", "--csv", "gaps.csv", "--html", "gaps-html"], mustSucceed: false)
        try run(["backup", "--out", "backup.sqlite"])
        try run(["exceptions", "list", "--all"], mustSucceed: false)
        try run(["gaps", "--as-of", "2026-11-23"], mustSucceed: false)
        try run(["audit", "show", "--last", "100"])
        try run(["audit", "verify"])
        let code = try #require(try column("code", in: dir.file("roll.csv")).sorted().first)
        try run(["explain", code, "--period", "2026-12"], mustSucceed: false)
        try run(["beneficiary", "set-account", code, "--channel", "bank", "--bin", "970405", "--account", "12345678901234", "--account-name", "X", "--by", "D"], mustSucceed: false)

        // On request, the full ID is shown, and the request is in the audit log.
        let shown = try ChitraRun.run(["explain", code, "--period", "2026-12", "--show-personal-data"], in: dir.url)
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
    }
}
