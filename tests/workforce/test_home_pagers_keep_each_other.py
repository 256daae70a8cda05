"""The workforce page has two pagers (contracts' figures, volunteer hours): following one's
link keeps the page the other is on."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from tests.factories.procurement import ContractFactory
from workforce import services

pytestmark = pytest.mark.django_db


def test_each_pager_keeps_the_other_pagers_page(money, login, monkeypatch):
    monkeypatch.setattr("workforce.views.PAGE_SIZE", 2)
    ngo = money["ngo"]
    supplier = money["contract"].supplier
    ContractFactory.create_batch(4, supplier=supplier)  # five contracts: three pages
    for day in range(5):  # five records of volunteer hours: three pages
        services.volunteer_service_record(
            user=ngo,
            contract=money["contract"],
            volunteer_name="赵磊",
            date=dt.date.today() - dt.timedelta(days=day),
            activity="暑期课业辅导",
            hours=Decimal("2.5"),
        )
    client = login(ngo)
    url = reverse("workforce:home")

    page = client.get(url, {"contracts_page": 2, "page": 3}).content.decode()
    # The contracts' pager keeps the volunteer hours on page 3, and the other way round.
    assert 'href="?page=3&amp;contracts_page=1"' in page
    assert 'href="?page=3&amp;contracts_page=3"' in page
    assert 'href="?contracts_page=2&amp;page=2"' in page

    # Following a link lands on both pages asked for.
    response = client.get(url + "?page=3&contracts_page=3")
    assert response.context["contract_page"].number == 3
    assert response.context["services"].number == 3
