"""A trial-balance job's result is seen only by its requester, only while they still read the
book as when it ran, and a job for a scope its requester cannot read computes nothing."""

from decimal import Decimal

import pytest
from django.urls import reverse

from core.models import ExportJob, ExportState
from funds.ledger import ledger_post
from tests.factories.accounts import BureauFactory, BureauFinanceFactory
from tests.factories.projects import ServiceProjectFactory
from tests.jobs import work

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("media")]


def test_no_job_result_for_a_scope_the_reader_cannot_read(login):
    mine, theirs = BureauFactory(), BureauFactory()
    project = ServiceProjectFactory(bureau=mine)
    ledger_post(kind="budget_appropriated", amount=Decimal("777.70"), project=project)
    owner = BureauFinanceFactory(organization=mine)
    outsider = BureauFinanceFactory(organization=theirs)
    url = reverse("funds:trial_balance")
    owner_client, outsider_client = login(owner), login(outsider)
    owner_client.post(
        reverse("export_request"), {"kind": "trial_balance", "query": f"bureau={mine.pk}"}
    )
    work()
    assert "¥777.70" in owner_client.get(url, {"bureau": mine.pk}).content.decode()

    # Another bureau asking for the same scope sees no one else's job, and its own job of that
    # bureau holds only what it may read (nothing of it).
    page = outsider_client.get(url, {"bureau": mine.pk}).content.decode()
    assert "¥777.70" not in page and "最近一次试算平衡表" not in page
    outsider_client.post(
        reverse("export_request"), {"kind": "trial_balance", "query": f"bureau={mine.pk}"}
    )
    work()
    job = ExportJob.objects.filter(requested_by=outsider).get()
    assert job.state == ExportState.DONE and job.rows == 0
    assert "¥777.70" not in outsider_client.get(url, {"bureau": mine.pk}).content.decode()

    # A project it cannot see, asked for behind the page's back: the job computes nothing.
    outsider_client.post(
        reverse("export_request"), {"kind": "trial_balance", "query": f"project={project.pk}"}
    )
    work()
    refused = ExportJob.objects.filter(requested_by=outsider, params={"project": str(project.pk)})
    assert [(j.state, j.error, bool(j.file)) for j in refused] == [
        (ExportState.FAILED, "您无权查看这部分账目。", False)
    ]
    assert outsider_client.get(url, {"project": project.pk}).status_code == 404

    # The requester moved to another bureau: their old result is not shown any more, nor
    # downloaded from 我的导出 or the API.
    owned = ExportJob.objects.filter(requested_by=owner).get()
    download = reverse("export_download", args=[owned.pk])
    assert owner_client.get(download).status_code == 200
    owner.organization = theirs
    owner.save(update_fields=["organization"])
    assert "¥777.70" not in owner_client.get(url, {"bureau": mine.pk}).content.decode()
    refused = owner_client.get(download)
    assert refused.status_code == 403
    assert "您的查阅范围已与生成时不同" in refused.content.decode()
    assert owner_client.get(f"/api/v1/exports/{owned.pk}/download/").status_code == 403


def test_bad_parameters_are_refused_when_asked(login):
    client = login(BureauFinanceFactory())
    client.post(
        reverse("export_request"), {"kind": "trial_balance", "query": "contract=1&project=2"}
    )
    client.post(reverse("export_request"), {"kind": "trial_balance", "query": "supplier=3"})
    assert not ExportJob.objects.filter(kind="trial_balance").exists()
