"""The register list costs a fixed number of queries, searches by village and category, counts by category."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories.beneficiaries import BeneficiaryFactory

pytestmark = pytest.mark.django_db


def test_the_same_number_of_queries_for_3_or_60_files(register, login, django_assert_num_queries):
    client = login(register.staff)
    url = reverse("beneficiaries:list")
    client.get(url)  # warm the session and content-type caches
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for category in ("left_behind_child", "child_in_difficulty", "guardian"):
        BeneficiaryFactory.create_batch(
            19, organization=register.ngo, contract=register.contract, category=category
        )
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200
    assert len(re.findall(r"/beneficiaries/\d+/edit/", response.content.decode())) == 50


def test_counts_by_category_cover_the_whole_register_not_just_the_page(register, login):
    BeneficiaryFactory.create_batch(55, organization=register.ngo, village="熊口镇赵脑村")
    response = login(register.staff).get(reverse("beneficiaries:list"))
    counts = {row["label"]: row["count"] for row in response.context["counts"]}
    assert counts == {"留守儿童": 57, "留守老人": 1}
    page = response.context["page"]
    assert len(page.object_list) == 50 and page.paginator.count == 58
    second = login(register.staff).get(reverse("beneficiaries:list"), {"page": 2})
    assert len(second.context["page"].object_list) == 8


def test_search_by_village_and_by_category(register, login):
    client = login(register.staff)
    by_village = client.get(reverse("beneficiaries:list"), {"village": "新桥"})
    assert {b.name for b in by_village.context["page"]} == {"彭浩然", "彭德茂"}
    assert {r["label"]: r["count"] for r in by_village.context["counts"]} == {
        "留守儿童": 1,
        "留守老人": 1,
    }
    by_category = client.get(
        reverse("beneficiaries:list"), {"village": "新桥", "category": "left_behind_elder"}
    )
    assert [b.name for b in by_category.context["page"]] == ["彭德茂"]
    odd = client.get(reverse("beneficiaries:list"), {"category": "no-such", "page": "x"})
    assert odd.status_code == 200  # a bad filter is ignored, never a 500


def test_the_page_is_not_cached(register, login):
    response = login(register.staff).get(reverse("beneficiaries:list"))
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
