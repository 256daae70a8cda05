"""The 采购文件 is linked from the tender release as a public download (biddingDocuments)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from opendata.events import Logs
from opendata.releases import tender_events
from procurement import publication, services
from tests.procurement.conftest import make_tender, world  # noqa: F401  (fixture)
from tests.procurement.test_publication import PDF

pytestmark = pytest.mark.django_db
HOST = "https://sanshe.example.gov.cn"


def _notice_documents(tender):
    notice = next(e for e in tender_events(tender, Logs([tender])) if e.tag == "tender")
    return notice.body["tender"]["documents"]


def test_procurement_documents_are_a_public_download_in_the_tender_release(world, settings):  # noqa: F811
    settings.SANSHE_OCDS_BASE_URI = HOST
    tender = make_tender(world["project"], world["staff"], publish=False)
    publication.tender_documents_upload(
        tender=tender,
        actor=world["staff"],
        upload=SimpleUploadedFile("采购文件.pdf", PDF, content_type="application/pdf"),
    )
    tender = services.tender_publish(tender=tender, actor=world["staff"])
    documents = {d["documentType"]: d for d in _notice_documents(tender)}
    assert set(documents) == {"tenderNotice", "biddingDocuments"}
    bidding = documents["biddingDocuments"]
    assert bidding["format"] == "application/pdf"
    assert bidding["datePublished"] == documents["tenderNotice"]["datePublished"]
    response = Client().get(bidding["url"].removeprefix(HOST))  # anonymous, as a data user
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF


def test_no_procurement_documents_no_link(world):  # noqa: F811
    tender = make_tender(world["project"], world["staff"])
    assert [d["documentType"] for d in _notice_documents(tender)] == ["tenderNotice"]
