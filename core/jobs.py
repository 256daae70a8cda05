"""Kinds of background export: each app registers what it can build and who may ask for it.

A kind's `build(user, params, target)` writes the file into the binary `target` and returns the
download name and the row count; it must apply the same selectors (and so the same visibility)
as the page the export comes from. Its `check(params)` raises ValidationError on filters it could
not apply, so a bad request is refused when made, not found out by the worker.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import IO, Any

from django.utils.functional import Promise

from core.models import ExportJob, ExportState
from core.permissions import Decision

Build = Callable[[Any, dict[str, Any], IO[bytes]], tuple[str, int]]
Check = Callable[[dict[str, Any]], None]


def _any_params(params: dict[str, Any]) -> None:
    return None


def _kept(user: Any, job: Any) -> bool:
    return True


@dataclass(frozen=True)
class ExportKind:
    key: str
    label: str | Promise
    permission: Callable[[Any], Decision]
    build: Build
    check: Check = _any_params
    # Whether the requester may still have the finished file (a result that holds what they
    # read as a reader of one bureau is not theirs once they read the book otherwise).
    kept: Callable[[Any, Any], bool] = _kept


EXPORT_KINDS: dict[str, ExportKind] = {}


def register_export_kind(kind: ExportKind) -> ExportKind:
    """Make an export kind available to `export_job_request`."""
    EXPORT_KINDS[kind.key] = kind
    return kind


def export_kind_get(key: str) -> ExportKind | None:
    return EXPORT_KINDS.get(key)


# The job a worker is building now, so a long build can say how far it is.
current_job: ContextVar[int | None] = ContextVar("current_job", default=None)


def report_progress(done: int, total: int) -> None:
    """Record how far the running job is (shown on My exports); nothing outside a job."""

    job_id = current_job.get()
    if job_id is None or total <= 0:
        return
    percent = min(100, max(0, done * 100 // total))
    ExportJob.objects.filter(pk=job_id, state=ExportState.RUNNING).update(progress=percent)


def report_summary(text: str) -> None:
    """The running job's result in one line (shown beside its state)."""

    job_id = current_job.get()
    if job_id is not None:
        ExportJob.objects.filter(pk=job_id, state=ExportState.RUNNING).update(summary=text[:500])
