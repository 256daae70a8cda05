"""Load run: every role's page mix under 20 concurrent clients, gunicorn as in production.

    createdb -h 127.0.0.1 -U postgres sanshe_bench_large
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sanshe_bench_large \\
        .venv/bin/python -m benchmarks.generate --size large
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sanshe_bench_large \\
        .venv/bin/python -m benchmarks.load_pages [--seconds 60] [--warmup 15] [--clients 20]

Runs against a database made by `benchmarks.generate` (refuses any other) with the production
settings of deploy/sanshe.env.example: DEBUG off, a 50-character secret, persistent database
connections (DATABASE_CONN_MAX_AGE=60), the Redis cache (db 6 here, SANSHE_CACHE_URL), and
gunicorn started from deploy/gunicorn.conf.py with its own default of 2 × cores + 1 sync workers
(5 on two cores) on 127.0.0.1. Requests carry
`X-Forwarded-Proto: https`, as nginx sets it, so the HTTPS redirect does not answer them.
The API throttles are set out of reach: one auditor login serves three clients.
SANSHE_WORKERS / SANSHE_THREADS in the environment change the workers (threads > 1: gthread).

Each role's demo login gets a session (made in this process with the same secret, so the
cookie is what a login would set). The clients are spread over the roles (bureau staff,
bureau finance, NGO, assessor, auditor, the public and API callers); each walks its role's
pages in turn over one keep-alive connection. After a warm-up (not counted) every request of
the measured window is timed; the run prints p50/p95/p99 per page and overall, requests/s,
errors (any status but 200) and p95 against the 300 ms target, with the load average of the
machine before and after. Only loopback traffic; every loop is bounded in time.
"""

from __future__ import annotations

import argparse
import http.client
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from benchmarks.generate import require_generated

ROOT = Path(__file__).resolve().parents[1]
TARGET_MS = 300.0
YEAR = 2026


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _production_env(workdir: Path, port: int) -> dict[str, str]:
    """deploy/sanshe.env.example's settings for loopback."""
    for sub in ("static", "media", "anchors"):
        (workdir / sub).mkdir(exist_ok=True)
    return {
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_CSRF_TRUSTED_ORIGINS": f"https://127.0.0.1:{port}",
        "DATABASE_CONN_MAX_AGE": "60",
        "SANSHE_STATIC_ROOT": str(workdir / "static"),
        "SANSHE_MEDIA_ROOT": str(workdir / "media"),
        "SANSHE_LEDGER_ANCHOR_FILE": str(workdir / "anchors" / "ledger-anchors.jsonl"),
        "SANSHE_CACHE_URL": os.environ.get("SANSHE_CACHE_URL", "redis://127.0.0.1:6379/6"),
        "SANSHE_DEMO_MODE": "false",
        "SANSHE_OCDS_BASE_URI": "https://127.0.0.1",
        "SANSHE_OCID_PREFIX": "ocds-x7q2lm",
        "SANSHE_OCDS_PUBLISHER_NAME": "潜江市民政局",
        "SANSHE_OCDS_PUBLISHER_UID": "11429005MB1234567X",
        # deploy/gunicorn.conf.py's default unless set: what production runs.
        "SANSHE_WORKERS": os.environ.get("SANSHE_WORKERS", str(2 * (os.cpu_count() or 1) + 1)),
        "SANSHE_THREADS": os.environ.get("SANSHE_THREADS", "1"),
        "SANSHE_BIND": f"127.0.0.1:{port}",
        "DJANGO_LOG_LEVEL": "WARNING",
        # One auditor login serves three clients here, and past ~110 requests/s they ask the API
        # more than the 600 a minute one user may: the throttle (still consulted on every call)
        # is set out of reach so that its 429s are not counted as the pages' errors.
        "SANSHE_API_USER_RATE": "100000/min",
        "SANSHE_API_ANON_RATE": "100000/min",
    }


def _cpu(pids: list[int]) -> dict[int, float]:
    """CPU seconds (user + system) each live process has used, from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    used = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended
        used[pid] = (int(fields[11]) + int(fields[12])) / tick
    return used


def _processes(server: int, database: str) -> dict[str, list[int]]:
    """The gunicorn workers (children of the master) and the database's backends."""
    from django.db import connection

    workers = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == server:
                workers.append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [database],
        )
        backends = [row[0] for row in cursor.fetchall()]
    return {"app": [server, *workers], "database": backends}


