"""Ledger export: the page's CSV beside `COPY` of the same rows, and XLSX writers compared.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/sanshe_bench_export \\
    .venv/bin/python -m benchmarks.funds_export [--rows 1000000] [--xlsx-rows 100000]
                                                [--memory-rows 100000] [--skip-fill]

Migrates the database named by BENCH_DATABASE_URL (made for this; a throwaway SQLite file
without it), loads the demo and appends N chained entries with `benchmarks.ledger_fill` (COPY
on PostgreSQL; not timed), then, as the auditor sees the ledger:

- **ours, CSV**: the page's path exactly — `funds.exports.ledger_csv(qs)` with
  `qs = funds.selectors.ledger_entries(user=auditor)`, chunks drained and counted; on
  PostgreSQL that is one `COPY (formatted SELECT) TO STDOUT`;
- **COPY baseline** (PostgreSQL): `COPY (<the same rows: the export's columns, joined and
  filtered as the page does, unformatted>) TO STDOUT (FORMAT csv)` read through psycopg;
  the ratio ours / COPY is printed (issue 14 asks for ≥ 60 %);
- **XLSX writers** on the first --xlsx-rows rows of `funds.exports.xlsx_rows(qs)` (the typed
  rows the page and the background job write): openpyxl write-only (the old path),
  xlsxwriter `constant_memory`, pyexcelerate (holds the whole sheet: not constant memory)
  and rustpy-xlsxwriter (`core.exports.write_xlsx_fast`, the one in use); the row source
  alone is timed too, as the ceiling.

Peak memory of the CSV path is tracemalloc's, at two sizes.
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
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

# What the baseline COPY reads: every column the export shows or carries, joined names included
# (the export formats the same rows; the ratio compares the formatting with none).
BASELINE_COLUMNS = (
    "seq",
    "occurred_at",
    "kind",
    "debit",
    "credit",
    "amount",
    "project__code",
    "project__title",
    "contract_id",
    "contract__number",
    "contract__supplier__name",
    "milestone__name",
    "actor_id",
    "actor__display_name",
    "actor__first_name",
    "actor__last_name",
    "actor__username",
    "memo",
    "prev_hash",
    "hash",
    "recipe",
    "project_id",
    "milestone_id",
    "disbursement_id",
    "bond_id",
    "reverses_id",
    "memo_key",
    "memo_args",
)


def _setup(db_url: str) -> None:
    os.environ["DATABASE_URL"] = db_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    with open(os.devnull, "w") as sink:
        call_command("migrate", verbosity=0, stdout=sink)
        call_command("load_demo", stdout=sink)


def _queryset(upto: int | None = None) -> Any:
    from accounts.models import User
    from funds import selectors

    qs = selectors.ledger_entries(user=User.objects.get(username="auditor"))
    return qs if upto is None else qs.filter(seq__lte=upto)


def _ours_csv(upto: int | None) -> int:
    from funds.exports import ledger_csv

    return sum(len(chunk) for chunk in ledger_csv(_queryset(upto)))


def _copy_baseline(upto: int | None) -> int:
    """COPY of the same rows, unformatted: the columns the export reads, as the page filters."""
    from django.db import connection

    qs = _queryset(upto)
    sql, params = qs.values_list(*BASELINE_COLUMNS).query.get_compiler(qs.db).as_sql()
    size = 0
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT csv)", params or None) as copy,
    ):
        for row in copy:
            size += len(row)
    return size


def _rows(upto: int) -> Iterator[list[Any]]:
    from funds.exports import xlsx_rows

    return xlsx_rows(_queryset().filter(seq__lte=upto))


def _xlsx_source(upto: int, path: Path) -> None:
    for _row in _rows(upto):
        pass


def _xlsx_openpyxl(upto: int, path: Path) -> None:
    from core.exports import write_xlsx
    from funds.exports import header

    with path.open("wb") as f:
        write_xlsx(f, _rows(upto), header(), sheet_title="台账")


def _xlsx_rustpy(upto: int, path: Path) -> None:
    from core.exports import write_xlsx_fast
    from funds.exports import header

    with path.open("wb") as f:
        write_xlsx_fast(f, _rows(upto), header(), sheet_title="台账")


def _xlsx_xlsxwriter(upto: int, path: Path) -> None:
    import xlsxwriter

    from core.exports import safe_cell
    from funds.exports import header

    book = xlsxwriter.Workbook(
        str(path),
        {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False},
    )
    sheet = book.add_worksheet("台账")
    money = book.add_format({"num_format": "#,##0.00"})
    when = book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    sheet.write_row(0, 0, header())
    for r, row in enumerate(_rows(upto), start=1):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, Decimal):
                sheet.write_number(r, c, float(value), money)
            elif isinstance(value, dt.datetime):
                sheet.write_datetime(r, c, value, when)
            elif isinstance(value, int):
                sheet.write_number(r, c, value)
            else:
                sheet.write_string(r, c, safe_cell(value))
    book.close()


def _xlsx_pyexcelerate(upto: int, path: Path) -> None:
    from pyexcelerate import Workbook

    from core.exports import safe_cell
    from funds.exports import header

    data = [header()]
    data.extend(
        [float(v) if isinstance(v, Decimal) else safe_cell(v) for v in row] for row in _rows(upto)
    )
    book = Workbook()
    book.new_sheet("台账", data=data)
    book.save(str(path))


def _timed(fn: Callable[[], Any]) -> float:
    gc.collect()
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _peak(fn: Callable[[], Any]) -> float:
    gc.collect()
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 1048576
    finally:
        tracemalloc.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--xlsx-rows", type=int, default=100_000)
    parser.add_argument("--memory-rows", type=int, default=100_000)
    parser.add_argument("--skip-fill", action="store_true", help="export what is there")
    parser.add_argument(
        "--writers", default="source,openpyxl,xlsxwriter,pyexcelerate,rustpy-xlsxwriter"
    )
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="sanshe-export-"))
    try:
        db_url = os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{workdir}/export.sqlite3")
        _setup(db_url)
        from django.db import connection

        from benchmarks.ledger_fill import ledger_fill
        from funds.models import LedgerEntry

        if not args.skip_fill:
            began = time.perf_counter()
            ledger_fill(args.rows)
            print(f"filled {args.rows:,} entries in {time.perf_counter() - began:.0f} s")
        total = LedgerEntry.objects.count()
        load = os.getloadavg()[0]
        print(
            f"{total:,} ledger entries; {connection.vendor}; exported as the auditor; "
            f"load average {load:.1f}; {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC"
        )
        print(f"{'CSV path':44} {'rows':>9} {'MB':>7} {'seconds':>8} {'rows/s':>9}")
        rates: dict[str, float] = {}
        runs: list[tuple[str, Callable[[int | None], int]]] = [
            ("ours: ledger_csv(qs) (the page)", _ours_csv)
        ]
        if connection.vendor == "postgresql":
            runs.append(("COPY (same rows, unformatted) TO STDOUT", _copy_baseline))
        for label, fn in runs:
            size = 0

            def run(fn: Callable[[int | None], int] = fn) -> None:
                nonlocal size
                size = fn(None)

            seconds = _timed(run)
            rates[label] = total / seconds
            print(
                f"{label:44} {total:>9,} {size / 1e6:>7.1f} {seconds:>8.2f} {total / seconds:>9,.0f}"
            )
        if len(rates) == 2:
            ours, copy = rates.values()
            print(f"ours / COPY = {ours / copy:.0%} (issue 14: at least 60 %)")
        small = min(args.memory_rows, total)
        print(f"{'CSV peak memory (tracemalloc)':44} {'rows':>9} {'MiB':>7}")
        for upto in sorted({small, total}):
            print(f"{'ours CSV':44} {upto:>9,} {_peak(lambda u=upto: _ours_csv(u)):>7.1f}")

        upto = min(args.xlsx_rows, total)
        writers = {
            "source": ("row source only (xlsx_rows)", _xlsx_source),
            "openpyxl": ("openpyxl 3.1.5 write_only", _xlsx_openpyxl),
            "xlsxwriter": ("xlsxwriter 3.3.1 constant_memory", _xlsx_xlsxwriter),
            "pyexcelerate": ("pyexcelerate 0.13.0 (whole sheet in memory)", _xlsx_pyexcelerate),
            "rustpy-xlsxwriter": ("rustpy-xlsxwriter 0.8.0 (ours)", _xlsx_rustpy),
        }
        print(f"{'XLSX writer':44} {'rows':>9} {'MB':>7} {'seconds':>8} {'rows/s':>9}")
        for key in args.writers.split(","):
            label, write = writers[key]
            path = workdir / f"{key}.xlsx"
            try:
                seconds = _timed(lambda w=write, p=path: w(upto, p))
            except ModuleNotFoundError as exc:  # the comparison-only writers are optional
                print(
                    f"{label:44} not installed ({exc.name}): pip install xlsxwriter==3.3.1 "
                    "pyexcelerate==0.13.0"
                )
                continue
            size = path.stat().st_size / 1e6 if path.exists() else 0.0
            print(f"{label:44} {upto:>9,} {size:>7.1f} {seconds:>8.2f} {upto / seconds:>9,.0f}")
            if path.exists():
                path.unlink()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
