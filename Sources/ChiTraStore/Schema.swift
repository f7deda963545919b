/// The store's schema. Trust SQLite more than ourselves: every rule that can be a constraint is one.
enum Schema {
    static let v1 = """
    CREATE TABLE import_file (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        sha256 TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('roll','return')),
        name TEXT NOT NULL,
        imported_at TEXT NOT NULL,
        imported_by TEXT NOT NULL,
        rows_total INTEGER NOT NULL,
        rows_applied INTEGER NOT NULL,
        rows_unchanged INTEGER NOT NULL,
        rows_rejected INTEGER NOT NULL,
        UNIQUE (kind, sha256)
    );

    CREATE TABLE beneficiary (
        code TEXT PRIMARY KEY NOT NULL,
        full_name TEXT NOT NULL,
        name_bank TEXT NOT NULL,
        birth_date TEXT NOT NULL,
        birth_year_only INTEGER NOT NULL DEFAULT 0 CHECK (birth_year_only IN (0,1)),
        sex TEXT NOT NULL CHECK (sex IN ('M','F')),
        personal_id TEXT NOT NULL,
        id_legacy INTEGER NOT NULL DEFAULT 0 CHECK (id_legacy IN (0,1)),
        commune TEXT NOT NULL,
        village TEXT NOT NULL,
        address TEXT NOT NULL DEFAULT '',
        phone TEXT NOT NULL DEFAULT '',
        status TEXT NOT NULL CHECK (status IN ('active','suspended','stopped')),
        death_date TEXT,
        channel TEXT NOT NULL CHECK (channel IN ('bank','post_account','post_cash')),
        bank_bin TEXT,
        account_no TEXT,
        account_name TEXT,
        proxy_name TEXT,
        proxy_id TEXT,
        proxy_relation TEXT,
        authorisation_until TEXT,
        -- Recorded as unable to collect in person (bedridden, far away…): a proxy is needed.
        needs_proxy INTEGER NOT NULL DEFAULT 0 CHECK (needs_proxy IN (0,1)),
        -- Set when a bank or post office rejects the account (invalid, closed, blocked, name
        -- mismatch); cleared when a new account arrives. Reason code and the return that set it.
        account_flag TEXT,
        account_flag_at TEXT,
        account_flag_ref TEXT,
        first_file_id INTEGER NOT NULL REFERENCES import_file(id),
        last_file_id INTEGER NOT NULL REFERENCES import_file(id),
        updated_at TEXT NOT NULL,
        CHECK (channel <> 'bank' OR (bank_bin IS NOT NULL AND account_no IS NOT NULL)),
        CHECK (channel <> 'post_account' OR account_no IS NOT NULL)
    );
    CREATE INDEX beneficiary_personal_id ON beneficiary(personal_id);
    CREATE INDEX beneficiary_place ON beneficiary(commune, village);

    CREATE TABLE grant_record (
        code TEXT NOT NULL REFERENCES beneficiary(code),
        category TEXT NOT NULL,
        children INTEGER CHECK (children IS NULL OR children >= 1),
        decision_no TEXT NOT NULL,
        decision_date TEXT NOT NULL,
        start_month TEXT NOT NULL,
        end_month TEXT CHECK (end_month IS NULL OR end_month >= start_month),
        -- Status of this grant in the export; the person's status is derived from their grants.
        status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','suspended','stopped')),
        last_file_id INTEGER NOT NULL REFERENCES import_file(id),
        PRIMARY KEY (code, category)
    );

    -- Who changed what, when, from which file. Append-only.
    CREATE TABLE roll_change (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        code TEXT NOT NULL,
        category TEXT,
        field TEXT NOT NULL,
        old_value TEXT,
        new_value TEXT,
        file_id INTEGER REFERENCES import_file(id),
        -- 'import' (from file_id) or 'manual' (a command such as beneficiary set-account)
        source TEXT NOT NULL DEFAULT 'import' CHECK (source IN ('import','manual','returns')),
        changed_at TEXT NOT NULL,
        changed_by TEXT NOT NULL,
        CHECK (source <> 'import' OR file_id IS NOT NULL)
    );
    CREATE INDEX roll_change_code ON roll_change(code);

    -- Every state change, who, when, what and why. Append-only (triggers below).
    CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        entity TEXT NOT NULL,
        entity_id TEXT NOT NULL,
        detail TEXT NOT NULL DEFAULT ''
    );
    CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    CREATE TRIGGER roll_change_no_update BEFORE UPDATE ON roll_change
        BEGIN SELECT RAISE(ABORT, 'the roll history is append-only'); END;
    CREATE TRIGGER roll_change_no_delete BEFORE DELETE ON roll_change
        BEGIN SELECT RAISE(ABORT, 'the roll history is append-only'); END;

    CREATE TABLE batch (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        period TEXT NOT NULL,
        supplementary INTEGER NOT NULL DEFAULT 0 CHECK (supplementary IN (0,1)),
        status TEXT NOT NULL CHECK (status IN ('draft','approved','exported','cancelled')),
        built_by TEXT NOT NULL,
        built_at TEXT NOT NULL,
        approved_by TEXT,
        approved_at TEXT,
        exported_at TEXT,
        cancelled_by TEXT,
        cancelled_at TEXT,
        cancel_reason TEXT,
        line_count INTEGER NOT NULL DEFAULT 0,
        control_sum INTEGER NOT NULL DEFAULT 0,
        input_digest TEXT NOT NULL DEFAULT '',
        CHECK (status = 'draft' OR status = 'cancelled' OR approved_by IS NOT NULL),
        CHECK (approved_by IS NULL OR approved_by <> built_by)
    );
    -- One regular (non-supplementary) live batch per month.
    CREATE UNIQUE INDEX batch_one_live_per_period ON batch(period) WHERE status <> 'cancelled' AND supplementary = 0;

    CREATE TABLE payout_line (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        batch_id INTEGER NOT NULL REFERENCES batch(id),
        reference TEXT NOT NULL UNIQUE CHECK (length(reference) <= 35),
        beneficiary_code TEXT NOT NULL REFERENCES beneficiary(code),
        person_key TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('allowance','care','arrears','care_arrears','funeral','carry_over')),
        -- What the money is for: a carried-over line takes the slot of what it carries, so that
        -- the same month cannot be paid once as itself and again as a carry-over.
        slot TEXT NOT NULL CHECK (slot IN ('allowance','care','arrears','care_arrears','funeral')),
        for_month TEXT NOT NULL,
        amount INTEGER NOT NULL CHECK (amount > 0),
        group_key TEXT NOT NULL,
        channel TEXT NOT NULL CHECK (channel IN ('bank','post_account','post_cash')),
        bank_bin TEXT,
        account_no TEXT,
        account_name TEXT,
        payee_name TEXT NOT NULL,
        payee_relation TEXT,
        category TEXT NOT NULL DEFAULT '',
        state TEXT NOT NULL CHECK (state IN ('draft','approved','exported','paid','failed','pending','cancelled')),
        carried_from INTEGER REFERENCES payout_line(id),
        -- What the bank or post office reported (set by returns import, never by an exception).
        result_reason TEXT,
        result_reason_code TEXT,
        result_retryable INTEGER CHECK (result_retryable IS NULL OR result_retryable IN (0,1)),
        result_receiver TEXT,
        result_date TEXT,
        result_return_line INTEGER,
        result_at TEXT
    );
    CREATE INDEX payout_line_code ON payout_line(beneficiary_code, for_month);
    CREATE INDEX payout_line_failed ON payout_line(state, result_retryable) WHERE state = 'failed';
    CREATE INDEX payout_line_batch ON payout_line(batch_id, group_key);
    -- The store itself makes a double payment impossible: one live line per person, kind and month.
    CREATE UNIQUE INDEX payout_line_one_live ON payout_line(person_key, slot, for_month)
        WHERE state NOT IN ('failed','cancelled');
    CREATE TRIGGER payout_line_frozen_delete BEFORE DELETE ON payout_line
        WHEN (SELECT status FROM batch WHERE id = OLD.batch_id) <> 'draft'
        BEGIN SELECT RAISE(ABORT, 'this batch is frozen: its lines cannot be removed'); END;
    CREATE TRIGGER payout_line_frozen_update BEFORE UPDATE OF reference, beneficiary_code, person_key, kind, slot, for_month, amount, channel, bank_bin, account_no, account_name, payee_name, batch_id ON payout_line
        WHEN (SELECT status FROM batch WHERE id = OLD.batch_id) <> 'draft'
        BEGIN SELECT RAISE(ABORT, 'this batch is frozen: its lines cannot be changed'); END;
    CREATE TRIGGER payout_line_frozen_insert BEFORE INSERT ON payout_line
        WHEN (SELECT status FROM batch WHERE id = NEW.batch_id) <> 'draft'
        BEGIN SELECT RAISE(ABORT, 'this batch is frozen: no line can be added'); END;

    -- Returns: one row per imported return file (its bytes are recorded in import_file).
    CREATE TABLE return_import (
        file_id INTEGER PRIMARY KEY REFERENCES import_file(id),
        format TEXT NOT NULL,
        message_id TEXT,
        original_message_id TEXT,
        signature TEXT NOT NULL,
        records INTEGER NOT NULL,
        applied INTEGER NOT NULL,
        exceptions INTEGER NOT NULL,
        malformed INTEGER NOT NULL
    );
    CREATE TABLE return_line (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        file_id INTEGER NOT NULL REFERENCES import_file(id),
        line_no INTEGER NOT NULL,
        reference TEXT,
        amount INTEGER,
        account_no TEXT,
        outcome TEXT NOT NULL CHECK (outcome IN ('paid','rejected','pending')),
        reason_code TEXT,
        reason TEXT,
        retryable INTEGER,
        receiver TEXT,
        date TEXT,
        payout_line_id INTEGER REFERENCES payout_line(id),
        result TEXT NOT NULL CHECK (result IN ('applied','exception','unchanged'))
    );
    CREATE INDEX return_line_payout ON return_line(payout_line_id);
    -- What needs a person's judgement. An exception never changes money by itself.
    CREATE TABLE return_exception (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        file_id INTEGER NOT NULL REFERENCES import_file(id),
        return_line_id INTEGER REFERENCES return_line(id),
        line_no INTEGER NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('unknown_reference','amount_differs','account_differs','duplicate_return',
                                           'conflicting_outcome','cancelled_batch','not_exported','malformed','totals_differ')),
        payout_line_id INTEGER REFERENCES payout_line(id),
        batch_id INTEGER REFERENCES batch(id),
        detail TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','resolved')),
        resolution TEXT CHECK (resolution IS NULL OR resolution IN ('dismissed','applied')),
        resolved_by TEXT,
        resolved_at TEXT,
        note TEXT,
        CHECK (status = 'open' OR (resolved_by IS NOT NULL AND resolution IS NOT NULL AND note IS NOT NULL))
    );
    CREATE INDEX return_exception_open ON return_exception(status, batch_id);
    -- Flags raised by returns for an officer to act on (deceased reported, 3 months not collected…).
    CREATE TABLE beneficiary_flag (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        beneficiary_code TEXT NOT NULL REFERENCES beneficiary(code),
        kind TEXT NOT NULL CHECK (kind IN ('deceased_reported','funeral_case','suspend_not_collected','account_rejected')),
        detail TEXT NOT NULL,
        payout_line_id INTEGER REFERENCES payout_line(id),
        raised_at TEXT NOT NULL,
        closed_at TEXT,
        UNIQUE (beneficiary_code, kind, payout_line_id)
    );

    -- People owed money but left out of a batch, and why.
    CREATE TABLE batch_exclusion (
        batch_id INTEGER NOT NULL REFERENCES batch(id),
        beneficiary_code TEXT NOT NULL REFERENCES beneficiary(code),
        reason_code TEXT NOT NULL,
        reason TEXT NOT NULL,
        amount_owed INTEGER NOT NULL,
        PRIMARY KEY (batch_id, beneficiary_code)
    );
    """
}

