"""Before the opening time nobody but the bidder sees a bid's price or proposal — page or admin."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from procurement import services
from procurement.models import Tender
from tests.factories.accounts import AdminFactory, AuditorFactory
from tests.procurement.conftest import make_tender

pytestmark = pytest.mark.django_db

PRICE = Decimal("487654.32")
SECRET = "我们的独家服务方案：八个一月度关爱"


@pytest.fixture
def sealed(world):
    tender = make_tender(world["project"], world["staff"])
    bid = services.bid_submit(
        tender=tender, actor=world["ngos"][0], price=PRICE, technical_proposal=SECRET
    )
    return tender, bid


def _pages(tender, bid):
    return [
        reverse("procurement:tender_detail", args=[tender.pk]),
        reverse("procurement:tender_list"),
        reverse("procurement:notice_detail", args=[tender.pk]),
        reverse("admin:procurement_bid_change", args=[bid.pk]),
        reverse("admin:procurement_bid_changelist"),
    ]


def test_nobody_else_sees_the_price_before_opening(world, sealed, login):
    tender, bid = sealed
    others = [
        world["staff"],
        world["ngos"][1],
        AuditorFactory(),
        AdminFactory(),
        *world["experts"][:1],
    ]
    for user in others:
        client = login(user)
        for url in _pages(tender, bid):
            body = client.get(url).content.decode()
            assert "487,654.32" not in body and "487654.32" not in body, (user.role, url)
            assert SECRET not in body, (user.role, url)
        assert client.get(reverse("procurement:bid_verify", args=[bid.pk])).status_code == 403


def test_the_bidder_sees_its_own_bid_and_receipt(world, sealed, login):
    tender, bid = sealed
    body = (
        login(world["ngos"][0])
        .get(reverse("procurement:bid_submit", args=[tender.pk]))
        .content.decode()
    )
    assert "487654.32" in body and bid.receipt in body


def test_after_opening_the_bureau_sees_it_and_the_receipt_verifies(world, sealed, login):
    tender, bid = sealed
    past = timezone.now() - dt.timedelta(minutes=1)
    Tender.objects.filter(pk=tender.pk).update(bid_deadline=past, opening_at=past)
    tender.refresh_from_db()
    services.bid_submit(
        tender=tender,
        actor=world["ngos"][1],
        price=Decimal("1"),
        technical_proposal="x",
        now=past - dt.timedelta(hours=1),
    )
    services.tender_open(tender=tender, actor=world["staff"])
    client = login(world["staff"])
    assert (
        "¥487,654.32"
        in client.get(reverse("procurement:tender_detail", args=[tender.pk])).content.decode()
    )
    verify = client.get(reverse("procurement:bid_verify", args=[bid.pk]), {"receipt": bid.receipt})
    assert "完全一致" in verify.content.decode()
    tampered = client.get(reverse("procurement:bid_verify", args=[bid.pk]), {"receipt": "0" * 64})
    assert "不一致" in tampered.content.decode()


def test_the_receipt_covers_exactly_what_was_submitted(world, sealed):
    _tender, bid = sealed
    assert bid.receipt == bid.compute_receipt()
    bid.price = PRICE + Decimal("0.01")
    assert bid.compute_receipt() != bid.receipt
