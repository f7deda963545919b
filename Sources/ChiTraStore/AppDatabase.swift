import ChiTraCore
import Foundation
import GRDB

/// The embedded SQLite store. One `AppDatabase` owns the writer, runs the migrations on open
/// and offers intention-named operations elsewhere (`roll`, `batch`, …), each one transaction.
///
/// Invariants live in the schema (NOT NULL, CHECK, UNIQUE, triggers): a second live payout line
/// for the same person, kind and month is refused by SQLite itself.
public final class AppDatabase: Sendable {
    /// One connection (`DatabaseQueue`) for the CLI; a `DatabasePool` for `chitra serve`, whose
    /// pages read side by side and are never queued behind a write waiting for another process's lock.
    public let writer: any DatabaseWriter
    public let path: String
    /// The key that seals the audit log's hash chain (see ``AuditLog``).
    public let auditKey: AuditKey

    /// The SQL function through which ``AuditLog`` MACs entries with this store's audit key.
    static let auditMacFunctionName = "chitra_audit_mac"

    /// Opens (creating if needed) the store at `path`, mode 0600, WAL journal, with the audit
    /// key `audit.key` of `auditKeyDirectory` (default: `$CHITRA_KEYS`, else `./chitra-keys`;
    /// created on first use).
    /// `concurrentReads`: a pool of reading connections beside the writer (the web server).
    public convenience init(path: String, auditKeyDirectory: URL? = nil, concurrentReads: Bool = false) throws {
        let dir = auditKeyDirectory ?? Self.defaultKeyDirectory()
        // A store whose chain is already sealed must find its key; a new store creates one.
        let key = try AuditKey.loadOrCreate(directory: dir, create: !Self.hasSealedChain(path: path))
        try self.init(path: path, auditKey: key, concurrentReads: concurrentReads)
    }

    /// The SQL function `chitra_audit_mac(blob)`: HMAC-SHA256 under the audit key.
    static func auditMacFunction(_ auditKey: AuditKey) -> DatabaseFunction {
        DatabaseFunction(auditMacFunctionName, argumentCount: 1, pure: true) { values in
            guard let message = Data.fromDatabaseValue(values[0]) else { return nil }
            return try auditKey.mac(message)
        }
    }

    /// True when the store at `path` exists and its audit chain is already bound to a key.
    static func hasSealedChain(path: String) -> Bool {
        guard FileManager.default.fileExists(atPath: path) else { return false }
        var config = Configuration()
        config.readonly = true
        config.busyMode = .timeout(30)
        guard let queue = try? DatabaseQueue(path: path, configuration: config) else { return false }
        defer { try? queue.close() }
        let kcv = try? queue.read { db -> String? in
            guard try db.tableExists("audit_chain") else { return nil }
            return try String.fetchOne(db, sql: "SELECT key_kcv FROM audit_chain WHERE id = 1")
        }
        return (kcv ?? nil) != nil
    }

    /// `$CHITRA_KEYS`, else `./chitra-keys` (the signing key directory).
    public static func defaultKeyDirectory() -> URL {
        if let env = ProcessInfo.processInfo.environment["CHITRA_KEYS"], !env.isEmpty { return URL(fileURLWithPath: env) }
        return URL(fileURLWithPath: "chitra-keys")
    }

