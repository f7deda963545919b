import ChiTraCore
import ChiTraStore
import GRDB

/// The queue of return lines that need a person: listed, then resolved with a note.
public struct ExceptionQueue {
    /// An exception as the clerk lists it (the store's listing; JSON keys are its field names).
    public typealias Item = ReturnExceptions.Listed
    public enum Resolution: String, Sendable, CaseIterable {
        /// Nothing changes; the note says why (e.g. confirmed with the bank that it was a stray line).
        case dismiss
        /// Apply the return line's outcome to the payout line after checking with the bank.
        case apply
    }

    public let db: AppDatabase
    public init(db: AppDatabase) { self.db = db }

    public func list(openOnly: Bool = true, batchID: Int64? = nil) throws -> [Item] {
        try db.writer.read { db in try Self.list(db, openOnly: openOnly, batchID: batchID) }
    }

    /// `list`, inside a read the caller already holds.
    static func list(_ db: Database, openOnly: Bool, batchID: Int64?) throws -> [Item] {
        try ReturnExceptions.list(db, openOnly: openOnly, batchID: batchID)
    }

    /// Resolves one exception, in one transaction, with who and why in the audit log.
    public func resolve(id: Int64, resolution: Resolution, note: String, by actor: Actor) throws {
        try actor.require(.clerk)
        guard !note.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw StoreError(Message("store.exception.note_required"))
        }
        try db.writer.write { db in
            guard let e = try ReturnExceptions.stored(db, id: id) else {
                throw StoreError(Message("store.exception.missing", ["id": .int(Int(id))]))
            }
            guard e.status == .open else {
                throw StoreError(Message("store.exception.already_resolved", ["id": .int(Int(id)), "by": .text(e.resolvedBy ?? "?")]))
            }
            let kind = e.kind
            let now = Timestamp.now()
            if resolution == .apply {
                // The kinds whose outcome may yet be applied are the kinds that hold money.
                guard ReturnExceptionKind.holdingMoney.contains(kind),
                      let lineID = e.payoutLineID, let rlID = e.returnLineID else {
                    throw StoreError(Message("store.exception.no_payment", ["id": .int(Int(id)), "kind": .text(kind.rawValue)]))
                }
                let rl = try ReturnLines.recorded(db, id: rlID)!
                // Paid (or pending) after all, while a later batch carries it over: that batch must go first.
                if rl.outcome != .rejected, let carrier = try PayoutQueries.liveCarrier(db, ofLine: lineID) {
                    let batch = carrier.batchID
                    throw StoreError(Message("store.exception.carried_over", ["id": .int(Int(id)), "state": .text(ReturnSettlement.lineState(rl.outcome).rawValue), "batch": .int(Int(batch)), "status": .text(carrier.status)]))
                }
                try ReturnSettlement.apply(db, returnLine: rl, toLine: lineID, at: now)
            }
            try ReturnExceptions.resolve(db, id: id, resolution: resolution == .apply ? .applied : .dismissed, by: actor, at: now, note: note)
            try AuditLog.append(db, actor: actor, action: "exception.resolve", entity: "return_exception", entityID: String(id),
                                detail: "kind=\(kind) resolution=\(resolution.rawValue) note=\(note)")
        }
    }
}

extension ReturnExceptions.Listed {
    /// "transaction 17 (EndToEndId …)" for an XML file, "line 12" for a CSV file.
    public var location: ReturnLocation { ReturnLocation(line: lineNo, transaction: transaction, endToEndID: endToEndID) }
}
