#!/usr/bin/env python3
"""Compares two ChiTra stores table by table, row by row (used by ops/same-cycle).

    same-store.py OLD.sqlite NEW.sqlite STAGE

Left out of the comparison: the audit log and its chain (entries carry the time they were written
and chain on it), web sessions, and columns holding the time a stage ran (`*_at`, the import's
`imported_at`) or a seal over such a time (`approval_seal`). Every other column of every row is
compared, a payout line's state as every reader sees it (LINE_STATE). Payout lines are compared
by reference, not by id, and every column holding a payout line's id by that line's reference
(LINE_ID_COLUMNS): a line's id is only where the build stored it, and builds since 8 Dec 2026
store a batch's lines by group and reference, not in the order of the roll walk. Prints the first
difference of each table; exits 1 when any table differs.
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


# The columns that hold a payout line's id, compared as that line's reference (the beneficiary's
# `account_flag_ref` holds it as text: the line whose rejection flagged the account).
LINE_ID_COLUMNS = {("payout_line", "carried_from"), ("return_line", "payout_line_id"),
                   ("return_exception", "payout_line_id"), ("beneficiary_flag", "payout_line_id"),
                   ("beneficiary", "account_flag_ref")}


def column_expression(table, c):
    if (table, c) == ("payout_line", "state"):
        return LINE_STATE
    if (table, c) in LINE_ID_COLUMNS:
        # (a value that names no line, e.g. a test's text, is compared as it is)
        return f"coalesce((SELECT p.reference FROM payout_line p WHERE p.id = {table}.{c}), {table}.{c})"
    return c


def rows(db, table, cols):
    order = {"user_role": ", ".join(cols), "payout_line": "reference"}.get(table, "rowid")
    if table == "payout_line":
        cols = [c for c in cols if c != "id"]
    select = [column_expression(table, c) for c in cols]
    return cols, db.execute(f"SELECT {', '.join(select)} FROM {table} ORDER BY {order}").fetchall()


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
        (cols, a), (_, b) = rows(old, t, cols), rows(new, t, cols)
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
