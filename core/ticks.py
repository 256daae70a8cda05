"""Time-driven work (deadlines passing) that `manage.py tick` runs, so nothing waits for a click.

Each app registers a job taking the current time and returning a short summary line; jobs must
be idempotent, because tick runs every few minutes from cron or a scheduler.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from core.services import export_jobs_expire, idempotency_keys_expire
from core.tasks import worker_heartbeat as heartbeat

Job = Callable[[datetime], str]
_jobs: list[Job] = []


def register(job: Job) -> Job:
    """Decorator: run `job(now)` on every tick."""
    if job not in _jobs:
        _jobs.append(job)
    return job


def run_all(now: datetime) -> list[str]:
    return [job(now) for job in _jobs]


@register
def stale_exports(now: datetime) -> str:
    """Background exports whose worker died are marked failed so their users can ask again."""
    expired = export_jobs_expire(now=now)
    return f"core: {expired} stalled export(s) marked failed" if expired else ""


@register
def expired_idempotency_keys(now: datetime) -> str:
    """Stored answers to keyed API requests are kept for a month, then forgotten."""
    deleted = idempotency_keys_expire(now=now)
    return f"core: {deleted} idempotency key(s) older than 30 days removed" if deleted else ""


@register
def worker_heartbeat(now: datetime) -> str:
    """Queue a heartbeat for the worker; /health/ reports the worker dead when none arrives."""
    heartbeat.enqueue(now.isoformat())
    return ""
