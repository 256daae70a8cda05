"""Service-record import: our validated bulk path against django-import-export, row by row
and in its own bulk mode.

    .venv/bin/python -m benchmarks.funds_import [--rows 100000] [--baseline-rows 10000]
                                                [--memory-rows 20000]

Migrates a throwaway SQLite database (or BENCH_DATABASE_URL if it names a database made for
this), loads the demo, and writes .xlsx and .csv files of N service records for a demo
contract (English column names, which both importers accept; dates inside the contract term).

- **ours**: `funds.imports.parse_service_records` (the page's validation: every row checked,
  all-or-nothing, duplicates of rows on file and implausible totals detected; .xlsx read with
  python-calamine) + `import_service_records` (one
  transaction, one `executemany` per 5,000 rows), timed on the
  full file; peak memory (tracemalloc) measured separately at two sizes;
- **baseline, row by row**: django-import-export's default import of the same kind of file —
  the admin's format classes build the tablib dataset, then a plain `ModelResource` for
  ServiceRecord (`use_bulk = False`, the library default) runs `import_data(dry_run=False)`;
- **baseline, bulk**: the same resource with the library's own bulk mode (`use_bulk = True`,
  `batch_size = 5000`, `skip_diff` and `force_init_instance` as its documentation advises for
  large imports: new rows are saved with `bulk_create`), the stronger baseline. It does
  not validate as ours does (no duplicate or plausibility checks), so it is an upper bound for
  what the library gives.

Both baselines are timed on a sample (the first --baseline-rows rows) and extrapolated to
rows/s; the ratios against each are printed.

Every loop is bounded by the row count.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import gc
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

COLUMNS = [
    "date",
    "place",
    "service_type",
    "beneficiary_category",
    "beneficiary_count",
    "hours",
    "social_worker",
]
PLACES = ["龙湾村", "熊口镇", "高石碑镇", "渔洋关村", "白鹭湖社区", "老新镇", "张金镇", "积玉口村"]
WORKERS = ["张敏", "李娜", "王芳", "刘洋", "陈静", "杨帆", "赵磊", "黄丽"]


def _setup(db_url: str, *, migrate: bool = True) -> Any:
    os.environ["DATABASE_URL"] = db_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    if not migrate:
        from procurement.models import Contract

        return Contract.objects.order_by("pk").first()

    from procurement.models import Contract

    with open(os.devnull, "w") as sink:
        call_command("migrate", verbosity=0, stdout=sink)
        call_command("load_demo", stdout=sink)
    return Contract.objects.order_by("pk").first()


def _records(contract: Any, n: int, seed: int = 2026) -> list[list[Any]]:
    from funds.models import ServiceType
    from projects.models import BeneficiaryCategory
    from workforce.models import SocialWorker

    rng = random.Random(seed)
    days = max((contract.current_end_date - contract.start_date).days, 1)
    types, categories = list(ServiceType.values), list(BeneficiaryCategory.values)
    # The import refuses a worker missing from the supplier's register (when it keeps one).
    register = sorted(
        SocialWorker.objects.filter(organization_id=contract.supplier_id).values_list(
            "name", flat=True
        )
    )
    workers = register or WORKERS
    return [
        [
            contract.start_date + dt.timedelta(days=rng.randrange(days)),
            rng.choice(PLACES),
            rng.choice(types),
            rng.choice(categories),
            rng.randrange(1, 40),
            f"{rng.randrange(1, 80) / 10:.1f}",
            rng.choice(workers),
        ]
        for _ in range(n)
    ]


def _write_xlsx(path: Path, rows: list[list[Any]]) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("服务台账")
    sheet.append(COLUMNS)
    for row in rows:
        sheet.append(row)
    workbook.save(path)


def _write_csv(path: Path, rows: list[list[Any]]) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(COLUMNS)
        for row in rows:
            writer.writerow([v.isoformat() if isinstance(v, dt.date) else v for v in row])


def _ours(contract: Any, path: Path) -> tuple[int, float]:
    from django.core.files import File

    from funds.imports import import_service_records

    start = time.perf_counter()
    with path.open("rb") as f:
        # Duplicate detection and the plausibility checks run on every row; the warnings they
        # raise (the .csv repeats the .xlsx rows) are accepted as an NGO would after reading them.
        result = import_service_records(contract, File(f, name=path.name), accept_warnings=True)
    if not result.ok:
        raise SystemExit(f"our import refused the file: {result.errors[:3]}")
    return result.saved, time.perf_counter() - start


def _ours_peak(contract: Any, path: Path) -> float:
    gc.collect()
    tracemalloc.start()
    try:
        _ours(contract, path)
        return tracemalloc.get_traced_memory()[1] / 1048576
    finally:
        tracemalloc.stop()


def _child_memory(db_url: str, path: Path) -> tuple[float, float]:
    """Peak memory of one import in a fresh process: tracemalloc's peak (Python objects) and
    the growth of the process's peak RSS (everything, calamine's Rust side included)."""
    out = subprocess.run(  # noqa: S603 - our own interpreter and module, arguments we built
        [sys.executable, "-m", "benchmarks.funds_import", "--child", str(path), "--db", db_url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return float(out[-2]), float(out[-1])


def _status_mib(field: str) -> float:
    """A memory figure of this process from /proc (Linux), in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise SystemExit(f"no {field} in /proc/self/status")


