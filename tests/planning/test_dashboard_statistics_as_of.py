"""The dashboard's grade and target statistics are summed at most every five minutes, and the
page says as of when; the money figures are read on every view."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from freezegun import freeze_time
from openpyxl import load_workbook

from funds.ledger import ledger_post
from funds.models import LedgerKind
from projects.models import BeneficiaryCategory, TargetGroup
from tests.factories.procurement import ContractFactory
from tests.factories.projects import ServiceProjectFactory

pytestmark = pytest.mark.django_db
YEAR = 2026


def test_statistics_kept_five_minutes_money_fresh(tree, login):
    project = ServiceProjectFactory(
        bureau=tree["jiangling"],
        period_start=dt.date(YEAR, 3, 1),
        period_end=dt.date(YEAR, 12, 31),
    )
    contract = ContractFactory(project=project)
    # The project's only target group: 120 left-behind children.
    TargetGroup.objects.filter(project=project).delete()
    TargetGroup.objects.create(
        project=project, category=BeneficiaryCategory.LEFT_BEHIND_CHILD, count=120
    )
    client = login(tree["staff"][tree["city"]])
    url = reverse("planning:dashboard") + f"?year={YEAR}"
    start = dt.datetime(YEAR, 6, 1, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    with freeze_time(start):
        first = client.get(url).content.decode()
    assert ">120<" in first
    assert "统计截至 09:30，每 5 分钟重新汇总。" in first

    TargetGroup.objects.filter(project=project).update(count=200)
    ledger_post(
        kind=LedgerKind.DISBURSEMENT_PAID,
        amount=Decimal("43210.00"),
        project=project,
        contract=contract,
        occurred_at=start,
    )
    with freeze_time(start + dt.timedelta(minutes=4)):
        response = client.get(url)
        soon = response.content.decode()
    assert ">120<" in soon and ">200<" not in soon  # the statistics as of 09:30
    assert "统计截至 09:30" in soon
    # The payment shows at once in paid per month.
    assert [r["total"] for r in response.context["data"].paid_by_month] == [Decimal("43210.00")]

    with freeze_time(start + dt.timedelta(minutes=6)):
        later = client.get(url).content.decode()
    assert ">200<" in later
    assert "统计截至 09:36" in later

    with freeze_time(start + dt.timedelta(minutes=7)):
        export = client.get(url + "&export=targets")
    rows = list(load_workbook(io.BytesIO(b"".join(export.streaming_content))).active.values)
    assert rows[-1] == ("统计截至 09:36，每 5 分钟重新汇总。", None, None, None)
