"""Publishing refuses a tender that breaks a rule, naming the rule and the number."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from core.fsm import ActionRefusedError
from procurement import services
from procurement.services import CriterionInput
from tests.procurement.conftest import make_tender

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"notice_days": 15}, "不得少于20日"),
        ({"method": "consultation", "notice_days": 8}, "不得少于10日"),
        ({"bid_bond": Decimal("10000.01")}, "2%"),
        (
            {"price_weight": Decimal("5"), "criteria": [CriterionInput("方案", Decimal("95"))]},
            "不得低于总分的10%（财政部令第87号第55条）",
        ),
        (
            {
                "method": "consultation",
                "price_weight": Decimal("35"),
                "criteria": [CriterionInput("方案", Decimal("65"))],
            },
            "10%-30%（财库〔2014〕214号第24条）",
        ),
        ({"criteria": [CriterionInput("方案", Decimal("70"))]}, "加起来为100分"),
        ({"ceiling_price": Decimal("500000.01")}, "超过项目预算"),
    ],
)
def test_rule_breaks_are_refused(world, overrides, message):
    notice_days = overrides.pop("notice_days", 21)
    tender = make_tender(
        world["project"], world["staff"], notice_days=notice_days, publish=False, **overrides
    )
    with pytest.raises(ActionRefusedError) as exc:
        services.tender_publish(tender=tender, actor=world["staff"])
    assert message in str(exc.value)
    tender.refresh_from_db()
    assert tender.state == "draft"


def test_open_tender_price_weight_has_no_upper_cap(world):
    # 87号令第55条 sets only the floor for 公开招标: 40 points of price is lawful.
    tender = make_tender(
        world["project"],
        world["staff"],
        publish=False,
        price_weight=Decimal("40"),
        criteria=[CriterionInput("方案", Decimal("60"))],
    )
    assert services.tender_publish(tender=tender, actor=world["staff"]).state == "published"


def test_no_intention_no_tender(world):
    tender = make_tender(world["project"], world["staff"], publish=False)
    world["project"].procurement_intents.all().delete()
    with pytest.raises(ActionRefusedError, match="财库〔2020〕10号"):
        services.tender_publish(tender=tender, actor=world["staff"])


def test_an_intention_29_days_old_is_too_recent(world):
    from procurement.models import ProcurementIntent

    tender = make_tender(world["project"], world["staff"], publish=False)
    ProcurementIntent.objects.filter(project=world["project"]).update(
        published_on=dt.date.today() - dt.timedelta(days=29)
    )
    with pytest.raises(ActionRefusedError, match="30"):
        services.tender_publish(tender=tender, actor=world["staff"])
    ProcurementIntent.objects.filter(project=world["project"]).update(
        published_on=dt.date.today() - dt.timedelta(days=30)
    )
    assert services.tender_publish(tender=tender, actor=world["staff"]).state == "published"


def test_negotiation_counts_working_days(world):
    # Three working days: published Friday 20 Nov 2026 with a deadline on Wednesday 25 Nov is
    # only 3 working days (23, 24, 25) — allowed; Tuesday 24 Nov is 2 — refused.
    staff = world["staff"]
    friday = dt.datetime(2026, 11, 20, 9, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    ok = make_tender(
        world["project"],
        staff,
        method="negotiation",
        publish=False,
        clarification_deadline=friday,
        bid_deadline=friday + dt.timedelta(days=5),
        opening_at=friday + dt.timedelta(days=5),
    )
    services.tender_publish(tender=ok, actor=staff, now=friday)
    ok.refresh_from_db()
    assert ok.state == "published"


def test_negotiation_two_working_days_refused(world):
    staff = world["staff"]
    friday = dt.datetime(2026, 11, 20, 9, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    short = make_tender(
        world["project"],
        staff,
        method="negotiation",
        publish=False,
        clarification_deadline=friday,
        bid_deadline=friday + dt.timedelta(days=4),
        opening_at=friday + dt.timedelta(days=4),
    )
    with pytest.raises(ActionRefusedError, match="3个工作日"):
        services.tender_publish(tender=short, actor=staff, now=friday)


def test_rules_are_listed_on_the_draft_page(world, login):
    tender = make_tender(
        world["project"], world["staff"], notice_days=12, publish=False, bid_bond=Decimal("20000")
    )
    body = (
        login(world["staff"])
        .get(reverse("procurement:tender_detail", args=[tender.pk]))
        .content.decode()
    )
    assert "不得少于20日" in body and "2%" in body
