import ChiTraCore
import ChiTraSigning
import ChiTraStore
import Foundation
import GRDB

/// What an export wrote.
public struct ExportSummary: Sendable, Codable {
    public struct File: Sendable, Codable {
        public var name: String
        public var format: String
        public var institution: String
        public var lineCount: Int
        public var controlSum: Int64
        public var sha256: String
        public var signature: String
        /// The commune's account the file debits (pain.001 `DbtrAcct`) or the post office is paid into.
        public var debitAccount: String?
    }
    /// Money to move into one of the commune's accounts before the files are sent (Decree 20/2021
    /// Art. 34.4: drawn from the budget at the State Treasury into the payment service organisation).
    public struct Funding: Sendable, Codable {
        public var institution: String
        public var account: String?
        public var amount: Int64
    }
    public var batchID: Int64
    public var period: String
    public var directory: String
    public var reexport: Bool
    public var keyID: String
    public var files: [File]
    public var manifest: String
    public var lineCount: Int
    public var controlSum: Int64
    /// The commune's budget account at the State Treasury, when payer.json lists it.
    public var treasuryAccount: String?
    /// Per institution, what its files carry: the money to move there first.
    public var funding: [Funding]
}

/// Writes an approved batch's payout files (one per payee institution, in the format that
/// institution is configured for), signs each, and writes a signed manifest.
///
/// Files are written whole or not at all and have deterministic bytes: their creation time is
/// the approval time, so exporting again (files lost, a crash half-way) writes the same bytes
/// with the same message ids, and the bank's duplicate check holds.
public struct BatchExporter {
    public let db: AppDatabase
    public let payer: Payer
    public let banks: BankDirectory
    public let formats: PayoutFormats
    public let keys: KeyStore
    /// Told the lines written after each file (the CLI's progress line); nil: nobody watches.
    public var progress: ProgressReport?

    public init(db: AppDatabase, payer: Payer, banks: BankDirectory, formats: PayoutFormats, keys: KeyStore) {
        self.db = db; self.payer = payer; self.banks = banks; self.formats = formats; self.keys = keys
    }

