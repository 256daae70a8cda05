"""Use cases of the core app: background exports requested, run and expired; old idempotency
keys forgotten."""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
import uuid
from pathlib import PurePath
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.utils.translation import gettext as _

from core.fsm import ActionRefusedError, claim_transition
from core.jobs import current_job, export_kind_get
from core.models import ExportJob, ExportState, IdempotencyKey

logger = logging.getLogger(__name__)

# A running job older than this lost its worker (killed, redeployed); `tick` marks it failed.
STALE_AFTER = dt.timedelta(hours=2)
# A client retries a lost answer within minutes; a month covers an offline device coming back.
IDEMPOTENCY_KEYS_KEPT = dt.timedelta(days=30)


def export_job_request(*, user: Any, kind: str, params: dict[str, Any]) -> ExportJob:
    """Record the request and enqueue the task once the request's transaction has committed."""
    from core.tasks import run_export_job  # late: core.tasks imports this module

    spec = export_kind_get(kind)
    if spec is None:
        raise ValidationError(_("Unknown export: %(kind)s") % {"kind": kind})
    spec.permission(user).require()
    spec.check(params)
    with transaction.atomic():
        job = ExportJob.objects.create(kind=kind, params=params, requested_by=user)
        job_id = job.pk
        # On commit: a worker must never pick up a job id whose row it cannot see yet.
        transaction.on_commit(lambda: run_export_job.enqueue(job_id))
    return job


def export_job_run(*, job_id: int) -> ExportState:
    """Build the file for a queued job; a job already claimed (task delivered twice) is left."""
    job = ExportJob.objects.select_related("requested_by").get(pk=job_id)
    try:
        with transaction.atomic():
            claim_transition(job, "start", actor=job.requested_by, update_fields=["started_at"])
    except ActionRefusedError:
        return ExportState(ExportJob.objects.values_list("state", flat=True).get(pk=job_id))
    try:
        spec = export_kind_get(job.kind)
        if spec is None:
            raise ValidationError(_("Unknown export: %(kind)s") % {"kind": job.kind})
        # Checked again at run time: the user's role may have changed since the request.
        spec.permission(job.requested_by).require()
        token = current_job.set(job_id)
        try:
            with tempfile.TemporaryFile() as spool:
                filename, rows = spec.build(job.requested_by, job.params, spool)
                spool.seek(0)
                stored = f"{uuid.uuid4().hex}{PurePath(filename).suffix}"
                job.file.save(stored, File(spool), save=False)
        finally:
            current_job.reset(token)
    except (PermissionDenied, ValidationError) as exc:
        return _fail(job, " ".join(getattr(exc, "messages", [str(exc)])))
    except Exception as exc:
        logger.exception("export job %s failed", job_id)
        return _fail(job, _("The export failed: %(error)s") % {"error": exc})
    stored_name = job.file.name
    return _claim_end(
        job,
        "finish",
        file=stored_name,
        filename=filename,
        rows=rows,
        update_fields=["file", "filename", "rows", "progress", "finished_at"],
    )


def _fail(job: ExportJob, error: str) -> ExportState:
    return _claim_end(job, "fail", error=str(error), update_fields=["error", "finished_at"])


def _claim_end(job: ExportJob, transition: str, **kwargs: Any) -> ExportState:
    """Finish a running job once: a job the stale-job tick failed meanwhile stays failed."""
    try:
        with transaction.atomic():
            claim_transition(job, transition, actor=job.requested_by, **kwargs)
    except ActionRefusedError:
        pass
    return ExportState(ExportJob.objects.values_list("state", flat=True).get(pk=job.pk))


def export_jobs_expire(*, now: dt.datetime) -> int:
    """Mark jobs whose worker died mid-run as failed, so the user knows to ask again."""
    stale = ExportJob.objects.filter(state=ExportState.RUNNING, started_at__lt=now - STALE_AFTER)
    error = _("The worker stopped before the export finished; please request it again.")
    failed = 0
    for job in stale.select_related("requested_by"):
        failed += _fail(job, error) == ExportState.FAILED
    return failed


def idempotency_keys_expire(*, now: dt.datetime) -> int:
    """Forget the stored answers of keyed API requests older than IDEMPOTENCY_KEYS_KEPT."""
    deleted, _by_model = IdempotencyKey.objects.filter(
        created_at__lt=now - IDEMPOTENCY_KEYS_KEPT
    ).delete()
    return deleted
