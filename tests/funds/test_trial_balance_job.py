"""The trial balance of a bureau or the whole book is a background job: the page queues it,
shows its progress, then the tables it computed with the time and the ledger head; the page
itself reads no entry for such a scope."""

from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.models import ExportJob, ExportState, TransitionLog
from funds.ledger import ledger_post
from funds.models import LedgerHead
from tests.factories.accounts import AuditorFactory, BureauFactory, BureauFinanceFactory
from tests.factories.projects import ServiceProjectFactory
from tests.jobs import work

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("media")]


def _post(project, *amounts: str) -> None:
    for amount in amounts:
        ledger_post(kind="budget_appropriated", amount=Decimal(amount), project=project)


def test_a_bureau_trial_balance_runs_as_a_job_and_shows_its_tables(login):
    bureau, other = BureauFactory(), BureauFactory()
    _post(ServiceProjectFactory(bureau=bureau), "100.10", "200.10")
    _post(ServiceProjectFactory(bureau=other), "5000.10")
    client = login(BureauFinanceFactory(organization=bureau))
    url = reverse("funds:trial_balance")

    with CaptureQueriesContext(connection) as queries:
        page = client.get(url, {"bureau": bureau.pk}).content.decode()
    assert not [q for q in queries.captured_queries if "funds_ledgerentry" in q["sql"]]
    assert 'name="kind" value="trial_balance"' in page and "生成试算平衡表" in page
    assert "借贷平衡" not in page

    response = client.post(
        reverse("export_request"), {"kind": "trial_balance", "query": f"bureau={bureau.pk}"}
    )
    assert response.status_code == 302
    job = ExportJob.objects.get(kind="trial_balance")
    assert (job.state, job.params) == (ExportState.QUEUED, {"bureau": str(bureau.pk)})
    page = client.get(url, {"bureau": bureau.pk}).content.decode()
    assert "最近一次试算平衡表" in page and job.get_state_display() in page

    work()
    job.refresh_from_db()
    assert (job.state, job.progress, job.rows) == (ExportState.DONE, 100, 2)
    assert job.summary == "借贷平衡；各项核对均成立。"
    steps = TransitionLog.objects.filter(
        content_type=ContentType.objects.get_for_model(ExportJob), object_id=str(job.pk)
    ).order_by("at", "id")
    assert [(s.transition, s.actor_id) for s in steps] == [
        ("start", job.requested_by_id),
        ("finish", job.requested_by_id),
    ]
    page = client.get(url, {"bureau": bureau.pk}).content.decode()
    head = LedgerHead.objects.get(pk=1).seq
    assert f"当时台账链头为第{head}笔" in page
    assert "¥300.20" in page and "¥5,000.10" not in page and "借贷平衡" in page
    # Another scope or date is another job: this one's tables are not shown for it.
    later = client.get(url, {"bureau": bureau.pk, "as_of": "2030-01-01"}).content.decode()
    assert "¥300.20" not in later


def test_the_whole_book_for_an_auditor(login):
    _post(ServiceProjectFactory(), "1.00")
    _post(ServiceProjectFactory(), "2.50")
    client = login(AuditorFactory())
    client.post(reverse("export_request"), {"kind": "trial_balance", "query": ""})
    work()
    job = ExportJob.objects.get(kind="trial_balance")
    assert (job.state, job.params) == (ExportState.DONE, {})
    page = client.get(reverse("funds:trial_balance")).content.decode()
    assert "全部台账" in page and "¥3.50" in page and "借贷平衡" in page
