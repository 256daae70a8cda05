"""Before opening nobody but the bureau learns who bids or how many; the panel's names stay
confidential until the result notice names them — in the pages and in the API."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from procurement import services
from tests.factories.accounts import AuditorFactory, NgoUserFactory
from tests.procurement.conftest import draw_panel, make_tender

pytestmark = pytest.mark.django_db


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def bidding(world):
    tender = make_tender(world["project"], world["staff"])
    a, b = world["ngos"][0], world["ngos"][1]
    services.bid_submit(
        tender=tender, actor=a, price=Decimal("450000"), technical_proposal="甲方案"
    )
    services.bid_submit(
        tender=tender, actor=b, price=Decimal("460000"), technical_proposal="乙方案"
    )
    draw_panel(tender, world["staff"], world["experts"])
    return tender, a, b


def test_a_bidder_sees_only_its_own_bid_and_no_count(world, bidding, login):
    tender, a, b = bidding
    rows = _api(a).get(f"/api/v1/tenders/{tender.pk}/bids/").json()
    assert [r["supplier"] for r in rows] == [a.organization_id]
    page = login(a).get(reverse("procurement:tender_detail", args=[tender.pk])).content.decode()
    assert a.organization.name in page and b.organization.name not in page
    listing = login(a).get(reverse("procurement:tender_list")).content.decode()
    assert '<td class="num">2</td>' not in listing


def test_a_non_bidder_and_the_public_learn_nothing(world, bidding, login):
    tender, a, b = bidding
    outsider = NgoUserFactory()
    assert _api(outsider).get(f"/api/v1/tenders/{tender.pk}/bids/").json() == []
    page = login(outsider).get(reverse("procurement:tender_detail", args=[tender.pk])).content
    text = page.decode()
    assert a.organization.name not in text and b.organization.name not in text
    assert "投标人的名称和数量保密" in text
    public = Client().get(reverse("procurement:notice_detail", args=[tender.pk])).content.decode()
    assert a.organization.name not in public


def test_the_bureau_sees_who_bids_before_opening(world, bidding):
    tender, a, b = bidding
    rows = _api(world["staff"]).get(f"/api/v1/tenders/{tender.pk}/bids/").json()
    assert {r["supplier"] for r in rows} == {a.organization_id, b.organization_id}
    assert all(r["price"] is None for r in rows)  # still sealed


def test_panel_names_hidden_until_the_result_notice(world, bidding, login):
    tender, a, _b = bidding
    expert = world["experts"][1]
    expert.display_name = "评审专家甄秘书"
    expert.save(update_fields=["display_name"])
    for user in (a, NgoUserFactory()):
        response = _api(user).get(f"/api/v1/tenders/{tender.pk}/panel/")
        assert response.status_code == 403
        assert "招标投标法第37条" in response.json()["detail"]
        page = login(user).get(reverse("procurement:tender_detail", args=[tender.pk]))
        assert "甄秘书" not in page.content.decode()
        assert "结果公告前保密" in page.content.decode()
        draws = _api(user).get(f"/api/v1/tenders/{tender.pk}/draws/")
        assert draws.status_code == 403
    # The bureau, the panel itself and auditors see it.
    for user in (world["staff"], expert, AuditorFactory()):
        names = [m["user"] for m in _api(user).get(f"/api/v1/tenders/{tender.pk}/panel/").json()]
        assert expert.pk in names
    # The tender's public history does not name the panel either.
    history = login(a).get(reverse("procurement:tender_detail", args=[tender.pk])).content
    assert "甄秘书" not in history.decode()
