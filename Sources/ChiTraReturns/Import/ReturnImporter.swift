import ChiTraCore
import ChiTraSigning
import ChiTraStore
import Foundation
import GRDB

/// What a return import did.
public struct ReturnImportSummary: Sendable, Codable {
    public var file: String
    public var sha256: String
    public var format: String?
    public var alreadyImported = false
    public var previousImportAt: String?
    public var fileID: Int64?
    /// `valid (key k…)`, `absent`.
    public var signature: String = "absent"
    public var records = 0
    public var paid = 0
    public var failed = 0
    public var pending = 0
    public var unchanged = 0
    public var exceptions: [String] = []
    public var malformed = 0
    public var flags: [RaisedFlag] = []
    /// A status the file gives its whole message (pain.002 GrpSts), e.g. `RCVC`, `ACCP`, `RJCT AM05`.
    public var groupStatus: String?
    /// Every payout message the file names (`OrgnlMsgId`, `OrgnlPmtInfId`…), with the batch it is ours in.
    public var originals: [Original] = []

    public struct Original: Sendable, Codable, Equatable {
        public var id: String
        public var batchID: Int64?
        public init(id: String, batchID: Int64?) { self.id = id; self.batchID = batchID }
    }

    public init(file: String, sha256: String) { self.file = file; self.sha256 = sha256 }

    /// What one file did, as the console prints it: the counts, then at most `limit` exceptions and
    /// `limit` flags, each list ending with how many more there are and where to see them.
    public func reportLines(limit: Int = 30, language: Language = .current) -> [String] {
        if alreadyImported {
            return [Message("returns.summary.already_imported", ["file": .text(file), "at": .text(previousImportAt ?? "?")]).text(in: language)]
        }
        let signed = signature == "absent" ? Message("returns.summary.signature_absent") : Message("returns.summary.signature_valid")
        var out = [Message("returns.summary.counts", [
            "file": .text(file), "format": .text(format ?? "?"), "signature": .message(signed), "records": .int(records),
            "paid": .int(paid), "failed": .int(failed), "pending": .int(pending), "unchanged": .int(unchanged),
            "exceptions": .int(exceptions.count), "malformed": .int(malformed)]).text(in: language)]
        if let g = groupStatus { out.append("  " + Message("returns.summary.group_status", ["status": .text(g)]).text(in: language)) }
        let batches = Array(Set(originals.compactMap(\.batchID))).sorted()
        if !originals.isEmpty {
            let named = originals.map { o in
                o.id + " (" + (o.batchID.map { Message("returns.summary.original_ours", ["batch": .int(Int($0))]) } ?? Message("returns.summary.original_not_ours")).text(in: language) + ")"
            }
            out.append("  " + Message("returns.summary.answers", ["originals": .text(named.joined(separator: ", "))]).text(in: language))
        }
        let exceptionLabel = Message("returns.summary.exception_label").text(in: language)
        for e in exceptions.prefix(limit) { out.append("  \(exceptionLabel): \(e)") }
        if exceptions.count > limit { out.append("  " + Message("returns.summary.more_exceptions", ["n": .int(exceptions.count - limit)]).text(in: language)) }
        let flagLabel = Message("returns.summary.flag_label").text(in: language)
        for f in flags.prefix(limit) { out.append("  \(flagLabel): \(f.code): \(f.kind.text(in: language))") }
        if flags.count > limit {
            let where_ = batches.isEmpty ? "chitra batch reconcile BATCH" : batches.map { "chitra batch reconcile \($0)" }.joined(separator: ", ")
            out.append("  " + Message("returns.summary.more_flags", ["n": .int(flags.count - limit), "commands": .text(where_)]).text(in: language))
        }
        return out
    }
}

/// A follow-up a return import raised: whom it is about, and what to do.
public struct RaisedFlag: Sendable, Codable, Equatable {
    public var code: String
    public var kind: FlagKind
    public init(code: String, kind: FlagKind) { self.code = code; self.kind = kind }
}

