"""The project's catalogue entry reaches open data as an additional classification of the item."""

from __future__ import annotations

import pytest

from opendata.events import Logs
from opendata.releases import tender_events
from planning.models import CatalogueItem, ProjectCatalogue
from tests.procurement.conftest import make_tender

pytestmark = pytest.mark.django_db


def _notice_item(tender):
    notice = next(e for e in tender_events(tender, Logs([tender])) if e.tag == "tender")
    return notice.body["tender"]["items"][0]


def test_tender_release_carries_the_catalogue_code(world):
    tender = make_tender(world["project"], world["staff"])
    tender.publish_at = tender.publish_at or tender.created_at
    assert "additionalClassifications" not in _notice_item(tender)
    item = CatalogueItem.objects.create(
        owner=world["bureau"], code="A0702", name="农村留守儿童关爱服务"
    )
    ProjectCatalogue.objects.create(project=world["project"], item=item)
    assert _notice_item(tender)["additionalClassifications"] == [
        {"scheme": "政府购买服务指导性目录", "id": "A0702", "description": "农村留守儿童关爱服务"}
    ]
