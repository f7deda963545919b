#!/usr/bin/env python3
"""Peer for `chitra batch export`: python-sepaxml writes pain.001 for the same payout lines.

    sepaxml_pain001.py LINES.csv OUT_DIR

LINES.csv (from the bench's store: reference, payee_name, account_no, bank_bin, amount, group_key)
holds one batch's payout lines. Like ChiTra, one file per group (a bank, or the post office), every
line a credit transfer with its EndToEndId. sepaxml is a SEPA library: amounts are given in cents
(đồng × 100, so the file says 750000.00), the account goes in its IBAN element, and it does not sign
(ChiTra's export also HMAC-signs every file; the openssl floor in the bench shows that costs little).
Prints lines, files and seconds. Timed by ops/bench with /usr/bin/time, start-up and reading included.
"""
import csv
import datetime
import os
import sys
import time

from sepaxml import SepaTransfer


def main():
    lines_csv, out_dir = sys.argv[1], sys.argv[2]
    os.makedirs(out_dir, exist_ok=True)
    start = time.perf_counter()
    groups = {}
    with open(lines_csv, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            groups.setdefault(row["group_key"], []).append(row)
    execution = datetime.date(2026, 12, 5)
    n = 0
    for key, rows in sorted(groups.items()):
        sepa = SepaTransfer({
            "name": "UBND XA PHUC THINH",
            "IBAN": "VN0000000000000000000000",
            "BIC": "ICBVVNVX",
            "batch": True,
            "currency": "VND",
        }, schema="pain.001.001.09")
        for r in rows:
            sepa.add_payment({
                "name": r["payee_name"],
                "IBAN": r["account_no"] or "0",
                "BIC": "ICBVVNVX",
                "amount": int(r["amount"]) * 100,
                "execution_date": execution,
                "description": "Tro cap xa hoi " + r["reference"],
                "endtoend_id": r["reference"],
            })
            n += 1
        name = "".join(c if c.isalnum() else "_" for c in key) or "group"
        with open(os.path.join(out_dir, name + ".xml"), "wb") as out:
            out.write(sepa.export(validate=False))
    seconds = time.perf_counter() - start
    print(f"sepaxml: {n} lines in {len(groups)} files, {seconds:.2f} s inside Python")


if __name__ == "__main__":
    main()