/// A return file refused whole for its signature: nothing was recorded.
public struct ReturnRefused: Error, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        /// The file is signed, but no key store was given.
        case noKeys
        /// The signature does not verify: what the verifier found.
        case badSignature(VerificationResult)
        /// No signature file (`sig`) while signatures are required.
        case signatureRequired(sig: String)
        /// No signature file (`sig`), and a line answers a payment sent to `institution`, which
        /// signs its returns (banks.json `signsReturns`).
        case unsignedFromSigner(sig: String, institution: String)
    }

    public let file: String
    public let reason: Reason

    public init(file: String, _ reason: Reason) { self.file = file; self.reason = reason }

    /// The refusal as the command line says it (with its options).
    public var message: Message {
        switch reason {
        case .noKeys: Message("returns.refused.no_keys", ["file": .text(file)])
        case .badSignature(let result): Message("returns.refused.bad_signature", ["finding": .message(result.finding(for: file))])
        case .signatureRequired(let sig): Message("returns.refused.signature_required", ["file": .text(file), "sig": .text(sig)])
        case .unsignedFromSigner(let sig, let institution):
            Message("returns.refused.unsigned_from_signer", ["file": .text(file), "sig": .text(sig), "institution": .text(institution)])
        }
    }

    public var description: String { message.text() }
}

/// Imports a bank or post-office return: records every line, matches it to a payout line by
/// reference, checks amount and account, applies the outcome, and queues what does not fit as
/// an exception. One transaction per command, a savepoint per file; a file imported twice changes nothing.
public struct ReturnImporter {
    public let db: AppDatabase
    public let taxonomy: ReasonTaxonomy
    public let formatsDir: URL
    public let keys: KeyStore?
    public var requireSignature = false
    /// The clerk importing (an authenticated account acting as `clerk`).
    public let actor: Actor

    public init(db: AppDatabase, taxonomy: ReasonTaxonomy, formatsDir: URL, keys: KeyStore?, actor: Actor) {
        self.db = db; self.taxonomy = taxonomy; self.formatsDir = formatsDir; self.keys = keys; self.actor = actor
    }

    /// Imports one file (`importFiles` of that file): its summary, or the error that refused it.
    public func importFile(_ url: URL, formatHint: String? = nil) throws -> ReturnImportSummary {
        try importFiles([url], formatHint: formatHint)[0].get()
    }

    /// Imports several files in ONE write transaction, in the order given, each file inside its
    /// own savepoint: a file refused (bad signature, unreadable, unsigned from an institution that
    /// signs, …) rolls back that file only, as when each file was its own transaction; a file
    /// already imported (same SHA-256), earlier in the same call too, is `alreadyImported`.
    ///
    /// The payout lines the files settle are written at the end, in line order (`ReturnSettlements`);
    /// later lines see earlier settlements as if they were written. With `stopAtRefusal` (as the
    /// CLI, and the web page file by file, have always stopped), the files after the first refused
    /// one are not read and the result ends with that refusal; the files before it are committed.
    /// `fileDone` is told how many files are done. Nothing is committed before the end: a command
    /// stopped midway leaves nothing of itself, and other writers wait for it (the busy timeout).
    public func importFiles(_ urls: [URL], formatHint: String? = nil, stopAtRefusal: Bool = true,
                            fileDone: ((Int) -> Void)? = nil) throws -> [Result<ReturnImportSummary, any Error>] {
        try actor.require(.clerk)
        let settlements = ReturnSettlements()
        return try db.writer.write { db in
            var results: [Result<ReturnImportSummary, any Error>] = []
            for (i, url) in urls.enumerated() {
                do {
                    results.append(.success(try importOne(db, url: url, formatHint: formatHint, settlements: settlements)))
                } catch {
                    // SQLite ended the whole transaction (a full disk, an I/O error): nothing of the
                    // command is left to commit; say so rather than write the rest outside it.
                    guard db.isInsideTransaction else { throw error }
                    results.append(.failure(error))
                    if stopAtRefusal { break }
                }
                fileDone?(i + 1)
            }
            try settlements.applyInLineOrder(db)
            return results
        }
    }

