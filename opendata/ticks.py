"""Time-driven open-data work: rebuild the bulk package of any year whose releases changed
and whose queued rebuild was lost (a worker down when it was queued, a process killed)."""

from __future__ import annotations

from datetime import datetime

from core.ticks import register
from opendata.files import stale_bulk_years
from opendata.tasks import build_bulk_year


@register
def stale_bulk_packages(now: datetime) -> str:
    years = stale_bulk_years()
    for year in years:
        build_bulk_year.enqueue(year)
    return f"opendata: bulk package rebuild queued for {years}" if years else ""