    public func export(batchID: Int64, to dir: URL, by actor: Actor) throws -> ExportSummary {
        try actor.require(.maker)
        // 1. The batch must be approved (or already exported: same bytes again).
        let (batch, hasLines, checkedVersion) = try db.writer.read { db -> (BatchRecord, Bool, Int64) in
            guard let b = try Batches.record(db, id: batchID) else {
                throw BatchError(Message("batch.missing", ["batch": .int(Int(batchID))]))
            }
            let status = b.status
            switch status {
            case .approved, .exported: break
            case .draft:
                throw BatchError(Message("batch.export.draft", ["batch": .int(Int(batchID))]))
            case .cancelled:
                throw BatchError(Message("batch.export.status", ["batch": .int(Int(batchID)), "status": .text(status.rawValue)]))
            }
            // What is written must be what was approved: the lines and the batch against their seals.
            let seal = try ApprovalSeal.check(db, batchID: batchID)
            guard seal.ok else {
                throw BatchError(Message("batch.export.seal_broken", ["batch": .int(Int(batchID)), "detail": .text(seal.detail)]))
            }
            // A carry-over whose earlier payment an open exception has put in question since the
            // build (the bank's "paid" after a "rejected") might pay twice: not sent until resolved.
            if status == .approved {
                let held = try OpenExceptions.heldCarryOvers(db, batchID: batchID)
                if !held.isEmpty {
                    throw BatchError(Message("batch.export.held_carry_overs", ["batch": .int(Int(batchID)), "n": .int(held.count), "list": .text(held.prefix(10).map(OpenExceptions.sentence).joined(separator: "; "))]))
                }
            }
            return (b, try PayoutLines.exist(db, batchID: batchID), try StoreVersion.current(db))
        }
        let period = YearMonth(batch.period)!
        let reexport = batch.status == .exported
        guard hasLines else {
            throw BatchError(Message("batch.export.no_lines", ["batch": .int(Int(batchID))]))
        }
        let createdAt = ISO8601DateFormatter().date(from: batch.approvedAt!) ?? Date(timeIntervalSince1970: 0)
        // Every bank file debits the commune's account at the bank it goes to: refuse before
        // writing anything if payer.json lists none for a bank this batch sends a file to.
        let bankGroups = try db.writer.read { try PayoutQueries.groupKeys($0, batchID: batchID) }.filter { $0.hasPrefix("BANK-") }
        let unaccounted = bankGroups.map { String($0.dropFirst(5)) }.filter { payer.account(atBank: $0) == nil }
        guard unaccounted.isEmpty else {
            throw BatchError(Message("batch.export.no_payer_account", ["batch": .int(Int(batchID)), "banks": .text(unaccounted.map { "\(banks.bank($0)?.short ?? $0) (\($0))" }.joined(separator: ", "))]))
        }
        let key = try keys.activeKey()

        // 2. The output folder holds one batch's export: a real folder (not a symbolic link, no
        // symbolic link inside) that not every user may write to (`OutputFolder`).
        try OutputFolder.prepare(dir)
        let manifestURL = dir.appendingPathComponent("manifest.json")
        if let data = try? Data(contentsOf: manifestURL), let m = try? Manifest.decode(data), m.batchId != batchID {
            throw BatchError(Message("batch.export.folder_taken", ["folder": .text(dir.path), "batch": .text("\(m.batchId)")]))
        }

        // 3. One file per group, checked to the đồng against the store before it is signed.
        // Groups are written in group order, each file's lines in reference order. A group in a
        // format that keeps the store's order is streamed from the store to its file (see
        // `streamGroup`); one the format sorts (the post office's village lists, one commune
        // each) is read whole into a document first, as is any group the stream refuses.
        var entries: [Manifest.Entry] = []
        var files: [ExportSummary.File] = []
        var counter = ProgressCounter(progress, total: batch.lineCount, stride: 1)
        let execDay = min(max(payer.executionDay, 1), 28)
        func document(_ groupKey: String, commune: String, lines: [PayoutLine]) -> PayoutDocument {
            let institution: Institution
            var debtor = Debtor(name: payer.name, accountNo: payer.account(atBank: payer.bankBIN)!.accountNo, bankBIN: payer.bankBIN,
                                taxOrUnitCode: payer.unitCode)
            if groupKey.hasPrefix("BANK-") {
                let bin = String(groupKey.dropFirst(5))
                institution = Institution(kind: .bank, code: bin, name: banks.bank(bin)?.name ?? bin)
                debtor.accountNo = payer.account(atBank: bin)!.accountNo
                debtor.bankBIN = bin
            } else {
                institution = Institution(kind: .postOffice, code: groupKey, name: "\(payer.postOfficeName) \(commune)")
            }
            return PayoutDocument(
                messageID: Self.messageID(period: period, batchID: batchID, groupKey: groupKey),
                createdAt: createdAt, period: period,
                executionDate: CivilDate(year: period.year, month: period.month, day: execDay)!,
                debtor: debtor, institution: institution, lines: lines,
                // Only the commune's own bank takes credits to other banks (the build sends them there).
                interbank: institution.kind == .bank && institution.code == payer.bankBIN)
        }
        func record(_ doc: PayoutDocument, writer: any PayoutWriter, url: URL, totals: PayoutTotals,
                    signature: DetachedSignature, digest: FileDigest) throws {
            entries.append(try Manifest.Entry(file: url, digest: digest, lineCount: totals.count, controlSum: totals.controlSum,
                                              institution: doc.institution.code))
            let account = doc.institution.kind == .bank ? doc.debtor.accountNo : payer.postOfficeAccount?.accountNo
            files.append(.init(name: url.lastPathComponent, format: writer.formatName, institution: doc.institution.name,
                               lineCount: totals.count, controlSum: totals.controlSum, sha256: signature.sha256,
                               signature: DetachedSignature.signatureURL(for: url).lastPathComponent, debitAccount: account))
            counter.advance(by: totals.count)
        }
        /// A group's file built in memory from its lines.
        func writeGroup(_ groupKey: String, commune: String, lines: [PayoutLine]) throws {
            var doc = document(groupKey, commune: commune, lines: lines)
            // Amounts that cannot be added up are the writer's to refuse (`validatedTotals`), not a trap here.
            let expected = PayoutTotals(count: lines.count, controlSum: (try? doc.controlSum) ?? 0)
            doc.expectedTotals = expected
            let writer = formats.writer(for: doc.institution)
            let file = try writer.write(doc)
            guard file.totals == expected else {
                throw BatchError(Message("batch.export.file_totals_differ", ["group": .text(groupKey), "file": .text("\(file.totals)"), "expected": .text("\(expected)")]))
            }
            let url = dir.appendingPathComponent("\(doc.messageID).\(file.fileExtension)")
            let out = try SignedFileWriter(destination: url, key: key)
            do {
                try out.write(file.data)
                let (signature, digest) = try out.commitAndSign(syncingDirectory: false)   // the manifest syncs the folder
                try record(doc, writer: writer, url: url, totals: file.totals, signature: signature, digest: digest)
            } catch {
                out.abandon()
                throw error
            }
        }
        /// Streams a group from the store to its file; false (nothing written) when the group
        /// needs the in-memory path: a sorted format, or anything the stream cannot vouch for
        /// (`writeGroup` then writes the file or gives the exact error it always gave).
        func streamGroup(_ db: Database, _ group: PayoutLines.GroupTotal) throws -> Bool {
            let isBank = group.key.hasPrefix("BANK-")
            var commune = ""
            if !isBank {
                guard let first = try PayoutLines.firstCommune(db, batchID: batchID, groupKey: group.key) else { return false }
                commune = first
            }
            var doc = document(group.key, commune: commune, lines: [])
            let totals = PayoutTotals(count: group.count, controlSum: group.sum)
            doc.expectedTotals = totals
            guard let writer = formats.writer(for: doc.institution) as? any StreamingPayoutWriter else { return false }
            return try GroupStream(db: db, batchID: batchID, groupKey: group.key, document: doc, totals: totals,
                                   directory: dir, key: key).write(with: writer, record: record)
        }
        try db.writer.read { db in
            // Totals the store cannot add up (an overflow): no group is streamed, each is written
            // from its lines as they are (the writer reports the overflow).
            let totals = try PayoutLines.groupTotalsIfSummable(db, batchID: batchID)
            let groups = try totals.map { $0.map { (key: $0.key, totals: Optional($0)) } }
                ?? PayoutQueries.groupKeys(db, batchID: batchID).map { (key: $0, totals: nil) }
            for group in groups {
                if let totals = group.totals, try streamGroup(db, totals) { continue }
                var lines: [PayoutLine] = []
                try PayoutLines.forEachFileLine(db, batchID: batchID, groupKey: group.key) { lines.append(Self.payoutLine($0)) }
                try writeGroup(group.key, commune: lines.first?.commune ?? "", lines: lines)
            }
        }

        // 4. The signed manifest ties names to contents and totals to the batch. The payout files
        // were renamed into place without flushing the folder each time; writing the manifest
        // flushes it (after its own rename), so every file is durable before the batch changes state.
        let manifest = try Manifest(batchId: batchID, period: period.description, createdAt: createdAt, files: entries,
                                    approvalSeal: batch.approvalSeal)
        guard manifest.totals.lineCount == batch.lineCount, manifest.totals.controlSum == batch.controlSum else {
            throw BatchError(Message("batch.export.manifest_totals_differ", ["lines": .int(manifest.totals.lineCount), "sum": .money(manifest.totals.controlSum), "batch": .int(Int(batchID)), "batch_lines": .int(batch.lineCount), "batch_sum": .money(batch.controlSum)]))
        }
        let manifestFile = try manifest.write(to: dir, signingWith: key)

        // 5. Only now, with every file whole and signed, does the batch change state — in the
        // transaction that checks the seals once more: a change made while the files were being
        // written (the lines were read in several transactions) takes the files back. When no
        // other connection has committed anything since the check of step 1 (the store's data
        // version is the same; this export itself only read), the store is the one checked then,
        // and the lines are not sealed over again.
        var sealBroken = false
        do {
            try db.writer.write { db in
                if try StoreVersion.current(db) != checkedVersion {
                    let seal = try ApprovalSeal.check(db, batchID: batchID)
                    guard seal.ok else {
                        sealBroken = true
                        throw BatchError(Message("batch.export.changed_while_writing", ["batch": .int(Int(batchID)), "detail": .text(seal.message)]))
                    }
                }
                if !reexport {
                    try Batches.markExported(db, id: batchID, byUser: actor.userID, at: Timestamp.now())
                }
                try AuditLog.append(db, actor: actor, action: reexport ? "batch.reexport" : "batch.export", entity: "batch", entityID: String(batchID),
                                    detail: "dir=\(dir.lastPathComponent) key=\(key.id) files=" + files.map { "\($0.name):\($0.sha256.prefix(16))" }.joined(separator: ","))
            }
        } catch where sealBroken {
            for name in files.map(\.name) + [manifestFile.lastPathComponent] {
                let url = dir.appendingPathComponent(name)
                unlink(url.path)
                unlink(DetachedSignature.signatureURL(for: url).path)
            }
            throw error
        }
        // What to move into each account: the files' totals by institution and account, in file order.
        var funding: [ExportSummary.Funding] = []
        for f in files {
            if let i = funding.firstIndex(where: { $0.institution == f.institution && $0.account == f.debitAccount }) {
                funding[i].amount = try Money.sum([funding[i].amount, f.controlSum])
            } else {
                funding.append(.init(institution: f.institution, account: f.debitAccount, amount: f.controlSum))
            }
        }
        guard try Money.sum(funding.map(\.amount)) == manifest.totals.controlSum else {
            throw BatchError(Message("batch.export.funding_differs", ["sum": .money(manifest.totals.controlSum)]))
        }
        return ExportSummary(batchID: batchID, period: period.description, directory: dir.path, reexport: reexport, keyID: key.id,
                             files: files, manifest: manifestFile.lastPathComponent, lineCount: manifest.totals.lineCount,
                             controlSum: manifest.totals.controlSum, treasuryAccount: payer.treasuryAccount?.accountNo, funding: funding)
    }