    /// One file, inside the command's transaction: refused before a savepoint, or imported in one.
    private func importOne(_ db: Database, url: URL, formatHint: String?, settlements: ReturnSettlements) throws -> ReturnImportSummary {
        let name = url.lastPathComponent
        var s = ReturnImportSummary(file: name, sha256: try FileDigest.sha256Hex(of: url))
        if let prev = try ReturnFiles.previousImport(db, sha256: s.sha256) {
            s.alreadyImported = true
            s.fileID = prev.id
            s.previousImportAt = prev.importedAt
            return s
        }
        // A signed return must verify, or the whole file is refused.
        let sigURL = DetachedSignature.signatureURL(for: url)
        // For an unsigned file: the refusal when one of its lines answers a payment sent to an
        // institution that signs its returns (banks.json `signsReturns`); checked as lines are
        // matched, inside the file's savepoint (a refusal rolls the file back).
        let unsignedRefusal: ((String) -> ReturnRefused?)?
        if FileManager.default.fileExists(atPath: sigURL.path) {
            guard let keys else { throw ReturnRefused(file: name, .noKeys) }
            let result = try Verifier.verify(file: url, signature: sigURL, keys: keys)
            guard result.isValid else {
                throw ReturnRefused(file: name, .badSignature(result))
            }
            s.signature = "valid"
            unsignedRefusal = nil
        } else if requireSignature {
            throw ReturnRefused(file: name, .signatureRequired(sig: sigURL.lastPathComponent))
        } else {
            let banks = try BankDirectory.load(from: formatsDir.appendingPathComponent("banks.json"))
            let sigName = sigURL.lastPathComponent
            unsignedRefusal = { groupKey in
                guard banks.signsReturns(groupKey: groupKey) else { return nil }
                return ReturnRefused(file: name, .unsignedFromSigner(sig: sigName, institution: banks.institutionName(groupKey: groupKey)))
            }
        }
        let formats = try ReturnFormats.load(from: formatsDir.appendingPathComponent("return-formats.json"))
        let reader = ReturnFileReader()
        // Everything that can refuse the file before reading its lines, as before any change.
        let format = try reader.prepare(url: url, formatHint: formatHint, formats: formats)
        let now = Timestamp.now()
        let actor = self.actor
        // The lines are matched as they are read (memory does not grow with the file; the file is
        // parsed on a second thread, a few chunks ahead: `ReturnFileReader.stream`), inside the
        // file's savepoint: an unreadable file rolls the file back, as if it had been refused before.
        // Should the byte-level XML reader step aside midway, the savepoint is rolled back and the
        // file read again by XMLParser.
        var fastXML = true
        while true {
            var attempt = s
            settlements.beginFile(at: now)
            do {
                try db.inSavepoint {
                    try importLines(db, url: url, name: name, format: format, formats: formats, reader: reader, fastXML: fastXML, now: now,
                                    actor: actor, unsignedRefusal: unsignedRefusal, settlements: settlements, summary: &attempt)
                    return .commit
                }
                settlements.commitFile()
                return attempt
            } catch is ReturnFileReader.FastXMLSteppedAside where fastXML {
                settlements.rollbackFile()
                fastXML = false
            } catch {
                settlements.rollbackFile()
                throw error
            }
        }
    }

