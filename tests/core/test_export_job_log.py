"""Every step of an export job is a declared transition, in the transition log like any other
state change: queued → running → done (or failed), each with the requester as the actor."""

import datetime as dt
import os
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from core.models import ExportJob, ExportState, TransitionLog
from core.services import export_job_run
from funds.ledger import ledger_post
from tests.factories.accounts import AuditorFactory
from tests.factories.projects import ServiceProjectFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]


def _steps(job: ExportJob) -> list[tuple[str, str, str, int | None]]:
    return [
        (log.transition, log.source_state, log.target_state, log.actor_id)
        for log in TransitionLog.for_object(job).order_by("pk")
    ]


def test_a_built_export_logs_its_start_and_its_finish(login):
    project = ServiceProjectFactory()
    ledger_post(kind="budget_appropriated", amount=Decimal("500000.00"), project=project)
    auditor = AuditorFactory()
    login(auditor).post(reverse("export_request"), {"kind": "ledger_xlsx", "query": ""})
    job = ExportJob.objects.get()

    assert export_job_run(job_id=job.pk) == ExportState.DONE
    # Delivered twice: the second delivery claims nothing and logs nothing.
    assert export_job_run(job_id=job.pk) == ExportState.DONE

    assert _steps(job) == [
        ("start", "queued", "running", auditor.pk),
        ("finish", "running", "done", auditor.pk),
    ]
    job.refresh_from_db()
    assert job.rows == 1 and job.file and job.progress == 100


def test_a_stalled_job_failed_by_tick_is_logged():
    auditor = AuditorFactory()
    job = ExportJob.objects.create(
        kind="ledger_xlsx",
        requested_by=auditor,
        state=ExportState.RUNNING,
        started_at=timezone.now() - dt.timedelta(hours=3),
    )
    with open(os.devnull, "w") as sink:
        call_command("tick", stdout=sink)
    assert _steps(job) == [("fail", "running", "failed", auditor.pk)]


def test_the_state_cannot_be_assigned():
    job = ExportJob.objects.create(kind="ledger_xlsx", requested_by=AuditorFactory())
    with pytest.raises(AttributeError):
        job.state = ExportState.DONE