extension Schema {
    /// The gaps worklist: monthly coverage snapshots and the officers' follow-up of each case.
    static let v2Gaps = """
    -- Non-cash coverage as of a month: one row per (month, commune, village). Commune totals have
    -- village = '' and the overall total has commune = '' and village = ''. Re-running coverage in
    -- the same month replaces that month's row (the latest figure of the month is the month's figure).
    CREATE TABLE coverage_snapshot (
        month TEXT NOT NULL,
        commune TEXT NOT NULL,
        village TEXT NOT NULL,
        noncash INTEGER NOT NULL CHECK (noncash >= 0),
        total INTEGER NOT NULL CHECK (total >= noncash),
        taken_at TEXT NOT NULL,
        PRIMARY KEY (month, commune, village)
    );

    -- What an officer did about a gap case. Append-only (triggers below); kept when the case clears.
    CREATE TABLE gap_case_event (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        code TEXT NOT NULL REFERENCES beneficiary(code),
        status TEXT NOT NULL CHECK (status IN ('contacted','visit-planned','account-opened','authorisation-signed','unreachable')),
        note TEXT NOT NULL DEFAULT '',
        recorded_by TEXT NOT NULL,
        recorded_at TEXT NOT NULL
    );
    CREATE INDEX gap_case_event_code ON gap_case_event(code);
    CREATE TRIGGER gap_case_event_no_update BEFORE UPDATE ON gap_case_event
        BEGIN SELECT RAISE(ABORT, 'the gap case history is append-only'); END;
    CREATE TRIGGER gap_case_event_no_delete BEFORE DELETE ON gap_case_event
        BEGIN SELECT RAISE(ABORT, 'the gap case history is append-only'); END;
    """

