"""A ledger filter that does not parse is not "no filter": the page shows the form's errors in
Chinese, naming the field, and no entries; its CSV, XLSX and PDF URLs are refused (400) rather
than export the whole ledger under a filtered request."""

from decimal import Decimal

import pytest
from django.urls import reverse

from funds.ledger import ledger_post
from tests.factories.accounts import AuditorFactory
from tests.factories.projects import ServiceProjectFactory

pytestmark = pytest.mark.django_db

BAD_FILTERS = [
    ({"bureau": "abc"}, "民政局ID：输入整数。"),
    ({"start": "2026-13-45"}, "自：输入一个有效的日期。"),
    ({"end": "yesterday", "project": "7"}, "至：输入一个有效的日期。"),
    ({"project": "0"}, "项目ID：确保该值大于或等于1。"),
    ({"supplier": "爱心"}, "承接机构：输入整数。"),
    ({"start": "2026-06-30", "end": "2026-06-01"}, "至：截止日期早于起始日期。"),
]


@pytest.fixture
def client(login):
    for code in ("GMLEDGER-A", "GMLEDGER-B"):
        ledger_post(
            kind="budget_appropriated",
            amount=Decimal("500000.00"),
            project=ServiceProjectFactory(code=code),
            memo="预算下达",
        )
    return login(AuditorFactory())


@pytest.mark.parametrize(("query", "error"), BAD_FILTERS)
def test_the_page_shows_the_errors_and_no_entries(client, query, error):
    response = client.get(reverse("funds:ledger"), query)
    page = response.content.decode()

    assert response.status_code == 200
    assert "筛选条件无法识别，未显示任何分录：" in page and error in page
    # Neither the whole ledger's entries and totals, nor a way to export them as if filtered.
    assert "GMLEDGER-A" not in page and "GMLEDGER-B" not in page
    assert "¥" not in page and "format=csv" not in page
    assert 'value="ledger_xlsx"' not in page


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "pdf"])
@pytest.mark.parametrize(("query", "error"), [*BAD_FILTERS[:2], BAD_FILTERS[-1]])
def test_an_export_with_a_bad_filter_is_refused(client, query, error, fmt):
    response = client.get(reverse("funds:ledger"), {**query, "format": fmt})

    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode() == f"筛选条件无法识别，台账未导出：{error}"


def test_a_good_filter_still_filters_the_page_and_the_export(client):
    project = ServiceProjectFactory(code="GMLEDGER-C")
    ledger_post(kind="budget_appropriated", amount=Decimal("1.00"), project=project, memo="")

    page = client.get(reverse("funds:ledger"), {"project": project.pk}).content.decode()
    assert "GMLEDGER-C" in page and "GMLEDGER-A" not in page and "筛选条件无法识别" not in page

    response = client.get(reverse("funds:ledger"), {"project": project.pk, "format": "csv"})
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "GMLEDGER-C" in body and "GMLEDGER-A" not in body
