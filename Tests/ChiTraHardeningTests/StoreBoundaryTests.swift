import Foundation
import Testing

/// Issue 16: ChiTraStore is the one place that speaks SQL. Every other module reaches the store
/// through typed operations named for what they do; a query written anywhere else (a `sql:`
/// argument, a SQL keyword in a string, a GRDB row or statement API, the SQLite C API) fails here,
/// naming the file and line, so the boundary cannot erode unnoticed.
@Suite struct StoreBoundaryTests {
    static let sources = Paths.packageRoot.appendingPathComponent("Sources")

    /// Swift files of every target but ChiTraStore, with their lines (comments blanked out).
    static func codeLines() throws -> [(file: String, line: Int, text: String)] {
        var out: [(String, Int, String)] = []
        let fm = FileManager.default
        for target in try fm.contentsOfDirectory(atPath: sources.path).sorted() where target != "ChiTraStore" {
            guard let walker = fm.enumerator(atPath: sources.appendingPathComponent(target).path) else { continue }
            for case let path as String in walker where path.hasSuffix(".swift") {
                let url = sources.appendingPathComponent(target).appendingPathComponent(path)
                let text = try String(contentsOf: url, encoding: .utf8)
                for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                    let line = raw.trimmingCharacters(in: .whitespaces)
                    if line.hasPrefix("//") || line.hasPrefix("*") || line.hasPrefix("/*") { continue }
                    out.append(("\(target)/\(path)", i + 1, String(raw)))
                }
            }
        }
        return out
    }

    /// What speaks SQL: the pattern and what it is.
    static let forbidden: [(pattern: String, what: String)] = [
        (#"\bsql:"#, "a SQL argument"),
        (#"\"[^\"]*\b(SELECT|INSERT INTO|UPDATE|DELETE FROM|CREATE (TABLE|INDEX|TRIGGER)|ALTER TABLE|PRAGMA)\b"#, "SQL in a string"),
        (#"\bsqlite3_[a-z_]+\s*\("#, "the SQLite C API"),
        (#"\bRawSQL\b"#, "the store's raw statement helper"),
        (#"\bRow\.fetch|\bGRDB\.Row\b"#, "a GRDB row"),
        (#"\.fetch(One|All|Cursor|Set|Count)\s*\("#, "a GRDB fetch"),
        (#"\b(makeStatement|cachedStatement|makeUpdateStatement|makeSelectStatement)\s*\("#, "a prepared statement"),
        (#"\bimport\s+GRDBSQLite\b"#, "the SQLite C module"),
    ]

    @Test("No module but ChiTraStore holds SQL, GRDB rows or statements, or calls the SQLite C API")
    func noSQLOutsideTheStore() throws {
        let lines = try Self.codeLines()
        #expect(lines.count > 10_000, "the sources were not found at \(Self.sources.path)")
        let regexes = try Self.forbidden.map { (try NSRegularExpression(pattern: $0.pattern), $0.what) }
        var found: [String] = []
        for l in lines {
            let range = NSRange(l.text.startIndex..., in: l.text)
            if let (_, what) = regexes.first(where: { $0.0.firstMatch(in: l.text, range: range) != nil }) {
                found.append("Sources/\(l.file):\(l.line): \(what): \(l.text.trimmingCharacters(in: .whitespaces))")
            }
        }
        #expect(found.count == 0, "SQL outside ChiTraStore (move it behind a typed store operation):\n\(found.prefix(40).joined(separator: "\n"))")
    }

    @Test("The checker itself catches a query: a line with SQL and a sqlite3 call are flagged, a comment is not")
    func theCheckBites() throws {
        let regexes = try Self.forbidden.map { try NSRegularExpression(pattern: $0.pattern) }
        func flagged(_ s: String) -> Bool { regexes.contains { $0.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) != nil } }
        #expect(flagged(#"try db.execute(sql: "UPDATE batch SET status = 'approved'")"#))
        #expect(flagged(#"let q = "SELECT count(*) FROM payout_line""#))
        #expect(flagged("let rc = sqlite3_step(st)"))
        #expect(flagged("let n = try Int.fetchOne(db, request)"))
        #expect(!flagged(#"throw MessageError("batch.approve.not_draft", ["status": .text(status)])"#))
        #expect(!flagged("let selected = rows.filter { $0.updated }"))
    }

    /// A statement that writes the `beneficiary` table itself (not `beneficiary_flag` and the like).
    static let beneficiaryWrite = try! NSRegularExpression(pattern: #"\b(UPDATE|INSERT\s+(OR\s+\w+\s+)?INTO|REPLACE\s+INTO|DELETE\s+FROM)\s+beneficiary\b"#,
                                                          options: [.caseInsensitive])

    @Test("Every change to a person's row is in Beneficiaries.swift; the payment seal alone writes its MAC column elsewhere")
    func beneficiaryWritesInOnePlace() throws {
        let store = Self.sources.appendingPathComponent("ChiTraStore")
        let fm = FileManager.default
        var found: [String] = []
        var inBeneficiaries = 0
        for case let path as String in fm.enumerator(atPath: store.path)! where path.hasSuffix(".swift") {
            let text = try String(contentsOf: store.appendingPathComponent(path), encoding: .utf8)
            for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let l = String(line)
                guard Self.beneficiaryWrite.firstMatch(in: l, range: NSRange(l.startIndex..., in: l)) != nil else { continue }
                if path == "Beneficiaries/Beneficiaries.swift" { inBeneficiaries += 1; continue }
                if path == "Seals/PaymentMAC.swift", l.contains("UPDATE beneficiary SET payment_mac = ") { continue }
                found.append("Sources/ChiTraStore/\(path):\(i + 1): \(l.trimmingCharacters(in: .whitespaces))")
            }
        }
        #expect(inBeneficiaries >= 4, "Beneficiaries.swift was not read (\(inBeneficiaries) writes found)")
        #expect(found.isEmpty, "a write to `beneficiary` outside Beneficiaries.swift (make it an operation there):\n\(found.joined(separator: "\n"))")
    }

    @Test("The beneficiary-write check bites: an update, an insert and an INSERT OR REPLACE are caught; the flag table is not")
    func beneficiaryCheckBites() {
        func caught(_ s: String) -> Bool { Self.beneficiaryWrite.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) != nil }
        #expect(caught(#"try db.execute(sql: "UPDATE beneficiary SET account_no = ? WHERE code = ?")"#))
        #expect(caught(#""INSERT OR REPLACE INTO beneficiary(code) VALUES (?)""#))
        #expect(caught(#""update beneficiary as b set status = 'active'""#))
        #expect(!caught(#""INSERT OR IGNORE INTO beneficiary_flag(beneficiary_code) VALUES (?)""#))
        #expect(!caught(#""SELECT account_flag FROM beneficiary WHERE code = ?""#))
    }

    @Test("Only ChiTraStore depends on the SQLite C module (GRDBSQLite) in Package.swift")
    func onlyTheStoreLinksSQLite() throws {
        let manifest = try String(contentsOf: Paths.packageRoot.appendingPathComponent("Package.swift"), encoding: .utf8)
        let targets = manifest.components(separatedBy: "Target(name: \"").dropFirst() + manifest.components(separatedBy: ".target(name: \"").dropFirst()
        var users: Set<String> = []
        for chunk in targets {
            let name = String(chunk.prefix { $0 != "\"" })
            let body = chunk.components(separatedBy: "arget(name:").first ?? chunk
            let code = body.split(separator: "\n").filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("//") }.joined(separator: "\n")
            if code.contains("\"GRDBSQLite\"") { users.insert(name) }
        }
        #expect(users == ["ChiTraStore"], "targets linking GRDBSQLite: \(users.sorted())")
    }
}
