import ChiTraCore
import ChiTraSigning
import Foundation
import GRDB

/// The audit chain's head, kept outside the store: `audit.head` beside `audit.key`.
///
/// After every transaction that appended audit entries, the id and MAC of the newest entry are
/// written there atomically (temporary file, fsync, rename; mode 0600), with the store's random
/// id. ``AuditLog/verify(_:)`` alone cannot see the newest entries deleted together with
/// `sqlite_sequence`; comparing the store with its anchor can: the anchored entry must still be
/// there with the same MAC. The store may be *ahead* of its anchor (a process killed between its
/// commit and the anchor's rename, or two processes committing at once): the entries after the
/// anchored one are checked by the chain itself.
///
/// ```text
/// chitra-audit-head-v1
/// store: 3f0c…
/// entry: 1284
/// mac: 9a1b…
/// ```
public struct AuditAnchor: Equatable, Sendable {
    public static let fileName = "audit.head"
    public var storeID: String
    public var entryID: Int64
    public var mac: Data
    /// A head a restore is about to put in place: accepted too, so that a restore killed between
    /// replacing the store and moving the anchor leaves an anchor that accepts the store either way.
    public var pending: Pending?

    public struct Pending: Equatable, Sendable {
        public var storeID: String
        public var entryID: Int64
        public var mac: Data
    }

    public init(storeID: String, entryID: Int64, mac: Data, pending: Pending? = nil) {
        self.storeID = storeID; self.entryID = entryID; self.mac = mac; self.pending = pending
    }

    /// `audit.head` in the directory of `auditKey` (nil for an in-memory key).
    public static func url(for auditKey: AuditKey) -> URL? {
        guard auditKey.path != AuditKey.memoryPath else { return nil }
        return URL(fileURLWithPath: auditKey.path).deletingLastPathComponent().appendingPathComponent(fileName)
    }

    var text: String {
        var t = "chitra-audit-head-v1\nstore: \(storeID)\nentry: \(entryID)\nmac: \(Hex.encode(mac))\n"
        if let p = pending { t += "pending-store: \(p.storeID)\npending-entry: \(p.entryID)\npending-mac: \(Hex.encode(p.mac))\n" }
        return t
    }

    /// Adds `head` as the pending head of the anchor at `url` (a restore, before it replaces the store).
    /// `live` is the head of the store the restore replaces. When it is the pending head of an
    /// earlier restore (killed after it replaced the store, before the anchor followed), that head
    /// becomes the anchor first: otherwise the new pending head would take its place, and a kill
    /// before this restore replaces the store would leave an anchor that knows neither the store's
    /// head nor the one pending (a false "newest entries removed").
    static func expect(_ head: AuditAnchor, at url: URL, live: AuditAnchor?) throws {
        let pending = Pending(storeID: head.storeID, entryID: head.entryID, mac: head.mac)
        var current = (try? read(url)) ?? nil
        if let p = current?.pending, let live, p == Pending(storeID: live.storeID, entryID: live.entryID, mac: live.mac) {
            try live.write(url, force: true)
            current = live
        }
        // The anchor a restore moves is kept, to put back if the restore was only a test (a spare copy).
        if let current, current.pending == nil {
            let stamp = Timestamp.compact(Date())
            try AtomicFile.write(Data(current.text.utf8), to: url.deletingLastPathComponent().appendingPathComponent("\(fileName).before-restore-\(stamp)"), mode: 0o600)
        }
        var anchor = current ?? head
        anchor.pending = pending
        try anchor.write(url, force: true)
    }

    /// Reads an anchor file; nil when there is none, an error when it is not one.
    public static func read(_ url: URL) throws -> AuditAnchor? {
        guard let data = FileManager.default.contents(atPath: url.path) else { return nil }
        var fields: [String: String] = [:]
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n")
        guard lines.first == "chitra-audit-head-v1" else { throw StoreError(Message("store.anchor.not_anchor", ["path": .text(url.path)])) }
        for line in lines.dropFirst() {
            let parts = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if parts.count == 2 { fields[parts[0]] = parts[1] }
        }
        guard let store = fields["store"], let entry = fields["entry"].flatMap(Int64.init), let macHex = fields["mac"],
              let mac = Hex.decode(macHex), mac.count == 32 else {
            throw StoreError(Message("store.anchor.damaged", ["path": .text(url.path)]))
        }
        var pending: Pending?
        if let ps = fields["pending-store"], let pe = fields["pending-entry"].flatMap(Int64.init), let pm = fields["pending-mac"],
           let pmac = Hex.decode(pm), pmac.count == 32 {
            pending = Pending(storeID: ps, entryID: pe, mac: Data(pmac))
        }
        return AuditAnchor(storeID: store, entryID: entry, mac: Data(mac), pending: pending)
    }

    /// Writes the anchor atomically, 0600. Never moves an anchor of the same store backwards
    /// (two processes finishing out of order) unless `force` (a restore).
    public func write(_ url: URL, force: Bool = false) throws {
        if !force, let current = try? Self.read(url), current.storeID == storeID, current.entryID > entryID { return }
        try AtomicFile.write(Data(text.utf8), to: url, mode: 0o600)
    }

