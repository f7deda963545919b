/// v5 (issue #11): people with accounts instead of typed names.
///
/// `app_user` holds the accounts (`kind = 'person'`: a login and a scrypt hash) and the names that
/// earlier versions recorded as free text (`kind = 'legacy'`: no login, no password, shown as
/// "legacy"). Every row that says who did something — a batch's maker, checker and canceller and
/// who exported it, a file's importer, an exception's resolver, a follow-up's officer, a history
/// row's author, an audit entry — now references `app_user(id)`, and triggers refuse a new row
/// without one or by an account without the role the action needs. Maker ≠ checker is a CHECK
/// on the ids.
enum IdentitySchema {
    static let tables = """
    CREATE TABLE app_user (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        -- The login as typed at creation (persons) or the free-text name recorded before v5 (legacy).
        username TEXT NOT NULL,
        -- The login folded for lookup (lower case, no diacritics, no spaces): 'An.Nguyen',
        -- 'an.nguyen ' and 'AN.NGUYEN' are one account. NULL for legacy names, which cannot log in.
        login_key TEXT UNIQUE,
        full_name TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind = 'person' OR kind = 'legacy'),
        password_hash TEXT,
        disabled_at TEXT,
        failed_logins INTEGER NOT NULL DEFAULT 0 CHECK (failed_logins >= 0),
        locked_until TEXT,
        created_at TEXT NOT NULL,
        created_by INTEGER REFERENCES app_user(id),
        CHECK (kind = 'legacy' OR (login_key IS NOT NULL AND password_hash IS NOT NULL)),
        CHECK (kind = 'person' OR (login_key IS NULL AND password_hash IS NULL))
    );
    CREATE TABLE user_role (
        user_id INTEGER NOT NULL REFERENCES app_user(id),
        role TEXT NOT NULL CHECK (role = 'admin' OR role = 'maker' OR role = 'checker' OR role = 'clerk' OR role = 'officer'),
        PRIMARY KEY (user_id, role)
    ) WITHOUT ROWID;
    CREATE TRIGGER user_role_person_only BEFORE INSERT ON user_role
        WHEN (SELECT kind FROM app_user WHERE id = NEW.user_id) IS NOT 'person'
        BEGIN SELECT RAISE(ABORT, 'roles are given to accounts, not to legacy names'); END;

    ALTER TABLE batch ADD COLUMN built_by_user INTEGER REFERENCES app_user(id);
    ALTER TABLE batch ADD COLUMN approved_by_user INTEGER REFERENCES app_user(id)
        CHECK (approved_by_user IS NULL OR approved_by_user <> built_by_user);
    ALTER TABLE batch ADD COLUMN cancelled_by_user INTEGER REFERENCES app_user(id);
    ALTER TABLE batch ADD COLUMN exported_by_user INTEGER REFERENCES app_user(id);
    ALTER TABLE import_file ADD COLUMN imported_by_user INTEGER REFERENCES app_user(id);
    ALTER TABLE roll_change ADD COLUMN changed_by_user INTEGER REFERENCES app_user(id);
    ALTER TABLE return_exception ADD COLUMN resolved_by_user INTEGER REFERENCES app_user(id);
    ALTER TABLE gap_case_event ADD COLUMN recorded_by_user INTEGER REFERENCES app_user(id);
    ALTER TABLE audit_log ADD COLUMN user_id INTEGER REFERENCES app_user(id);
    ALTER TABLE audit_log ADD COLUMN role TEXT;
    -- A random id for this store, written into the audit head anchor beside audit.key.
    ALTER TABLE audit_chain ADD COLUMN store_id TEXT;
    """

    /// Every free-text name recorded before v5 becomes a legacy actor, and the rows point at it.
    static let legacyActors = """
    INSERT INTO app_user(username, full_name, kind, created_at)
        SELECT name, name, 'legacy', strftime('%Y-%m-%dT%H:%M:%SZ','now') FROM (
            SELECT built_by AS name FROM batch UNION SELECT approved_by FROM batch
            UNION SELECT cancelled_by FROM batch UNION SELECT imported_by FROM import_file
            UNION SELECT DISTINCT changed_by FROM roll_change UNION SELECT resolved_by FROM return_exception
            UNION SELECT recorded_by FROM gap_case_event)
        WHERE name IS NOT NULL ORDER BY name;
    CREATE TEMP TABLE legacy_name AS SELECT username AS name, id FROM app_user WHERE kind = 'legacy';
    CREATE UNIQUE INDEX temp.legacy_name_key ON legacy_name(name);
    UPDATE batch SET built_by_user = (SELECT id FROM legacy_name WHERE name = built_by),
                     approved_by_user = (SELECT id FROM legacy_name WHERE name = approved_by),
                     cancelled_by_user = (SELECT id FROM legacy_name WHERE name = cancelled_by);
    UPDATE import_file SET imported_by_user = (SELECT id FROM legacy_name WHERE name = imported_by);
    UPDATE return_exception SET resolved_by_user = (SELECT id FROM legacy_name WHERE name = resolved_by) WHERE resolved_by IS NOT NULL;
    DROP TRIGGER roll_change_no_update;
    UPDATE roll_change SET changed_by_user = (SELECT id FROM legacy_name WHERE name = changed_by);
    CREATE TRIGGER roll_change_no_update BEFORE UPDATE ON roll_change
        BEGIN SELECT RAISE(ABORT, 'the roll history is append-only'); END;
    DROP TRIGGER gap_case_event_no_update;
    UPDATE gap_case_event SET recorded_by_user = (SELECT id FROM legacy_name WHERE name = recorded_by);
    CREATE TRIGGER gap_case_event_no_update BEFORE UPDATE ON gap_case_event
        BEGIN SELECT RAISE(ABORT, 'the gap case history is append-only'); END;
    DROP TABLE legacy_name;
    UPDATE audit_chain SET store_id = lower(hex(randomblob(16)));
    """

