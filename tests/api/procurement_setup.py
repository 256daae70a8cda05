"""Shared setup of the procurement API tests: clients with a token or a session, an opened tender,
a seated panel."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from procurement import services
from procurement.models import Tender
from tests.factories.accounts import PASSWORD
from tests.procurement.conftest import draw_panel, make_tender


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.credentials(
            HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}"
        )
    return client


def session(user) -> APIClient:
    """The same API with the pages' session login instead of a token."""
    client = APIClient()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def opened(world, prices=("480000.00", "450000.00", "495000.00")):
    """A tender with one bid per price, opened (the seal broken), no panel yet."""
    tender = make_tender(world["project"], world["staff"])
    for ngo, price in zip(world["ngos"], prices, strict=False):
        services.bid_submit(
            tender=tender, actor=ngo, price=Decimal(price), technical_proposal="方案"
        )
    past = timezone.now() - dt.timedelta(minutes=1)
    Tender.objects.filter(pk=tender.pk).update(bid_deadline=past, opening_at=past)
    tender.refresh_from_db()
    return services.tender_open(tender=tender, actor=world["staff"])


def seated(world, tender):
    """The five experts on the panel (the first chairs), declared, evaluation started."""
    for member in draw_panel(tender, world["staff"], world["experts"]):
        services.panel_declare(member=member, actor=member.user, conflict=False)
    return services.tender_start_evaluation(tender=tender, actor=world["staff"])
