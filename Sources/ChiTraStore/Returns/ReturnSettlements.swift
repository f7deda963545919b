import ChiTraCore
import GRDB
import GRDBSQLite

/// The payout lines a returns import settles, kept until the end of the command and then written
/// in ascending `payout_line.id` order, in one pass (`applyInLineOrder`).
///
/// Why: a bank's return answers lines scattered over the whole `payout_line` table; updated as
/// each return line is read, nearly every settled line dirtied its own page, again and again.
/// Kept here, the lines of a command are written once each, in table order, at its end.
///
/// The import reads through it (`outcome(lineID:)`, `entry(lineID:)`): a later line of the same
/// command sees an earlier settlement exactly as it would have seen it in the store (a pending
/// then a paid, a repeat, a conflict). A file's settlements are undone with its savepoint
/// (`beginFile` / `commitFile` / `rollbackFile`).
public final class ReturnSettlements {
    /// One settlement: what `ReturnSettlement`'s settle statements write onto the line, in 24 bytes (a
    /// million lines of a national month hold about 23 MB): the time and the bank's reason code as
    /// indexes into the command's few distinct values, the date as yyyymmdd.
    public struct Entry: Sendable {
        public var returnLine: Int64
        var at: Int32
        /// yyyymmdd, 0 for none.
        var packedDate: Int32
        /// Index into `codes` + 1, 0 for none.
        var code: Int32
        public var outcome: ReturnOutcome
        public var reason: CanonicalReason?
        public var retryable: Bool?
        public var receiver: ReturnReceiver?

        static let empty = Entry(returnLine: 0, at: 0, packedDate: 0, code: 0, outcome: .pending, reason: nil, retryable: nil, receiver: nil)

        var date: CivilDate? {
            packedDate == 0 ? nil : CivilDate(year: Int(packedDate / 10_000), month: Int(packedDate / 100 % 100), day: Int(packedDate % 100))
        }
    }

    /// The entries by line id, in pages of 256 consecutive ids (6 KB): a month's lines have
    /// consecutive ids, so the pages are nearly full, nothing is copied as they grow (a dictionary
    /// of a million entries doubles its buckets and holds both while it does), and the pages in
    /// key order are the lines in id order. An empty slot has `returnLine` 0 (no return line has).
    private var pages: [Int64: Page] = [:]
    private final class Page {
        var slots = [Entry](repeating: Entry.empty, count: ReturnSettlements.pageSize)
    }
    static let pageShift: Int64 = 8
    static let pageSize = 1 << Int(pageShift)
    private var settled = 0
    /// The page used last: a file answers its lines mostly in id order.
    private var lastKey: Int64 = -1
    private var lastPage: Page?
    private var timestamps: [String] = []
    /// The reason codes met (`AC04`, `MD07`, …), each once.
    private var codes: [String] = []
    private var codeIndex: [String: Int32] = [:]
    /// The current file's changes, to undo when its savepoint is rolled back: (line, entry before,
    /// `Entry.empty` when there was none).
    private var undo: [(Int64, Entry)] = []
    private var fileTimestamps = 0

    public init() {}

    /// Lines settled so far (each counted once).
    public var count: Int { settled }

    private func existingPage(_ key: Int64) -> Page? {
        if key == lastKey { return lastPage }
        guard let p = pages[key] else { return nil }
        lastKey = key; lastPage = p
        return p
    }

    /// Stores `e` at `lineID`; returns what was there.
    private func put(_ e: Entry, at lineID: Int64) -> Entry {
        let key = lineID >> Self.pageShift, i = Int(lineID & Int64(Self.pageSize - 1))
        let page: Page
        if let p = existingPage(key) { page = p } else { page = Page(); pages[key] = page; lastKey = key; lastPage = page }
        let before = page.slots[i]
        page.slots[i] = e
        settled += (e.returnLine != 0 ? 1 : 0) - (before.returnLine != 0 ? 1 : 0)
        return before
    }

    /// Starts a file's settlements, made at `now` (its import time).
    public func beginFile(at now: String) {
        undo.removeAll(keepingCapacity: true)
        fileTimestamps = timestamps.count
        timestamps.append(now)
    }

    /// The file's savepoint was released: its settlements stay.
    public func commitFile() { undo.removeAll(keepingCapacity: true) }

    /// The file's savepoint was rolled back: its settlements go with it.
    public func rollbackFile() {
        for (lineID, before) in undo.reversed() { _ = put(before, at: lineID) }
        undo.removeAll(keepingCapacity: true)
        timestamps.removeSubrange(fileTimestamps...)
    }

