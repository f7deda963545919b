import ArgumentParser
import ChiTraCore
import ChiTraStore
import Foundation

/// `chitra audit`: verify the audit log's hash chain and show trails.
struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "audit", abstract: "The tamper-evident audit log.",
        discussion: """
        Every entry is sealed with HMAC-SHA256 under the audit key (audit.key in the key directory, never in the store),
        chained to the entry before it. `verify` names the first entry changed, removed or reordered.
        """,
        subcommands: [Verify.self, Show.self])

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Walk the audit chain; exit 4 at the first changed, removed or reordered entry.",
            discussion: "Example: chitra audit verify --keys /secure/chitra-keys")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var keys: KeysCommand.StoreOptions

        func run() throws {
            let report = try global.openStore(keys: keys.directory).verifyIntegrity()
            let (r, approvals, people) = (report.chain, report.approvals, report.paymentDetailsChangedOutsideChiTra)
            if global.json {
                try printJSON(report)
            } else {
                print((r.ok ? Message("cli.audit.ok", ["detail": .text(r.message)]) : Message("cli.audit.tampered", ["detail": .text(r.message)])).text())
                for f in approvals { print(Message("cli.audit.tampered", ["detail": .text(f.message)]).text()) }
                if !people.isEmpty {
                    print(Message("cli.audit.tampered_people", ["n": .text(people.count == 50 ? "≥ 50" : "\(people.count)"), "codes": .text(people.prefix(20).joined(separator: ", "))]).text())
                }
                if !report.accountsChangedOutsideChiTra.isEmpty {
                    print(Message("cli.audit.tampered_accounts", ["accounts": .text(report.accountsChangedOutsideChiTra.joined(separator: ", "))]).text())
                }
                if !report.funeralClaimsChangedOutsideChiTra.isEmpty {
                    print(Message("cli.audit.tampered_claims", ["claims": .text(report.funeralClaimsChangedOutsideChiTra.map { "#\($0)" }.joined(separator: ", "))]).text())
                }
                if report.outcomesChangedOutsideChiTraCount > 0 {
                    let n = report.outcomesChangedOutsideChiTraCount, shown = report.outcomesChangedOutsideChiTra.prefix(20)
                    print(Message("cli.audit.tampered_outcomes", ["n": .int(n), "lines": .text(shown.joined(separator: ", ") + (n > shown.count ? ", …" : ""))]).text())
                }
                if approvals.isEmpty && people.isEmpty && report.accountsChangedOutsideChiTra.isEmpty && report.funeralClaimsChangedOutsideChiTra.isEmpty
                    && report.outcomesChangedOutsideChiTraCount == 0 {
                    print(Message("cli.audit.seals_ok").text())
                }
            }
            if !report.ok { throw ExitCode(4) }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a trail: one batch, one beneficiary, or the latest entries.",
            discussion: "Role: admin or checker. Examples: chitra audit show --batch 1 --user binh.tran; chitra audit show --beneficiary DT0000114; chitra audit show --last 50")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var keys: KeysCommand.StoreOptions
        @OptionGroup var login: LoginOptions
        @Option(help: "A batch id.") var batch: Int64?
        @Option(help: "A beneficiary code.") var beneficiary: String?
        @Option(help: "Without --batch or --beneficiary: how many of the latest entries.") var last = 30

        func validate() throws {
            if batch != nil && beneficiary != nil { throw ValidationError(Message("cli.option.batch_or_beneficiary").text()) }
        }

        func run() throws {
            let db = try global.openStore(keys: keys.directory)
            _ = try login.actor(db, asAnyOf: [.admin, .checker])
            let entries = try db.writer.read { d -> [AuditLog.Entry] in
                if let batch { return try AuditLog.trail(d, batchID: batch) }
                if let beneficiary { return try AuditLog.trail(d, beneficiary: beneficiary) }
                return try AuditLog.recent(d, limit: last)
            }
            if global.json { try printJSON(entries); return }
            if entries.isEmpty { print("No audit entries."); return }
            for e in entries {
                print("#\(e.id) \(e.at) \(e.who): \(e.action) \(e.entity) \(e.entityID)\(e.detail.isEmpty ? "" : " — \(e.detail)")")
            }
        }
    }
}

