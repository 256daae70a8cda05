"""The project's catalogue entry reaches open data as the tender item's classification."""

from __future__ import annotations

import pytest

from opendata.releases import tender_release
from planning.models import CatalogueItem, ProjectCatalogue
from tests.procurement.conftest import make_tender

pytestmark = pytest.mark.django_db


def test_tender_release_carries_the_catalogue_code(world):
    tender = make_tender(world["project"], world["staff"])
    assert "items" not in tender_release(tender)["tender"]
    item = CatalogueItem.objects.create(
        owner=world["bureau"], code="A0702", name="农村留守儿童关爱服务"
    )
    ProjectCatalogue.objects.create(project=world["project"], item=item)
    items = tender_release(tender)["tender"]["items"]
    assert items[0]["classification"] == {
        "scheme": "政府购买服务指导性目录",
        "id": "A0702",
        "description": "农村留守儿童关爱服务",
    }
