import ChiTraBatch
import ChiTraCore
import ChiTraSigning
import ChiTraStore
import ChiTraTestSupport
import Foundation
import GRDB
import Testing

/// The payer's side of pain.001: each bank's file debits the commune's account at that bank, or
/// one file to the commune's own bank carries interbank credits (payer.json `bankFiles`).
///
/// Figures from the rules roll (fixtures/rules) and formats/tariff.json, December 2026, standard
/// level 500,000: the batch is 14,750,000 đồng (BatchExportTests), of which the post office
/// 1,000,000; VietinBank (970415) holds one account, R03 Lê Văn Hùng, severe disability aged 45:
/// 1.5 × 500,000 = 750,000; BIDV (970418) holds R07 Đặng Thị Thu, severe disability aged 36
/// (1.5 × 500,000 = 750,000) plus single parent of 2 (2 × 1.0 × 500,000 = 1,000,000), both paid
/// (Art. 6.2): 1,750,000. So the banks carry 14,750,000 − 1,000,000 = 13,750,000, Agribank
/// 13,750,000 − 750,000 − 1,750,000 = 11,250,000.
@Suite("Payer accounts per institution")
struct PayerAccountsTests {
    static let canValidate = FileManager.default.fileExists(atPath: sharedXSD.path) && xmllintPath != nil

    /// An approved December batch built and exported with `payer`.
    struct Setup {
        let db: AppDatabase
        let keys: KeyStore
        let out: URL
        let batchID: Int64
        let exporter: BatchExporter

        init(payer: Payer, exportPayer: Payer? = nil) throws {
            db = try Fixture.rulesStore()
            let dir = try Fixture.tempDir()
            keys = KeyStore(directory: dir.appendingPathComponent("keys"))
            _ = try keys.create(id: "k-test-1")
            out = dir.appendingPathComponent("out")
            var builder = BatchBuilder(db: db, tariff: Fixture.tariff, banks: Fixture.banks, payer: payer)
            builder.today = Fixture.buildMonth
            batchID = try builder.build(period: YearMonth("2026-12")!, by: try db.actor(.maker)).id
            try BatchLifecycle(db: db).approve(batchID: batchID, by: try db.actor(.checker))
            exporter = BatchExporter(db: db, payer: exportPayer ?? payer, banks: Fixture.banks,
                                     formats: try PayoutFormats.load(from: Fixture.formats.appendingPathComponent("payout-formats.json")), keys: keys)
        }

        func export() throws -> ExportSummary { try exporter.export(batchID: batchID, to: out, by: try db.actor(.maker)) }

        func text(_ name: String) throws -> String { try String(contentsOf: out.appendingPathComponent(name), encoding: .utf8) }

        func groups() throws -> [String: (count: Int, sum: Int64)] {
            try db.writer.read { db in
                var out: [String: (Int, Int64)] = [:]
                for r in try Row.fetchAll(db, sql: "SELECT group_key, count(*), sum(amount) FROM payout_line WHERE batch_id = ? GROUP BY group_key", arguments: [batchID]) {
                    out[r[0]] = (r[1], r[2])
                }
                return out
            }
        }
    }

    /// The shipped payer with another bank-file setting, own bank and accounts.
    static func payer(_ files: Payer.BankFiles = .perBank, ownBank: String? = nil, dropping: Set<String> = []) -> Payer {
        var p = Fixture.payer
        p.bankFiles = files
        if let ownBank { p.bankBIN = ownBank }
        p.accounts.removeAll { $0.kind == .bank && dropping.contains($0.bin ?? "") }
        return p
    }

    /// The `<MmbId>` values in a file, in order (debtor agent first).
    static func memberIDs(_ xml: String) -> [String] {
        xml.components(separatedBy: "<MmbId>").dropFirst().map { String($0.prefix { $0 != "<" }) }
    }

    @Test("Per bank: the VietinBank file debits the commune's VietinBank account at VietinBank, names the clearing system, charges DEBT, purpose SSBE")
    func perBankVietinBank() throws {
        let s = try Setup(payer: Fixture.payer)
        let e = try s.export()
        let xml = try s.text("CT202612-B000001-970415.xml")
        #expect(xml.contains("<DbtrAcct>\n    <Id>\n     <Othr>\n      <Id>118000456789</Id>"))   // payer.json: VietinBank account
        #expect(!xml.contains("3761201000888"))                                                 // not the Agribank one
        #expect(Self.memberIDs(xml) == ["970415", "970415"])                                    // debtor agent, R03's bank
        #expect(xml.components(separatedBy: "<ClrSysId>\n").count == 3)
        #expect(xml.contains("<Prtry>NAPAS</Prtry>"))
        #expect(xml.contains("<PmtTpInf>\n    <CtgyPurp>\n     <Cd>SSBE</Cd>\n    </CtgyPurp>\n   </PmtTpInf>"))
        #expect(xml.contains("   </DbtrAgt>\n   <ChrgBr>DEBT</ChrgBr>\n   <CdtTrfTxInf>"))
        #expect(xml.contains("<CtrlSum>750000</CtrlSum>"))
        #expect(xml.contains("<Ustrd>Trợ cấp hằng tháng 12/2026 R03</Ustrd>"))                  // Vietnamese in UTF-8
        #expect(e.files.first { $0.name.hasSuffix("970415.xml") }?.debitAccount == "118000456789")
    }

