"""Ledger verification: a full recomputation of the chain, and one from the latest checkpoint.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/sanshe_bench_export \\
    .venv/bin/python -m benchmarks.ledger_verify [--rows 1000000] [--skip-fill] [--appended 1000]

Migrates the database (made for this), loads the demo and fills N chained entries with
`benchmarks.ledger_fill` unless --skip-fill, then times `funds.ledger.ledger_verify(full=True)`
(every entry's hash recomputed; it also records a checkpoint every 10,000 entries), appends
--appended entries with the same filler and times `ledger_verify(full=False)` (from the latest
checkpoint: what `manage.py verify_ledger`, the API's `verify/` and the page's job do by
default).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import time


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--appended", type=int, default=1_000)
    parser.add_argument("--skip-fill", action="store_true")
    args = parser.parse_args()
    from benchmarks.funds_export import _setup

    _setup(os.environ.get("BENCH_DATABASE_URL", "sqlite:////tmp/sanshe-bench-verify.sqlite3"))
    from django.db import connection

    from benchmarks.ledger_fill import ledger_fill
    from funds.ledger import ledger_verify

    if not args.skip_fill:
        ledger_fill(args.rows)
    load = os.getloadavg()[0]
    began = time.perf_counter()
    full = ledger_verify(full=True)
    seconds = time.perf_counter() - began
    print(
        f"{connection.vendor}; load average {load:.1f}; {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC\n"
        f"full: ok={full.ok} {full.checked:,} entries in {seconds:.2f} s "
        f"= {full.checked / seconds:,.0f} entries/s"
    )
    ledger_fill(args.appended)
    began = time.perf_counter()
    late = ledger_verify(full=False)
    seconds = time.perf_counter() - began
    print(
        f"from checkpoint #{late.start_seq:,}: ok={late.ok} {late.checked - late.start_seq:,} "
        f"entries recomputed of {late.checked:,} in {seconds:.3f} s"
    )


if __name__ == "__main__":
    main()
