"""The bonds page lists 50 bonds a page and reaches every one (it showed the newest 200 only)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from funds.models import Bond, BondKind
from tests.factories.accounts import AuditorFactory, BureauFinanceFactory
from tests.factories.procurement import ContractFactory

pytestmark = pytest.mark.django_db


def test_bonds_page_pages_every_bond(login):
    client = login(AuditorFactory())
    finance = BureauFinanceFactory()
    numbers = []
    for n in range(55):
        contract = ContractFactory(number=f"HT-QJ-2026-{n:03d}")
        Bond.objects.create(
            kind=BondKind.PERFORMANCE,
            project=contract.project,
            contract=contract,
            payer=contract.supplier,
            amount=Decimal("24000.00"),
            received_on=dt.date(2026, 3, 2),
            received_by=finance,
        )
        numbers.append(contract.number)

    first = client.get(reverse("funds:bonds")).content.decode()
    second = client.get(reverse("funds:bonds") + "?page=2").content.decode()

    on_first = {n for n in numbers if n in first}
    on_second = {n for n in numbers if n in second}
    assert len(on_first) == 50
    assert on_second == set(numbers) - on_first
    assert "?page=2" in first
