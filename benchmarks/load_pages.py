"""Load run: the main pages under 20 concurrent clients against gunicorn on loopback.

    .venv/bin/python -m benchmarks.load_pages [--projects 10000] [--seconds 15] [--clients 20]

Seeds a throwaway SQLite database (or DATABASE_URL if it names a database made for this),
starts gunicorn on 127.0.0.1, logs in as each role's demo user by creating a session, and for
each page runs a bounded number of seconds of requests from N client threads. Prints p50/p95
latency, throughput and the number of SQL queries the page costs at that size. Only loopback
traffic; every loop is bounded in time and count.
"""

from __future__ import annotations

import argparse
import http.client
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _setup(db_url: str, projects: int) -> dict[str, str]:
    """Migrate, load the demo, add `projects` projects; return a session cookie per role."""
    os.environ["DATABASE_URL"] = db_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command

    from accounts.models import User
    from benchmarks.seed import seed_projects

    with open(os.devnull, "w") as sink:
        call_command("migrate", verbosity=0, stdout=sink)
        call_command("load_demo", stdout=sink)
    seed_projects(projects)
    cookies = {}
    for username in ("qj_staff", "jz_staff", "aixin", "auditor"):
        user = User.objects.get(username=username)
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        cookies[username] = f"{settings.SESSION_COOKIE_NAME}={session.session_key}"
    return cookies


def _hammer(
    port: int, path: str, cookie: str, clients: int, seconds: float, cap: int
) -> dict[str, float]:
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def worker() -> None:
        nonlocal errors
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        done = 0
        while time.monotonic() < deadline and done < cap:
            start = time.perf_counter()
            conn.request("GET", path, headers={"Cookie": cookie, "Host": "127.0.0.1"})
            response = conn.getresponse()
            response.read()
            elapsed = time.perf_counter() - start
            done += 1
            with lock:
                if response.status != 200:
                    errors += 1
                latencies.append(elapsed)
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - began
    latencies.sort()
    return {
        "requests": len(latencies),
        "errors": errors,
        "p50_ms": 1000 * statistics.median(latencies),
        "p95_ms": 1000 * latencies[int(0.95 * (len(latencies) - 1))],
        "rps": len(latencies) / wall,
    }


def _queries(path: str, username: str) -> int:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))
    client.get(path)
    with CaptureQueriesContext(connection) as ctx:
        client.get(path)
    return len(ctx.captured_queries)


PAGES = [
    ("工作台 home (bureau staff)", "/", "qj_staff"),
    ("project list (city bureau)", "/projects/", "jz_staff"),
    ("project list (auditor, all)", "/projects/", "auditor"),
    ("project list page 50 (auditor)", "/projects/?page=50", "auditor"),
    ("project search (NGO)", "/projects/?q=%E7%95%99%E5%AE%88", "aixin"),  # q=留守
    ("API project list (auditor)", "/api/v1/projects/", "auditor"),
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--projects", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="sanshe-load-")
    db_url = os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{workdir}/load.sqlite3")
    cookies = _setup(db_url, args.projects)
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "DJANGO_DEBUG": "true",
        "SANSHE_DEMO_MODE": "false",
    }
    server = subprocess.Popen(  # noqa: S603 - fixed argv, loopback only
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        print(
            f"{args.projects} extra projects, {args.clients} clients, {args.seconds}s per page, "
            f"gunicorn {args.workers} sync workers, {db_url.split(':')[0]}"
        )
        print(
            f"{'page':36} {'queries':>7} {'req':>6} {'err':>4} {'p50 ms':>8} {'p95 ms':>8} {'req/s':>7}"
        )
        for label, path, username in PAGES:
            result = _hammer(port, path, cookies[username], args.clients, args.seconds, cap=5000)
            print(
                f"{label:36} {_queries(path, username):>7} {result['requests']:>6} {result['errors']:>4} "
                f"{result['p50_ms']:>8.1f} {result['p95_ms']:>8.1f} {result['rps']:>7.1f}"
            )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
