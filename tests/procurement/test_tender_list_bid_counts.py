"""The tender list counts each opened tender's bids, leaving out withdrawn ones, whatever the
number of tenders and bids around it."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from procurement.models import Bid, BidState, Method, Tender, TenderState
from projects.models import ProjectState
from tests.factories.accounts import AuditorFactory, BureauStaffFactory, NgoFactory
from tests.factories.projects import ServiceProjectFactory

pytestmark = pytest.mark.django_db


def _tender(title: str, states: list[str]) -> None:
    now = timezone.now()
    tender = Tender.objects.create(
        project=ServiceProjectFactory(state=ProjectState.TENDERING),
        title=title,
        method=Method.CONSULTATION,
        ceiling_price=Decimal("500000.00"),
        qualification_requirements="依法登记的社会组织",
        service_requirements="留守儿童关爱服务",
        clarification_deadline=now - dt.timedelta(days=10),
        bid_deadline=now - dt.timedelta(days=2),
        opening_at=now - dt.timedelta(days=2),
        state=TenderState.OPENED,
        created_by=BureauStaffFactory(),
    )
    for n, state in enumerate(states):
        Bid.objects.create(
            tender=tender,
            supplier=NgoFactory(),
            price=Decimal("450000.00"),
            technical_proposal="驻村社工",
            receipt=f"{n:064d}",
            submitted_at=now - dt.timedelta(days=3),
            state=state,
        )


def _count_in_row(body: str, title: str) -> str:
    row = next(r for r in body.split("<tr>") if title in r)
    return re.findall(r'<td class="num">([^<]*)</td>', row)[-1]


def test_tender_list_counts_bids_without_the_withdrawn(login):
    _tender("监利县快乐之家运营项目磋商", [BidState.OPENED, BidState.OPENED, BidState.WITHDRAWN])
    _tender("江陵县留守儿童关爱项目磋商", [BidState.OPENED] * 4)
    _tender("石首市困境儿童保护项目磋商", [BidState.WITHDRAWN])

    body = login(AuditorFactory()).get(reverse("procurement:tender_list")).content.decode()

    assert _count_in_row(body, "监利县快乐之家运营项目磋商") == "2"
    assert _count_in_row(body, "江陵县留守儿童关爱项目磋商") == "4"
    assert _count_in_row(body, "石首市困境儿童保护项目磋商") == "0"
