"""GET /health/: can this app server reach the database, the cache, the storage, and is a
worker running the queue? 200 when all four answer, 503 naming what failed; for the load
balancer, the process manager and whoever watches the site (docs/operations.md).

The worker check reads the heartbeat file that the worker writes when it runs the task `tick`
queues every few minutes (core.tasks.worker_heartbeat): a stopped worker, a dead broker or a
tick that no longer runs all show up as a stale heartbeat.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from core.tasks import HEARTBEAT_NAME

# tick runs every 5 minutes; three missed heartbeats mean the worker (or tick) is down.
WORKER_STALE_AFTER = dt.timedelta(minutes=15)


def _database() -> dict[str, Any]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"vendor": connection.vendor}


def _cache() -> dict[str, Any]:
    key = f"sanshe:health:{uuid.uuid4().hex}"
    cache.set(key, "ok", 30)
    if cache.get(key) != "ok":
        raise RuntimeError("value written to the cache could not be read back")
    cache.delete(key)
    return {"backend": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]}


def _storage() -> dict[str, Any]:
    name = default_storage.save(f"health/probe-{uuid.uuid4().hex}.txt", ContentFile(b"ok"))
    try:
        with default_storage.open(name, "rb") as f:
            if f.read() != b"ok":
                raise RuntimeError("file written to the storage could not be read back")
    finally:
        default_storage.delete(name)
    return {"backend": type(storages["default"]).__name__}


def _worker() -> dict[str, Any]:
    if not default_storage.exists(HEARTBEAT_NAME):
        raise RuntimeError("no worker heartbeat yet: is the worker running, and `tick` scheduled?")
    with default_storage.open(HEARTBEAT_NAME, "rb") as f:
        _sent, seen = f.read().decode().split()[:2]
    last = dt.datetime.fromisoformat(seen)
    age = timezone.now() - last
    if age > WORKER_STALE_AFTER:
        raise RuntimeError(f"last worker heartbeat {int(age.total_seconds())} s ago")
    return {"last_heartbeat": last.isoformat(), "backend": settings.TASKS["default"]["BACKEND"]}


CHECKS: dict[str, Callable[[], dict[str, Any]]] = {
    "database": _database,
    "cache": _cache,
    "storage": _storage,
    "worker": _worker,
}


@never_cache
def health(request: HttpRequest) -> JsonResponse:
    results: dict[str, Any] = {}
    for name, check in CHECKS.items():
        started = time.monotonic()
        try:
            detail = check()
            results[name] = {"ok": True, **detail}
        except Exception as exc:
            results[name] = {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}
        results[name]["ms"] = round((time.monotonic() - started) * 1000, 1)
    ok = all(r["ok"] for r in results.values())
    return JsonResponse(
        {"status": "ok" if ok else "fail", "checks": results}, status=200 if ok else 503
    )
