"""The deadline is enforced on the server: a second before it works, at it and after it nothing does."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from core.fsm import ActionRefusedError
from procurement import services
from procurement.models import Bid
from tests.procurement.conftest import make_tender

pytestmark = pytest.mark.django_db


def test_boundary(world):
    tender = make_tender(world["project"], world["staff"])
    deadline = tender.bid_deadline
    ngo = world["ngos"][0]
    bid = services.bid_submit(
        tender=tender,
        actor=ngo,
        price=Decimal("400000"),
        technical_proposal="方案",
        now=deadline - dt.timedelta(seconds=1),
    )
    assert bid.revision == 1
    with pytest.raises(ActionRefusedError, match="已截止"):
        services.bid_submit(
            tender=tender,
            actor=ngo,
            price=Decimal("390000"),
            technical_proposal="修改",
            now=deadline,
        )
    with pytest.raises(ActionRefusedError, match="已截止"):
        services.bid_submit(
            tender=tender,
            actor=world["ngos"][1],
            price=Decimal("390000"),
            technical_proposal="迟交",
            now=deadline + dt.timedelta(seconds=1),
        )
    with pytest.raises(ActionRefusedError, match="已截止"):
        services.bid_withdraw(bid=bid, actor=ngo, now=deadline)
    bid.refresh_from_db()
    assert (bid.price, bid.revision, Bid.objects.count()) == (Decimal("400000.00"), 1, 1)


def test_revise_and_withdraw_before_the_deadline(world):
    tender = make_tender(world["project"], world["staff"])
    ngo = world["ngos"][0]
    first = services.bid_submit(
        tender=tender, actor=ngo, price=Decimal("400000"), technical_proposal="方案"
    )
    second = services.bid_submit(
        tender=tender, actor=ngo, price=Decimal("395000"), technical_proposal="方案（修订）"
    )
    assert second.pk == first.pk and second.revision == 2 and second.receipt != first.receipt
    withdrawn = services.bid_withdraw(bid=second, actor=ngo)
    assert withdrawn.state == "withdrawn"


def test_price_over_the_ceiling_is_refused(world):
    tender = make_tender(world["project"], world["staff"])
    with pytest.raises(Exception, match="最高限价"):
        services.bid_submit(
            tender=tender,
            actor=world["ngos"][0],
            price=Decimal("500000.01"),
            technical_proposal="方案",
        )
    assert not Bid.objects.exists()


def test_too_few_bids_fails_the_tender_and_a_new_round_may_start(world):
    tender = make_tender(world["project"], world["staff"])
    for ngo in world["ngos"][:2]:
        services.bid_submit(
            tender=tender, actor=ngo, price=Decimal("450000"), technical_proposal="方案"
        )
    past = timezone.now() - dt.timedelta(minutes=1)
    type(tender).objects.filter(pk=tender.pk).update(bid_deadline=past, opening_at=past)
    tender.refresh_from_db()
    failed = services.tender_open(tender=tender, actor=world["staff"])
    assert failed.state == "failed"
    assert "至少3家" in failed.failure_reason and "流标" in failed.failure_reason
    second = make_tender(world["project"], world["staff"], publish=False)
    assert second.round == 2
