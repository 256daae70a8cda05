"""Tasks for Django's task framework; `manage.py db_worker` runs them from the database queue."""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from django_tasks import task

from core.services import export_job_run


@task()
def run_export_job(job_id: int) -> str:
    """Build one requested export file."""
    return str(export_job_run(job_id=job_id))


HEARTBEAT_NAME = "health/worker-heartbeat.txt"


@task()
def worker_heartbeat(sent_at: str) -> str:
    """Enqueued by every tick; the worker that runs it proves it is alive (see core.health).

    Written through the storage API, which every web server and worker shares (a mounted volume
    or the S3-compatible store), so /health/ on any host sees it.
    """
    if default_storage.exists(HEARTBEAT_NAME):
        default_storage.delete(HEARTBEAT_NAME)
    default_storage.save(HEARTBEAT_NAME, ContentFile(f"{sent_at}\n{timezone.now().isoformat()}\n"))
    return sent_at
