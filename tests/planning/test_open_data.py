"""The project's catalogue entry reaches open data as an additional classification of the item,
and the tender and award notice PDFs."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import Client

from opendata import checks
from opendata.events import Logs
from opendata.releases import tender_events
from planning.models import CatalogueItem, ProjectCatalogue
from tests.pdf import pdf_text
from tests.procurement.conftest import awarded, make_tender

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
    # The scheme is declared in the publication's extension, beside the service category's.
    codelist = (
        Path(checks.EXTENSIONS_DIR)
        / "sanshe_details"
        / "codelists"
        / "+itemClassificationScheme.csv"
    )
    with codelist.open(encoding="utf-8") as handle:
        codes = {row["Code"] for row in csv.DictReader(handle)}
    assert {"SANSHE-CATEGORY", "政府购买服务指导性目录"} <= codes


def test_tender_and_award_notice_pdfs_print_the_catalogue_code(world):
    item = CatalogueItem.objects.create(
        owner=world["bureau"], code="A0702", name="农村留守儿童关爱服务"
    )
    ProjectCatalogue.objects.create(project=world["project"], item=item)
    prices = [Decimal("450000.00"), Decimal("460000.00"), Decimal("470000.00")]
    tender, _bids = awarded(world, prices, [70, 65, 60])
    client = Client()  # the notices are public: no login
    for url in (
        f"/procurement/notices/{tender.pk}/tender.pdf",
        f"/procurement/notices/{tender.pk}/award.pdf",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        text = pdf_text(response.content)
        assert "政府购买服务指导性目录" in text, url
        assert "A0702 农村留守儿童关爱服务" in text, url


def test_notice_without_catalogue_entry_prints_no_catalogue_row(world):
    tender = make_tender(world["project"], world["staff"])
    response = Client().get(f"/procurement/notices/{tender.pk}/tender.pdf")
    assert response.status_code == 200
    assert "指导性目录" not in pdf_text(response.content)