    /// v3: the audit log becomes a hash chain (see `AuditLog`). Existing entries are sealed by the
    /// migration; `audit_chain` records the audit key's check value (never the key).
    static let v3AuditChain = """
    ALTER TABLE audit_log ADD COLUMN prev_mac BLOB;
    ALTER TABLE audit_log ADD COLUMN mac BLOB;
    CREATE TABLE audit_chain (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        key_kcv TEXT NOT NULL
    );
    """

    /// Re-created after the v3 migration sealed the old entries: no update, and no entry without a seal.
    static let v3AuditTriggers = """
    CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    CREATE TRIGGER audit_log_sealed BEFORE INSERT ON audit_log
        WHEN NEW.mac IS NULL OR NEW.prev_mac IS NULL
        BEGIN SELECT RAISE(ABORT, 'audit entries must be sealed: use AuditLog.append'); END;
    """
}

extension Schema {
    /// Indexes for a national roll (issue #6): without them the batch build counted earlier
    /// attempts of each person-kind-month, and reconciliation looked for carry-overs of each line,
    /// by scanning every payout line (quadratic: 9 minutes for 100,000 people).
    static let v3ScaleIndexes = """
    -- Every line, live or not, of a person, slot and month: the attempt number in a reference.
    CREATE INDEX payout_line_attempts ON payout_line(person_key, slot, for_month);
    -- The line that carries a failed one over.
    CREATE INDEX payout_line_carried ON payout_line(carried_from) WHERE carried_from IS NOT NULL;
    """
}

