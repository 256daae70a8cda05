"""A draft tender that breaks a rule is corrected on its edit page, then published."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from core.fsm import ActionRefusedError
from procurement import services
from procurement.services import CriterionInput
from tests.factories.accounts import BureauStaffFactory
from tests.procurement.conftest import make_tender

pytestmark = pytest.mark.django_db


def _post_data(tender, **changes):
    local = timezone.localtime
    data = {
        "title": tender.title,
        "method": tender.method,
        "evaluation_method": tender.evaluation_method,
        "ceiling_price": str(tender.ceiling_price),
        "bid_bond": str(tender.bid_bond),
        "price_weight": str(tender.price_weight),
        "clarification_deadline": local(tender.clarification_deadline).strftime("%Y-%m-%dT%H:%M"),
        "bid_deadline": local(tender.bid_deadline).strftime("%Y-%m-%dT%H:%M"),
        "opening_at": local(tender.opening_at).strftime("%Y-%m-%dT%H:%M"),
        "qualification_requirements": tender.qualification_requirements,
        "service_requirements": tender.service_requirements,
        "criteria-TOTAL_FORMS": "5",
        "criteria-INITIAL_FORMS": str(tender.criteria.count()),  # as the page renders it
    }
    for i, c in enumerate(tender.criteria.all()):
        data[f"criteria-{i}-name"] = c.name
        data[f"criteria-{i}-points"] = str(c.points)
    data.update(changes)
    return data


def test_the_bid_bond_is_corrected_and_the_tender_published(world, login):
    """Regression: a draft breaking a rule could only be cancelled and typed in again."""
    staff = world["staff"]
    tender = make_tender(world["project"], staff, publish=False, bid_bond=Decimal("20000"))
    client = login(staff)
    detail = client.get(reverse("procurement:tender_detail", args=[tender.pk])).content.decode()
    assert "2%" in detail and reverse("procurement:tender_edit", args=[tender.pk]) in detail
    form = client.get(reverse("procurement:tender_edit", args=[tender.pk])).content.decode()
    assert 'value="20000.00"' in form and 'value="服务方案"' in form
    response = client.post(
        reverse("procurement:tender_edit", args=[tender.pk]),
        _post_data(tender, bid_bond="10000.00", **{"criteria-2-points": "10"}),
    )
    assert response.status_code == 302
    tender.refresh_from_db()
    assert tender.bid_bond == Decimal("10000.00") and tender.round == 1
    assert [c.name for c in tender.criteria.all()] == ["服务方案", "团队与经验", "管理制度"]
    services.tender_publish(tender=tender, actor=staff)
    assert tender.__class__.objects.get(pk=tender.pk).state == "published"


def test_criteria_are_replaced(world):
    tender = make_tender(world["project"], world["staff"], publish=False)
    services.tender_update(
        tender=tender,
        actor=world["staff"],
        criteria=[CriterionInput("服务方案", Decimal("60")), CriterionInput("团队", Decimal("20"))],
        price_weight=Decimal("20"),
    )
    assert [(c.name, c.points) for c in tender.criteria.all()] == [
        ("服务方案", Decimal("60.00")),
        ("团队", Decimal("20.00")),
    ]


def test_a_published_tender_and_another_bureau_cannot_edit(world, login):
    staff = world["staff"]
    published = make_tender(world["project"], staff)
    with pytest.raises(ActionRefusedError, match="只有草稿可以修改"):
        services.tender_update(tender=published, actor=staff, criteria=[], bid_bond=Decimal("1"))
    response = login(staff).get(reverse("procurement:tender_edit", args=[published.pk]))
    assert response.status_code == 302
    stranger = BureauStaffFactory()
    assert (
        login(stranger).get(reverse("procurement:tender_edit", args=[published.pk])).status_code
        == 403
    )
