"""Bureau staff read and save the versioned document templates through the API, as on the page:
each save is a new version checked by rendering its sample; counties inherit; others are refused."""

import pytest

from documents.models import DocumentTemplate
from documents.selectors import template_source
from tests.api.procurement_setup import api
from tests.documents.conftest import sample_kind  # noqa: F401 - fixture
from tests.factories.accounts import (
    AssessorFactory,
    AuditorFactory,
    BureauFactory,
    BureauFinanceFactory,
    BureauStaffFactory,
    ExpertFactory,
    NgoUserFactory,
)
from tests.pdf import pdf_text

pytestmark = pytest.mark.django_db

URL = "/api/v1/document-templates/"
GOOD = "<html><body><h1>{{ bureau }}公告（修订）</h1><p>{{ amount|daxie }}</p></body></html>"


def test_staff_list_read_and_save_versions_that_counties_inherit(sample_kind):  # noqa: F811
    city = BureauFactory(name="荆州市民政局", level="city")
    county = BureauFactory(name="江陵县民政局", parent=city)
    staff = BureauStaffFactory(organization=city)
    county_staff = BureauStaffFactory(organization=county)

    listed = api(staff).get(URL)
    assert listed.status_code == 200
    rows = {row["key"]: row for row in listed.data}
    assert {"contract", "sample_notice"} <= set(rows)
    assert rows["sample_notice"] == {"key": "sample_notice", "label": "示例公告", "versions": 0}

    detail = api(staff).get(f"{URL}sample_notice/")
    assert detail.status_code == 200
    assert "采购公告" in detail.data["source"]  # the default, before any edit
    assert (detail.data["version"], detail.data["history"]) == (None, [])

    first = api(staff).post(f"{URL}sample_notice/", {"source": GOOD}, format="json")
    assert first.status_code == 201, first.data
    assert (first.data["version"], first.data["source"]) == (1, GOOD)
    second = api(staff).post(
        f"{URL}sample_notice/", {"source": GOOD.replace("修订", "第二版")}, format="json"
    )
    assert second.status_code == 201 and second.data["version"] == 2
    assert [h["version"] for h in second.data["history"]] == [2, 1]
    assert second.data["history"][0]["created_by"] == staff.pk

    stored = DocumentTemplate.objects.filter(key="sample_notice", bureau=city).order_by("version")
    assert [(t.version, t.created_by_id) for t in stored] == [(1, staff.pk), (2, staff.pk)]
    assert stored[0].source == GOOD  # the first version is kept as it was
    assert "第二版" in template_source(key="sample_notice", bureau=county)

    # The county reads the city's text until it saves its own.
    inherited = api(county_staff).get(f"{URL}sample_notice/")
    assert "第二版" in inherited.data["source"] and inherited.data["version"] is None
    assert {r["key"]: r["versions"] for r in api(staff).get(URL).data}["sample_notice"] == 2


def test_a_broken_template_is_a_400_with_the_message_and_saves_nothing(sample_kind):  # noqa: F811
    staff = BureauStaffFactory()
    for broken in ("{{ nope }}", "{% if %}", "<p>{{ bureau.__class__ }}</p>"):
        refused = api(staff).post(f"{URL}sample_notice/", {"source": broken}, format="json")
        assert refused.status_code == 400, (broken, refused.data)
        assert refused.data["source"] and all(refused.data["source"]), broken
    assert api(staff).post(f"{URL}sample_notice/", {}, format="json").status_code == 400
    assert not DocumentTemplate.objects.exists()
    assert (
        api(staff).post(f"{URL}no-such-kind/", {"source": GOOD}, format="json").status_code == 404
    )
    assert api(staff).get(f"{URL}no-such-kind/").status_code == 404


def test_other_roles_are_refused(sample_kind):  # noqa: F811
    for outsider in (
        BureauFinanceFactory(),
        NgoUserFactory(),
        ExpertFactory(),
        AssessorFactory(),
        AuditorFactory(),
    ):
        for answer in (
            api(outsider).get(URL),
            api(outsider).get(f"{URL}sample_notice/"),
            api(outsider).post(f"{URL}sample_notice/", {"source": GOOD}, format="json"),
        ):
            assert answer.status_code == 403 and answer.data["detail"], outsider.role
    assert api().get(URL).status_code in (401, 403)
    assert api().post(f"{URL}sample_notice/", {"source": GOOD}, format="json").status_code in (
        401,
        403,
    )
    assert not DocumentTemplate.objects.exists()


def test_a_retried_save_with_the_same_idempotency_key_saves_one_version(sample_kind):  # noqa: F811
    staff = BureauStaffFactory()
    client = api(staff)
    sent = [
        client.post(
            f"{URL}sample_notice/", {"source": GOOD}, format="json", HTTP_IDEMPOTENCY_KEY="k-1"
        )
        for _ in range(2)
    ]
    assert [r.status_code for r in sent] == [201, 201]
    assert sent[1]["Idempotent-Replayed"] == "true" and sent[1].data == sent[0].data
    assert DocumentTemplate.objects.filter(bureau=staff.organization).count() == 1


def test_preview_renders_the_text_being_edited_and_saves_nothing(sample_kind):  # noqa: F811
    staff = BureauStaffFactory(organization=BureauFactory(name="潜江市民政局"))
    url = f"{URL}sample_notice/preview/"
    shown = api(staff).post(url, {"source": GOOD}, format="json")
    assert shown.status_code == 200 and shown["Content-Type"] == "application/pdf"
    assert "公告（修订）" in pdf_text(shown.content)
    assert not DocumentTemplate.objects.exists()

    broken = api(staff).post(url, {"source": "{{ nope }}"}, format="json")
    assert broken.status_code == 400 and broken.data["source"]
    assert api(AuditorFactory()).post(url, {"source": GOOD}, format="json").status_code == 403
    assert api(staff).post(f"{URL}no_such_kind/preview/", {"source": GOOD}).status_code == 404