extension Schema {
    /// v4 (batch build at national scale): the build asks, for each person, which of their lines
    /// are no longer live (failed or cancelled) — the failed ones to send again, and all of them
    /// to number a new attempt (a line's attempt = its live line, if any, plus its retired ones).
    /// A partial index on just those lines answers both per person, and replaces
    /// `payout_line_attempts`, which indexed every line: the build's inserts (all live, `draft`)
    /// no longer touch it, and the failed lines are no longer scanned and held in memory at once.
    static let v4BuildRetiredLines = """
    CREATE INDEX payout_line_retired ON payout_line(person_key, slot, for_month) WHERE state IN ('failed','cancelled');
    DROP INDEX payout_line_attempts;
    """
}

extension Schema {
    /// v5 (issue #12): seals under the audit key (see `ApprovalSeal` and `PaymentMAC`).
    static let v5Seals = """
    ALTER TABLE payout_line ADD COLUMN line_seal BLOB;
    ALTER TABLE batch ADD COLUMN approval_seal TEXT;
    ALTER TABLE beneficiary ADD COLUMN payment_mac BLOB;
    ALTER TABLE grant_record ADD COLUMN grant_seal BLOB;
    """
}

extension Schema {
    /// v7 (issue 15): return exceptions name the transaction of an XML file (its position and
    /// EndToEndId: such a file may be one line long), stand for several lines when a re-sent report
    /// repeats outcomes already recorded (one exception for the re-send), and every original
    /// message or payment-information id a return names is kept with the batch it belongs to.
    static let v7ReturnTransactions = """
    ALTER TABLE return_exception ADD COLUMN tx_no INTEGER CHECK (tx_no IS NULL OR tx_no >= 1);
    ALTER TABLE return_exception ADD COLUMN end_to_end_id TEXT;
    ALTER TABLE return_exception ADD COLUMN lines INTEGER NOT NULL DEFAULT 1 CHECK (lines >= 1);
    ALTER TABLE return_line ADD COLUMN tx_no INTEGER;
    CREATE TABLE return_original (
        file_id INTEGER NOT NULL REFERENCES import_file(id),
        original_id TEXT NOT NULL,
        batch_id INTEGER REFERENCES batch(id),
        PRIMARY KEY (file_id, original_id)
    );
    """
}

