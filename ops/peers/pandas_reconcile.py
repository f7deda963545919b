#!/usr/bin/env python3
"""Peer for `chitra returns import` + `chitra batch reconcile`: a pandas merge-and-total reconciliation.

    pandas_reconcile.py LINES.csv RETURNS_DIR OUT.csv

LINES.csv (from the bench's store: reference, amount, group_key) is what was sent; RETURNS_DIR holds
the return files of the same run (pain.002 XML read with lxml, the bank CSV and the post office's
CSV read with pandas). The lines are merged with the answers on the reference, every line classed
paid / failed / pending / unanswered, amounts that differ counted, and totals per group (bank or post
office) written to OUT.csv; the script checks that the classes add up to what was sent, to the đồng.
Unlike ChiTra it persists nothing (no outcome per line, no exception queue, no audit entry).
Prints lines and its phases' seconds. Timed by ops/bench with /usr/bin/time, start-up and reading included.
"""
import os
import sys
import time

import pandas as pd
from lxml import etree

XML_OUTCOME = {"ACSC": "paid", "ACCC": "paid", "ACSP": "paid", "ACWC": "paid", "RJCT": "failed",
               "PDNG": "pending", "ACTC": "pending", "ACCP": "pending", "RCVD": "pending"}
BANK_OUTCOME = {"PAID": "paid", "REJECTED": "failed", "PENDING": "pending"}
POST_OUTCOME = {"Đã chi": "paid", "Chưa chi": "failed"}


def read_pain002(path):
    refs, outcomes, amounts = [], [], []
    for _, tx in etree.iterparse(path, events=("end",), tag="{*}TxInfAndSts"):
        ref = sts = amt = None
        for el in tx.iter():
            name = etree.QName(el).localname
            if name == "OrgnlEndToEndId":
                ref = el.text
            elif name == "TxSts":
                sts = el.text
            elif name in ("InstdAmt", "IntrBkSttlmAmt") and amt is None:
                amt = el.text
        refs.append(ref)
        outcomes.append(XML_OUTCOME.get(sts, "malformed"))
        amounts.append(int(float(amt)) if amt else None)
        tx.clear()
        while tx.getprevious() is not None:
            del tx.getparent()[0]
    return pd.DataFrame({"reference": refs, "outcome": outcomes, "returned": amounts})


def read_csv_return(path):
    df = pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    if "reference" in df.columns:
        out = pd.DataFrame({"reference": df["reference"], "outcome": df["status"].map(BANK_OUTCOME),
                            "returned": df["amount"]})
    else:
        out = pd.DataFrame({"reference": df["Mã tham chiếu"], "outcome": df["Kết quả"].map(POST_OUTCOME),
                            "returned": df["Số tiền (đồng)"]})
    out = out[out["reference"].str.startswith("CT")]  # the post office's totals row
    out["returned"] = pd.to_numeric(out["returned"]).astype("int64")
    return out


def main():
    lines_csv, returns_dir, out_csv = sys.argv[1], sys.argv[2], sys.argv[3]
    t0 = time.perf_counter()
    lines = pd.read_csv(lines_csv, usecols=["reference", "amount", "group_key"],
                        dtype={"reference": str, "amount": "int64", "group_key": str})
    frames = []
    for name in sorted(os.listdir(returns_dir)):
        path = os.path.join(returns_dir, name)
        if name.endswith(".xml"):
            frames.append(read_pain002(path))
        elif name.endswith(".csv"):
            frames.append(read_csv_return(path))
    answers = pd.concat(frames, ignore_index=True).drop_duplicates("reference", keep="last")
    t1 = time.perf_counter()
    merged = lines.merge(answers, on="reference", how="left", validate="one_to_one")
    merged["outcome"] = merged["outcome"].fillna("unanswered")
    mismatched = int(((merged["returned"].notna()) & (merged["returned"] != merged["amount"])).sum())
    table = merged.pivot_table(index="group_key", columns="outcome", values="amount",
                               aggfunc=["count", "sum"], fill_value=0)
    table.columns = [f"{a}_{b}" for a, b in table.columns]
    sent = lines.groupby("group_key")["amount"].agg(["count", "sum"])
    table = table.join(sent.rename(columns={"count": "sent_count", "sum": "sent_sum"}))
    outcome_sums = table[[c for c in table.columns if c.startswith("sum_")]].sum(axis=1)
    if not (outcome_sums == table["sent_sum"]).all():
        sys.exit("pandas_reconcile: the outcomes do not add up to what was sent")
    table.to_csv(out_csv)
    t2 = time.perf_counter()
    totals = merged.groupby("outcome")["amount"].sum().to_dict()
    print(f"pandas: {len(lines)} lines, {len(answers)} answers, {mismatched} amounts differ; "
          f"read {t1 - t0:.2f} s, merge and totals {t2 - t1:.2f} s; sums {totals}")


if __name__ == "__main__":
    main()
