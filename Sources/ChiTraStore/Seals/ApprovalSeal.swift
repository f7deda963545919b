import ChiTraCore
import ChiTraSigning
import Foundation
import GRDB

/// What a checker approved, sealed with the audit key (never in the store).
///
/// At approval every line of the batch gets `line_seal` = HMAC(audit key, every field the payout
/// files are written from), and the batch gets `approval_seal` = HMAC(audit key, the batch id,
/// period, kind, line count, control sum, maker's and checker's account ids, SHA-256 of the line
/// seals in line order), recorded in the approval's audit entry too. Export recomputes both from
/// what the store holds and writes nothing if they differ, naming the lines that changed; `chitra
/// verify` (with the store) and `chitra audit verify` check every approved and exported batch the
/// same way. Someone who can write the SQLite file but not read the key directory cannot change an
/// account number, an amount or the approver under the seal, nor add or remove a line.
public enum ApprovalSeal {
    /// The payout line fields covered, in order.
    static let lineColumns = ["batch_id", "reference", "beneficiary_code", "person_key", "kind", "slot", "for_month", "amount",
                              "group_key", "channel", "bank_bin", "account_no", "account_name", "payee_name", "payee_relation", "category"]
    static let lineFunctionName = "chitra_line_seal"
    static let lineTag = "chitra-line-v1"
    static let batchTag = "chitra-approval-v1"

    static func registerLineFunction(_ db: Database, key: AuditKey) throws {
        try SealFunction.register(db, name: lineFunctionName, tag: lineTag, argumentCount: lineColumns.count, key: key)
    }

    static var lineExpression: String { "\(lineFunctionName)(\(lineColumns.joined(separator: ", ")))" }

    /// Seals every line of `batchID`, in one pass over the batch's id range (a batch's lines were
    /// inserted together; visiting them through the batch index would go group by group, all over
    /// the table), then seals the batch; returns the batch seal (hex). Inside the approval's
    /// transaction, after the batch row names its checker and is approved: the lines are approved
    /// with it (`LineState`), their own state is not written.
    public static func approveAndSeal(_ db: Database, batchID: Int64) throws -> String {
        try seal(db, batchID: batchID, lineRange: try PayoutLines.idRange(db, batchID: batchID))
    }

    /// Seals the lines of an approved or exported batch (ids `lo…hi`) and the batch, without
    /// changing a state: at approval, and in the migration that brought seals to batches approved
    /// before them.
    private static func seal(_ db: Database, batchID: Int64, lineRange: ClosedRange<Int64>?) throws -> String {
        if let r = lineRange {
            try db.execute(sql: "UPDATE payout_line SET line_seal = \(lineExpression) WHERE id BETWEEN ? AND ? AND +batch_id = ?",
                           arguments: [r.lowerBound, r.upperBound, batchID])
        }
        let seal = try batchSeal(db, batchID: batchID)
        try db.execute(sql: "UPDATE batch SET approval_seal = ? WHERE id = ?", arguments: [seal, batchID])
        return seal
    }

    /// The batch seal computed from what the store holds now (line seals as stored).
    static func batchSeal(_ db: Database, batchID: Int64) throws -> String {
        guard let b = try Row.fetchOne(db, sql: """
            SELECT id, period, supplementary, line_count, control_sum, built_by_user, approved_by_user FROM batch WHERE id = ?
            """, arguments: [batchID]) else { throw StoreError(Message("store.batch.missing", ["batch": .int(Int(batchID))])) }
        let digest = try SHA256Digest()
        let range = try PayoutLines.idRange(db, batchID: batchID).map { ($0.lowerBound, $0.upperBound) } ?? (1, 0)   // no line: an empty range
        let cursor = try Data.fetchCursor(db, sql: "SELECT ifnull(line_seal, x'') FROM payout_line WHERE id BETWEEN ? AND ? AND +batch_id = ? ORDER BY id",
                                          arguments: [range.0, range.1, batchID])
        var count: Int64 = 0
        while let s = try cursor.next() { try s.withUnsafeBytes { try digest.update(bytes: $0) }; count += 1 }
        let lines = try digest.finalize()
        let values: [DatabaseValue] = [b["id"], b["period"], b["supplementary"], b["line_count"], b["control_sum"],
                                       b["built_by_user"], b["approved_by_user"], count.databaseValue, Data(lines).databaseValue]
        guard let mac = try Data.fetchOne(db, sql: "SELECT \(AppDatabase.auditMacFunctionName)(?)",
                                          arguments: [SealEncoding.encode(tag: batchTag, values)]) else {
            throw StoreError(Message("store.audit_key.no_mac"))
        }
        return Hex.encode(mac)
    }

    /// What a check of one batch found.
    public struct Finding: Codable, Sendable, Equatable {
        public var batchID: Int64
        /// Lines whose fields differ from what was sealed (reference and code), at most 50.
        public var changedLines: [String]
        public var changedLineCount: Int
        /// The batch seal no longer matches: lines added or removed, totals, maker or checker changed.
        public var batchSealDiffers: Bool
        /// The seal in the store differs from the one in the approval's audit entry.
        public var auditEntryDiffers: Bool
        /// An approved or exported batch without any seal.
        public var unsealed: Bool

