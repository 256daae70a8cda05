"""Open data at 10,000 projects: public requests read stored releases, the export streams.

    .venv/bin/python -m benchmarks.opendata_export [--projects 10000] [--small 2000]

Migrates a throwaway SQLite database (or BENCH_DATABASE_URL if it names a database made for
this), loads the demo (whose events are published through opendata.services as usual), then
adds projects whose releases are the demo's 携手成长 project's stored releases under the new
project's ocid, code and ids, dated across 2024-2026 (bulk_create: the text and ETag exactly
as the service writes them), and a record per project compiled by `record_compile` for the
first 200 (timed: the cost of publishing) and cloned for the rest. Then, as a harvester would:

- the background job that builds one year's bulk package into the storage (time and memory);
- each public endpoint through the Django test client (median of 15 calls, the queries it ran):
  the first, a middle and the last page of the release feed, the record feed, one release, one
  record (their stored files), a conditional GET answered 304, and one year's stored bulk file
  streamed to the end;
- `manage.py export_ocds` at --small projects and again at --projects: time, tracemalloc peak
  and the process's resident-memory growth, to show that memory stays flat (both printed).

The storage is a throwaway directory (MEDIA_ROOT), removed at the end.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import gc
import hashlib
import json
import os
import random
import shutil
import statistics
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

TEMPLATE_TITLE = "携手成长"


def _setup(db_url: str, media: Path) -> None:
    os.environ["DATABASE_URL"] = db_url
    os.environ["SANSHE_MEDIA_ROOT"] = str(media)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    with open(os.devnull, "w") as sink:
        call_command("migrate", verbosity=0, stdout=sink)
        call_command("load_demo", stdout=sink)


def _rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def _reset_hwm() -> None:
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def _seed(upto: int, upto_all: int, rng: random.Random) -> float:
    """Add projects (and their releases and records) until there are `upto` published ones;
    returns the mean seconds `record_compile` took per project for the compiled sample."""
    from django.db import transaction
    from django.db.models import Max

    from benchmarks.seed import seed_projects
    from opendata.models import Record, Release
    from opendata.ocds import dumps, ocid_for
    from opendata.services import content_hash, record_compile
    from projects.models import ServiceProject

    have = Record.objects.count()
    if have >= upto:
        return 0.0
    template = ServiceProject.objects.get(title__contains=TEMPLATE_TITLE)
    old_ocid, old_code = ocid_for(template), template.code
    rows = list(Release.objects.filter(project=template).order_by("date", "pk"))
    record_text = Record.objects.get(project=template).data
    if not ServiceProject.objects.filter(code__startswith="GMB").exists():
        seed_projects(upto_all, seed=2026)
    fresh = list(
        ServiceProject.objects.filter(code__startswith="GMB", ocds_record__isnull=True).order_by(
            "pk"
        )[: upto - have]
    )
    compile_times = []
    with transaction.atomic():
        batch: list[Any] = []
        for project in fresh:
            ocid = ocid_for(project)
            shift = dt.timedelta(days=rng.randrange(-800, 0))
            for r in rows:
                data = json.loads(r.data.replace(old_ocid, ocid).replace(old_code, project.code))
                date = r.date + shift
                data["date"] = date.isoformat(timespec="seconds")
                text = dumps(data)
                release = Release(
                    project=project,
                    ocid=ocid,
                    release_id=data["id"],
                    event=r.event,
                    revision=r.revision,
                    date=date,
                    tag=r.tag,
                    content_hash=content_hash(data),
                    data=text,
                )
                release.etag = hashlib.sha256(text.encode("utf-8")).hexdigest()
                batch.append(release)
            if len(batch) >= 5000:
                Release.objects.bulk_create(batch)
                batch = []
        Release.objects.bulk_create(batch)
        last = dict(
            Release.objects.filter(project__in=fresh)
            .values_list("project_id")
            .annotate(m=Max("pk"))
        )
        records = []
        for i, project in enumerate(fresh):
            if i < 200:
                began = time.perf_counter()
                record_compile(project=project)
                compile_times.append(time.perf_counter() - began)
                continue
            text = record_text.replace(old_ocid, ocid_for(project)).replace(old_code, project.code)
            records.append(
                Record(
                    project=project,
                    ocid=ocid_for(project),
                    data=text,
                    etag=hashlib.sha256(text.encode("utf-8")).hexdigest(),
                    last_release=last[project.pk],
                )
            )
        Record.objects.bulk_create(records, batch_size=2000)
    return statistics.mean(compile_times) if compile_times else 0.0


def _timed(client: Any, url: str, runs: int = 15, **headers: str) -> tuple[float, int, int, int]:
    """Median milliseconds, status, bytes and queries of GET url."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times = []
    status = size = queries = 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as ctx:
            began = time.perf_counter()
            response = client.get(url, headers=headers)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            times.append(time.perf_counter() - began)
        status, size, queries = response.status_code, len(body), len(ctx.captured_queries)
    return statistics.median(times) * 1000, status, size, queries