    @Test("Per bank: every pain.001 file (VietinBank, BIDV) validates against the official XSD",
          .enabled(if: canValidate, "needs ../shared/iso20022 and xmllint (libxml2-utils)"))
    func perBankValidates() throws {
        let s = try Setup(payer: Fixture.payer)
        let e = try s.export()
        #expect(e.files.filter { $0.name.hasSuffix(".xml") }.map(\.name) == ["CT202612-B000001-970415.xml", "CT202612-B000001-970418.xml"])
        for name in e.files.map(\.name) where name.hasSuffix(".xml") {
            let r = try run(xmllintPath!, ["--noout", "--schema", sharedXSD.path, s.out.appendingPathComponent(name).path])
            #expect(r.status == 0, "\(name): \(r.output)")
        }
    }

    @Test("Per bank: each institution's money is listed to move from the State Treasury account into the account its file debits")
    func funding() throws {
        let s = try Setup(payer: Fixture.payer)
        let e = try s.export()
        #expect(e.treasuryAccount == "9523.2.1234567")
        let byAccount = Dictionary(uniqueKeysWithValues: e.funding.map { ($0.account ?? "", $0.amount) })
        #expect(byAccount == ["3761201000888": 11_250_000, "118000456789": 750_000, "56110000123456": 1_750_000, "BDHT-0001234": 1_000_000])
        #expect(e.funding.map(\.amount).reduce(0, +) == 14_750_000)
    }

    @Test("Single file: every bank payment goes to the commune's own bank, with each creditor's BIN; the file validates against the XSD",
          .enabled(if: canValidate, "needs ../shared/iso20022 and xmllint (libxml2-utils)"))
    func singleFile() throws {
        // BIDV as the own bank: its files are pain.001 (Agribank's are CSV).
        let s = try Setup(payer: Self.payer(.singleFile, ownBank: "970418"))
        let groups = try s.groups()
        #expect(groups.keys.sorted().filter { $0.hasPrefix("BANK-") } == ["BANK-970418"])
        #expect(groups["BANK-970418"]?.sum == 13_750_000)
        let e = try s.export()
        #expect(e.files.filter { $0.name.hasSuffix(".xml") }.map(\.name) == ["CT202612-B000001-970418.xml"])
        let xml = try s.text("CT202612-B000001-970418.xml")
        #expect(xml.contains("<CtrlSum>13750000</CtrlSum>"))
        #expect(xml.contains("<Id>56110000123456</Id>\n     </Othr>\n    </Id>\n   </DbtrAcct>"))   // BIDV account
        let ids = Self.memberIDs(xml)
        #expect(ids.first == "970418")                                                              // debtor agent
        // Every creditor agent is the BIN of the line's account, in reference order.
        let bins = try s.db.writer.read {
            try String.fetchAll($0, sql: "SELECT bank_bin FROM payout_line WHERE batch_id = ? AND channel = 'bank' ORDER BY reference", arguments: [s.batchID])
        }
        #expect(Array(ids.dropFirst()) == bins)
        #expect(Set(bins) == ["970405", "970415", "970418"])
        #expect(xml.components(separatedBy: "<ClrSysId>\n").count == ids.count + 1)   // the clearing system on every agent
        let r = try run(xmllintPath!, ["--noout", "--schema", sharedXSD.path, s.out.appendingPathComponent("CT202612-B000001-970418.xml").path])
        #expect(r.status == 0, "\(r.output)")
    }

    @Test("Per bank: a bank where the commune holds no account is paid through the own bank's file (Agribank's CSV carries the BIN)")
    func bankWithoutAccountGoesThroughOwnBank() throws {
        let s = try Setup(payer: Self.payer(dropping: ["970415"]))
        let groups = try s.groups()
        #expect(groups["BANK-970415"] == nil)
        let agribank = try #require(groups["BANK-970405"])
        #expect(agribank.sum == 12_000_000)   // 11,250,000 + R03's 750,000
        _ = try s.export()
        let agri = try s.text("CT202612-B000001-970405.csv")
        #expect(agri.contains(",101000103,970415,LE VAN HUNG,750000,VND,Tro cap hang thang 12/2026 R03\r\n"))
        #expect(!FileManager.default.fileExists(atPath: s.out.appendingPathComponent("CT202612-B000001-970415.xml").path))
    }