        public var ok: Bool { changedLineCount == 0 && !batchSealDiffers && !auditEntryDiffers && !unsealed }

        /// What differs, without the batch (`store.seal.*`), in the process's language.
        public var detail: String {
            var parts: [String] = []
            if unsealed { parts.append(Message("store.seal.unsealed").text()) }
            if changedLineCount > 0 {
                parts.append(Message("store.seal.lines_changed", ["n": .int(changedLineCount),
                                                                  "refs": .text(changedLines.prefix(10).joined(separator: ", ") + (changedLineCount > 10 ? ", …" : ""))]).text())
            }
            if batchSealDiffers { parts.append(Message("store.seal.batch_differs").text()) }
            if auditEntryDiffers { parts.append(Message("store.seal.audit_differs").text()) }
            return parts.joined(separator: "; ")
        }

        /// `batch #N: what differs`, in the process's language.
        public var message: String { Message("store.seal.finding", ["batch": .int(Int(batchID)), "detail": .text(detail)]).text() }
    }

    /// Checks one approved or exported batch against its seal.
    public static func check(_ db: Database, batchID: Int64) throws -> Finding {
        var f = Finding(batchID: batchID, changedLines: [], changedLineCount: 0, batchSealDiffers: false, auditEntryDiffers: false, unsealed: false)
        guard let stored = try String.fetchOne(db, sql: "SELECT approval_seal FROM batch WHERE id = ?", arguments: [batchID]) else {
            f.unsealed = true
            return f
        }
        // The batch's lines in id order (one range, read in table order).
        let range = try PayoutLines.idRange(db, batchID: batchID).map { ($0.lowerBound, $0.upperBound) } ?? (1, 0)   // no line: an empty range
        f.changedLineCount = try Int.fetchOne(db, sql: "SELECT count(*) FROM payout_line WHERE id BETWEEN ? AND ? AND +batch_id = ? AND line_seal IS NOT \(lineExpression)",
                                              arguments: [range.0, range.1, batchID]) ?? 0
        if f.changedLineCount > 0 {
            f.changedLines = try Row.fetchAll(db, sql: """
                SELECT reference, beneficiary_code FROM payout_line WHERE id BETWEEN ? AND ? AND +batch_id = ? AND line_seal IS NOT \(lineExpression) ORDER BY id LIMIT 50
                """, arguments: [range.0, range.1, batchID]).map { "\($0["reference"] as String) (\($0["beneficiary_code"] as String))" }
        }
        f.batchSealDiffers = try batchSeal(db, batchID: batchID) != stored
        let entries = try String.fetchAll(db, sql: """
            SELECT detail FROM audit_log WHERE action = 'batch.approve' AND entity = 'batch' AND entity_id = ? ORDER BY id
            """, arguments: [String(batchID)])
        if let last = entries.last, let range = last.range(of: "seal=") {
            let recorded = last[range.upperBound...].prefix(while: { $0.isHexDigit })
            f.auditEntryDiffers = recorded != stored
        }
        return f
    }

    /// Whether an exported manifest still stands for what was approved: the batch's lines against
    /// their seals, and the seal the manifest carries against the store's. The sentences of what is
    /// wrong; empty when the files are as approved.
    public static func checkExport(_ db: Database, batchID: Int64, manifestSeal: String?, storePath: String) throws -> [String] {
        var problems: [String] = []
        let finding = try check(db, batchID: batchID)
        if !finding.ok { problems.append(finding.message) }
        if let manifestSeal, manifestSeal != (try storedSeal(db, batchID: batchID)) {
            problems.append(Message("store.seal.manifest_other_approval", ["path": .text(storePath), "batch": .int(Int(batchID))]).text())
        }
        if manifestSeal == nil { problems.append(Message("store.seal.manifest_unsealed").text()) }
        return problems
    }

    /// The seal stored for a batch (nil: none, or no such batch).
    public static func storedSeal(_ db: Database, batchID: Int64) throws -> String? {
        try String.fetchOne(db, sql: "SELECT approval_seal FROM batch WHERE id = ?", arguments: [batchID])
    }

    /// Checks every approved and exported batch; only the ones with a problem are returned.
    public static func checkAll(_ db: Database) throws -> [Finding] {
        try Int64.fetchAll(db, sql: "SELECT id FROM batch WHERE status IN ('approved','exported') ORDER BY id")
            .map { try check(db, batchID: $0) }.filter { !$0.ok }
    }

    /// Seals what was approved before seals existed (migration), as it stands.
    static func sealExisting(_ db: Database) throws {
        for (id, lo, hi) in try Row.fetchAll(db, sql: """
            SELECT b.id, min(p.id) AS lo, max(p.id) AS hi FROM batch b LEFT JOIN payout_line p ON p.batch_id = b.id
            WHERE b.status IN ('approved','exported') GROUP BY b.id ORDER BY b.id
            """).map({ ($0["id"] as Int64, $0["lo"] as Int64?, $0["hi"] as Int64?) }) {
            _ = try seal(db, batchID: id, lineRange: lo.flatMap { l in hi.map { l...$0 } })
        }
    }
}
