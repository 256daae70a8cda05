"""A service-record filter that does not parse is not "no filter": the page shows the form's
errors in Chinese, naming the field, and no records (the rest of the page still there); its CSV
is refused (400) rather than export the whole contract's records under a filtered request."""

import datetime as dt

import pytest
from django.urls import reverse

from funds.models import ServiceRecord

pytestmark = pytest.mark.django_db

BAD_FILTERS = [
    ({"start": "2026-13-45"}, "自：输入一个有效的日期。"),
    ({"end": "yesterday", "service_type": "case"}, "至：输入一个有效的日期。"),
    ({"service_type": "nonsense"}, "服务类型：选择一个有效的选项。 nonsense 不在可用的选项中。"),
    ({"state": "gone"}, "状态：选择一个有效的选项。 gone 不在可用的选项中。"),
]
REVERSED = ({"start": "2026-06-30", "end": "2026-06-01"}, "至：截止日期早于起始日期。")


@pytest.fixture
def records(money):
    """Two records a month apart, each with a place seen only in the list of records."""
    contract = money["contract"]
    first = contract.start_date + dt.timedelta(days=3)
    for day, place, kind in [
        (first, "甲村GMREC", "case"),
        (first + dt.timedelta(31), "乙村GMREC", "group"),
    ]:
        ServiceRecord.objects.create(
            contract=contract,
            date=day,
            place=place,
            service_type=kind,
            beneficiary_category="left_behind_child",
            beneficiary_count=4,
            hours=2,
            social_worker="李社工",
        )
    return first


def _url(money):
    return reverse("funds:service_records", args=[money["contract"].pk])


@pytest.mark.parametrize(("query", "error"), [*BAD_FILTERS, REVERSED])
def test_the_page_shows_the_errors_and_no_records(money, records, login, query, error):
    response = login(money["ngo"]).get(_url(money), query)
    page = response.content.decode()

    assert response.status_code == 200
    assert "筛选条件无法识别，未显示任何服务记录：" in page and error in page
    # Neither the whole contract's records, nor a way to export them as if filtered.
    assert "甲村GMREC" not in page and "乙村GMREC" not in page
    assert "导出CSV" not in page and 'name="export"' not in page
    # The rest of the page is as it was: totals, and the supplier's import and record forms.
    assert "按服务类型合计" in page and "从Excel或CSV导入" in page and "逐条录入" in page


@pytest.mark.parametrize(("query", "error"), [*BAD_FILTERS, REVERSED])
def test_an_export_with_a_bad_filter_is_refused(money, records, login, query, error):
    response = login(money["ngo"]).get(_url(money), {**query, "export": "csv"})

    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode() == f"筛选条件无法识别，服务台账未导出：{error}"


def test_a_good_filter_still_filters_the_page_and_the_export(money, records, login):
    client = login(money["ngo"])
    month = {"start": records.isoformat(), "end": (records + dt.timedelta(10)).isoformat()}

    page = client.get(_url(money), month).content.decode()
    assert "甲村GMREC" in page and "乙村GMREC" not in page
    assert "筛选条件无法识别" not in page and "导出CSV" in page

    by_type = client.get(_url(money), {"service_type": "group"}).content.decode()
    assert "乙村GMREC" in by_type and "甲村GMREC" not in by_type

    response = client.get(_url(money), {**month, "export": "csv"})
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "甲村GMREC" in body and "乙村GMREC" not in body