def _cpu_window(server: int, database: str) -> Callable[[], dict[str, float]]:
    """Start counting CPU; the returned function stops and gives the seconds used per side.

    Processes are sampled twice a second, since persistent connections end after
    DATABASE_CONN_MAX_AGE and workers are recycled: one that started during the window counts
    from zero, one that ended counts up to its last sample."""
    first = {side: _cpu(pids) for side, pids in _processes(server, database).items()}
    last = {side: dict(used) for side, used in first.items()}
    client_before = time.process_time()
    stop = threading.Event()

    def sample() -> None:
        from django.db import connection

        while not stop.wait(0.5):
            for side, pids in _processes(server, database).items():
                last[side].update(_cpu(pids))
        connection.close()  # this thread's own

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()

    def since() -> dict[str, float]:
        stop.set()
        sampler.join()
        for side, pids in _processes(server, database).items():
            last[side].update(_cpu(pids))
        used = {
            side: sum(t - first[side].get(pid, 0.0) for pid, t in seen.items())
            for side, seen in last.items()
        }
        used["client"] = time.process_time() - client_before
        return used

    return since


def _sessions() -> dict[str, str]:
    """A session cookie per demo login, as logging in would set it."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from accounts.models import User

    store = import_module(settings.SESSION_ENGINE).SessionStore
    cookies = {"public": ""}
    for user in User.objects.filter(username__in=[r for r in ROLES if r != "public"]):
        session = store()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        cookies[user.username] = f"{settings.SESSION_COOKIE_NAME}={session.session_key}"
    return cookies


# The pages each role opens in a working day; {project} and {contract} are filled with one
# the role may see (a generated project of the role's bureau tree, or any for the auditor).
ROLES: dict[str, list[tuple[str, str]]] = {
    "jz_staff": [  # city bureau staff: its own and three counties' projects
        ("工作台 home", "/"),
        ("project list", "/projects/"),
        ("project list, page 20", "/projects/?page=20"),
        ("project detail", "/projects/{project}/"),
        ("tender list", "/procurement/"),
        ("contract list", "/procurement/contracts/"),
        ("evaluation list", "/evaluation/"),
        ("planning dashboard", f"/planning/?year={YEAR}"),
        ("supervision overview", "/supervision/"),
    ],
    "jz_finance": [
        ("工作台 home", "/"),
        ("payments", "/funds/payments/"),
        ("funds overview", "/funds/overview/"),
        ("ledger", "/funds/ledger/"),
    ],
    "aixin": [  # an NGO
        ("工作台 home", "/"),
        ("project list", "/projects/"),
        ("tender list", "/procurement/"),
        ("contract list", "/procurement/contracts/"),
        ("evaluation list", "/evaluation/"),
        ("supervision overview", "/supervision/"),
    ],
    "assessor_lead": [
        ("工作台 home", "/"),
        ("evaluation list", "/evaluation/"),
        ("indicator systems", "/evaluation/systems/"),
    ],
    "auditor": [
        ("project list", "/projects/"),
        ("funds overview", "/funds/overview/"),
        ("ledger", "/funds/ledger/"),
        ("contract list", "/procurement/contracts/"),
        ("API projects", "/api/v1/projects/"),
        ("API contracts", "/api/v1/contracts/"),
        ("API tenders", "/api/v1/tenders/"),
        ("API disbursements", "/api/v1/disbursements/"),
        ("API ledger", "/api/v1/ledger/"),
        ("API service records", "/api/v1/service-records/"),
        ("API evaluations", "/api/v1/evaluations/"),
    ],
    "public": [
        ("public notices", "/procurement/notices/"),
        ("public acceptance results", "/evaluation/acceptance/public/"),
        ("open data release feed", "/opendata/release-package.json"),
        ("open data results", "/opendata/results/"),
    ],
}


def targets() -> dict[str, int | None]:
    """What fills ROLES' {project} and {contract}: the first generated project of the city
    bureau's tree (so every role with a page of it may see it) and its contract."""
    from accounts.models import User
    from procurement.models import Contract
    from projects.models import ServiceProject

    staff = User.objects.get(username="jz_staff")
    project = (
        ServiceProject.objects.filter(
            code__startswith="GMS", bureau__path__startswith=staff.organization.path
        )
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )
    contract = Contract.objects.filter(project_id=project).values_list("pk", flat=True).first()
    return {"project": project, "contract": contract}


def _fill(cookies: dict[str, str]) -> dict[str, list[tuple[str, str, str]]]:
    filled = targets()
    mix = {}
    for role, pages in ROLES.items():
        mix[role] = [
            (
                label if role in ("public",) else f"{label} ({role})",
                path.format(**filled),
                cookies[role],
            )
            for label, path in pages
        ]
    return mix