    /// One file's savepoint: the file row, every line matched and applied, then (in the order
    /// they always had) the exceptions for unreadable lines, whole-file findings, a whole-message
    /// rejection and the lines' own exceptions, the import record and the audit entry.
    private func importLines(_ db: Database, url: URL, name: String, format: String, formats: ReturnFormats, reader: ReturnFileReader,
                             fastXML: Bool, now: String, actor: Actor, unsignedRefusal: ((String) -> ReturnRefused?)?,
                             settlements: ReturnSettlements, summary s: inout ReturnImportSummary) throws {
        // Its counts are known at the end; the row is written first (lines refer to it) and completed then.
        let fileID = try ReturnFiles.begin(db, sha256: s.sha256, name: name, at: now, by: actor)
        s.fileID = fileID
        var m = try Matcher(db: db, fileID: fileID, taxonomy: taxonomy, now: now, actor: actor, settlements: settlements)
        m.deferLineExceptions = true
        m.unsignedRefusal = unsignedRefusal
        let sink = ReturnRecordSink { rec in try m.apply(rec) }
        let doc = try reader.stream(url: url, format: format, formats: formats, fastXML: fastXML, sink: sink)
        let records = sink.count
        s.format = doc.format
        s.groupStatus = doc.groupStatus.map { g in g.status + (g.reasonCode.map { " " + $0 } ?? "") }
        s.records = records
        s.malformed = doc.malformed.count
        // The lines' exceptions wait until the file's own are written, so that every exception
        // keeps the id it had when the whole file was read before any line was matched.
        let lineExceptions = try m.takeDeferredExceptions()
        // The payout files the return names, and the batch each is ours in: an exception that no
        // payout line ties to a batch (an unknown reference, a malformed transaction) is tied to
        // the batch the file answers, when it answers exactly one, so that `batch reconcile` lists it.
        let originals = try doc.originalIDs.map { ReturnImportSummary.Original(id: $0, batchID: try m.originalBatches.batch(of: $0)) }
        s.originals = originals
        let answered = Set(originals.compactMap(\.batchID))
        let fileBatch = answered.count == 1 ? answered.first : nil
        for bad in doc.malformed {
            try m.exception(kind: .malformed, location: bad.location, returnLine: nil, payoutLine: nil, batch: fileBatch, detail: bad.detail)
        }
        // Whole-file findings (a totals row that does not add up…) and a file rejected as a
        // whole change no line: a person checks with the sender.
        for f in doc.findings {
            try m.exception(kind: .totalsDiffer, location: ReturnLocation(line: f.line ?? 0), returnLine: nil, payoutLine: nil, batch: fileBatch, detail: f.message)
        }
        if records == 0, doc.groupStatus?.outcome == .rejected, let g = doc.groupStatus {   // ReturnDocument.isRejectedAsAWhole
            try m.exception(kind: .malformed, location: ReturnLocation(line: g.line), returnLine: nil, payoutLine: nil,
                            batch: try g.originalID.flatMap { try m.originalBatches.batch(of: $0) } ?? fileBatch,
                            detail: Message("returns.exception.group_rejected", ["message": .text(g.originalID ?? doc.originalMessageID ?? "?"), "status": .text(g.status + (g.reasonCode.map { " " + $0 } ?? ""))]).text())
        }
        for e in lineExceptions {
            try m.exception(kind: e.kind, location: e.location, returnLine: e.returnLine, payoutLine: e.payoutLine, batch: e.batch ?? fileBatch,
                            detail: e.detail, lines: e.lines, returnLineMarked: true)
        }
        for o in originals {
            try ReturnFiles.recordOriginal(db, fileID: fileID, originalID: o.id, batchID: o.batchID)
        }
        s.paid = m.paid; s.failed = m.failed; s.pending = m.pending; s.unchanged = m.unchanged
        s.exceptions = m.exceptionSentences
        s.flags = m.flags
        try ReturnFiles.complete(db, fileID: fileID, ReturnFiles.Import(
            format: doc.format, messageID: doc.messageID,
            originalMessageID: doc.originalIDs.isEmpty ? doc.originalMessageID : doc.originalIDs.joined(separator: " "), signature: s.signature,
            records: records, applied: m.paid + m.failed + m.pending, exceptions: m.exceptionSentences.count, malformed: doc.malformed.count),
            total: records + doc.malformed.count, unchanged: m.unchanged)
        try AuditLog.append(db, actor: actor, action: "returns.import", entity: "import_file", entityID: String(fileID),
                            detail: "\(name) format=\(doc.format) sha256=\(s.sha256) signature=\(s.signature) paid=\(m.paid) failed=\(m.failed) pending=\(m.pending) exceptions=\(m.exceptionSentences.count)")
    }
}

/// Matching and its consequences, inside the import's transaction.
struct Matcher {
    let db: Database
    let fileID: Int64
    /// The command's settlements, written at its end; read before the store's state.
    let settlements: ReturnSettlements
    let taxonomy: ReasonTaxonomy
    let now: String
    let actor: Actor
    var paid = 0, failed = 0, pending = 0, unchanged = 0
    var exceptionSentences: [String] = []
    var flags: [RaisedFlag] = []
    let statements: ReturnMatchStatements
    /// When set, a line's exception is kept (its `return_line` already says `exception`) until
    /// `takeDeferredExceptions`, for the importer to write after the file's own exceptions.
    var deferLineExceptions = false
    /// For an unsigned file: the refusal for a line answering a payment sent to a payout group
    /// whose institution signs its returns, or nil (see `ReturnImporter.importFile`).
    var unsignedRefusal: ((String) -> ReturnRefused?)?
    struct LineException {
        var kind: ReturnExceptionKind, location: ReturnLocation, returnLine: Int64, payoutLine: Int64?, batch: Int64?, detail: String
        /// Return lines it stands for (a re-sent report's repeats, grouped).
        var lines = 1
    }
    /// The lines' exceptions in the order met; a re-sent report's repeats of one batch wait as one
    /// group, at the place of its first line.
    private enum Deferred { case line(LineException), repeats(batch: Int64) }
    private var deferred: [Deferred] = []
    /// Per batch: the lines of this file that repeat an outcome already recorded (`duplicate_return`).
    private var repeats: [Int64: Repeats] = [:]
    struct Repeats {
        var first: LineException
        var count = 0
        var references: [String] = []
        var payoutLines: [Int64] = []
    }
    /// Our payout files by message id (`OrgnlMsgId`, `OrgnlPmtInfId`).
    var originalBatches: OriginalBatches

