"""The statistics report: generated from the data, reviewed by a second officer, submitted and
locked as a version; the parent bureau sees who submitted and who is late; Excel and PDF."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from core.fsm import ActionRefusedError
from core.models import TransitionLog
from funds.models import ServiceRecord
from planning import selectors, services
from planning.models import ReportState, StatsReport
from tests.factories.procurement import ContractFactory
from tests.pdf import pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def served(tree):
    contract = ContractFactory(project__bureau=tree["jiangling"])
    for day, count, worker in ((5, 12, "王芳"), (20, 30, "李强")):
        ServiceRecord.objects.create(
            contract=contract,
            date=dt.date(2026, 2, day),
            place="郝穴镇",
            service_type="group",
            beneficiary_category="left_behind_child",
            beneficiary_count=count,
            hours=Decimal("2.0"),
            social_worker=worker,
        )
    return contract


def test_generated_from_the_data(tree, served):
    staff = tree["staff"][tree["jiangling"]]
    report = services.report_generate(actor=staff, year=2026, quarter=1)
    assert report.data["served"]["left_behind_child"] == 42
    assert report.data["social_workers"] == 2
    assert report.data["volunteers"] is None  # no app keeps volunteers yet: said, not invented
    assert report.data["bureau"] == "江陵县民政局"


def test_review_submit_lock_and_next_version(tree, served, login):
    staff, finance = tree["staff"][tree["jiangling"]], tree["finance"]
    report = services.report_generate(actor=staff, year=2026, quarter=1)
    with pytest.raises(ActionRefusedError, match="另一名工作人员"):
        services.report_review(actor=staff, report=report)
    response = login(finance).post(reverse("planning:report_act", args=[report.pk, "review"]))
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.state == ReportState.REVIEWED and report.reviewed_by == finance
    login(staff).post(reverse("planning:report_act", args=[report.pk, "submit"]))
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED and report.submitted_by == staff
    assert list(
        TransitionLog.objects.filter(object_id=str(report.pk)).values_list("transition", flat=True)
    ) == ["generate", "review", "submit"]
    # More services are recorded afterwards; the submitted version keeps what it said.
    ServiceRecord.objects.create(
        contract=served,
        date=dt.date(2026, 3, 1),
        place="郝穴镇",
        service_type="case",
        beneficiary_category="left_behind_child",
        beneficiary_count=8,
        hours=Decimal("1.0"),
        social_worker="王芳",
    )
    again = services.report_generate(actor=staff, year=2026, quarter=1)
    assert again.pk != report.pk and again.version == 2
    assert again.data["served"]["left_behind_child"] == 50
    report.refresh_from_db()
    assert report.data["served"]["left_behind_child"] == 42
    with pytest.raises(ActionRefusedError):
        services.report_review(actor=finance, report=report)


def test_parent_sees_submissions_and_who_is_late(tree, served, login):
    staff, finance = tree["staff"][tree["jiangling"]], tree["finance"]
    report = services.report_generate(actor=staff, year=2026, quarter=1)
    services.report_review(actor=finance, report=report)
    services.report_submit(actor=staff, report=report)
    rows = selectors.submissions(bureau=tree["city"], year=2026, quarter=1)
    assert [(r["bureau"].name, r["report"]) for r in rows] == [
        ("江陵县民政局", report),
        ("监利县民政局", None),
    ]
    late = selectors.late_reports(bureau=tree["city"], today=dt.date(2026, 4, 20))
    assert [r["bureau"].name for r in late] == ["监利县民政局"]
    page = login(tree["staff"][tree["city"]]).get(
        reverse("planning:reports") + "?year=2026&quarter=1"
    )
    text = page.content.decode()
    assert "监利县民政局" in text and "江陵县民政局" in text
    # The city reads the submitted report; a draft of Jianli's would stay at Jianli.
    assert login(tree["staff"][tree["city"]]).get(report.get_absolute_url()).status_code == 200
    draft = services.report_generate(actor=tree["staff"][tree["jianli"]], year=2026, quarter=1)
    assert login(tree["staff"][tree["city"]]).get(draft.get_absolute_url()).status_code == 403
    assert login(staff).get(draft.get_absolute_url()).status_code == 403


def test_excel_and_pdf(tree, served, login):
    staff = tree["staff"][tree["jiangling"]]
    report = services.report_generate(actor=staff, year=2026, quarter=1)
    client = login(staff)
    xlsx = client.get(report.get_absolute_url() + "?format=xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert ["江陵县民政局" in str(v) for row in values for v in row].count(True) >= 1
    assert any(row[2] == 42 for row in values)
    pdf = client.get(report.get_absolute_url() + "?format=pdf")
    assert pdf["Content-Type"] == "application/pdf"
    text = pdf_text(pdf.content)
    assert "统计报表" in text and "江陵县民政局" in text


def test_a_report_under_review_is_not_regenerated(tree, served):
    staff, finance = tree["staff"][tree["jiangling"]], tree["finance"]
    report = services.report_generate(actor=staff, year=2026, quarter=1)
    services.report_review(actor=finance, report=report)
    with pytest.raises(ActionRefusedError, match="退回草稿"):
        services.report_generate(actor=staff, year=2026, quarter=1)
    services.report_return(actor=finance, report=report, note="人次口径有误")
    assert services.report_generate(actor=staff, year=2026, quarter=1).pk == report.pk
    assert StatsReport.objects.count() == 1


def test_report_counts_projects_per_catalogue_code_in_excel_and_pdf(tree, served, login):
    from planning.models import CatalogueItem, ProjectCatalogue

    project = served.project
    project.period_start, project.period_end = dt.date(2026, 1, 1), dt.date(2026, 12, 31)
    project.save(update_fields=["period_start", "period_end"])
    item = CatalogueItem.objects.create(
        owner=tree["province"], code="A0702", name="农村留守儿童关爱服务"
    )
    ProjectCatalogue.objects.create(project=project, item=item)
    staff = tree["staff"][tree["jiangling"]]
    report = services.report_generate(actor=staff, year=2026, quarter=1)
    assert [(c["code"], c["projects"]) for c in report.data["catalogue"]] == [("A0702", 1)]
    client = login(staff)
    sheet = load_workbook(
        io.BytesIO(client.get(report.get_absolute_url() + "?format=xlsx").content)
    ).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert any(row[1] == "A0702 农村留守儿童关爱服务" and row[2] == 1 for row in rows), rows
    text = pdf_text(client.get(report.get_absolute_url() + "?format=pdf").content)
    assert "A0702 农村留守儿童关爱服务" in text
