import ChiTraBatch
import ChiTraCore
import ChiTraSigning
import ChiTraStore
import ChiTraTestSupport
import Foundation
import GRDB
import Testing

/// The export streams each group from the store to its file; these tests hold it to the bytes
/// and errors of the writers building the same documents in memory.
@Suite("Export streaming")
struct ExportStreamingTests {
    /// The documents of a batch's groups built from the store through the public API, as the
    /// export always built them (the oracle the streamed files are compared with).
    static func documents(_ s: ExportSetup) throws -> [PayoutDocument] {
        let batch = try s.db.writer.read { try Row.fetchOne($0, sql: "SELECT * FROM batch WHERE id = ?", arguments: [s.batchID])! }
        let period = YearMonth(batch["period"] as String)!
        let createdAt = ISO8601DateFormatter().date(from: batch["approved_at"] as String)!
        let rows = try s.db.writer.read { db in
            try Row.fetchAll(db, sql: """
                SELECT l.*, b.full_name, b.personal_id, b.commune, b.village, b.address, b.phone
                FROM payout_line l JOIN beneficiary b ON b.code = l.beneficiary_code
                WHERE l.batch_id = ? ORDER BY l.group_key, l.reference
                """, arguments: [s.batchID])
        }
        var groups: [(String, [Row])] = []
        for r in rows {
            let key: String = r["group_key"]
            if groups.last?.0 == key { groups[groups.count - 1].1.append(r) } else { groups.append((key, [r])) }
        }
        return groups.map { key, rows in
            let lines = rows.map { r -> PayoutLine in
                let kind = EntitlementKind(rawValue: r["kind"])!
                let slot = EntitlementKind(rawValue: r["slot"])!
                let month = YearMonth(r["for_month"] as String)!
                let code: String = r["beneficiary_code"]
                let payee: String = r["payee_name"]
                let phone: String = r["phone"]
                let lineKind = PayoutLine.Kind(rawValue: kind.rawValue)!
                return PayoutLine(
                    reference: r["reference"], beneficiaryCode: code, beneficiaryName: r["full_name"], payeeName: payee,
                    payeeNameASCII: VietnameseText.bankForm((r["account_name"] as String?) ?? payee), proxyRelation: r["payee_relation"],
                    personalIDMasked: PersonalID.masked(r["personal_id"]), channel: PayoutLine.Channel(rawValue: r["channel"])!,
                    bankBIN: r["bank_bin"], accountNo: r["account_no"], amount: r["amount"], kind: lineKind, forMonth: month,
                    commune: r["commune"], village: r["village"], address: r["address"], phone: phone.isEmpty ? nil : phone,
                    remittance: RemittanceText.make(kind: kind, slot: slot, forMonth: month, code: code))
            }
            let bin = key.hasPrefix("BANK-") ? String(key.dropFirst(5)) : Fixture.payer.bankBIN
            let institution = key.hasPrefix("BANK-")
                ? Institution(kind: .bank, code: String(key.dropFirst(5)), name: Fixture.banks.bank(String(key.dropFirst(5)))?.name ?? "")
                : Institution(kind: .postOffice, code: key, name: "\(Fixture.payer.postOfficeName) \(lines[0].commune)")
            return PayoutDocument(
                messageID: BatchExporter.messageID(period: period, batchID: s.batchID, groupKey: key), createdAt: createdAt,
                period: period, executionDate: CivilDate(year: period.year, month: period.month, day: min(max(Fixture.payer.executionDay, 1), 28))!,
                debtor: Debtor(name: Fixture.payer.name, accountNo: Fixture.payer.account(atBank: bin)!.accountNo, bankBIN: bin,
                               taxOrUnitCode: Fixture.payer.unitCode),
                institution: institution, lines: lines, interbank: bin == Fixture.payer.bankBIN && key.hasPrefix("BANK-"))
        }
    }

    @Test("Every streamed file has the bytes its writer makes from the same lines in memory, and its .sig and manifest entry")
    func sameBytesAsInMemory() throws {
        let s = try ExportSetup()
        let formats = try PayoutFormats.load(from: Fixture.formats.appendingPathComponent("payout-formats.json"))
        let summary = try s.exporter.export(batchID: s.batchID, to: s.out, by: try s.db.actor(.maker))
        let docs = try Self.documents(s)
        #expect(docs.count == summary.files.count)
        let manifest = try Manifest.decode(Data(contentsOf: s.out.appendingPathComponent("manifest.json")))
        for (doc, file) in zip(docs, summary.files) {
            let expected = try formats.writer(for: doc.institution).write(doc)
            let url = s.out.appendingPathComponent(file.name)
            #expect(try Data(contentsOf: url) == expected.data, "\(file.name)")
            #expect(file.lineCount == doc.lines.count)
            let entry = try #require(manifest.files.first { $0.name == file.name })
            #expect(entry.bytes == UInt64(expected.data.count))
            #expect(entry.sha256 == FileDigest.sha256Hex(expected.data))
            #expect(try DetachedSignature.read(from: DetachedSignature.signatureURL(for: url)).sha256 == entry.sha256)
        }
    }

    @Test("A line the stream cannot vouch for gets the writer's own refusal, and its group no file")
    func declinedGroupKeepsTheWritersError() throws {
        let s = try ExportSetup(approve: false)
        // A control character in a bank account name (the roll refuses it; a hand-edited store might not).
        try s.db.writer.write { db in
            try db.execute(sql: "UPDATE payout_line SET account_name = 'TRAN THI' || char(1) || 'MAI' WHERE batch_id = ? AND group_key = 'BANK-970405' AND account_name = 'TRAN THI MAI'",
                           arguments: [s.batchID])
        }
        try BatchLifecycle(db: s.db).approve(batchID: s.batchID, by: try s.db.actor(.checker))
        #expect {
            try s.exporter.export(batchID: s.batchID, to: s.out, by: try s.db.actor(.maker))
        } throws: { error in
            guard case .invalidField(let field, .line, .controlCharacter(1))? = error as? PayoutWriteError else { return false }
            return field == "payeeNameASCII"
        }
        #expect(!FileManager.default.fileExists(atPath: s.out.appendingPathComponent("CT202612-B000001-970405.csv").path))
        #expect(try FileManager.default.contentsOfDirectory(atPath: s.out.path).filter { $0.contains(".tmp-") }.isEmpty)
    }
}

extension ExportStreamingTests {
    @Test("A batch whose amounts the store cannot add up is written group by group from its lines: the writer refuses the first bad line, and no file is left")
    func unsummableAmountsGetTheWritersRefusal() throws {
        let s = try ExportSetup(approve: false)
        // Every line 5 × 10¹⁸ đồng (a hand-edited store): SQLite's sum of any two overflows.
        try s.db.writer.write { db in
            try db.execute(sql: "UPDATE payout_line SET amount = 5000000000000000000 WHERE batch_id = ?", arguments: [s.batchID])
        }
        try BatchLifecycle(db: s.db).approve(batchID: s.batchID, by: try s.db.actor(.checker))
        #expect {
            try s.exporter.export(batchID: s.batchID, to: s.out, by: try s.db.actor(.maker))
        } throws: { error in
            guard case .amountTooLarge(.line(1, _))? = error as? PayoutWriteError else { return false }
            return true
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: s.out.path).filter { $0.hasSuffix(".csv") || $0.hasSuffix(".xml") || $0.contains(".tmp-") }.isEmpty)
    }
}
