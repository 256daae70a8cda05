"""The 采购文件 goes up with the draft and is downloadable by anyone once the notice is out;
the 采购意向 is published from the project page and is public."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from procurement import services
from procurement.models import ProcurementIntent
from tests.factories.projects import ServiceProjectFactory
from tests.procurement.conftest import make_tender

pytestmark = pytest.mark.django_db

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def test_documents_uploaded_with_the_draft_and_public_once_published(world, login):
    tender = make_tender(world["project"], world["staff"], publish=False)
    bureau = login(world["staff"])
    url = reverse("procurement:documents_upload", args=[tender.pk])
    truncated = SimpleUploadedFile("采购文件.pdf", PDF[:60], content_type="application/pdf")
    page = bureau.post(url, {"documents_file": truncated}, follow=True).content.decode()
    assert "不完整的PDF" in page
    fake = SimpleUploadedFile("采购文件.pdf", b"MZ\x90\x00" * 40, content_type="application/pdf")
    assert (
        "不是可接受的文件类型"
        in bureau.post(url, {"documents_file": fake}, follow=True).content.decode()
    )
    tender.refresh_from_db()
    assert not tender.documents_file
    good = SimpleUploadedFile("采购文件.pdf", PDF, content_type="application/pdf")
    bureau.post(url, {"documents_file": good})
    tender.refresh_from_db()
    assert tender.documents_sha256 and tender.documents_file
    download = reverse("procurement:documents_download", args=[tender.pk])
    assert Client().get(download).status_code in (403, 404)  # a draft is not public
    services.tender_publish(tender=tender, actor=world["staff"])
    response = Client().get(download)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    notice = Client().get(reverse("procurement:notice_detail", args=[tender.pk])).content.decode()
    assert download in notice
    # A published document is not replaced (only a correction after an upheld objection may).
    again = SimpleUploadedFile("新.pdf", PDF, content_type="application/pdf")
    page = bureau.post(url, {"documents_file": again}, follow=True).content.decode()
    assert "更正" in page


def test_intent_published_from_the_project_page_and_listed_publicly(world, login):
    project = ServiceProjectFactory(
        bureau=world["bureau"], state="approved", budget=Decimal("300000")
    )
    response = login(world["staff"]).post(
        reverse("procurement:intent_publish", args=[project.pk]),
        {"summary": "农村留守老人关爱服务", "budget": "300,000.00", "planned_month": "2027-03"},
    )
    assert response.status_code == 302
    intent = ProcurementIntent.objects.get(project=project)
    assert intent.budget == Decimal("300000.00")
    assert "农村留守老人关爱服务" in Client().get(reverse("procurement:intents")).content.decode()
    # An NGO cannot publish a bureau's intention; a bad month is refused with the field named.
    login(world["ngos"][0]).post(
        reverse("procurement:intent_publish", args=[project.pk]),
        {"summary": "x", "budget": "1", "planned_month": "2027-03"},
    )
    page = login(world["staff"]).post(
        reverse("procurement:intent_publish", args=[project.pk]),
        {"summary": "x", "budget": "1", "planned_month": "三月"},
        follow=True,
    )
    assert "YYYY-MM" in page.content.decode()
    assert ProcurementIntent.objects.filter(project=project).count() == 1