    /// ≤ 35 characters: `CT202612-B000001-970405` for a bank, `CT202612-B000001-P1A2B3C4` for a post-office group.
    public static func messageID(period: YearMonth, batchID: Int64, groupKey: String) -> String {
        PayoutMessageID.make(period: period, batchID: batchID, groupKey: groupKey)
    }

    /// A payout line as the files write it, from the store's line and beneficiary.
    static func payoutLine(_ r: PayoutLines.FileLine) -> PayoutLine {
        let kind = EntitlementKind(rawValue: r.kind) ?? .allowance
        let slot = EntitlementKind(rawValue: r.slot) ?? .allowance
        let code = r.beneficiaryCode
        let forMonth = YearMonth(r.forMonth)!
        let payee = r.payeeName
        let phone = r.phone
        return PayoutLine(
            reference: r.reference, beneficiaryCode: code, beneficiaryName: r.fullName,
            payeeName: payee, payeeNameASCII: VietnameseText.bankForm(r.accountName ?? payee), proxyRelation: r.payeeRelation,
            personalIDMasked: PersonalID.masked(r.personalID),
            channel: PayoutLine.Channel(rawValue: r.channel) ?? .postCash,
            bankBIN: r.bankBIN, accountNo: r.accountNo, amount: r.amount, kind: PayoutLine.Kind(kind),
            forMonth: forMonth, commune: r.commune, village: r.village, address: r.address,
            phone: phone.isEmpty ? nil : phone,
            remittance: RemittanceText.make(kind: kind, slot: slot, forMonth: forMonth, code: code))
    }
}

extension PayoutLine.Kind {
    init(_ k: EntitlementKind) {
        switch k {
        case .allowance: self = .allowance
        case .care: self = .care
        case .arrears: self = .arrears
        case .careArrears: self = .careArrears
        case .funeral: self = .funeral
        case .carryOver: self = .carryOver
        }
    }
}