    /// Records that return line `returnLine` settles payout line `lineID` (the latest wins).
    public func add(lineID: Int64, outcome: ReturnOutcome, reason: CanonicalReason?, reasonCode: String?, retryable: Bool?,
                    receiver: ReturnReceiver?, date: CivilDate?, returnLine: Int64) {
        precondition(!timestamps.isEmpty, "ReturnSettlements.add before beginFile")
        var code: Int32 = 0
        if let reasonCode {
            if let known = codeIndex[reasonCode] { code = known } else {
                codes.append(reasonCode)
                code = Int32(codes.count)
                codeIndex[reasonCode] = code
            }
        }
        let packed = date.map { Int32($0.year * 10_000 + $0.month * 100 + $0.day) } ?? 0
        let e = Entry(returnLine: returnLine, at: Int32(timestamps.count - 1), packedDate: packed, code: code,
                      outcome: outcome, reason: reason, retryable: retryable, receiver: receiver)
        undo.append((lineID, put(e, at: lineID)))
    }

    /// The outcome this command settled line `lineID` with, nil when it has not.
    public func outcome(lineID: Int64) -> ReturnOutcome? { entry(lineID: lineID)?.outcome }

    /// This command's settlement of line `lineID`, nil when it has none.
    public func entry(lineID: Int64) -> Entry? {
        guard let page = existingPage(lineID >> Self.pageShift) else { return nil }
        let e = page.slots[Int(lineID & Int64(Self.pageSize - 1))]
        return e.returnLine == 0 ? nil : e
    }

    /// Writes every settlement onto its payout line, in ascending line id, and forgets them;
    /// returns how many lines were written.
    @discardableResult
    public func applyInLineOrder(_ db: Database) throws -> Int {
        undo.removeAll()
        guard settled > 0 else { return 0 }
        let keeping = try db.makeStatement(sql: ReturnSettlement.settleKeepingRetiredSQL)
        let retiring = try db.makeStatement(sql: ReturnSettlement.settleRetiringSQL)
        for key in pages.keys.sorted() {
            for (i, e) in pages[key]!.slots.enumerated() where e.returnLine != 0 {
                let id = key << Self.pageShift | Int64(i)
                // The flag already agrees with the new state (nearly every line): one statement.
                if try settle(e, line: id, with: keeping, db) == 0 { _ = try settle(e, line: id, with: retiring, db) }
            }
        }
        let n = settled
        pages = [:]
        lastKey = -1; lastPage = nil
        settled = 0
        timestamps = []
        codes = []
        codeIndex = [:]
        return n
    }

    /// Runs one of `ReturnSettlement`'s two settle statements for entry `e` of line `id`; returns
    /// how many rows it changed.
    private func settle(_ e: Entry, line id: Int64, with statement: Statement, _ db: Database) throws -> Int32 {
        let s = statement.sqliteStatement
        defer { sqlite3_reset(s); sqlite3_clear_bindings(s) }
        bindText(ReturnSettlement.lineState(e.outcome).rawValue, 1, s)
        bindText(e.reason?.rawValue, 2, s)
        bindText(e.code == 0 ? nil : codes[Int(e.code) - 1], 3, s)
        if let r = e.retryable { sqlite3_bind_int64(s, 4, r ? 1 : 0) } else { sqlite3_bind_null(s, 4) }
        bindText(e.receiver?.rawValue, 5, s)
        bindText(e.date?.description, 6, s)
        sqlite3_bind_int64(s, 7, e.returnLine)
        bindText(timestamps[Int(e.at)], 8, s)
        sqlite3_bind_int64(s, 9, id)
        let code = sqlite3_step(s)
        guard code == SQLITE_DONE else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)), sql: statement.sql)
        }
        return sqlite3_changes(db.sqliteConnection)
    }

    /// Text bound as GRDB binds it (copied by SQLite, NUL-terminated), or NULL.
    private func bindText(_ value: String?, _ index: Int32, _ s: OpaquePointer) {
        if let value { sqlite3_bind_text(s, index, value, -1, SQLITE_TRANSIENT_SETTLEMENTS) } else { sqlite3_bind_null(s, index) }
    }
}

/// `SQLITE_TRANSIENT` (a C macro Swift does not import): SQLite copies the bound bytes.
private let SQLITE_TRANSIENT_SETTLEMENTS = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)
