"""A tender can require a minimum 评估等级 and no current listing; a bid from an NGO that falls
short is refused with the reason, through the bid page as the NGO uses it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.credit import CreditListing, ListingKind
from core.fsm import ActionRefusedError
from core.models import TransitionLog
from planning import services
from procurement import services as procurement
from procurement.models import Bid
from tests.procurement.conftest import make_tender

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()


@pytest.fixture
def tender(world):
    draft = make_tender(world["project"], world["staff"], publish=False)
    services.requirement_set(
        actor=world["staff"],
        tender=draft,
        min_rating="3A",
        no_current_listing=True,
        valid_certificate=True,
    )
    return procurement.tender_publish(tender=draft, actor=world["staff"])


def _profile(world, ngo_user, rating="3A", expires=None):
    return services.credit_profile_save(
        actor=world["staff"],
        ngo=ngo_user.organization,
        certificate_number="鄂民证字第0420号",
        certificate_expires=expires or TODAY + dt.timedelta(days=400),
        rating=rating,
    )


def _bid(login, user, tender):
    return login(user).post(
        reverse("procurement:bid_submit", args=[tender.pk]),
        {"price": "480000.00", "technical_proposal": "八个一月度关爱"},
        follow=True,
    )


def test_a_qualified_ngo_bids(world, tender, login):
    ngo = world["ngos"][0]
    _profile(world, ngo, "4A")
    response = _bid(login, ngo, tender)
    assert response.status_code == 200
    assert Bid.objects.filter(tender=tender, supplier=ngo.organization).exists()


def test_a_rating_below_the_minimum_is_refused_with_the_reason(world, tender, login):
    ngo = world["ngos"][0]
    _profile(world, ngo, "2A")
    response = _bid(login, ngo, tender)
    page = response.content.decode()
    assert "3A" in page and "2A" in page
    assert not Bid.objects.filter(tender=tender).exists()
    assert not TransitionLog.objects.filter(transition="submit").exists()


def test_a_current_listing_is_refused_and_a_lifted_one_is_not(world, tender):
    ngo = world["ngos"][1]
    _profile(world, ngo, "5A")
    listing = services.listing_add(
        actor=world["staff"],
        ngo=ngo.organization,
        kind=ListingKind.ABNORMAL,
        listed_on=TODAY - dt.timedelta(days=10),
        authority="荆州市民政局",
        reason="未按规定报送年度工作报告",
    )
    with pytest.raises(ActionRefusedError, match=str(listing.listed_on)):
        procurement.bid_submit(
            tender=tender, actor=ngo, price=Decimal("480000.00"), technical_proposal="方案"
        )
    services.listing_remove(actor=world["staff"], listing=listing, removed_on=TODAY)
    bid = procurement.bid_submit(
        tender=tender, actor=ngo, price=Decimal("480000.00"), technical_proposal="方案"
    )
    assert bid.pk
    assert CreditListing.objects.get(pk=listing.pk).removed_on == TODAY


def test_an_expired_certificate_or_missing_profile_is_refused(world, tender):
    expired, missing = world["ngos"][0], world["ngos"][2]
    _profile(world, expired, "4A", expires=TODAY - dt.timedelta(days=1))
    with pytest.raises(ActionRefusedError, match="登记证书已于"):
        procurement.bid_submit(
            tender=tender, actor=expired, price=Decimal("1.00"), technical_proposal="方案"
        )
    with pytest.raises(ActionRefusedError, match="无登记证书"):
        procurement.bid_submit(
            tender=tender, actor=missing, price=Decimal("1.00"), technical_proposal="方案"
        )


def test_an_expired_rating_counts_as_none(world, tender):
    ngo = world["ngos"][0]
    profile = _profile(world, ngo, "4A")
    profile.rating_expires = TODAY - dt.timedelta(days=1)
    profile.save()
    with pytest.raises(ActionRefusedError, match="无评估等级"):
        procurement.bid_submit(
            tender=tender, actor=ngo, price=Decimal("1.00"), technical_proposal="方案"
        )


def test_requirements_are_fixed_once_published(world, tender):
    with pytest.raises(ActionRefusedError, match="发布后"):
        services.requirement_set(
            actor=world["staff"],
            tender=tender,
            min_rating="",
            no_current_listing=False,
            valid_certificate=False,
        )


def test_a_tender_without_requirements_takes_any_bid(world):
    tender = make_tender(world["project"], world["staff"])
    bid = procurement.bid_submit(
        tender=tender, actor=world["ngos"][2], price=Decimal("1.00"), technical_proposal="方案"
    )
    assert bid.pk
    assert timezone.now()
