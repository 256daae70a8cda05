#!/usr/bin/env python3
"""Recompute Sanshe's ledger hash chain from its CSV export, without Sanshe.

Standard library only. Usage:

    python3 verify_ledger_csv.py sanshe-ledger.csv [--head HASH]

Reads the export (UTF-8 with BOM) of the WHOLE ledger (no filters: a filtered export skips
entries, so its chain cannot link), recomputes every entry's SHA-256 by the recipe published in
docs/ledger-hash.md and checks that each entry links to the one before it. Exit status 0 and the
head hash when the chain holds; 1 naming the first entry that does not. With --head, the last
hash must also equal a head you noted earlier (e.g. printed on a previous PDF export or in the
anchor file).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import json
import sys
from decimal import Decimal

GENESIS = "0" * 64
# A stored memo beginning with one of these had one single quote put in front in the CSV.
MEMO_ESCAPES = ("=", "+", "-", "@", "\t", "\r", "'")


def _int(text: str) -> int | None:
    return int(text) if text != "" else None


def _memo(text: str) -> str:
    if text.startswith("'") and text[1:].startswith(MEMO_ESCAPES):
        return text[1:]
    return text


def _time(text: str) -> str:
    """The export's local time with offset → the UTC ISO form that was hashed."""
    when = dt.datetime.fromisoformat(text).astimezone(dt.UTC)
    return when.isoformat(timespec="microseconds")


def canonical(row: dict[str, str], seq: int) -> str:
    fields: list[object] = [
        seq,
        _time(row["time"]),
        row["kind"],
        row["debit_account"],
        row["credit_account"],
        format(Decimal(row["amount"]).quantize(Decimal("0.01")), "f"),
        _int(row["project_id"]),
        _int(row["contract_id"]),
        _int(row["milestone_id"]),
        _int(row["actor_id"]),
        _memo(row["memo"]),
    ]
    if int(row["recipe"]) >= 2:
        fields += [
            _int(row["disbursement_id"]),
            _int(row["bond_id"]),
            _int(row["reverses"]),
            row["memo_key"],
            row["memo_args"],
        ]
    return json.dumps(fields, ensure_ascii=False, separators=(",", ":"))


def verify(path: str, expected_head: str | None = None) -> tuple[bool, str]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        # Columns 0-14 are for reading (their titles are in the exporter's language); the seq,
        # time, amount, previous hash and hash sit at fixed places, the rest by name.
        names = {name: i for i, name in enumerate(header)}
        previous, count = GENESIS, 0
        for line, cells in enumerate(reader, start=2):
            row = {name: cells[i] for name, i in names.items()}
            row.update(time=cells[1], amount=cells[5], prev_hash=cells[13], hash=cells[14])
            seq = int(cells[0])
            count += 1
            if seq != count:
                return False, f"line {line}: entry #{seq} follows #{count - 1}: entries missing"
            if row["prev_hash"] != previous:
                return False, f"line {line}: entry #{seq} does not link to the entry before it"
            digest = hashlib.sha256((previous + canonical(row, seq)).encode("utf-8")).hexdigest()
            if digest != row["hash"]:
                return False, f"line {line}: entry #{seq} does not match its hash: altered"
            previous = digest
    if expected_head and previous != expected_head:
        return False, f"the chain ends at {previous}, not at the head {expected_head}"
    return True, f"{count} entries verify; chain head {previous}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv_file")
    parser.add_argument("--head", help="the head hash the chain must end at")
    args = parser.parse_args()
    ok, message = verify(args.csv_file, args.head)
    print(("OK: " if ok else "BROKEN: ") + message)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
