"""The pandas analysis: mean scores per 一级 indicator by NGO, county and year, exact to the hundredth."""

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from evaluation import services
from evaluation.models import Evaluation
from tests.evaluation.conftest import Cast, fill_and_submit, full_marks, to_scoring
from tests.factories.accounts import BureauStaffFactory, NgoFactory
from tests.factories.procurement import ContractFactory

pytestmark = pytest.mark.django_db


def _confirmed(cast: Cast, marks: dict[str, str]) -> None:
    evaluation = fill_and_submit(to_scoring(cast), [full_marks(**marks)] * 3)
    services.evaluation_consolidate(evaluation=evaluation, actor=cast.lead)
    services.evaluation_confirm(evaluation=evaluation, actor=cast.staff)


@pytest.fixture
def two_ngos(cast):
    first = cast.contract.supplier
    _confirmed(cast, {"个案数": "15", "满意度调查": "20"})  # 产出 55, 效益 30 → 85
    _confirmed(cast, {"个案数": "16.01"})  # 产出 56.01, 效益 40 → 96.01
    other = NgoFactory(name="武汉博雅社会工作服务中心")
    cast.contract = ContractFactory(
        project__bureau=cast.staff.organization, project__created_by=cast.staff, supplier=other
    )
    _confirmed(cast, {"回访记录": "0"})  # 产出 60, 效益 30 → 90
    # Not confirmed: never counted.
    fill_and_submit(to_scoring(cast), [full_marks(个案数="0")] * 3)
    return first, other


def test_scores_by_ngo(cast, two_ngos, login):
    first, other = two_ngos
    response = login(cast.staff).get(reverse("evaluation:analysis") + "?by=ngo")
    table = response.context["table"]
    assert table.headers[3:] == ["产出", "效益"]
    rows = {row[0]: row[1:] for row in table.rows}
    # (85 + 96.01) / 2 = 90.505 → 90.51 (half up, exact); 产出 (55 + 56.01) / 2 = 55.505 → 55.51
    assert rows[first.name] == [2, Decimal("90.51"), Decimal("55.51"), Decimal("35.00")]
    assert rows[other.name] == [1, Decimal("90.00"), Decimal("60.00"), Decimal("30.00")]


def test_scores_by_county_and_year_and_visibility(cast, two_ngos, login):
    table = login(cast.staff).get(reverse("evaluation:analysis") + "?by=county").context["table"]
    assert [(r[0], r[1]) for r in table.rows] == [(cast.staff.organization.name, 3)]
    table = login(cast.staff).get(reverse("evaluation:analysis") + "?by=year").context["table"]
    assert table.rows[0][1] == 3
    # Another bureau sees none of it.
    table = login(BureauStaffFactory()).get(reverse("evaluation:analysis")).context["table"]
    assert table.rows == []


def test_export_to_excel(cast, two_ngos, login):
    response = login(cast.staff).get(reverse("evaluation:analysis") + "?by=ngo&format=xlsx")
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][:3] == ["承接机构（社会组织）", "评价数", "总分"]
    first = next(v for v in values if v[0] == two_ngos[0].name)
    assert Decimal(str(first[2])) == Decimal("90.51")


def test_year_is_the_year_in_beijing(cast, login):
    # Confirmed at 00:30 on 1 January 2026 in Beijing, still 31 December 2025 in UTC.
    _confirmed(cast, {"个案数": "15"})
    new_year = dt.datetime(2025, 12, 31, 16, 30, tzinfo=dt.UTC)
    Evaluation.objects.update(confirmed_at=new_year)
    table = login(cast.staff).get(reverse("evaluation:analysis") + "?by=year").context["table"]
    assert [row[:2] for row in table.rows] == [[2026, 1]]