    /// The lines' exceptions, a re-sent report's repeats grouped: one exception per batch for all
    /// the lines of this file that only repeat outcomes already recorded, so that a clerk resolves
    /// the re-send once (a single repeated line stays one exception as it was).
    mutating func takeDeferredExceptions() throws -> [LineException] {
        defer { deferred = []; repeats = [:] }
        var out: [LineException] = []
        for d in deferred {
            switch d {
            case .line(let e): out.append(e)
            case .repeats(let batch):
                let g = repeats[batch]!
                if g.count == 1 { out.append(g.first); continue }
                let earlier = try ReturnLines.earlierFiles(db, payoutLines: g.payoutLines, except: fileID)
                var e = g.first
                e.payoutLine = nil
                e.lines = g.count
                let refs = g.references.joined(separator: ", ") + (g.count > g.references.count ? ", …" : "")
                let args: [String: MessageArg] = ["n": .int(g.count), "batch": .int(Int(batch)), "files": .text(earlier.joined(separator: ", ")), "refs": .text(refs)]
                e.detail = (earlier.isEmpty ? Message("returns.exception.resent", args) : Message("returns.exception.resent_by", args)).text()
                out.append(e)
            }
        }
        return out
    }

    init(db: Database, fileID: Int64, taxonomy: ReasonTaxonomy, now: String, actor: Actor, settlements: ReturnSettlements) throws {
        self.db = db; self.fileID = fileID; self.taxonomy = taxonomy; self.now = now; self.actor = actor; self.settlements = settlements
        statements = try ReturnMatchStatements(db)
        originalBatches = OriginalBatches(db: db)
    }

    mutating func exception(kind: ReturnExceptionKind, location: ReturnLocation, returnLine: Int64?, payoutLine: Int64?, batch: Int64?, detail: String,
                            lines: Int = 1, returnLineMarked: Bool = false) throws {
        try ReturnExceptions.insert(db, ReturnExceptions.New(fileID: fileID, returnLine: returnLine, lineNo: location.line, kind: kind, payoutLine: payoutLine,
                                                             batch: batch, detail: detail, transaction: location.transaction, endToEndID: location.endToEndID, lines: lines))
        exceptionSentences.append("\(location.text()): \(detail)")
        if let returnLine, !returnLineMarked {
            try ReturnLines.setResult(db, id: returnLine, .exception)
        }
    }

    /// What one return line comes to, decided before its `return_line` row is written so that the
    /// row is inserted once with its final `payout_line_id` and `result` (the same row the former
    /// insert-then-update sequence left).
    private enum Verdict {
        case exception(kind: ReturnExceptionKind, payoutLine: Int64?, batch: Int64?, detail: String)
        case unchanged
        case settle
    }

