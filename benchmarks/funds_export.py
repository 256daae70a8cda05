"""Ledger export: the page's streaming CSV and write-only XLSX against pandas.

    .venv/bin/python -m benchmarks.funds_export [--rows 1000000] [--memory-rows 200000]
                                                [--excel-baseline-rows 100000]
                                                [--xlsx-memory-rows 50000]

Migrates a throwaway SQLite database (or BENCH_DATABASE_URL if it names a database made for
this), loads the demo and appends N ledger entries after the demo's chain with `bulk_create`
(seq, prev_hash and hash computed in Python with `LedgerEntry.compute_hash`, the head moved to
the last entry), then exports every entry as the auditor sees them:

- **ours, CSV**: exactly the page's path — `core.exports.stream_csv(views._ledger_rows(qs),
  HEADER, ...)` with `qs = funds.selectors.ledger_entries(user=auditor)`; the
  StreamingHttpResponse is iterated chunk by chunk and only the bytes are counted;
- **ours, XLSX**: `core.exports.write_xlsx` (openpyxl write-only) to a temporary file;
- **baseline**: `pandas.read_sql` of the same rows (the ledger joined to project, contract,
  supplier, milestone and actor, the same 15 columns) + `DataFrame.to_csv` to a temporary file,
  and `DataFrame.to_excel` (openpyxl) — the latter on a sample (--excel-baseline-rows) and
  extrapolated to rows/s.

Peak memory is tracemalloc's peak, measured in separate runs at two sizes. Every loop is
bounded by the row count.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import shutil
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

BASELINE_SQL = """
SELECT e.seq, e.occurred_at, e.kind, e.debit, e.credit, e.amount, p.code, p.title,
       c.number AS contract, s.name AS supplier, m.name AS milestone, u.username AS actor,
       e.memo, e.prev_hash, e.hash
