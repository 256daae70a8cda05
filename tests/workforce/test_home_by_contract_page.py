"""The NGO's workforce page shows its contracts' figures a page at a time, in a fixed number
of queries however many contracts it holds (an NGO of a provincial system holds hundreds: the
page took 4,811 queries and 3.9 s for one with 1,601 generated contracts)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories.procurement import ContractFactory
from workforce import services
from workforce.models import SocialWorker

pytestmark = pytest.mark.django_db


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_figures_by_contract_page(money, login):
    ngo = money["ngo"]
    supplier = money["contract"].supplier
    SocialWorker.objects.create(
        organization=supplier,
        name="张敏",
        certificate_level="social_worker",
        certificate_number="S2019420100123",
        employment="full_time",
        joined_on=dt.date(2024, 3, 1),
    )
    newest = ContractFactory(supplier=supplier, start_date=dt.date.today())
    services.volunteer_service_record(
        user=ngo,
        contract=newest,
        volunteer_name="赵磊",
        date=dt.date.today(),
        activity="暑期课业辅导",
        hours=Decimal("2.5"),
    )
    client = login(ngo)
    url = reverse("workforce:home")
    few = _queries(client, url)
    ContractFactory.create_batch(
        60, supplier=supplier, start_date=dt.date.today() - dt.timedelta(days=400)
    )

    assert _queries(client, url) == few
    first = client.get(url)
    rows = first.context["figures"]
    assert len(rows) == 50
    contract, figures = rows[0]
    assert contract == newest  # the newest contract first
    assert figures["volunteer_times"].value == 1
    assert figures["certified_share"].value == Decimal("100.0")
    assert 'href="?contracts_page=2"' in first.content.decode()
    second = client.get(url + "?contracts_page=2").context["figures"]
    assert len(second) == 62 - 50  # money's contract, the newest and the sixty
    assert all(f["volunteer_times"] is None for _c, f in second)