/// `chitra backup`: an online copy of the store, atomic, mode 0600, checked after writing.
struct BackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "backup", abstract: "Copy the store to a file (SQLite online backup), 0600, atomic.",
        discussion: """
        Commands may keep running meanwhile. The copy is checked (integrity_check, audit chain) after writing.
        An existing file is refused; --force replaces it only if it is a ChiTra backup (never a roll, a CSV, …).
        The audit key is not in the backup: keep a copy of the key directory elsewhere (ops/runbook.md).
        Role: admin. Example: chitra backup --out /backup/chitra-2026-12-01.sqlite --user quan.tri
        """)
    @OptionGroup var global: GlobalOptions
    @OptionGroup var keys: KeysCommand.StoreOptions
    @OptionGroup var login: LoginOptions
    @Option(help: ArgumentHelp("The backup file to write.", valueName: "FILE")) var out: String
    @Flag(help: "Replace an existing file, if it is an older ChiTra backup.") var force = false

    func validate() throws {
        if FileManager.default.fileExists(atPath: out) && URL(fileURLWithPath: out).standardizedFileURL.path == URL(fileURLWithPath: global.dbPath).standardizedFileURL.path {
            throw ValidationError(Message("cli.option.out_is_store").text())
        }
    }

    func run() throws {
        let db = try global.openStore(keys: keys.directory)
        let r = try db.backup(to: URL(fileURLWithPath: out), by: try login.actor(db, as: .admin), force: force)
        if global.json { try printJSON(r) } else {
            print(Message("cli.backup.done", ["store": .text(global.dbPath), "file": .text(r.file), "bytes": .int(Int(r.bytes)), "integrity": .text(r.integrity), "chain": .text(r.auditChain.message)]).text())
        }
        if r.integrity != "ok" || !r.auditChain.ok { throw ExitCode(4) }
    }
}

/// `chitra restore`: put a backup back as a store, after checking it.
struct RestoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "restore", abstract: "Restore a backup as the store, after checking its integrity and audit chain.",
        discussion: """
        Refuses to replace an existing store unless --force. The backup is checked (PRAGMA integrity_check, the audit chain
        under the audit key of --keys) before it is put in place. With --force the store is replaced in one SQLite
        transaction under its write lock (a running command is waited for, up to 30 seconds, then the restore is refused
        and nothing is changed), after a safety copy of it is written beside it: STORE.before-restore-YYYYMMDDTHHMMSSZ (0600).
        Role: admin of the backup (the accounts are the backup's). The audit head anchor beside the key is moved to the
        restored store's newest entry. A backup made before accounts existed gets its first administrator here
        (--user LOGIN --full-name "…", password as for init).
        Example: chitra restore /backup/chitra-2026-12-01.sqlite --db ward.sqlite --user quan.tri
        """)
    @OptionGroup var global: GlobalOptions
    @OptionGroup var keys: KeysCommand.StoreOptions
    @OptionGroup var login: LoginOptions
    @Argument(help: "The backup file.") var file: String
    @Flag(help: "Replace an existing store (a safety copy of it is kept beside it).") var force = false
    @Option(help: "Only for a backup made before accounts existed: the full name of its first administrator (--user).") var fullName: String?

    func run() throws {
        let dir = keys.directory.flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) } ?? AppDatabase.defaultKeyDirectory()
        let key = try AuditKey.loadOrCreate(directory: dir, create: false)
        let previousAnchor = try? AuditAnchor.read(dir.appendingPathComponent(AuditAnchor.fileName))
        let r = try AppDatabase.restore(from: URL(fileURLWithPath: file), to: global.dbPath, auditKey: key, force: force) { copy in
            let users = Users(db: copy)
            if try !users.hasActiveAdmin() {
                guard let name = login.login, let fullName else {
                    throw CLIError(Message("cli.restore.needs_admin", ["file": .text(file)]))
                }
                let password = try PasswordInput.shared.readNew(for: Users.loginKey(name), stdin: login.passwordStdin)
                let admin = try users.addFirstAdmin(username: name, fullName: fullName, password: password)
                return try users.authenticate(admin.username, password: password).acting(as: .admin)
            }
            return try login.actor(copy, as: .admin)
        }
        let anchor = try? AuditAnchor.read(dir.appendingPathComponent(AuditAnchor.fileName))
        if global.json { try printJSON(r) } else {
            print(Message("cli.restore.done", ["backup": .text(file), "file": .text(r.file), "integrity": .text(r.integrity), "chain": .text(r.auditChain.message)]).text())
            if let now = anchor ?? nil {
                let was = (previousAnchor ?? nil).map { "#\($0.entryID)" } ?? "none"
                print("The audit head anchor (\(AuditAnchor.fileName) beside the audit key) now points at entry #\(now.entryID) of the restored store (it pointed at \(was)).")
                let kept = (try? FileManager.default.contentsOfDirectory(atPath: dir.path))?
                    .filter { $0.hasPrefix(AuditAnchor.fileName + ".before-restore-") }.sorted().last
                if let kept, let before = previousAnchor ?? nil, before.storeID == now.storeID, before.entryID >= now.entryID {
                    print("The anchor it replaced is kept as \(dir.appendingPathComponent(kept).path). If the store it followed is still in use (a test restore to a spare path), put that file back as \(AuditAnchor.fileName) — and test restores with a copy of the key directory (--keys) — or that store's audit verify will report its newest entries as replaced.")
                }
            }
            if let copy = r.safetyCopy {
                print("The store it replaced is kept in \(copy) (mode 0600): delete it once the restored store is checked and backed up.")
            }
            let left = AppDatabase.interruptedRestoreTemporaries(beside: global.dbPath)
            if !left.isEmpty {
                print("Left beside the store by an interrupted restore (delete them unless another restore is running): \(left.joined(separator: ", "))")
            }
        }
    }
}