    @Test("An account removed from payer.json after the build stops the export, naming the bank; nothing is written")
    func missingAccountRefused() throws {
        let s = try Setup(payer: Fixture.payer, exportPayer: Self.payer(dropping: ["970415"]))
        #expect { try s.export() } throws: { "\($0)".contains("VietinBank (970415)") && "\($0)".contains("chưa ghi tệp nào") }
        let written = (try? FileManager.default.contentsOfDirectory(atPath: s.out.path)) ?? []
        #expect(written.isEmpty)
        #expect(try BatchReport.load(s.db, batchID: s.batchID).status == .approved)
    }

    @Test("A file to another bank refuses a foreign BIN; the own bank's interbank file takes it")
    func interbankOnlyAtOwnBank() throws {
        var doc = Sample.threeLineBankDocument()
        doc.lines[1].bankBIN = "970415"
        #expect(throws: PayoutWriteError.self) { try Pain001Writer().write(doc) }
        doc.interbank = true
        let xml = Sample.text(try Pain001Writer().write(doc))
        #expect(Self.memberIDs(xml) == ["970418", "970436", "970415", "970436"])
    }
}

@Suite("payer.json")
struct PayerFileTests {
    private func load(_ json: String) throws -> Payer {
        let url = try Fixture.tempDir().appendingPathComponent("payer.json")
        try Data(json.utf8).write(to: url)
        return try Payer.load(from: url)
    }

    private static let head = "\"name\": \"UBND X\", \"nameVi\": \"UBND xã X\", \"unitCode\": \"QHNS-1\", \"postOfficeName\": \"Bưu điện\", \"executionDay\": 5"

    @Test("The shipped file: own bank Agribank, per-bank files, five banks, the post office and the treasury, fees as data")
    func shipped() throws {
        let p = Fixture.payer
        #expect(p.bankBIN == "970405")
        #expect(p.bankFiles == .perBank)
        #expect(p.account(atBank: "970415")?.accountNo == "118000456789")
        #expect(p.postOfficeAccount?.feePercent == FeeRate(percent: "1.5"))
        #expect(p.treasuryAccount?.accountNo == "9523.2.1234567")
        #expect(p.fileBank(forCreditorBIN: "970415") == "970415")
        #expect(p.fileBank(forCreditorBIN: "970407") == "970405")   // Techcombank: no account, through Agribank
    }

    @Test("The older form (one accountNo at bankBIN) still loads as the own bank's account")
    func olderForm() throws {
        let p = try load("{\(Self.head), \"bankBIN\": \"970405\", \"accountNo\": \"3761201000888\"}")
        #expect(p.accounts == [PayerAccount(kind: .bank, bin: "970405", accountNo: "3761201000888")])
        #expect(p.bankFiles == .perBank)
    }

    @Test("Mistakes are refused naming the key", arguments: [
        ("\"bankBIN\": \"97040\", \"accounts\": []", "bankBIN"),
        ("\"bankBIN\": \"970405\", \"accounts\": [{\"kind\": \"bank\", \"bin\": \"970415\", \"accountNo\": \"1\"}]", "no account at the commune's own bank"),
        ("\"bankBIN\": \"970405\", \"accounts\": [{\"kind\": \"bank\", \"bin\": \"970405\", \"accountNo\": \"1\"}, {\"kind\": \"bank\", \"bin\": \"970405\", \"accountNo\": \"2\"}]", "accounts[1].bin"),
        ("\"bankBIN\": \"970405\", \"accounts\": [{\"kind\": \"bank\", \"bin\": \"970405\", \"accountNo\": \"12-34\"}]", "accounts[0].accountNo"),
        ("\"bankBIN\": \"970405\", \"accounts\": [{\"kind\": \"bank\", \"bin\": \"970405\", \"accountNo\": \"1\", \"feePercent\": \"0.123456\"}]", "at most four decimals"),
        ("\"bankBIN\": \"970405\", \"accounts\": [{\"kind\": \"bank\", \"bin\": \"970405\", \"accountNo\": \"1\", \"feePercent\": 0.5}]", "feePercent"),
        ("\"bankBIN\": \"970405\", \"accounts\": [{\"kind\": \"bank\", \"bin\": \"970405\", \"accountNo\": \"1\"}, {\"kind\": \"treasury\", \"accountNo\": \"9523\", \"feePercent\": \"1\"}]", "accounts[1].feePercent"),
        ("\"bankBIN\": \"970405\", \"bankFiles\": \"perbank\", \"accounts\": [{\"kind\": \"bank\", \"bin\": \"970405\", \"accountNo\": \"1\"}]", "perbank"),
    ])
    func refused(body: String, named: String) throws {
        #expect { try load("{\(Self.head), \(body)}") } throws: { "\($0)".contains(named) }
    }
}
