"""A bureau edits its template: preview, save as a new version, subordinate bureaus inherit it."""

import pytest
from django.urls import reverse

from documents.models import DocumentTemplate
from documents.selectors import template_source
from tests.factories.accounts import BureauFactory, BureauStaffFactory, NgoUserFactory
from tests.pdf import pdf_text

pytestmark = pytest.mark.django_db

GOOD = "<html><body><h1>{{ bureau }}公告（修订）</h1><p>{{ amount|daxie }}</p></body></html>"


def test_staff_save_versions_and_counties_inherit(login, sample_kind):
    city = BureauFactory(name="荆州市民政局", level="city")
    county = BureauFactory(name="江陵县民政局", parent=city)
    staff = BureauStaffFactory(organization=city)
    client = login(staff)
    url = reverse("documents:edit", args=["sample_notice"])
    assert "采购公告" in client.get(url).content.decode()  # the default, before any edit
    client.post(url, {"source": GOOD, "save": "1"})
    client.post(url, {"source": GOOD.replace("修订", "第二版"), "save": "1"})
    versions = list(DocumentTemplate.objects.filter(bureau=city).values_list("version", flat=True))
    assert sorted(versions) == [1, 2]
    assert "第二版" in template_source(key="sample_notice", bureau=county)
    assert "采购公告" in template_source(key="sample_notice", bureau=BureauFactory())


def test_preview_returns_a_pdf_and_saves_nothing(login, sample_kind):
    staff = BureauStaffFactory()
    response = login(staff).post(
        reverse("documents:edit", args=["sample_notice"]), {"source": GOOD, "preview": "1"}
    )
    assert response["Content-Type"] == "application/pdf"
    assert "潜江市民政局公告（修订）" in pdf_text(response.content)
    assert not DocumentTemplate.objects.exists()


def test_a_broken_template_is_not_saved(login, sample_kind):
    staff = BureauStaffFactory()
    response = login(staff).post(
        reverse("documents:edit", args=["sample_notice"]), {"source": "{{ nope }}", "save": "1"}
    )
    assert response.status_code == 200
    assert "不存在" in response.content.decode()
    assert not DocumentTemplate.objects.exists()


def test_others_cannot_edit(login, sample_kind):
    response = login(NgoUserFactory()).get(reverse("documents:edit", args=["sample_notice"]))
    assert response.status_code == 403
    assert login(NgoUserFactory()).get(reverse("documents:list")).status_code == 403