def _child(path: Path, db_url: str) -> None:
    contract = _setup(db_url, migrate=False)
    from funds.models import ServiceRecordImport

    # The parent imported these files already; forget their fingerprints (a throwaway database)
    # so the measured run imports again instead of refusing the repeat.
    for claim in ServiceRecordImport.objects.filter(contract=contract):
        ServiceRecordImport.objects.filter(pk=claim.pk).update(sha256=f"measured-{claim.pk}")
    gc.collect()
    # Reset the high-water mark so VmHWM after the run is this import's peak, not setup's.
    Path("/proc/self/clear_refs").write_text("5")
    before = _status_mib("VmRSS")
    traced = _ours_peak(contract, path)
    print(f"{traced:.1f} {_status_mib('VmHWM') - before:.1f}")


def _baseline(contract: Any, path: Path, *, bulk: bool = False) -> tuple[int, float]:
    from import_export import resources
    from import_export.formats import base_formats

    from funds.models import ServiceRecord

    class ServiceRecordResource(resources.ModelResource):
        class Meta:
            model = ServiceRecord
            fields = ["id", *COLUMNS]  # id: the default import_id_fields; absent -> new rows
            use_bulk = bulk
            batch_size = 5000
            # The library's documented recipe for large bulk imports: no per-row diff, and
            # no look-up of an existing instance (every row is new).
            skip_diff = bulk
            force_init_instance = bulk

        def before_save_instance(self, instance: Any, row: Any, **kwargs: Any) -> None:
            instance.contract = contract  # the page's contract; the file has no such column

    start = time.perf_counter()
    if path.suffix == ".xlsx":
        dataset = base_formats.XLSX().create_dataset(path.read_bytes())
    else:
        dataset = base_formats.CSV().create_dataset(path.read_text(encoding="utf-8-sig"))
    result = ServiceRecordResource().import_data(dataset, dry_run=False, raise_errors=True)
    elapsed = time.perf_counter() - start
    if result.has_errors() or result.has_validation_errors():
        raise SystemExit("the baseline import reported errors")
    return result.totals["new"], elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--baseline-rows", type=int, default=10_000)
    parser.add_argument("--memory-rows", type=int, default=20_000)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child, args.db)
        return
    workdir = Path(tempfile.mkdtemp(prefix="sanshe-import-"))
    try:
        db_url = os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{workdir}/import.sqlite3")
        contract = _setup(db_url)
        from funds.models import ServiceRecord

        rows = _records(contract, args.rows)
        files: dict[tuple[str, int], Path] = {}
        for n in sorted({args.rows, args.baseline_rows, args.memory_rows}):
            for kind, write in ((".xlsx", _write_xlsx), (".csv", _write_csv)):
                path = workdir / f"records-{n}{kind}"
                write(path, rows[:n])
                files[(kind, n)] = path
        print(
            f"service records for contract {contract.number}; {db_url.split(':')[0]}; "
            f"{args.rows:,} rows = {files[('.xlsx', args.rows)].stat().st_size / 1e6:.1f} MB xlsx, "
            f"{files[('.csv', args.rows)].stat().st_size / 1e6:.1f} MB csv"
        )
        print(f"{'path':46} {'format':>6} {'rows':>8} {'seconds':>8} {'rows/s':>9}")
        rates: dict[tuple[str, str], float] = {}
        for kind in (".xlsx", ".csv"):
            before = ServiceRecord.objects.count()
            saved, seconds = _ours(contract, files[(kind, args.rows)])
            assert ServiceRecord.objects.count() - before == saved == args.rows
            rates[("ours", kind)] = saved / seconds
            print(
                f"{'ours: import_service_records (one pass)':46} {kind[1:]:>6} {saved:>8,} "
                f"{seconds:>8.2f} {saved / seconds:>9,.0f}"
            )
            for name, bulk, label in (
                ("baseline", False, "django-import-export row by row (sample)"),
                ("bulk", True, "django-import-export use_bulk=True (sample)"),
            ):
                before = ServiceRecord.objects.count()
                saved, seconds = _baseline(contract, files[(kind, args.baseline_rows)], bulk=bulk)
                assert ServiceRecord.objects.count() - before == saved == args.baseline_rows
                rates[(name, kind)] = saved / seconds
                print(
                    f"{label:46} {kind[1:]:>6} {saved:>8,} {seconds:>8.2f} {saved / seconds:>9,.0f}"
                )
        print(
            f"baseline rows/s measured on the first {args.baseline_rows:,} rows and extrapolated "
            f"(row by row: about {args.rows / rates[('baseline', '.xlsx')]:.0f} s for "
            f"{args.rows:,} xlsx rows)"
        )
        for kind in (".xlsx", ".csv"):
            slow = rates[("ours", kind)] / rates[("baseline", kind)]
            bulk = rates[("ours", kind)] / rates[("bulk", kind)]
            print(
                f"ratio ours / baseline, {kind[1:]}: {slow:.1f}× against row by row, "
                f"{bulk:.1f}× against use_bulk=True"
            )
        print(
            f"{'peak memory of ours, each in a fresh process':46} {'format':>6} {'rows':>8} "
            f"{'traced':>8} {'RSS +':>8} (MiB)"
        )
        for kind in (".xlsx", ".csv"):
            for n in sorted({args.memory_rows, args.rows}):
                traced, rss = _child_memory(db_url, files[(kind, n)])
                print(f"{'':46} {kind[1:]:>6} {n:>8,} {traced:>8.1f} {rss:>8.1f}")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