extension Schema {
    /// v8 (issue 16, a paid line must not rewrite the one-live-line index): the two indexes that
    /// split live lines from retired ones (failed or cancelled) read a column of their own,
    /// `retired`, instead of `state`.
    ///
    /// Why: SQLite rewrites a partial index's entry whenever a column its WHERE reads is updated.
    /// With `WHERE state NOT IN ('failed','cancelled')`, every paid or pending outcome a returns
    /// import wrote deleted and reinserted the line's `payout_line_one_live` entry at the same key,
    /// one random page of a large index per line. On 3,000,000 lines in SQLite alone, writing
    /// the outcome onto every line took 72 s that way and 9 to 23 s with the indexes on `retired`.
    /// `retired` changes only when a line fails or is cancelled (or a failed line is found paid
    /// after all), which are the only changes that must move it between those indexes. A statement
    /// that names `retired` rewrites the entry even when the value stays the same, so the returns
    /// name it only when it changes (`ReturnSettlement`'s two settle statements).
    ///
    /// The CHECK (added by `retiredCheck` once existing rows are marked: SQLite tests a CHECK of
    /// a column added by ALTER TABLE against every existing row) keeps `retired` equal to
    /// `state = 'failed' OR state = 'cancelled'` on every row written, so a write that forgets it
    /// fails instead of leaving a line in the wrong index. Readers of the state are unchanged.
    static let v8RetiredLines = """
    ALTER TABLE payout_line ADD COLUMN retired INTEGER NOT NULL DEFAULT 0;
    UPDATE payout_line SET retired = 1 WHERE state IN ('failed','cancelled');
    DROP INDEX payout_line_one_live;
    DROP INDEX payout_line_retired;
    -- The store itself makes a double payment impossible: one live line per person, slot and month.
    CREATE UNIQUE INDEX payout_line_one_live ON payout_line(person_key, slot, for_month) WHERE retired = 0;
    -- A person's lines that are no longer live: the failed ones to send again, all to number an attempt.
    CREATE INDEX payout_line_retired ON payout_line(person_key, slot, for_month) WHERE retired = 1;
    """

    /// The CHECK on `retired`, written into `payout_line`'s definition after `v8RetiredLines`.
    static let retiredCheck: CheckRewrite.Rewrite = (
        "payout_line", "retired INTEGER NOT NULL DEFAULT 0",
        "retired INTEGER NOT NULL DEFAULT 0 CHECK (retired = (state = 'failed' OR state = 'cancelled'))")
}