    /// After a commit that appended entries: moves the anchor at `url` to the newest entry of the
    /// store open on `db` — only when the store still agrees with the anchor it replaces (the
    /// anchored entry is there with its MAC, or the head a killed restore left pending is).
    /// Otherwise the anchor stays, and `audit verify` keeps reporting the entries removed or
    /// replaced: new entries written after a deletion must not heal it. A damaged anchor, or
    /// another store's, stays too, for `audit verify` to report.
    static func advance(_ db: Database, at url: URL) throws {
        guard let head = try head(db) else { return }
        guard let current = try read(url) else { try head.write(url); return }
        if let p = current.pending, p.storeID == head.storeID, try mac(db, entry: p.entryID) == p.mac {
            try head.write(url, force: true)
        } else if current.storeID == head.storeID, try mac(db, entry: current.entryID) == current.mac {
            try head.write(url)
        }
    }

    /// Refuses to make a new store whose key directory already anchors another store's audit log:
    /// the two would each report the other's anchor, and neither could anchor its own head.
    static func refuseNewStore(keysAnchor url: URL) throws {
        guard FileManager.default.fileExists(atPath: url.path) else { return }
        let other = ((try? read(url)) ?? nil).map { String($0.storeID.prefix(8)) } ?? "?"
        throw StoreError(Message("store.anchor.taken", ["dir": .text(url.deletingLastPathComponent().path), "store": .text(other),
                                                        "file": .text(url.lastPathComponent)]))
    }

    /// The MAC of audit entry `id` in the store open on `db`; nil when there is no such entry.
    private static func mac(_ db: Database, entry id: Int64) throws -> Data? {
        try Data.fetchOne(db, sql: "SELECT mac FROM audit_log WHERE id = ?", arguments: [id])
    }

    /// The newest entry of the store open on `db`, as an anchor.
    static func head(_ db: Database) throws -> AuditAnchor? {
        guard let storeID = try String.fetchOne(db, sql: "SELECT store_id FROM audit_chain WHERE id = 1"),
              let row = try Row.fetchOne(db, sql: "SELECT id, mac FROM audit_log ORDER BY id DESC LIMIT 1"),
              let mac = row["mac"] as Data? else { return nil }
        return AuditAnchor(storeID: storeID, entryID: row["id"], mac: mac)
    }

    /// Compares the store with its anchor; nil when they agree (or the store needs none yet).
    static func check(_ db: Database, anchorURL: URL) throws -> AuditLog.ChainReport? {
        let entries = try Int.fetchOne(db, sql: "SELECT count(*) FROM audit_log") ?? 0
        let storeID = try String.fetchOne(db, sql: "SELECT store_id FROM audit_chain WHERE id = 1")
        func problem(_ id: Int64?, _ p: AuditLog.Problem, _ m: Message) -> AuditLog.ChainReport {
            AuditLog.ChainReport(entries: entries, entryID: id, problem: p, message: m.text())
        }
        guard let anchor = try read(anchorURL) else {
            // Entries that name an account were all written after anchoring began.
            let v2 = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM audit_log WHERE user_id IS NOT NULL)") ?? false
            return v2 ? problem(nil, .unanchored, Message("store.anchor.missing", ["path": .text(anchorURL.path)])) : nil
        }
        // A restore killed between replacing the store and moving the anchor: its pending head.
        if let p = anchor.pending, p.storeID == storeID, try mac(db, entry: p.entryID) == p.mac {
            return nil
        }
        guard anchor.storeID == storeID else {
            return problem(nil, .unanchored, Message("store.anchor.other_store", ["path": .text(anchorURL.path), "store": .text(String(anchor.storeID.prefix(8)))]))
        }
        guard let stored = try mac(db, entry: anchor.entryID) else {
            let last = try Int64.fetchOne(db, sql: "SELECT max(id) FROM audit_log") ?? 0
            let args: [String: MessageArg] = ["first": .text("\(last + 1)"), "anchored": .text("\(anchor.entryID)"), "last": .text("\(last)"),
                                              "file": .text(anchorURL.lastPathComponent)]
            return problem(last, .headRemoved, last + 1 == anchor.entryID ? Message("store.anchor.head_removed_one", args) : Message("store.anchor.head_removed_many", args))
        }
        guard stored == anchor.mac else {
            return problem(anchor.entryID, .headRemoved, Message("store.anchor.head_replaced", ["id": .text("\(anchor.entryID)")]))
        }
        return nil
    }
}

/// Writes the anchor after each commit that appended audit entries (registered on the store's
/// own connection only: a backup or a restore's temporary copy never moves the anchor).
final class AuditAnchorObserver: TransactionObserver, @unchecked Sendable {
    let url: URL
    private var appended = false

    init(url: URL) { self.url = url }

    func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool {
        if case .insert(let table) = eventKind { return table == "audit_log" }
        return false
    }
    func databaseDidChange(with event: DatabaseEvent) { appended = true }
    func databaseDidCommit(_ db: Database) {
        guard appended else { return }
        appended = false
        // A failure to anchor must not undo a committed change; the next commit anchors again,
        // and `audit verify` reports a store whose anchor lags far behind only if entries vanish.
        try? AuditAnchor.advance(db, at: url)
    }
    func databaseDidRollback(_ db: Database) { appended = false }
}
