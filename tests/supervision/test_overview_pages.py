"""The supervision overview lists 25 contracts a page (it listed every visible contract)."""

import pytest
from django.urls import reverse

from tests.factories.accounts import AuditorFactory
from tests.factories.procurement import ContractFactory

pytestmark = pytest.mark.django_db


def test_supervision_overview_pages_contracts(login):
    client = login(AuditorFactory())
    numbers = [ContractFactory(number=f"HT-JL-2026-{n:03d}").number for n in range(30)]

    first = client.get(reverse("supervision:overview")).content.decode()
    second = client.get(reverse("supervision:overview") + "?page=2").content.decode()

    on_first = {n for n in numbers if n in first}
    on_second = {n for n in numbers if n in second}
    assert len(on_first) == 25
    assert len(on_second) == 5
    assert on_first.isdisjoint(on_second)
    assert "?page=2" in first
