"""The project list and home page cost the same number of queries for 3 or 30 projects."""

import pytest
from django.urls import reverse

from tests.factories.accounts import AuditorFactory, BureauStaffFactory
from tests.factories.projects import ServiceProjectFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url_name", ["projects:list", "home"])
def test_constant_queries(login, django_assert_num_queries, url_name):
    staff = BureauStaffFactory()
    client = login(staff)
    ServiceProjectFactory.create_batch(3, bureau=staff.organization)
    client.get(reverse(url_name))  # warm the session and content-type caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(reverse(url_name))
    ServiceProjectFactory.create_batch(27, bureau=staff.organization)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(reverse(url_name))
    assert response.status_code == 200


def test_list_shows_money_and_beneficiaries(login):
    project = ServiceProjectFactory(groups=[("left_behind_child", 800), ("guardian", 300)])
    body = login(AuditorFactory()).get(reverse("projects:list")).content.decode()
    assert project.title in body
    assert "¥500,000.00" in body
    assert ">1100<" in body


@pytest.mark.parametrize("year", ["0", "99999", "abc", "-1"])
def test_odd_years_are_ignored_not_a_500(login, year):
    response = login(AuditorFactory()).get(reverse("projects:list"), {"year": year})
    assert response.status_code == 200
