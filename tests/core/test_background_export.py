"""Auditors ask for a large ledger workbook; a worker builds it; only they can download it."""

import datetime as dt
import io
import os
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from core.models import ExportJob, ExportState
from core.services import export_job_run
from funds.ledger import ledger_post
from tests.factories.accounts import AuditorFactory, NgoUserFactory
from tests.factories.projects import ServiceProjectFactory
from tests.jobs import work

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]


@pytest.fixture
def projects():
    qianjiang = ServiceProjectFactory(title="“携手成长、守护阳光”关爱农村留守儿童保护项目")
    jianli = ServiceProjectFactory(title="监利县老人儿童快乐之家运营服务项目")
    ledger_post(kind="budget_appropriated", amount=Decimal("500000.00"), project=qianjiang)
    ledger_post(kind="withheld", amount=Decimal("19120.00"), project=qianjiang, memo="=1+1")
    ledger_post(kind="budget_appropriated", amount=Decimal("360000.00"), project=jianli)
    return qianjiang, jianli


# Committed for real: the worker closes its database connection between tasks, as in production.
@pytest.mark.django_db(transaction=True)
def test_request_build_and_download(projects, login):
    qianjiang, _jianli = projects
    auditor = AuditorFactory()
    client = login(auditor)
    response = client.post(
        reverse("export_request"),
        {"kind": "ledger_xlsx", "query": f"project={qianjiang.pk}&page=2&format=pdf"},
        follow=True,
    )
    job = ExportJob.objects.get()
    assert job.state == ExportState.QUEUED and job.params == {"project": str(qianjiang.pk)}
    assert "排队" in response.content.decode() and "资金台账（Excel）" in response.content.decode()

    work()

    job.refresh_from_db()
    assert job.state == ExportState.DONE and job.rows == 2 and job.finished_at
    page = client.get(reverse("exports")).content.decode()
    assert "已完成" in page and reverse("export_download", args=[job.pk]) in page
    download = client.get(reverse("export_download", args=[job.pk]))
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [row[5] for row in rows] == [500000, 19120]  # only the filtered project's entries
    assert rows[1][12] == "'=1+1"

    assert login(AuditorFactory()).get(reverse("export_download", args=[job.pk])).status_code == 403


def test_a_job_delivered_twice_is_built_once(projects):
    job = ExportJob.objects.create(kind="ledger_xlsx", requested_by=AuditorFactory())
    assert export_job_run(job_id=job.pk) == ExportState.DONE
    first = ExportJob.objects.get(pk=job.pk).file.name
    assert export_job_run(job_id=job.pk) == ExportState.DONE
    assert ExportJob.objects.get(pk=job.pk).file.name == first


def test_ngos_cannot_ask_for_the_ledger(projects, login):
    response = login(NgoUserFactory()).post(
        reverse("export_request"), {"kind": "ledger_xlsx", "query": ""}
    )
    assert response.status_code == 403 and not ExportJob.objects.exists()


def test_unknown_export_is_refused_with_a_message(login):
    response = login(AuditorFactory()).post(
        reverse("export_request"), {"kind": "everything", "query": ""}, follow=True
    )
    assert "未知的导出" in response.content.decode() and not ExportJob.objects.exists()


def test_a_role_lost_before_the_run_fails_the_job(projects):
    auditor = AuditorFactory()
    job = ExportJob.objects.create(kind="ledger_xlsx", requested_by=auditor)
    auditor.role = "ngo"
    auditor.save(update_fields=["role"])
    assert export_job_run(job_id=job.pk) == ExportState.FAILED
    job.refresh_from_db()
    assert job.error and not job.file


def test_a_stalled_job_is_failed_by_tick(login):
    auditor = AuditorFactory()
    job = ExportJob.objects.create(
        kind="ledger_xlsx",
        requested_by=auditor,
        state=ExportState.RUNNING,
        started_at=timezone.now() - dt.timedelta(hours=3),
    )
    with open(os.devnull, "w") as sink:
        call_command("tick", stdout=sink)
    job.refresh_from_db()
    assert job.state == ExportState.FAILED
    assert "请重新申请" in login(auditor).get(reverse("exports")).content.decode()