def _run(
    port: int,
    mix: dict[str, list[tuple[str, str, str]]],
    clients: int,
    seconds: float,
    record: bool,
) -> tuple[dict[str, list[float]], dict[str, int], float]:
    """`clients` threads, spread over the roles, each walking its role's pages for `seconds`."""
    times: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    roles = list(mix)

    def client(number: int) -> None:
        pages = mix[roles[number % len(roles)]]
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        step = number  # clients of one role start on different pages
        while time.monotonic() < deadline:
            label, path, cookie = pages[step % len(pages)]
            step += 1
            headers = {"Host": "127.0.0.1", "X-Forwarded-Proto": "https"}
            if cookie:
                headers["Cookie"] = cookie
            began = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                status = 0
            elapsed = (time.perf_counter() - began) * 1000
            if record:
                with lock:
                    times[label].append(elapsed)
                    if status != 200:
                        errors[label] += 1
        conn.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return times, errors, time.perf_counter() - began


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _report(times: dict[str, list[float]], errors: dict[str, int], wall: float) -> None:
    print(
        f"{'page (role)':48} {'req':>6} {'err':>4} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
        f"{'p95/300':>8}"
    )
    for label in sorted(times, key=lambda k: -_pct(times[k], 0.95)):
        values = times[label]
        p95 = _pct(values, 0.95)
        print(
            f"{label:48} {len(values):>6} {errors[label]:>4} {_pct(values, 0.5):>8.0f} "
            f"{p95:>8.0f} {_pct(values, 0.99):>8.0f} {p95 / TARGET_MS:>8.2f}"
            + ("" if p95 < TARGET_MS else "  MISSED")
        )
    every = [v for values in times.values() for v in values]
    failed = sum(errors.values())
    p95 = _pct(every, 0.95)
    print(
        f"{'overall':48} {len(every):>6} {failed:>4} {_pct(every, 0.5):>8.0f} {p95:>8.0f} "
        f"{_pct(every, 0.99):>8.0f} {p95 / TARGET_MS:>8.2f}"
    )
    missed = sum(1 for values in times.values() if _pct(values, 0.95) >= TARGET_MS)
    print(
        f"{len(every) / wall:.1f} requests/s over {wall:.0f} s, {failed} errors; "
        f"{missed} of {len(times)} pages miss p95 < {TARGET_MS:.0f} ms "
        f"(overall p95 is {p95 / TARGET_MS:.2f}× the target)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--warmup", type=float, default=15)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument(
        "--skip",
        action="append",
        default=[],
        metavar="PATH",
        help="leave out pages whose path starts with PATH (to see what one page costs the rest)",
    )
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("set DATABASE_URL to a database made by benchmarks.generate")
    workdir = Path(tempfile.mkdtemp(prefix="sanshe-load-"))
    port = _free_port()
    env = _production_env(workdir, port)
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from funds.models import LedgerEntry
    from projects.models import ServiceProject

    require_generated("benchmarks.load_pages")
    call_command("collectstatic", interactive=False, verbosity=0)  # the manifest DEBUG-off needs
    mix = {
        role: [page for page in pages if not page[1].startswith(tuple(args.skip))]
        for role, pages in _fill(_sessions()).items()
    }
    database = connection.settings_dict["NAME"]
    projects = ServiceProject.objects.count()
    entries = LedgerEntry.objects.count()
    connection.close()
    log = open(workdir / "gunicorn.log", "w")  # noqa: SIM115 - closed in finally
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "config.wsgi"],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        load_before = os.getloadavg()
        print(
            f"{connection.settings_dict['NAME']}: {projects:,} projects, {entries:,} ledger "
            f"entries; gunicorn {env['SANSHE_WORKERS']} workers × {env['SANSHE_THREADS']} "
            f"threads, DEBUG off, {args.clients} clients over "
            f"{len(mix)} roles; warm-up {args.warmup:.0f} s, measured {args.seconds:.0f} s; "
            f"{'skipping ' + ', '.join(args.skip) + '; ' if args.skip else ''}"
            f"load average before {load_before[0]:.1f}"
        )
        _run(port, mix, args.clients, args.warmup, record=False)
        since = _cpu_window(server.pid, database)
        times, errors, wall = _run(port, mix, args.clients, args.seconds, record=True)
        used = since()
        _report(times, errors, wall)
        served = sum(len(v) for v in times.values())
        print(
            "CPU per request (less noisy than latency on a shared machine): "
            + ", ".join(f"{side} {1000 * t / served:.1f} ms" for side, t in used.items())
            + f", together {1000 * sum(used.values()) / served:.1f} ms"
        )
        print(f"load average after {os.getloadavg()[0]:.1f} (2 cores)")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        log.close()
        print(f"gunicorn log: {workdir / 'gunicorn.log'}")


if __name__ == "__main__":
    main()