    /// Opens (creating if needed) the store at `path` with an audit key already loaded.
    /// `anchoring: false` for copies (a restore's temporary file): their commits never move the
    /// audit head anchor beside the key.
    public init(path: String, auditKey: AuditKey, anchoring: Bool = true, concurrentReads: Bool = false) throws {
        self.path = path
        self.auditKey = auditKey
        var config = Configuration()
        config.foreignKeysEnabled = true
        config.busyMode = .timeout(30)
        // GRDB 7 opens write transactions IMMEDIATE (Configuration.defaultTransactionKind is gone):
        // two writers queue on the busy timeout instead of deadlocking on a lock upgrade.
        let macFunction = Self.auditMacFunction(auditKey)
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            db.add(function: macFunction)
            try PaymentMAC.register(db, key: auditKey)
            try ApprovalSeal.registerLineFunction(db, key: auditKey)
            try OutcomeSeal.register(db, key: auditKey)
            try FuneralClaims.registerSeal(db, key: auditKey)
            // A 64 MiB page cache (SQLite's default is 2 MiB): a national roll's indexes are
            // updated at random places, and a small cache rereads the same pages from the OS.
            try db.execute(sql: "PRAGMA cache_size = -65536")
        }
        let fm = FileManager.default
        let existed = fm.fileExists(atPath: path)
        if !existed {
            // Create the file 0600 before SQLite opens it: it holds personal data.
            let fd = open(path, O_CREAT | O_WRONLY, 0o600)
            if fd < 0 { throw StoreError(Message("store.create_failed", ["path": .text(path), "detail": .text(String(cString: strerror(errno)))])) }
            close(fd)
        }
        do {
            if concurrentReads {
                config.maximumReaderCount = 8
                writer = try DatabasePool(path: path, configuration: config)  // WAL is the pool's mode
            } else {
                writer = try DatabaseQueue(path: path, configuration: config)
                try writer.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = WAL") }
            }
            try Self.migrator.migrate(writer)
            try checkAuditKey(anchoring: anchoring)
            if anchoring, let url = AuditAnchor.url(for: auditKey) {
                writer.add(transactionObserver: AuditAnchorObserver(url: url), extent: .databaseLifetime)
            }
        } catch let e as DatabaseError where e.resultCode == .SQLITE_BUSY {
            throw StoreError.busy(path: path)
        } catch let e as DatabaseError {
            throw StoreError(Message("store.open_failed", ["path": .text(path), "detail": .text(e.message ?? "\(e.resultCode)")]))
        }
        chmod(path, 0o600)
    }

    /// A throwaway store in a temporary file, for tests.
    public static func temporary() throws -> AppDatabase {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("chitra-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return try AppDatabase(path: dir.appendingPathComponent("chitra.sqlite").path, auditKeyDirectory: dir.appendingPathComponent("keys"))
    }

    /// Records the audit key's check value on first use and refuses a different key afterwards,
    /// so a store opened with the wrong key directory never starts a second chain. A new store
    /// (its random id drawn here) is refused a key directory that anchors another store's head.
    private func checkAuditKey(anchoring: Bool) throws {
        let kcv = auditKey.checkValue
        let stored = try writer.write { db -> String in
            if let k = try String.fetchOne(db, sql: "SELECT key_kcv FROM audit_chain WHERE id = 1") { return k }
            if anchoring, let url = auditAnchorURL { try AuditAnchor.refuseNewStore(keysAnchor: url) }
            try db.execute(sql: "INSERT INTO audit_chain(id, key_kcv, store_id) VALUES (1, ?, lower(hex(randomblob(16))))", arguments: [kcv])
            return kcv
        }
        if stored != kcv {
            throw StoreError(Message("store.audit_key.mismatch", ["path": .text(path), "stored": .text(stored), "key": .text(auditKey.path), "kcv": .text(kcv)]))
        }
    }

    /// Where this store's audit head is anchored (`audit.head` beside `audit.key`).
    public var auditAnchorURL: URL? { AuditAnchor.url(for: auditKey) }

    /// Verifies the audit log's hash chain (``AuditLog/verify(_:)``), then compares its newest
    /// entry with the head anchored outside the store (``AuditAnchor``).
    public func verifyAuditChain() throws -> AuditLog.ChainReport {
        try writer.read { db in
            let chain = try AuditLog.verify(db)
            guard chain.ok, let url = auditAnchorURL else { return chain }
            return try AuditAnchor.check(db, anchorURL: url) ?? chain
        }
    }

    /// The newest audit entry of a store file (a restore's checked copy), as an anchor.
    static func headOfCopy(at path: String, auditKey: AuditKey) throws -> AuditAnchor? {
        var config = Configuration()
        config.readonly = true
        let queue = try DatabaseQueue(path: path, configuration: config)
        defer { try? queue.close() }
        return try queue.read { try AuditAnchor.head($0) }
    }

    /// Everything `audit verify` checks: the chain and its anchored head, every approved batch
    /// against its seal, every person's payment details against theirs, every account, funeral
    /// claim and retired payout line against theirs.
    public struct IntegrityReport: Codable, Sendable {
        public var chain: AuditLog.ChainReport
        public var approvals: [ApprovalSeal.Finding]
        /// Codes whose payment details were changed outside ChiTra (at most 50).
        public var paymentDetailsChangedOutsideChiTra: [String]
        /// Accounts whose roles, password or state were changed outside ChiTra.
        public var accountsChangedOutsideChiTra: [String]
        /// Funeral claims whose organiser, account or amount were changed outside ChiTra (ids, at most 50).
        public var funeralClaimsChangedOutsideChiTra: [Int64] = []
        /// Failed or cancelled payout lines whose outcome was changed outside ChiTra (`OutcomeSeal`):
        /// how many, and the first 50 (reference and code).
        public var outcomesChangedOutsideChiTraCount = 0
        public var outcomesChangedOutsideChiTra: [String] = []
        public var ok: Bool {
            chain.ok && approvals.isEmpty && paymentDetailsChangedOutsideChiTra.isEmpty && accountsChangedOutsideChiTra.isEmpty
                && funeralClaimsChangedOutsideChiTra.isEmpty && outcomesChangedOutsideChiTraCount == 0
        }
    }

    public func verifyIntegrity() throws -> IntegrityReport {
        let chain = try verifyAuditChain()
        return try writer.read { d in
            let outcomes = try OutcomeSeal.mismatches(d, limit: 50)
            return IntegrityReport(chain: chain, approvals: try ApprovalSeal.checkAll(d), paymentDetailsChangedOutsideChiTra: try PaymentMAC.mismatches(d, limit: 50),
                                   accountsChangedOutsideChiTra: try AccountSeal.mismatches(d),
                                   funeralClaimsChangedOutsideChiTra: try FuneralClaims.mismatches(d, limit: 50),
                                   outcomesChangedOutsideChiTraCount: outcomes.count, outcomesChangedOutsideChiTra: outcomes.lines)
        }
    }

    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1-roll-batch-audit") { db in
            try db.execute(sql: Schema.v1)
        }
        m.registerMigration("v2-gaps") { db in
            try db.execute(sql: Schema.v2Gaps)
        }
        m.registerMigration("v3-scale-indexes") { db in
            try db.execute(sql: Schema.v3ScaleIndexes)
        }
        m.registerMigration("v3-audit-chain") { db in
            try db.execute(sql: Schema.v3AuditChain)
            // Seal what was written before the chain existed, in id order.
            try db.execute(sql: "DROP TRIGGER audit_log_no_update")
            try AuditLog.sealUnsealed(db)
            try db.execute(sql: Schema.v3AuditTriggers)
        }
        m.registerMigration("v4-roll-checks-without-in-lists") { db in
            try CheckRewrite.apply(db, CheckRewrite.roll)
        }
        m.registerMigration("v4-build-retired-lines") { db in
            try db.execute(sql: Schema.v4BuildRetiredLines)
        }
        m.registerMigration("v4-payout-checks-without-in-lists") { db in
            try CheckRewrite.apply(db, CheckRewrite.payoutAndReturns)
        }
        m.registerMigration("v5-identities") { db in
            try db.execute(sql: IdentitySchema.tables)
            try db.execute(sql: IdentitySchema.legacyActors)
            try db.execute(sql: IdentitySchema.triggers)
        }
        m.registerMigration("v5-seals") { db in
            // What is approved, and each person's payment fields, sealed with the audit key.
            // Existing rows are sealed as they stand when seals begin.
            try db.execute(sql: Schema.v5Seals)
            try PaymentMAC.sealAll(db)
            try ApprovalSeal.sealExisting(db)
        }
        m.registerMigration("v5-account-seals") { db in
            // Each account sealed with the audit key (AccountSeal), as it stands when seals begin.
            try db.execute(sql: "ALTER TABLE app_user ADD COLUMN account_seal BLOB")
            try AccountSeal.sealAll(db)
        }
        m.registerMigration("v6-web-sessions") { db in
            try db.execute(sql: WebSessions.schema)
        }
        m.registerMigration("v6-roll-import-results") { db in
            try db.execute(sql: RollPageQueries.schema)
        }
        m.registerMigration("v7-cared-for-birth-dates") { db in
            // A foster carer's grant: the birth dates of those cared for (ISO, `;` between them).
            // NULL leaves every existing grant seal as it was (`PaymentMAC.grantExpression`).
            try db.execute(sql: "ALTER TABLE grant_record ADD COLUMN cared_for_birth_dates TEXT")
        }
        m.registerMigration("v7-funeral-claims") { db in
            try db.execute(sql: FuneralClaims.schema)
        }
        m.registerMigration("v7-return-transactions") { db in
            try db.execute(sql: Schema.v7ReturnTransactions)
        }
        m.registerMigration("v8-retired-lines") { db in
            try db.execute(sql: Schema.v8RetiredLines)
            // (ALTER TABLE wrote the column's definition: it cannot be missing; if it were, no line is left unguarded)
            guard try CheckRewrite.apply(db, [Schema.retiredCheck]) == 1 else {
                throw DatabaseError(message: "v8-retired-lines: payout_line.retired is not defined as ALTER TABLE wrote it")
            }
        }
        m.registerMigration("v9-outcome-seals") { db in
            // What retired each failed or cancelled line, sealed with the audit key (`OutcomeSeal`);
            // the lines retired before seals began are sealed as they stand.
            try db.execute(sql: "ALTER TABLE payout_line ADD COLUMN retired_seal BLOB")
            try OutcomeSeal.sealExisting(db)
            guard try CheckRewrite.apply(db, [OutcomeSeal.sealedCheck]) == 1 else {
                throw DatabaseError(message: "v9-outcome-seals: payout_line.retired_seal is not defined as ALTER TABLE wrote it")
            }
        }
        return m
    }
}

/// A store error with what to do about it, as one catalogue sentence (`formats/messages/store.json`);
/// never carries personal data or statement arguments.
public struct StoreError: Error, CustomStringConvertible {
    /// The sentence; nil only for a text not yet in the catalogue (`legacy`).
    public let message: Message?
    let legacy: String?

    public init(_ message: Message) { self.message = message; self.legacy = nil }

    /// A plain English text; kept for code not yet moved to the catalogue.
    @available(*, deprecated, message: "name a catalogue message: StoreError(Message(\"store.…\", …))")
    public init(_ text: String, remedy: String? = nil) {
        self.message = nil
        self.legacy = remedy.map { "\(text); \($0)" } ?? text
    }

    public func text(in language: Language) -> String { message?.text(in: language) ?? legacy ?? "" }
    public var description: String { text(in: .current) }

    /// Another process holds the store's write lock for longer than the busy timeout.
    public static func busy(path: String, seconds: Double = 30) -> StoreError {
        let wait = seconds == seconds.rounded() ? "\(Int(seconds))" : "\(seconds)"
        return StoreError(Message("store.busy", ["path": .text(path), "seconds": .text(wait)]))
    }
}