    /// `EXISTS`: the account `who` is active and holds one of `roles`.
    static func holds(_ who: String, _ roles: [String]) -> String {
        let list = roles.map { "r.role = '\($0)'" }.joined(separator: " OR ")
        return "EXISTS (SELECT 1 FROM user_role r JOIN app_user u ON u.id = r.user_id WHERE r.user_id = \(who) AND (\(list)) AND u.disabled_at IS NULL)"
    }

    /// The rules by user id: who may write which row.
    static var triggers: String { """
    CREATE TRIGGER batch_built_by_maker BEFORE INSERT ON batch
        WHEN NOT \(holds("NEW.built_by_user", ["maker"]))
        BEGIN SELECT RAISE(ABORT, 'a batch is built by an active account with the maker role'); END;
    CREATE TRIGGER batch_rebuilt_by_maker BEFORE UPDATE OF built_by_user ON batch
        WHEN NOT \(holds("NEW.built_by_user", ["maker"]))
        BEGIN SELECT RAISE(ABORT, 'a batch is built by an active account with the maker role'); END;
    CREATE TRIGGER batch_approved_by_checker BEFORE UPDATE OF status ON batch
        WHEN NEW.status = 'approved' AND OLD.status = 'draft' AND (NEW.approved_by_user IS NULL
             OR NEW.approved_by_user = NEW.built_by_user OR NOT \(holds("NEW.approved_by_user", ["checker"])))
        BEGIN SELECT RAISE(ABORT, 'a batch is approved by an active account with the checker role, other than its maker'); END;
    CREATE TRIGGER batch_cancelled_by_maker BEFORE UPDATE OF status ON batch
        WHEN NEW.status = 'cancelled' AND OLD.status <> 'cancelled' AND NOT \(holds("NEW.cancelled_by_user", ["maker"]))
        BEGIN SELECT RAISE(ABORT, 'a batch is cancelled by an active account with the maker role'); END;
    CREATE TRIGGER batch_exported_by_maker BEFORE UPDATE OF exported_by_user ON batch
        WHEN NOT \(holds("NEW.exported_by_user", ["maker"]))
        BEGIN SELECT RAISE(ABORT, 'a batch is exported by an active account with the maker role'); END;
    CREATE TRIGGER import_file_by_role BEFORE INSERT ON import_file
        WHEN NOT ((NEW.kind = 'roll' AND \(holds("NEW.imported_by_user", ["maker"])))
               OR (NEW.kind = 'return' AND \(holds("NEW.imported_by_user", ["clerk"]))))
        BEGIN SELECT RAISE(ABORT, 'a roll is imported by a maker and a return file by a clerk (active accounts)'); END;
    CREATE TRIGGER roll_change_by_user BEFORE INSERT ON roll_change
        WHEN NEW.changed_by_user IS NULL
          OR (NEW.source = 'manual' AND NOT \(holds("NEW.changed_by_user", ["maker", "officer"])))
        BEGIN SELECT RAISE(ABORT, 'every change to a person names the account that made it'); END;
    CREATE TRIGGER return_exception_resolved_by_clerk BEFORE UPDATE OF status ON return_exception
        WHEN NEW.status = 'resolved' AND NOT \(holds("NEW.resolved_by_user", ["clerk"]))
        BEGIN SELECT RAISE(ABORT, 'an exception is resolved by an active account with the clerk role'); END;
    CREATE TRIGGER gap_case_event_by_officer BEFORE INSERT ON gap_case_event
        WHEN NOT \(holds("NEW.recorded_by_user", ["officer"]))
        BEGIN SELECT RAISE(ABORT, 'a follow-up is recorded by an active account with the officer role'); END;
    DROP TRIGGER audit_log_sealed;
    CREATE TRIGGER audit_log_sealed BEFORE INSERT ON audit_log
        WHEN NEW.mac IS NULL OR NEW.prev_mac IS NULL OR NEW.user_id IS NULL
        BEGIN SELECT RAISE(ABORT, 'audit entries must be sealed and name an account: use AuditLog.append'); END;
    """ }
}
