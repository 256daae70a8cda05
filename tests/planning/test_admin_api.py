"""Planning's read-only API and admin: what each caller sees is what the pages' permission
functions allow, lists are paginated, and nothing can be changed there."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from rest_framework.test import APIClient

from planning import services
from planning.models import BudgetLine, FundSource, StatsReport
from tests.factories.accounts import AuditorFactory, BureauStaffFactory, NgoUserFactory
from tests.factories.projects import ServiceProjectFactory

pytestmark = pytest.mark.django_db
YEAR = dt.date.today().year + 1


@pytest.fixture
def planned(tree):
    """Province line 1,000,000 → city 600,000 → 江陵 250,000; 江陵's project draws 100,000."""
    province, city, county = tree["province"], tree["city"], tree["jiangling"]
    staff = tree["staff"]
    top = services.line_add(
        actor=staff[province],
        plan=services.plan_create(actor=staff[province], year=YEAR),
        fund_source=FundSource.OWN_BUDGET,
        name="留守儿童关爱保护试点专项",
        amount=Decimal("1000000.00"),
    )
    city_line = services.allocation_make(
        actor=staff[province], source=top, child=city, amount=Decimal("600000.00")
    )
    county_line = services.allocation_make(
        actor=staff[city], source=city_line, child=county, amount=Decimal("250000.00")
    )
    project = ServiceProjectFactory(
        bureau=county,
        budget=Decimal("100000.00"),
        period_start=dt.date(YEAR, 3, 1),
        period_end=dt.date(YEAR, 12, 31),
    )
    services.draws_set(
        actor=staff[county], project=project, draws=[(county_line, Decimal("100000.00"))]
    )
    return {"top": top, "city_line": city_line, "county_line": county_line, **tree}


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_budget_lines_show_allocated_drawn_and_room_for_the_callers_tree(planned):
    api = _api(planned["staff"][planned["city"]])
    body = api.get("/api/v1/planning/budget-lines/").json()
    assert set(body) >= {"count", "results"}  # paginated
    rows = {r["id"]: r for r in body["results"]}
    assert set(rows) == {planned["city_line"].pk, planned["county_line"].pk}  # not the province's
    city = rows[planned["city_line"].pk]
    assert (city["allocated_down"], city["drawn"], city["room"]) == (
        "250000.00",
        "0.00",
        "350000.00",
    )
    county = rows[planned["county_line"].pk]
    assert (county["drawn"], county["room"], county["source"]) == (
        "100000.00",
        "150000.00",
        planned["city_line"].pk,
    )
    # The province's line is outside the city's tree: 404, its existence not leaked.
    assert api.get(f"/api/v1/planning/budget-lines/{planned['top'].pk}/").status_code == 404
    # Allocations only (下达): the lines received from above.
    allocated = _api(AuditorFactory()).get(
        "/api/v1/planning/budget-lines/", {"source__isnull": "false"}
    )
    assert {r["id"] for r in allocated.json()["results"]} == {
        planned["city_line"].pk,
        planned["county_line"].pk,
    }


def test_plans_api_is_read_only_and_scoped(planned):
    county_staff = planned["staff"][planned["jiangling"]]
    api = _api(county_staff)
    plans = api.get("/api/v1/planning/plans/").json()["results"]
    assert [p["bureau_name"] for p in plans] == ["江陵县民政局"]
    assert api.post("/api/v1/planning/plans/", {"year": YEAR}).status_code == 405
    line = planned["county_line"]
    assert api.delete(f"/api/v1/planning/budget-lines/{line.pk}/").status_code == 405
    assert BudgetLine.objects.filter(pk=line.pk).exists()
    assert APIClient().get("/api/v1/planning/plans/").status_code == 401
    # An NGO keeps no plan and sees none.
    assert _api(NgoUserFactory()).get("/api/v1/planning/plans/").json()["count"] == 0


def test_reports_api_keeps_drafts_in_their_bureau(planned):
    county, city = planned["jiangling"], planned["city"]
    county_staff = planned["staff"][county]
    report = services.report_generate(actor=county_staff, year=YEAR, quarter=1)
    city_api = _api(planned["staff"][city])
    assert city_api.get("/api/v1/planning/reports/").json()["count"] == 0
    reviewer = BureauStaffFactory(organization=county, username="second-officer")
    services.report_review(actor=reviewer, report=report)
    services.report_submit(actor=county_staff, report=report)
    rows = city_api.get("/api/v1/planning/reports/").json()["results"]
    assert [(r["id"], r["state"]) for r in rows] == [(report.pk, "submitted")]
    assert rows[0]["data"] == StatsReport.objects.get(pk=report.pk).data
    # The sister county sees nothing of it.
    assert (
        _api(planned["staff"][planned["jianli"]])
        .get(f"/api/v1/planning/reports/{report.pk}/")
        .status_code
        == 404
    )


def test_catalogue_api_lists_codes(planned):
    services.catalogue_item_add(
        actor=planned["staff"][planned["province"]], code="A07", name="社会工作服务"
    )
    rows = _api(NgoUserFactory()).get("/api/v1/planning/catalogue/", {"search": "A07"}).json()
    assert [(r["code"], r["name"]) for r in rows["results"]] == [("A07", "社会工作服务")]


def test_admin_reads_through_the_permission_functions(planned):
    officer = planned["staff"][planned["city"]]
    officer.is_staff = True
    officer.save()
    client = Client()
    client.force_login(officer)
    page = client.get("/admin/planning/budgetline/")
    assert page.status_code == 200
    text = page.content.decode()
    # The city's line and the county's below it; not the province's above.
    for line in (planned["city_line"], planned["county_line"]):
        assert f"/admin/planning/budgetline/{line.pk}/change/" in text
    assert f"/admin/planning/budgetline/{planned['top'].pk}/change/" not in text
    own = client.get(f"/admin/planning/budgetline/{planned['city_line'].pk}/change/")
    assert own.status_code == 200
    above = client.get(f"/admin/planning/budgetline/{planned['top'].pk}/change/")
    assert above.status_code != 200
    assert client.get("/admin/planning/budgetline/add/").status_code == 403
    for model in ("annualplan", "projectdraw", "catalogueitem", "statsreport"):
        assert client.get(f"/admin/planning/{model}/").status_code == 200, model
    delete = client.post(
        f"/admin/planning/budgetline/{planned['city_line'].pk}/delete/", {"post": "yes"}
    )
    assert delete.status_code == 403
    assert BudgetLine.objects.filter(pk=planned["city_line"].pk).exists()
