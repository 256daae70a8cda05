"""Background work of the open-data app (`manage.py db_worker` runs it)."""

from __future__ import annotations

from django_tasks import task

from opendata.files import bulk_file_build


@task()
def build_bulk_year(year: int) -> str:
    """Rebuild the stored release package of one year (nothing when it is up to date)."""
    return f"{year}: {'rebuilt' if bulk_file_build(year=year) else 'up to date'}"
