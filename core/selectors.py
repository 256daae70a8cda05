"""Read queries for core pages."""

from __future__ import annotations

from typing import Any

from core.jobs import EXPORT_KINDS
from core.models import ExportJob

RECENT_EXPORTS = 50


def export_job_list(*, user: Any) -> list[ExportJob]:
    """The user's most recent export jobs, each with its kind's label as `label`."""
    jobs = list(ExportJob.objects.filter(requested_by=user)[:RECENT_EXPORTS])
    for job in jobs:
        kind = EXPORT_KINDS.get(job.kind)
        job.label = str(kind.label) if kind else job.kind  # type: ignore[attr-defined]
    return jobs