    mutating func apply(_ rec: ReturnRecord) throws {
        let reason = rec.outcome == .rejected ? taxonomy.classify(rec.reasonCode) : nil
        var line: ReturnMatchStatements.PayoutLine?
        let verdict: Verdict
        if let ref = rec.reference, !ref.isEmpty {
            line = try statements.payoutLine(reference: ref)
            if let id = line?.id, let settled = settlements.outcome(lineID: id) { line!.settled = settled }
            if let l = line, let unsignedRefusal, let refusal = unsignedRefusal(l.groupKey) { throw refusal }
            verdict = Self.verdict(rec, ref: ref, line: line)
        } else {
            verdict = .exception(kind: .malformed, payoutLine: nil, batch: nil, detail: Message("returns.exception.no_reference").text())
        }
        let result: ReturnLineResult
        switch verdict {
        case .exception: result = .exception
        case .unchanged: result = .unchanged
        case .settle: result = .applied
        }
        let rlID = try statements.insert(ReturnMatchStatements.ReturnLine(
            fileID: fileID, lineNo: rec.line, reference: rec.reference, amount: rec.amount, accountNo: rec.accountNo, outcome: rec.outcome,
            reasonCode: rec.reasonCode, reason: reason?.reason, retryable: reason?.retryable, receiver: rec.receiver, date: rec.date?.description,
            payoutLineID: line?.id, result: result, transaction: rec.position))
        switch verdict {
        case .exception(let kind, let payoutLine, var batch, let detail):
            if kind == .unknownReference, batch == nil, let original = rec.originalMessageID {
                // Not our reference, but the file says which of our payout files it answers.
                batch = try originalBatches.batch(of: original)
            }
            let e = LineException(kind: kind, location: rec.location, returnLine: rlID, payoutLine: payoutLine, batch: batch, detail: detail)
            if deferLineExceptions, kind == .duplicateReturn, let batch {
                if repeats[batch] == nil {
                    repeats[batch] = Repeats(first: e)
                    deferred.append(.repeats(batch: batch))
                }
                repeats[batch]!.count += 1
                if repeats[batch]!.references.count < 5, let ref = rec.reference { repeats[batch]!.references.append(ref) }
                if repeats[batch]!.payoutLines.count < 20, let payoutLine { repeats[batch]!.payoutLines.append(payoutLine) }
            } else if deferLineExceptions {
                deferred.append(.line(e))
            } else {
                try exception(kind: kind, location: e.location, returnLine: rlID, payoutLine: payoutLine, batch: batch, detail: detail, returnLineMarked: true)
            }
        case .unchanged:
            unchanged += 1
        case .settle:
            switch rec.outcome {
            case .paid: paid += 1
            case .rejected: failed += 1
            case .pending: pending += 1
            }
            let line = line!
            settlements.add(lineID: line.id, outcome: rec.outcome, reason: reason?.reason, reasonCode: rec.reasonCode, retryable: reason?.retryable,
                            receiver: rec.receiver, date: rec.date, returnLine: rlID)
            if rec.outcome == .rejected, let reason {
                try consequences(code: line.beneficiaryCode, lineID: line.id, reason: reason, forMonth: line.forMonth, slot: line.slot)
            }
        }
    }

    /// A payment's outcome (paid, failed, pending) as a clerk says it.
    private static func stateWord(_ outcome: ReturnOutcome) -> MessageArg {
        switch outcome {
        case .paid: return .message(Message("returns.state.paid"))
        case .rejected: return .message(Message("returns.state.failed"))
        case .pending: return .message(Message("returns.state.pending"))
        }
    }

    /// The checks, in order: known reference, live exported batch, same amount, same account,
    /// not already settled.
    private static func verdict(_ rec: ReturnRecord, ref: String, line: ReturnMatchStatements.PayoutLine?) -> Verdict {
        guard let line else {
            return .exception(kind: .unknownReference, payoutLine: nil, batch: nil,
                              detail: Message("returns.exception.unknown_reference", ["ref": .text(ref)]).text())
        }
        let lineID = line.id, batchID = line.batchID
        if line.batchCancelled {
            return .exception(kind: .cancelledBatch, payoutLine: lineID, batch: batchID,
                              detail: Message("returns.exception.cancelled_batch", ["ref": .text(ref), "batch": .int(Int(batchID))]).text())
        }
        if !line.batchExported {
            return .exception(kind: .notExported, payoutLine: lineID, batch: batchID,
                              detail: Message("returns.exception.not_exported", ["ref": .text(ref), "batch": .int(Int(batchID)), "status": .text(line.batchStatus)]).text())
        }
        if let a = rec.amount, a != line.amount {
            return .exception(kind: .amountDiffers, payoutLine: lineID, batch: batchID,
                              detail: Message("returns.exception.amount_differs", ["ref": .text(ref), "returned": .money(a), "sent": .money(line.amount)]).text())
        }
        if let a = rec.accountNo, !a.isEmpty, let ours = line.accountNo, a != ours {
            return .exception(kind: .accountDiffers, payoutLine: lineID, batch: batchID,
                              detail: Message("returns.exception.account_differs", ["ref": .text(ref), "returned": .text(maskAccount(a)), "sent": .text(maskAccount(ours))]).text())
        }
        if let settled = line.settled, settled != .pending {
            let same = settled == rec.outcome
            return .exception(kind: same ? .duplicateReturn : .conflictingOutcome, payoutLine: lineID, batch: batchID,
                              detail: same ? Message("returns.exception.duplicate_return", ["ref": .text(ref), "state": stateWord(settled)]).text()
                                           : Message("returns.exception.conflicting_outcome", ["ref": .text(ref), "state": stateWord(settled), "reported": stateWord(rec.outcome)]).text())
        }
        if line.settled == .pending && rec.outcome == .pending { return .unchanged }
        return .settle
    }