FROM funds_ledgerentry e
JOIN projects_serviceproject p ON p.id = e.project_id
LEFT JOIN procurement_contract c ON c.id = e.contract_id
LEFT JOIN accounts_organization s ON s.id = c.supplier_id
LEFT JOIN funds_milestone m ON m.id = e.milestone_id
LEFT JOIN accounts_user u ON u.id = e.actor_id
WHERE e.seq <= %(upto)d
ORDER BY e.seq
"""


def _setup(db_url: str) -> None:
    os.environ["DATABASE_URL"] = db_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    with open(os.devnull, "w") as sink:
        call_command("migrate", verbosity=0, stdout=sink)
        call_command("load_demo", stdout=sink)


def _append(n: int, batch: int = 10_000) -> int:
    """Append n valid chained entries after the current head; return the last seq."""
    from django.db import transaction

    from accounts.models import User
    from funds.ledger import ACCOUNTS, GENESIS
    from funds.models import LedgerEntry, LedgerHead, Milestone
    from procurement.models import Contract

    head, _created = LedgerHead.objects.get_or_create(pk=1)
    seq, previous = head.seq, head.hash if head.seq else GENESIS
    contracts = list(Contract.objects.select_related("project"))
    milestones = {c.pk: list(Milestone.objects.filter(contract=c)) for c in contracts}
    actors = list(User.objects.filter(role__in=["bureau_staff", "bureau_finance"]))
    kinds = list(ACCOUNTS.items())
    start = dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
    memos = ["第一期服务费", "保证金", "按评估结果核减", '=HYPERLINK("x")', "-冲销"]
    done = 0
    while done < n:
        entries = []
        with transaction.atomic():
            for _ in range(min(batch, n - done)):
                seq += 1
                contract = contracts[seq % len(contracts)]
                kind, (debit, credit) = kinds[seq % len(kinds)]
                stones = milestones[contract.pk]
                entry = LedgerEntry(
                    seq=seq,
                    occurred_at=start + dt.timedelta(seconds=seq * 7, microseconds=seq % 997),
                    kind=kind,
                    debit=debit,
                    credit=credit,
                    amount=(Decimal(seq % 500_000 + 100) / 100).quantize(Decimal("0.01")),
                    project_id=contract.project_id,
                    contract_id=None if seq % 5 == 0 else contract.pk,
                    milestone_id=stones[seq % len(stones)].pk if stones and seq % 3 == 0 else None,
                    actor_id=actors[seq % len(actors)].pk if seq % 4 else None,
                    memo=f"{memos[seq % len(memos)]} #{seq}",
                    prev_hash=previous,
                )
                entry.hash = entry.compute_hash()
                previous = entry.hash
                entries.append(entry)
            LedgerEntry.objects.bulk_create(entries, batch_size=2000)
            LedgerHead.objects.filter(pk=1).update(seq=seq, hash=previous)
        done += len(entries)
    return seq


def _queryset(upto: int) -> Any:
    from accounts.models import User
    from funds import selectors

    auditor = User.objects.get(username="auditor")
    return selectors.ledger_entries(user=auditor).filter(seq__lte=upto)


def _ours_csv(upto: int, workdir: Path) -> int:
    from core.exports import csv_response
    from funds.exports import ledger_csv

    response = csv_response(ledger_csv(_queryset(upto)), "sanshe-ledger.csv")
    size = 0
    for chunk in response:
        size += len(chunk)
    response.close()
    return size


def _ours_xlsx(upto: int, workdir: Path) -> int:
    from core.exports import write_xlsx
    from funds.exports import HEADER, ledger_rows

    path = workdir / "ours.xlsx"
    with path.open("wb") as f:
        write_xlsx(f, ledger_rows(_queryset(upto)), HEADER, sheet_title="台账")
    return path.stat().st_size


def _frame(upto: int) -> Any:
    import pandas as pd
    from django.db import connection

    connection.ensure_connection()
    return pd.read_sql(BASELINE_SQL % {"upto": upto}, connection.connection)


def _pandas_csv(upto: int, workdir: Path) -> int:
    path = workdir / "pandas.csv"
    _frame(upto).to_csv(path, index=False, encoding="utf-8-sig")
    return path.stat().st_size


def _pandas_xlsx(upto: int, workdir: Path) -> int:
    path = workdir / "pandas.xlsx"
    _frame(upto).to_excel(path, index=False, engine="openpyxl", sheet_name="台账")
    return path.stat().st_size


def _timed(fn: Callable[[int, Path], int], upto: int, workdir: Path) -> tuple[int, float]:
    gc.collect()
    start = time.perf_counter()
    size = fn(upto, workdir)
    return size, time.perf_counter() - start


def _peak(fn: Callable[[int, Path], int], upto: int, workdir: Path) -> float:
    gc.collect()
    tracemalloc.start()
    try:
        fn(upto, workdir)
        return tracemalloc.get_traced_memory()[1] / 1048576
    finally:
        tracemalloc.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--memory-rows", type=int, default=200_000)
    parser.add_argument("--excel-baseline-rows", type=int, default=100_000)
    parser.add_argument("--xlsx-memory-rows", type=int, default=50_000)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="sanshe-export-"))
    try:
        db_url = os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{workdir}/export.sqlite3")
        _setup(db_url)
        from funds.ledger import ledger_verify
        from funds.models import LedgerEntry

        began = time.perf_counter()
        last = _append(args.rows)
        seeded = time.perf_counter() - began
        total = LedgerEntry.objects.count()
        first_memory = min(args.memory_rows, total)
        print(
            f"{total:,} ledger entries ({args.rows:,} appended in {seeded:.0f} s, "
            f"last seq {last}); {db_url.split(':')[0]}; exported as the auditor"
        )
        if args.rows <= 200_000:
            check = ledger_verify()
            print(f"chain verified: {check.ok} ({check.checked:,} entries)")
        print(f"{'path':40} {'rows':>9} {'MB':>7} {'seconds':>8} {'rows/s':>9}")
        rates = {}
        excel_rows = min(args.excel_baseline_rows, total)
        runs = [
            ("ours: ledger_csv(qs) (raw cursor)", "ours csv", _ours_csv, total),
            ("pandas read_sql + to_csv", "pandas csv", _pandas_csv, total),
            ("ours: write_xlsx (write-only)", "ours xlsx", _ours_xlsx, total),
            ("pandas read_sql + to_excel (sample)", "pandas xlsx", _pandas_xlsx, excel_rows),
        ]
        for label, key, fn, upto in runs:
            size, seconds = _timed(fn, upto, workdir)
            rates[key] = upto / seconds
            print(
                f"{label:40} {upto:>9,} {size / 1e6:>7.1f} {seconds:>8.2f} {upto / seconds:>9,.0f}"
            )
        print(
            f"to_excel rows/s measured on the first {excel_rows:,} rows and extrapolated "
            f"(about {total / rates['pandas xlsx']:.0f} s for {total:,})"
        )
        met = "met" if rates["ours csv"] >= 100_000 else "NOT met"
        print(
            f"ratio ours / pandas: CSV {rates['ours csv'] / rates['pandas csv']:.1f}×, "
            f"XLSX {rates['ours xlsx'] / rates['pandas xlsx']:.1f}×; "
            f"CSV target ≥ 100,000 rows/s: {met}"
        )
        print(f"{'peak memory (tracemalloc)':40} {'rows':>9} {'MiB':>7}")
        xlsx_sizes = {min(args.xlsx_memory_rows, total), first_memory}
        for label, fn, sizes in (
            ("ours CSV", _ours_csv, {first_memory, total}),
            ("ours XLSX", _ours_xlsx, xlsx_sizes),
            ("pandas CSV", _pandas_csv, {first_memory, total}),
        ):
            for upto in sorted(sizes):
                print(f"{label:40} {upto:>9,} {_peak(fn, upto, workdir):>7.1f}")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