def _requests() -> None:
    from django.test import Client

    from opendata.models import Record, Release

    client = Client()
    total = Release.objects.count()
    middle = Release.objects.order_by("pk").values_list("pk", flat=True)[total // 2]
    last = Release.objects.order_by("-pk").values_list("pk", flat=True)[50]
    one = Release.objects.order_by("pk").values_list("release_id", flat=True)[total // 3]
    record = Record.objects.order_by("pk").values_list("ocid", flat=True)[
        Record.objects.count() // 2
    ]
    year = Release.objects.order_by("date").first().date.year + 1  # type: ignore[union-attr]
    # The seeded rows were bulk-created: write the files the requests below read, as the
    # commit (a release and its record) and the background job (the year's package) would.
    from opendata.files import bulk_file_build, record_file_write, release_file_write

    release_file_write(Release.objects.get(release_id=one))
    record_file_write(record)
    _reset_hwm()
    rss_before = _rss_kib()
    tracemalloc.start()
    began = time.perf_counter()
    bulk_file_build(year=year)
    seconds = time.perf_counter() - began
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"bulk package of {year} built (the background job): {seconds:.2f} s, "
        f"{Release.objects.filter(date__year=year).count():,} releases, "
        f"traced peak {peak / 2**20:.1f} MiB, RSS +{(_rss_kib() - rss_before) / 1024:.1f} MiB"
    )
    first = client.get("/opendata/release-package.json")
    cases = [
        ("release feed, first page", "/opendata/release-package.json", {}),
        ("release feed, middle page", f"/opendata/release-package.json?after={middle}", {}),
        ("release feed, last page", f"/opendata/release-package.json?after={last}", {}),
        ("record feed, first page", "/opendata/record-package.json", {}),
        ("one release", f"/opendata/releases/{one}.json", {}),
        ("one record", f"/opendata/records/{record}.json", {}),
        (
            "first page, If-None-Match (304)",
            "/opendata/release-package.json",
            {"if-none-match": first["ETag"]},
        ),
        (f"bulk {year}.json (stored file)", f"/opendata/bulk/{year}.json", {}),
    ]
    print(f"{'request':34} {'ms':>8} {'status':>6} {'KiB':>8} {'queries':>7}")
    for label, url, headers in cases:
        runs = 3 if "bulk" in label else 15
        ms, status, size, queries = _timed(client, url, runs, **headers)
        print(f"{label:34} {ms:8.1f} {status:>6} {size / 1024:8.1f} {queries:>7}")


def _export(out: Path) -> tuple[float, float, float, int]:
    from django.core.management import call_command

    shutil.rmtree(out, ignore_errors=True)
    gc.collect()
    _reset_hwm()
    rss_before = _rss_kib()
    tracemalloc.start()
    began = time.perf_counter()
    with open(os.devnull, "w") as sink:
        call_command("export_ocds", output=str(out), stdout=sink)
    seconds = time.perf_counter() - began
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    size = sum(p.stat().st_size for p in out.iterdir())
    return seconds, peak / 2**20, (_rss_kib() - rss_before) / 1024, size


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--projects", type=int, default=10_000)
    parser.add_argument("--small", type=int, default=2_000)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="sanshe-opendata-"))
    rng = random.Random(2026)
    try:
        db_url = os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{workdir}/opendata.sqlite3")
        _setup(db_url, workdir / "media")
        from opendata.models import Record, Release

        print(
            f"{'projects':>9} {'releases':>9} {'export s':>9} {'traced MiB':>10} {'RSS+ MiB':>9} {'MB out':>7}"
        )
        compile_mean = 0.0
        for size in (args.small, args.projects):
            began = time.perf_counter()
            compile_mean = _seed(size, args.projects, rng) or compile_mean
            seeded = time.perf_counter() - began
            seconds, traced, rss, out = _export(workdir / "export")
            print(
                f"{Record.objects.count():>9,} {Release.objects.count():>9,} {seconds:9.2f} "
                f"{traced:10.1f} {rss:9.1f} {out / 1e6:7.1f}   (seeded in {seeded:.0f} s)"
            )
        print(f"record_compile per project (publishing cost): {compile_mean * 1000:.1f} ms")
        print(f"{db_url.split(':')[0]}; public requests at {Record.objects.count():,} projects:")
        _requests()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
