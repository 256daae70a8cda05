"""The funds overview lists 50 projects a page, and its totals still cover every visible one."""

from decimal import Decimal

import pytest
from django.urls import reverse

from projects.models import ProjectState
from tests.factories.accounts import AuditorFactory
from tests.factories.procurement import ContractFactory
from tests.factories.projects import ServiceProjectFactory

pytestmark = pytest.mark.django_db


def test_overview_pages_projects_and_totals_every_page(login):
    client = login(AuditorFactory())
    for n in range(53):
        ServiceProjectFactory(
            state=ProjectState.APPROVED,
            title=f"监利县快乐之家运营项目{n:02d}",
            budget=Decimal("100000.00"),
        )
    ContractFactory(amount=Decimal("480000.00"))  # its project's budget is 500,000

    first = client.get(reverse("funds:overview")).content.decode()
    second = client.get(reverse("funds:overview") + "?page=2").content.decode()

    listed = [f"监利县快乐之家运营项目{n:02d}" for n in range(53)]
    on_first = [t for t in listed if t in first]
    on_second = [t for t in listed if t in second]
    assert len(on_first) + ("关爱农村留守儿童保护项目" in first) == 50
    assert set(on_first).isdisjoint(on_second)
    assert len(on_first) + len(on_second) == 53
    # 53 × 100,000 + 500,000 budgeted and 480,000 contracted, on either page.
    for body in (first, second):
        assert "¥5,800,000.00" in body
        assert "¥480,000.00" in body
    assert "?page=2" in first
