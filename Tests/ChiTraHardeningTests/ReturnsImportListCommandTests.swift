import ChiTraTestSupport
import Foundation
import Testing

/// `chitra returns import A B C`: one transaction for the list, printed once committed, exactly
/// as one command per file printed it; the first refused file stops the command and the files
/// before it stay imported.
@Suite(.serialized) struct ReturnsImportListCommandTests {
    @Test("returns import of three files, the 2nd with a bad signature: the 1st is imported and reported, the command fails on the 2nd, the 3rd is not read; again without the 2nd: the 1st already imported, the 3rd imported",
          .enabled(if: chitraBinary != nil, "needs the chitra executable"))
    func refusedInTheMiddleOfAList() throws {
        let dir = try TempDir()
        let (maker, checker, clerk) = ("an.nguyen", "binh.tran", "cuc.le")
        func run(_ args: [String], as login: String? = nil) throws -> (status: Int32, text: String) { try ChitraRun.run(args, in: dir.url, as: login) }
        func ok(_ args: [String], as login: String? = nil) throws -> String {
            let r = try run(args, as: login)
            try #require(r.status == 0, "\(args): \(r.text)")
            return r.text
        }
        try FileManager.default.copyItem(at: Paths.fixtures.appendingPathComponent("rules/rules-roll.csv"), to: dir.file("roll.csv"))
        try ChitraRun.setUpStore(in: dir.url)
        _ = try run(["keys", "create", "--id", "k-list"], as: ChitraRun.admin)
        _ = try ok(["roll", "import", "roll.csv"], as: maker)
        _ = try ok(["batch", "build", "--period", "2026-12", "--as-of", "2026-11-28"], as: maker)
        _ = try ok(["batch", "approve", "1"], as: checker)
        _ = try ok(["batch", "export", "1", "--out", "out"], as: maker)
        _ = try ok(["simulate", "out", "--out", "ret", "--fail-rate", "0", "--payment-date", "2026-12-05"])
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.file("ret").path).filter { !$0.hasSuffix(".sig") }.sorted()
        try #require(names.count >= 3, "\(names)")
        let (a, b, c) = ("ret/" + names[0], "ret/" + names[1], "ret/" + names[2])
        var data = try Data(contentsOf: dir.file(b))
        data.append(contentsOf: Array("\n".utf8))   // after signing: the signature no longer verifies
        try data.write(to: dir.file(b))

        let refused = try run(["returns", "import", a, b, c, "--lang", "en"], as: clerk)
        #expect(refused.status != 0, "\(refused.text)")
        #expect(refused.text.contains("\(names[0]) [") && refused.text.contains(" 0 not paid, 0 pending, 0 unchanged; 0 exceptions, 0 malformed."), "\(refused.text)")
        #expect(refused.text.contains("The return was not imported; ask the sender for a correctly signed file."), "\(refused.text)")
        #expect(!refused.text.contains("\(names[2]) ["), "\(refused.text)")

        let again = try ok(["returns", "import", a, c, "--lang", "en"], as: clerk)
        #expect(again.contains("\(names[0]) was already imported on "), "\(again)")
        #expect(again.contains("\(names[2]) [") && again.contains(" 0 not paid, 0 pending, 0 unchanged; 0 exceptions, 0 malformed."), "\(again)")
    }
}
