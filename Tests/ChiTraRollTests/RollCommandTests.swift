import ChiTraCore
import ChiTraTestSupport
import Foundation
import GRDB
import Testing

@Suite("chitra roll import: exit status and summary")
struct RollCommandTests {
    @Test("Exit 0 when applied, unchanged or imported before; 2 when every line is rejected or the dates are month-first; changed accounts listed masked",
          .enabled(if: chitraBinary != nil, "needs the chitra executable"))
    func exitStatus() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("roll-cli-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        func write(_ name: String, _ text: String) throws { try Data(text.utf8).write(to: dir.appendingPathComponent(name)) }
        // Roll imports run as the maker an.nguyen (ChitraRun's accounts, password on standard input).
        func run(_ args: [String]) throws -> (status: Int32, text: String) { try ChitraRun.run(args, in: dir, as: "an.nguyen") }

        try ChitraRun.setUpStore(in: dir)
        let t01 = RollLine.csv([.code: "T01"])
        let t02 = RollLine.csv([.code: "T02", .personalID: "046050654322"])
        try write("good.csv", RollLine.file([t01, t02, ",,,,", ",,,,", ",,,,"]))
        let good = try run(["roll", "import", "good.csv"])
        #expect(good.status == 0, "\(good.text)")
        #expect(good.text.contains("good.csv: 2 dòng — áp dụng 2 dòng (2 người mới, 0 người thay đổi, ghi lịch sử 2 trường thay đổi), 0 dòng không đổi, 0 dòng bị từ chối; bỏ qua 3 dòng trống."))

        let again = try run(["roll", "import", "good.csv"])
        #expect(again.status == 0 && again.text.contains("đã được nhập lúc"), "\(again.text)")

        // Other bytes, the same lines: all unchanged.
        try write("good-crlf.csv", RollLine.file([t01, t02]).replacingOccurrences(of: "\n", with: "\r\n"))
        let unchanged = try run(["roll", "import", "good-crlf.csv"])
        #expect(unchanged.status == 0 && unchanged.text.contains("áp dụng 0 dòng") && unchanged.text.contains("2 dòng không đổi"), "\(unchanged.text)")

        // T01 moves to another account: listed by code, masked.
        try write("changed.csv", RollLine.file([RollLine.csv([.code: "T01", .accountNo: "4001205001234"]), t02]))
        let changed = try run(["roll", "import", "changed.csv"])
        #expect(changed.status == 0, "\(changed.text)")
        #expect(changed.text.contains("Tài khoản thay đổi (1)"))
        #expect(changed.text.contains("  T01: 970405 *********9001 → 970405 *********1234"))
        #expect(!changed.text.contains("4001205001234") && !changed.text.contains("4001205999001"))
        let json = try run(["roll", "import", "changed.csv", "--json"])   // already imported: no list
        #expect(json.status == 0)

        // Every line rejected: nothing applied, exit 2, in text and in JSON.
        try write("broken.csv", RollLine.file([RollLine.csv([.code: "X01", .bankBIN: "999999"]), RollLine.csv([.code: "X02", .sex: "X"])]))
        let broken = try run(["roll", "import", "broken.csv"])
        #expect(broken.status == 2, "\(broken.text)")
        #expect(broken.text.contains("broken.csv: 2 dòng, cả 2 dòng bị từ chối — không áp dụng gì."))
        let brokenJSON = try run(["roll", "import", "broken.csv", "--json"])
        #expect(brokenJSON.status == 2)
        #expect(brokenJSON.text.contains("\"nothingApplied\" : true"))

        // A month-first date: the file refused whole, exit 2, file, line and field named.
        try write("us.csv", RollLine.file([RollLine.csv([.code: "T03", .personalID: "046050654323", .decisionDate: "8/1/2025"]),
                                           RollLine.csv([.code: "T04", .personalID: "046050654324", .birthDate: "3/15/1950"])]))
        let us = try run(["roll", "import", "us.csv"])
        #expect(us.status == 2, "\(us.text)")
        #expect(us.text.contains("us.csv, dòng 3, cột \"Ngày sinh\" (birth_date) (giá trị \"3/15/1950\")"))
        #expect(us.text.contains("ngày tháng trong tệp được xuất theo kiểu tháng/ngày; hãy xuất lại với dạng DD/MM/YYYY"))
        let usJSON = try run(["roll", "import", "us.csv", "--json"])
        #expect(usJSON.status == 2 && usJSON.text.contains("\"nothingApplied\" : true") && usJSON.text.contains("\"refusal\" : \"us.csv, dòng 3"))
        // T03 (line 2, a D/M date) was not added: the store holds T01 and T02 only.
        let store = try DatabaseQueue(path: dir.appendingPathComponent("s.sqlite").path)
        #expect(try store.read { try String.fetchAll($0, sql: "SELECT code FROM beneficiary ORDER BY code") } == ["T01", "T02"])
    }
}
