"""Query counts of every page and API list on two generated data sets, side by side.

    .venv/bin/python -m benchmarks.query_counts \\
        --small postgres://postgres@127.0.0.1:5432/sanshe_qcount_small \\
        --large postgres://postgres@127.0.0.1:5432/sanshe_bench_large

Both databases must be made by `benchmarks.generate` (`--size small`: 100 projects and 10,000
ledger entries; `--size large`: 10,006 and 1,000,000); any other is refused. Each is counted in
its own subprocess with DATABASE_URL set to it (the settings bind one database), which prints
its counts as JSON on its last line of output. The pages are the load benchmark's mix
(benchmarks.load_pages.ROLES, {project} and {contract} filled as it fills them), every API list
for six roles, and the deep pages: the ledger page and the API ledger `?after=` a sequence
number near the end of what the role may read (project list page 20 is in the mix already).

Requests go through django.test.Client with force_login, counted with CaptureQueriesContext (so
DEBUG does not matter), each page asked once before it is counted, with a fresh per-process
locmem cache (never the shared Redis), so on both databases it is the same warmed page that is
counted. Everything runs inside one transaction that is rolled back: the logins' sessions and
last-login times, and anything a page might write, are discarded (the large data set is shared
and read-only); afterwards every table's rows are counted again and any row written since the
start is looked for, and the run fails if one is found.

Prints a table (page, role, small count, large count, status) and exits non-zero if any count
differs between the two databases, any page does not answer 200 (403 for the API lists a
role may not read, REFUSED, which must stay refused) or any page writes (an INSERT, UPDATE or
DELETE among its queries: a page that writes on GET changes what the pages after it cost). tests/core/test_query_counts.py
holds the same pages equal at 15 and 60 projects with the same `pages` and `count`.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.generate import require_generated
from benchmarks.load_pages import ROLES, targets

ROOT = Path(__file__).resolve().parents[1]

API_LISTS = [
    "projects",
    "tenders",
    "bids",
    "clarifications",
    "objections",
    "contracts",
    "bonds",
    "procurement-intents",
    "evaluations",
    "assessor-ties",
    "indicator-systems",
    "milestones",
    "disbursements",
    "service-records",
    "ledger",
    "exports",
    "social-workers",
    "volunteer-services",
    "planning/plans",
    "planning/budget-lines",
    "planning/catalogue",
    "planning/reports",
    "document-templates",
]
API_ROLES = ["jz_staff", "jz_finance", "aixin", "assessor_lead", "expert1", "auditor"]
LEDGER_PAGE = "/funds/ledger/"
# How far before the end of a reader's ledger the deep pages start: three pages of 50, so the
# page shown is full and has a next page on both sizes.
DEEP = 150

# What a role may not read answers 403 by design (the ledger is the bureaus' and the auditor's,
# document templates are the bureau staff's); those lists are counted too and must stay refused.
REFUSED = {
    (role, path)
    for role in ("aixin", "assessor_lead", "expert1")
    for path in ("/api/v1/ledger/", "/api/v1/ledger/?after={after}")
} | {(role, "/api/v1/document-templates/") for role in API_ROLES if role != "jz_staff"}

# Pages outside the load mix whose lists grow with the data set, found by crawling every
# role's links on the large set (the NGO's workforce page lists its contracts' figures).
MORE_PAGES = [
    ("aixin", "/workforce/"),
    ("aixin", "/workforce/?contracts_page=2"),
    ("jz_finance", "/funds/trial-balance/"),  # a bureau tree: its background job looked up
    ("auditor", "/funds/trial-balance/"),  # the whole book: likewise
]

Page = tuple[str, str, str]  # role, path as written ({project}, {after}), path asked


def _deep_after(username: str) -> int:
    """The sequence number DEEP entries before the end of what `username` may read."""
    # late: Django is set up by the caller (a test or this module's counting subprocess)
    from accounts.models import User
    from funds.selectors import ledger_entries

    seqs = ledger_entries(user=User.objects.get(username=username)).order_by("-seq")
    return seqs.values_list("seq", flat=True)[DEEP - 1 : DEEP].first() or 0


def pages() -> list[Page]:
    """Every page counted: the load mix, every API list × role, the deep ledger pages and
    MORE_PAGES."""
    filled = targets()
    written = [(role, path) for role, role_pages in ROLES.items() for _label, path in role_pages]
    written += [(role, f"/api/v1/{name}/") for role in API_ROLES for name in API_LISTS]
    written += [
        (role, LEDGER_PAGE + "?after={after}")
        for role, role_pages in ROLES.items()
        if any(path == LEDGER_PAGE for _label, path in role_pages)
    ]
    written += [(role, "/api/v1/ledger/?after={after}") for role in API_ROLES]
    written += MORE_PAGES
    after: dict[str, int] = {}
    asked = []
    # The auditor's API lists in the mix are among every list × role too: each counted once.
    for role, path in dict.fromkeys(written):
        if "{after}" in path and role not in after:
            after[role] = _deep_after(role)
        asked.append((role, path, path.format(**filled, after=after.get(role))))
    return asked


def expected_status(role: str, written: str) -> int:
    """What a page should answer the role: 200, or 403 where REFUSED says so."""
    return 403 if (role, written) in REFUSED else 200


def count(asked: list[Page]) -> dict[tuple[str, str], tuple[int, int, int]]:
    """(role, path as written) → (status, queries, writes), each page asked once before it is
    counted; writes are the INSERT, UPDATE and DELETE statements among the queries (a page that
    writes on GET would change what the pages after it cost)."""
    # late: Django is set up by the caller (a test or this module's counting subprocess)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User

    clients = {"public": Client()}
    for user in User.objects.filter(username__in={role for role, _, _ in asked} - {"public"}):
        clients[user.username] = Client()
        clients[user.username].force_login(user)
    counted = {}
    for role, written, path in asked:
        client = clients[role]
        client.get(path)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(path)
        queries = [q["sql"].lstrip()[:6].upper() for q in ctx.captured_queries]
        writes = sum(1 for q in queries if q in ("INSERT", "UPDATE", "DELETE"))
        counted[(role, written)] = (response.status_code, len(queries), writes)
    return counted


def _next_xid() -> int:
    """The first transaction id not yet handed out (as the 32 bits a row's xmin holds): a row
    whose xmin is at or after it was inserted or updated by a transaction begun since."""
    # late: Django is set up before this runs, in the counting subprocess
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint")
        return int(cursor.fetchone()[0]) % 2**32


def _tables(since: int) -> dict[str, tuple[int, int]]:
    """Every table's rows, and how many of them a transaction begun at `since` or later wrote."""
    # late: Django is set up before this runs, in the counting subprocess
    from django.db import connection

    found = {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        )
        for (table,) in cursor.fetchall():
            name = connection.ops.quote_name(table)  # a name pg_tables gave
            written = "count(*) FILTER (WHERE xmin::text::bigint >= %s)"
            cursor.execute(f"SELECT count(*), {written} FROM {name}", [since])  # noqa: S608
            found[table] = cursor.fetchone()
    return found


def _count_here() -> dict[str, object]:
    """The counting subprocess: counts on DATABASE_URL's database inside a rolled-back
    transaction and checks that no row of it changed."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # late: the environment must be set before Django reads the settings
    import django

    django.setup()
    from django.db import connection, transaction
    from django.test.utils import setup_test_environment

    from funds.models import LedgerEntry
    from projects.models import ServiceProject

    require_generated("benchmarks.query_counts")
    setup_test_environment()  # the test client's host, and mail kept in memory
    since = _next_xid()
    before = _tables(since)
    with transaction.atomic():
        asked = pages()
        counted = count(asked)
        projects = ServiceProject.objects.count()
        entries = LedgerEntry.objects.count()
        transaction.set_rollback(True)
    after = _tables(since)
    written = {
        table: f"{before[table][0]} → {rows} rows, {new} written during the run"
        for table, (rows, new) in after.items()
        if rows != before.get(table, (None,))[0] or new
    }
    return {
        "database": connection.settings_dict["NAME"],
        "projects": projects,
        "entries": entries,
        "pages": [[role, path, *counted[(role, path)]] for role, path, _asked in asked],
        "filled": sorted({f"{path} ({role})" for role, written, path in asked if written != path}),
        "written": written,
    }


def _run(url: str, workdir: Path) -> dict:
    """Count on one database in a subprocess of its own."""
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        # The counts do not depend on DEBUG (CaptureQueriesContext); with it on, the
        # production settings' secrets and directories are not required.
        "DJANGO_DEBUG": "true",
        "SANSHE_DEMO_MODE": "false",
        "SANSHE_CACHE_URL": "",  # a locmem cache of this process only, cold at its start
        "SANSHE_MEDIA_ROOT": str(workdir / "media"),
        "SANSHE_LEDGER_ANCHOR_FILE": str(workdir / "ledger-anchors.jsonl"),
    }
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.query_counts", "--here"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"counting on {url.rsplit('/', 1)[-1]} failed ({done.returncode})")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _report(small: dict, large: dict) -> int:
    """Print the table; the number of problems (pages that differ, answer other than expected
    or write, and tables that changed)."""
    at = {
        size: {(role, path): tuple(counts) for role, path, *counts in run["pages"]}
        for size, run in (("small", small), ("large", large))
    }
    for size, run in (("small", small), ("large", large)):
        print(
            f"{size}: {run['database']}, {run['projects']:,} projects, "
            f"{run['entries']:,} ledger entries; asked " + ", ".join(run["filled"])
        )
    print(f"{'page':44} {'role':14} {'small':>6} {'large':>6}  status")
    bad = 0
    for role, path, *_counts in small["pages"]:
        (s_status, s_q, s_w), (l_status, l_q, l_w) = (
            at["small"][(role, path)],
            at["large"][(role, path)],
        )
        status = f"{s_status}" if s_status == l_status else f"{s_status}/{l_status}"
        flags = []
        if s_q != l_q:
            flags.append("DIFFERS")
        if not s_status == l_status == expected_status(role, path):
            flags.append(f"NOT {expected_status(role, path)}")
        if s_w or l_w:
            flags.append(f"WRITES {s_w}/{l_w}")
        bad += bool(flags)
        print(f"{path:44} {role:14} {s_q:>6} {l_q:>6}  {status} {' '.join(flags)}".rstrip())
    for size, run in (("small", small), ("large", large)):
        for table, change in run["written"].items():
            bad += 1
            print(f"{size}: {table} changed: {change} (by this run or another client)")
    print(
        f"{len(small['pages'])} pages; "
        + ("all equal, every status as expected, nothing written" if not bad else f"{bad} problems")
    )
    return bad


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--small", help="database URL of a `--size small` data set")
    parser.add_argument("--large", help="database URL of a `--size large` data set")
    parser.add_argument("--here", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.here:
        print(json.dumps(_count_here()))
        return
    if not (args.small and args.large):
        parser.error("give --small and --large")
    workdir = Path(tempfile.mkdtemp(prefix="sanshe-qcount-"))
    small = _run(args.small, workdir / "small")
    large = _run(args.large, workdir / "large")
    raise SystemExit(1 if _report(small, large) else 0)


if __name__ == "__main__":
    main()
