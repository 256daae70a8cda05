"""The trial balance (试算平衡表) and reconciliation at provincial scale, read-only.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sanshe_bench_large \\
    .venv/bin/python -m benchmarks.trial_balance [--users auditor,jz_finance,jz_staff] \\
        [--repeat 3] [--books /tmp/books_main.py]

On a database made by `benchmarks.generate` (refused otherwise), in a read-only session: for
each user, `book_scope` + `books.trial_balance` + `books.reconcile` over the whole book, bureau
2 (潜江's city bureau in the generated tree), and the project and contract of that user's with
the most ledger entries; then the page `/funds/trial-balance/` itself for each scope (through
the view with a request built for the user: no login, no session written). A bureau or the
whole book is the background job's work (`funds.book_jobs.build_trial_balance` times the same
two calls); a project or contract is computed with the page. Prints the best of --repeat
runs with the query count and the time the database spent. `--books` times another copy of
funds/books.py instead (e.g. `git show 7166035:funds/books.py > /tmp/books_main.py`: the
figures before the grouped queries).
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import os
import sys
import time
from typing import Any


def _books(path: str | None) -> Any:
    if not path:
        from funds import books

        return books
    spec = importlib.util.spec_from_file_location("books_under_test", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


def _largest(user: Any) -> dict[str, dict[str, int]]:
    """The project and contract the user may read with the most ledger entries."""
    from django.db.models import Count

    from funds import selectors

    entries = selectors.ledger_entries(user=user).order_by()
    scopes: dict[str, dict[str, int]] = {}
    for key in ("project", "contract"):
        row = (
            entries.exclude(**{f"{key}_id": None})
            .values(f"{key}_id")
            .annotate(n=Count("id"))
            .order_by("-n")
            .first()
        )
        if row:
            scopes[f"{key} #{row[f'{key}_id']} ({row['n']} entries)"] = {key: row[f"{key}_id"]}
    return scopes


def _page(user: Any, params: dict[str, int]) -> int:
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.contrib.sessions.backends.signed_cookies import SessionStore
    from django.test import RequestFactory

    from funds.views import trial_balance

    request = RequestFactory().get("/funds/trial-balance/", params)
    request.user = user
    request.session = SessionStore()
    request._messages = FallbackStorage(request)  # type: ignore[attr-defined]
    return trial_balance(request).status_code  # type: ignore[arg-type]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", default="auditor,jz_finance,jz_staff")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--books", default="")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from benchmarks.generate import require_generated
    from funds import selectors

    require_generated("benchmarks.trial_balance")
    with connection.cursor() as cursor:
        # The data set is shared: nothing here may write to it.
        cursor.execute("SET default_transaction_read_only = on")
    books = _books(args.books)
    print(
        f"{connection.settings_dict['NAME']}; books {args.books or 'funds.books'}; load average "
        f"{os.getloadavg()[0]:.1f}; {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC"
    )
    for name in args.users.split(","):
        user = User.objects.select_related("organization").get(username=name)
        scopes: dict[str, dict[str, int]] = {"whole book": {}, "bureau 2": {"bureau": 2}}
        scopes.update(_largest(user))
        for label, params in scopes.items():
            best: tuple[float, float, float, int, float] | None = None
            for _ in range(args.repeat):
                with CaptureQueriesContext(connection) as queries:
                    began = time.perf_counter()
                    scope = selectors.book_scope(user=user, **params)
                    book = books.trial_balance(scope.entries)
                    middle = time.perf_counter()
                    checks = books.reconcile(scope.entries, scope.contracts)
                    ended = time.perf_counter()
                sql = sum(float(q["time"]) for q in queries.captured_queries)
                run = (ended - began, middle - began, ended - middle, len(queries), sql)
                best = run if best is None or run[0] < best[0] else best
            assert best is not None
            total, tb, rc, count, sql = best
            page_began = time.perf_counter()
            status = _page(user, params) if not args.books else 0
            page = time.perf_counter() - page_began
            print(
                f"{name:10} {label:32} total {total:7.2f} s (trial balance {tb:5.2f}, reconcile "
                f"{rc:6.2f}; {count} queries, {sql:5.2f} s in the database; "
                f"balanced={book.balanced} ok={checks.ok})"
                + (f"; page {page:5.2f} s ({status})" if status else ""),
                flush=True,
            )


if __name__ == "__main__":
    main()
