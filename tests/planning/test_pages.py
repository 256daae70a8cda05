"""The planning pages as users use them: allocating, funding a project, the dashboard with its
tables and Excel exports, credit profiles, supplier requirements, the funds overview chart."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from funds.ledger import ledger_post
from funds.models import LedgerEntry
from planning import services
from planning.models import BudgetLine, FundSource, ProjectDraw
from tests.factories.accounts import ExpertFactory, NgoUserFactory
from tests.factories.procurement import ContractFactory
from tests.factories.projects import ServiceProjectFactory

pytestmark = pytest.mark.django_db
YEAR = 2026


def _plan_line(staff, amount="1000000.00"):
    plan = services.plan_create(actor=staff, year=YEAR)
    return services.line_add(
        actor=staff,
        plan=plan,
        fund_source=FundSource.OWN_BUDGET,
        name="留守儿童关爱保护专项",
        amount=Decimal(amount),
    )


def test_allocating_on_the_plan_page(tree, login):
    staff = tree["staff"][tree["city"]]
    line = _plan_line(staff)
    client = login(staff)
    url = line.plan.get_absolute_url()
    response = client.post(
        url,
        {"allocate": "1", "line": line.pk, "child": tree["jianli"].pk, "amount": "600000.00"},
    )
    assert response.status_code == 302
    child = BudgetLine.objects.get(source=line)
    assert child.plan.bureau == tree["jianli"] and child.amount == Decimal("600000.00")
    # Over the room left: the form says so, in the page, nothing is written.
    response = client.post(
        url,
        {"allocate": "1", "line": line.pk, "child": tree["jiangling"].pk, "amount": "400000.01"},
    )
    assert response.status_code == 200
    assert "400000.00" in response.content.decode()
    assert BudgetLine.objects.filter(source=line).count() == 1
    assert LedgerEntry.objects.filter(kind="budget_allocated").count() == 1
    # Jianli reads its plan; Jiangling may not read the city's.
    assert (
        login(tree["staff"][tree["jianli"]]).get(child.plan.get_absolute_url()).status_code == 200
    )
    assert login(tree["staff"][tree["jiangling"]]).get(url).status_code == 403
    # A bad amount is a form error, not a 500.
    response = client.post(
        url, {"add_line": "1", "fund_source": "own_budget", "name": "x", "amount": "1.001"}
    )
    assert response.status_code == 200


def test_funding_a_project_on_its_page(tree, login):
    staff = tree["staff"][tree["jiangling"]]
    line = _plan_line(staff, "500000.00")
    project = ServiceProjectFactory(
        bureau=tree["jiangling"],
        budget=Decimal("500000.00"),
        period_start=dt.date(YEAR, 3, 1),
        period_end=dt.date(YEAR, 12, 31),
    )
    client = login(staff)
    url = reverse("planning:funding", args=[project.pk])
    response = client.post(url, {f"line_{line.pk}": "500000.01"})
    assert response.status_code == 200
    assert not ProjectDraw.objects.exists()
    response = client.post(url, {f"line_{line.pk}": "500000.00"})
    assert response.status_code == 302
    assert ProjectDraw.objects.get(project=project).amount == Decimal("500000.00")
    page = client.get(project.get_absolute_url()).content.decode()
    assert "留守儿童关爱保护专项" in page


def _paid(project, amount, when):
    ledger_post(kind="disbursement_paid", amount=Decimal(amount), project=project, occurred_at=when)


def test_dashboard_rolls_up_and_exports_each_table(tree, login):
    province_staff = tree["staff"][tree["province"]]
    line = _plan_line(province_staff)
    city_line = services.allocation_make(
        actor=province_staff, source=line, child=tree["city"], amount=Decimal("800000.00")
    )
    county_line = services.allocation_make(
        actor=tree["staff"][tree["city"]],
        source=city_line,
        child=tree["jiangling"],
        amount=Decimal("500000.00"),
    )
    project = ServiceProjectFactory(
        bureau=tree["jiangling"],
        budget=Decimal("500000.00"),
        period_start=dt.date(YEAR, 3, 1),
        period_end=dt.date(YEAR, 12, 31),
    )
    services.draws_set(
        actor=tree["staff"][tree["jiangling"]],
        project=project,
        draws=[(county_line, Decimal("500000.00"))],
    )
    _paid(project, "150000.00", dt.datetime(YEAR, 4, 3, tzinfo=dt.UTC))
    _paid(project, "100000.00", dt.datetime(YEAR, 6, 3, tzinfo=dt.UTC))
    client = login(province_staff)
    response = client.get(reverse("planning:dashboard") + f"?year={YEAR}")
    assert response.status_code == 200
    data = response.context["data"]
    # Money counted once where it entered the province's tree, not at every level it passed.
    assert (data.total.plan, data.total.committed, data.total.paid) == (
        Decimal("1000000.00"),
        Decimal("500000.00"),
        Decimal("250000.00"),
    )
    by_child = {r["bureau"].name: r["money"] for r in data.by_child}
    assert by_child["荆州市民政局"].plan == Decimal("800000.00")
    assert by_child["荆州市民政局"].paid == Decimal("250000.00")
    html = response.content.decode()
    assert "vendor/chartjs-4.4.7/chart.umd.js" in html
    assert "cdn" not in html.lower()
    assert len(re.findall(r'<canvas data-chart="chart-', html)) >= 4
    export = client.get(reverse("planning:dashboard") + f"?year={YEAR}&export=paid_by_month")
    rows = list(load_workbook(io.BytesIO(b"".join(export.streaming_content))).active.values)
    assert rows[1:] == [(f"{YEAR}-04", 150000), (f"{YEAR}-06", 100000)]
    export = client.get(reverse("planning:dashboard") + f"?year={YEAR}&export=by_county")
    rows = list(load_workbook(io.BytesIO(b"".join(export.streaming_content))).active.values)
    assert ("荆州市民政局", 800000, 500000, 250000, 31.3) in rows
    assert ("湖北省民政厅", 200000, 0, 0, 0) in rows  # the rest went down: counted below
    assert client.get(reverse("planning:dashboard") + "?export=nope").status_code == 404
    # The county sees only itself; a bureau it cannot see is a 404.
    county = login(tree["staff"][tree["jiangling"]])
    assert (
        county.get(reverse("planning:dashboard") + f"?bureau={tree['province'].pk}").status_code
        == 404
    )


def _dashboard_queries(client, year):
    # Each view sums everything (the statistics are otherwise kept for five minutes): the
    # counts compare the full work at both sizes.
    cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("planning:dashboard") + f"?year={year}").status_code == 200
    return len(ctx.captured_queries)


def test_dashboard_queries_do_not_grow_with_projects(tree, login):
    staff = tree["staff"][tree["jiangling"]]
    line = _plan_line(staff, "90000000.00")
    client = login(tree["staff"][tree["province"]])

    def add(n):
        for _ in range(n):
            p = ServiceProjectFactory(
                bureau=tree["jiangling"],
                budget=Decimal("100000.00"),
                period_start=dt.date(YEAR, 3, 1),
                period_end=dt.date(YEAR, 12, 31),
            )
            services.draws_set(actor=staff, project=p, draws=[(line, Decimal("100000.00"))])
            contract = ContractFactory(project=p, supplier__name=f"社工中心{p.pk}")
            _paid(p, "10000.00", dt.datetime(YEAR, 5, 1, tzinfo=dt.UTC))
            assert contract.pk

    add(2)
    few = _dashboard_queries(client, YEAR)
    add(12)
    many = _dashboard_queries(client, YEAR)
    assert few == many


def test_credit_profile_seen_by_panels_kept_by_bureaus(tree, world, login):
    ngo = world["ngos"][0].organization
    staff = world["staff"]
    url = reverse("planning:credit", args=[ngo.pk])
    response = login(staff).post(
        url,
        {
            "form": "profile",
            "certificate_number": "鄂民证字第0420号",
            "certificate_expires": "2030-12-31",
            "rating": "3A",
        },
    )
    assert response.status_code == 302
    login(staff).post(
        url,
        {
            "form": "listing",
            "kind": "abnormal",
            "listed_on": "2026-01-05",
            "authority": "荆州市民政局",
            "reason": "未按规定报送年度工作报告",
        },
    )
    page = login(ExpertFactory()).get(url).content.decode()
    assert "3A" in page and "未按规定报送年度工作报告" in page
    assert login(world["ngos"][0]).get(url).status_code == 200
    assert login(NgoUserFactory()).get(url).status_code == 403
    assert login(ExpertFactory()).post(url, {"form": "profile"}).status_code == 403
    # A bad date is a form error on the page.
    response = login(staff).post(
        url, {"form": "listing", "kind": "abnormal", "listed_on": "2026-13-01"}
    )
    assert response.status_code == 200


def test_tender_requirements_page(world, login):
    from tests.procurement.conftest import make_tender

    tender = make_tender(world["project"], world["staff"], publish=False)
    url = reverse("planning:requirements", args=[tender.pk])
    response = login(world["staff"]).post(url, {"min_rating": "3A", "no_current_listing": "on"})
    assert response.status_code == 302
    assert tender.supplier_requirement.min_rating == "3A"
    assert login(world["ngos"][0]).post(url, {"min_rating": ""}).status_code == 404
    assert tender.supplier_requirement.min_rating == "3A"


def test_funds_overview_bars_stand_side_by_side(tree, login):
    project = ServiceProjectFactory(bureau=tree["jiangling"], state="in_service")
    _paid(project, "150000.00", dt.datetime(YEAR, 4, 3, tzinfo=dt.UTC))
    _paid(project, "50000.00", dt.datetime(YEAR, 6, 3, tzinfo=dt.UTC))
    html = login(tree["staff"][tree["jiangling"]]).get(reverse("funds:overview")).content.decode()
    rects = re.findall(r'<rect x="(\d+)" y="(\d+)" width="60" height="(\d+)"', html)
    assert [(x, y, h) for x, y, h in rects] == [("15", "10", "160"), ("105", "117", "53")]


def test_demo_shows_money_flowing_down_and_a_late_county(client):
    from django.core.management import call_command

    from accounts.models import User

    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115 - discard output
    jz = User.objects.get(username="jz_staff")
    client.force_login(jz)
    data = client.get(reverse("planning:dashboard")).context["data"]
    by_bureau = {r["bureau"].name: r for r in data.by_bureau}
    assert by_bureau["监利县民政局"]["money"].plan == Decimal("700000.00")
    assert by_bureau["监利县民政局"]["money"].committed == Decimal("360000.00")
    assert {r["title"] for r in data.overdue if r["kind"] == "report"}
    assert [r["bureau"] for r in data.overdue if r["kind"] == "report"] == [
        "江陵县民政局",
        "石首市民政局",
    ]
    client.force_login(User.objects.get(username="expert1"))
    page = client.get(reverse("planning:credit_list"))
    assert "4A" in page.content.decode()


def test_project_page_links_a_draft_tenders_requirements(world, login):
    from tests.procurement.conftest import make_tender

    tender = make_tender(world["project"], world["staff"], publish=False)
    page = login(world["staff"]).get(world["project"].get_absolute_url()).content.decode()
    assert reverse("planning:requirements", args=[tender.pk]) in page
    assert "未设定" in page