    /// What a rejection means for the person: a bad account is flagged; a reported death suspends
    /// the person pending a stop decision and opens a funeral case; three consecutive months not
    /// collected flag a suspension (Circular 02/2021 Art. 2).
    mutating func consequences(code: String, lineID: Int64, reason: ReasonClassification, forMonth: String, slot: EntitlementKind) throws {
        if slot == .funeral {
            // Funeral support goes to the organiser of the burial, not to the person: a rejected
            // account is the organiser's (the claim waits for a new one); nothing about the person changes.
            if AccountRejection.reasons.contains(reason.reason.rawValue) {
                try FuneralClaims.markAccountRejected(db, deceasedCode: code, personKey: nil, reason: reason.reason.rawValue)
                flags.append(RaisedFlag(code: code, kind: .funeralClaimAccountRejected))
            }
            return
        }
        if AccountRejection.reasons.contains(reason.reason.rawValue) {
            let old = try ReturnConsequences.accountFlag(db, code: code)
            try Beneficiaries.flagAccount(db, code: code, reason: reason.reason, lineID: lineID, at: now)
            try history(code: code, field: "account_flag", old: old, new: reason.reason.rawValue)
            try flag(code: code, kind: .accountRejected, lineID: lineID, detail: reason.label)
        } else if reason.reason == .deceased {
            let status = try ReturnConsequences.status(db, code: code) ?? .active
            if status == .active {
                try Beneficiaries.suspendForReportedDeath(db, code: code, at: now)
                try history(code: code, field: "status", old: status.rawValue, new: PersonFacts.Status.suspended.rawValue)
            }
            try flag(code: code, kind: .deceasedReported, lineID: lineID,
                     detail: "Đơn vị chi trả báo đối tượng đã chết: tạm dừng chi, chờ quyết định thôi hưởng và ngày mất để tính truy thu")
            try flag(code: code, kind: .funeralCase, lineID: lineID,
                     detail: "Lập hồ sơ hỗ trợ mai táng phí cho người tổ chức mai táng (NĐ 20/2021 Điều 11)")
        } else if reason.reason == .notCollected && slot == .allowance {
            // The last three months paid for, each reported not collected?
            let recent = try ReturnConsequences.lastAllowancePayments(db, code: code, pending: settlements)
            let months = recent.map(\.forMonth)
            let consecutive = months.count == 3 && Set(months).count == 3
                && YearMonth(months[2])!.months(to: YearMonth(months[0])!) == 2
            if consecutive && recent.allSatisfy({ $0.settled == .rejected && $0.reason == CanonicalReason.notCollected.rawValue }) {
                try flag(code: code, kind: .suspendNotCollected, lineID: lineID,
                         detail: "Không nhận trợ cấp 3 tháng liên tiếp (\(months.reversed().joined(separator: ", "))): đề nghị tạm dừng theo Thông tư 02/2021 Điều 2")
            }
        }
    }

    mutating func flag(code: String, kind: FlagKind, lineID: Int64, detail: String) throws {
        if try ReturnConsequences.flag(db, code: code, kind: kind, detail: detail, lineID: lineID, at: now) { flags.append(RaisedFlag(code: code, kind: kind)) }
    }

    func history(code: String, field: String, old: String?, new: String?) throws {
        try ReturnConsequences.history(db, code: code, field: field, old: old, new: new, fileID: fileID, at: now, by: actor)
    }
}
