"""A signed contract prints with the template version in force when it was signed; editing the
bureau's template afterwards changes drafts, never a signed contract's copy."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from documents import registry
from documents.services import document_template_save
from tests.factories.accounts import BureauStaffFactory
from tests.factories.procurement import ContractFactory
from tests.pdf import pdf_text

pytestmark = pytest.mark.django_db


def _save(staff, marker: str) -> None:
    source = (
        registry.get("contract")
        .default_source()
        .replace("政府购买社会工作服务合同", f"政府购买社会工作服务合同{marker}", 1)
    )
    assert marker in source
    document_template_save(key="contract", bureau=staff.organization, source=source, actor=staff)


def test_signed_contract_keeps_its_template_after_the_bureau_edits_it(login):
    staff = BureauStaffFactory()
    signed = ContractFactory(
        project__bureau=staff.organization,
        state="signed",
        signed_at=timezone.now() - dt.timedelta(days=3),
    )
    draft = ContractFactory(project__bureau=staff.organization, state="draft")
    client = login(staff)
    before = pdf_text(client.get(reverse("procurement:contract_pdf", args=[signed.pk])).content)

    _save(staff, "（第二版）")

    after = pdf_text(client.get(reverse("procurement:contract_pdf", args=[signed.pk])).content)
    assert "第二版" not in after and after == before
    draft_text = pdf_text(client.get(reverse("procurement:contract_pdf", args=[draft.pk])).content)
    assert "第二版" in draft_text
