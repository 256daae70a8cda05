"""Tasks for Django's task framework; `manage.py db_worker` runs them from the database queue."""

from __future__ import annotations

from django_tasks import task

from core.services import export_job_run


@task()
def run_export_job(job_id: int) -> str:
    """Build one requested export file."""
    return str(export_job_run(job_id=job_id))
