"""竞争性磋商: a final round collects each qualified bidder's 最后报价 before scoring; the
ranking uses those prices, and the award waits for the closed final round."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from core.fsm import ActionRefusedError
from procurement import rounds, scoring, services
from tests.procurement.conftest import evaluating

pytestmark = pytest.mark.django_db


def test_final_offers_decide_the_price_score(world):
    prices = [Decimal("450000"), Decimal("480000"), Decimal("470000")]
    tender, bids = evaluating(world, prices, [70, 72, 60], method="consultation")
    staff = world["staff"]
    with pytest.raises(ActionRefusedError, match="最后报价"):
        services.tender_award(tender=tender, actor=staff)
    api = APIClient()
    api.force_authenticate(staff)
    opened = api.post(
        f"/api/v1/tenders/{tender.pk}/rounds/",
        {
            "topics": "服务人数与督导频次",
            "closes_at": (timezone.now() + dt.timedelta(hours=1)).isoformat(),
            "is_final": True,
        },
        format="json",
    )
    assert opened.status_code == 201, opened.content
    round_id = opened.json()["id"]
    # The second bidder lowers its price to 440,000 in its final offer; the others keep theirs.
    finals = [Decimal("450000"), Decimal("440000"), Decimal("470000")]
    for ngo, price in zip(world["ngos"], finals, strict=True):
        bidder = APIClient()
        bidder.force_authenticate(ngo)
        response = bidder.post(
            f"/api/v1/tenders/{tender.pk}/rounds/offer/",
            {"round": round_id, "price": str(price)},
            format="json",
        )
        assert response.status_code == 201, response.content
    # A bidder's offer above the ceiling is refused; an outsider may not offer.
    outsider = APIClient()
    outsider.force_authenticate(world["experts"][0])
    assert (
        outsider.post(
            f"/api/v1/tenders/{tender.pk}/rounds/offer/",
            {"round": round_id, "price": "1"},
            format="json",
        ).status_code
        == 409
    )
    closed = api.post(
        f"/api/v1/tenders/{tender.pk}/rounds/close/", {"round": round_id}, format="json"
    )
    assert closed.status_code == 200, closed.content
    tender.refresh_from_db()
    ranking = scoring.rank(tender)
    # 440,000 is now the lowest: 72 + 20 = 92 beats 70 + 440000/450000×20 = 89.56.
    assert ranking[0].bid.pk == bids[1].pk and ranking[0].total == Decimal("92.00")
    awarded = services.tender_award(tender=tender, actor=staff)
    assert awarded.awarded_bid_id == bids[1].pk
    with pytest.raises(ActionRefusedError):
        rounds.round_open(
            tender=tender,
            actor=staff,
            topics="x",
            closes_at=timezone.now() + dt.timedelta(hours=1),
            is_final=False,
        )
