"""我的导出 over the API: an auditor queues the ledger workbook, polls it, downloads it; nobody
else sees or downloads the job; bad requests are refused when made, with the reason."""

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from rest_framework.test import APIClient

from core.models import ExportJob, ExportState
from funds.ledger import ledger_post
from tests.factories.accounts import AuditorFactory, NgoUserFactory
from tests.factories.projects import ServiceProjectFactory
from tests.jobs import work

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]
URL = "/api/v1/exports/"


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


# Committed for real, as the worker reads the job from its own connection.
@pytest.mark.django_db(transaction=True)
def test_queue_poll_and_download_the_ledger():
    qianjiang = ServiceProjectFactory(title="“携手成长、守护阳光”关爱农村留守儿童保护项目")
    ledger_post(kind="budget_appropriated", amount=Decimal("500000.00"), project=qianjiang)
    jianli = ServiceProjectFactory(title="监利县老人儿童快乐之家运营服务项目")
    ledger_post(kind="budget_appropriated", amount=Decimal("360000.00"), project=jianli)
    auditor = _client(AuditorFactory())

    queued = auditor.post(
        URL, {"kind": "ledger_xlsx", "params": {"project": str(qianjiang.pk)}}, format="json"
    )
    assert queued.status_code == 201, queued.content
    job = queued.json()
    assert job["state"] == "queued" and job["download"] is None
    assert job["kind_label"] == "资金台账（Excel）"
    assert auditor.get(f"{URL}{job['id']}/download/").status_code == 409  # not built yet

    work()

    done = auditor.get(f"{URL}{job['id']}/").json()
    assert done["state"] == "done" and done["rows"] == 1
    assert done["download"] == f"{URL}{job['id']}/download/"
    file = auditor.get(done["download"])
    assert file.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(file.streaming_content))).active
    assert [row[5] for row in sheet.iter_rows(min_row=2, values_only=True)] == [500000]
    assert [j["id"] for j in auditor.get(URL).json()["results"]] == [job["id"]]

    # Another auditor neither lists nor downloads it: it holds what its requester saw.
    other = _client(AuditorFactory())
    assert other.get(URL).json()["results"] == []
    assert other.get(f"{URL}{job['id']}/download/").status_code == 404


def test_a_bad_filter_is_refused_when_asked_not_by_the_worker():
    answer = _client(AuditorFactory()).post(
        URL, {"kind": "ledger_xlsx", "params": {"start": "2026-13-40"}}, format="json"
    )
    assert answer.status_code == 400 and "start" in answer.json()
    assert not ExportJob.objects.exists()


def test_an_unknown_kind_and_an_ngo_are_refused():
    auditor = _client(AuditorFactory())
    assert auditor.post(URL, {"kind": "everything"}, format="json").status_code == 400
    ngo = _client(NgoUserFactory()).post(URL, {"kind": "ledger_xlsx"}, format="json")
    assert ngo.status_code == 403 and ngo.json()["detail"]
    assert not ExportJob.objects.exists()


def test_anonymous_gets_401():
    assert APIClient().get(URL).status_code == 401
    assert APIClient().post(URL, {"kind": "ledger_xlsx"}, format="json").status_code == 401


def test_a_failed_job_says_why_and_has_no_file():
    auditor = AuditorFactory()
    job = ExportJob.objects.create(
        kind="ledger_xlsx", requested_by=auditor, state=ExportState.FAILED, error="工作进程中断"
    )
    client = _client(auditor)
    assert client.get(f"{URL}{job.pk}/").json()["error"] == "工作进程中断"
    assert client.get(f"{URL}{job.pk}/download/").status_code == 409
