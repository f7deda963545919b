#!/usr/bin/env python3
"""Compares two ChiTra stores table by table, row by row (used by ops/same-cycle).

    same-store.py OLD.sqlite NEW.sqlite STAGE

Left out of the comparison: the audit log and its chain (entries carry the time they were written
and chain on it), web sessions, and columns holding the time a stage ran (`*_at`, the import's
`imported_at`) or a seal over such a time (`approval_seal`). Every other column of every row is
compared, a payout line's state as every reader sees it (LINE_STATE). Prints the first difference
of each table; exits 1 when any table differs.
"""
import sqlite3
import sys

SKIP_TABLES = {"audit_log", "audit_chain", "web_session", "grdb_migrations", "sqlite_sequence"}


def skip_column(name):
    return name.endswith("_at") or name in ("at", "approval_seal")


# A payout line's state as every reader sees it (Sources/ChiTraStore/Batch/LineState.swift): a line
# no return has settled is where its batch is. Stores before 7 Dec 2026 wrote `approved` and
# `exported` on the line rows; later ones leave `draft` there and change only the batch.
LINE_STATE = ("CASE WHEN state IN ('draft','approved','exported') "
              "THEN (SELECT status FROM batch WHERE batch.id = payout_line.batch_id) ELSE state END")


def rows(db, table, cols):
    order = "rowid" if table not in ("user_role",) else ", ".join(cols)
    select = [LINE_STATE if (table, c) == ("payout_line", "state") else c for c in cols]
    return db.execute(f"SELECT {', '.join(select)} FROM {table} ORDER BY {order}").fetchall()


def main():
    old, new, stage = sqlite3.connect(sys.argv[1]), sqlite3.connect(sys.argv[2]), sys.argv[3]
    tables = [r[0] for r in old.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    new_tables = [r[0] for r in new.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    ok = True
    if tables != new_tables:
        print(f"  {stage}: tables differ: {sorted(set(tables) ^ set(new_tables))}")
        ok = False
    compared = 0
    for t in tables:
        if t in SKIP_TABLES or t not in new_tables:
            continue
        cols = [r[1] for r in old.execute(f"PRAGMA table_info({t})") if not skip_column(r[1])]
        a, b = rows(old, t, cols), rows(new, t, cols)
        compared += len(a)
        if a != b:
            ok = False
            if len(a) != len(b):
                print(f"  {stage}: table {t}: {len(a)} rows (old) vs {len(b)} (new)")
            for x, y in zip(a, b):
                if x != y:
                    diff = [(c, u, v) for c, u, v in zip(cols, x, y) if u != v]
                    print(f"  {stage}: table {t}: first differing row: {diff[:4]}")
                    break
    print(f"  {stage}: {'same' if ok else 'DIFFERENT'} ({compared} rows compared)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
