#!/usr/bin/env python3
"""ops/bench helper: a "re-export" of a roll with ~2 % of the lines changed.

Every 50th data line that has an account number gets a new one (its last digit turned by one:
same length, still digits only), as when people open a new account between two exports. The
other lines are copied byte for byte. Deterministic: same input, same output.

    ops/bench-change.py roll.csv roll-changed.csv   # prints the number of changed lines
"""
import csv
import io
import sys

ACCOUNT_HEADER = "Số tài khoản"


def main(src: str, dst: str) -> None:
    changed = 0
    with open(src, "r", encoding="utf-8-sig", newline="") as f, open(dst, "w", encoding="utf-8-sig", newline="") as out:
        header_line = f.readline()
        header = next(csv.reader([header_line]))
        col = header.index(ACCOUNT_HEADER)
        out.write(header_line)
        n = 0
        pending = ""
        for raw in f:
            pending += raw
            if pending.count('"') % 2:      # a quoted field with a newline in it: read on
                continue
            line, pending = pending, ""
            n += 1
            if n % 50 == 0:
                cells = next(csv.reader([line]))
                acct = cells[col] if col < len(cells) else ""
                if acct.isdigit():
                    cells[col] = acct[:-1] + str((int(acct[-1]) + 1) % 10)
                    buf = io.StringIO()
                    csv.writer(buf, lineterminator="\n").writerow(cells)
                    line = buf.getvalue()
                    changed += 1
            out.write(line)
    print(changed)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
