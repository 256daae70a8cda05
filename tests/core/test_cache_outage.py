"""With the shared Redis cache unreachable, the pages that keep figures there compute them
afresh and the API answers unthrottled: a Redis outage costs speed, never a page (a 500)."""

import logging

import pytest
from django.urls import reverse

from tests.factories.accounts import AuditorFactory, BureauFinanceFactory, BureauStaffFactory

pytestmark = pytest.mark.django_db

# Nothing listens on port 1: every cache call is refused at once.
DOWN = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
    }
}


@pytest.fixture
def redis_down(settings, caplog):
    settings.CACHES = DOWN
    caplog.set_level(logging.WARNING)
    return caplog


def test_bureau_pages_that_keep_figures_in_the_cache_still_open(login, redis_down):
    staff = BureauStaffFactory()
    finance = BureauFinanceFactory(organization=staff.organization)
    for user, url in (
        (staff, reverse("planning:dashboard")),
        (finance, reverse("funds:overview")),
        (finance, reverse("funds:payments")),
        (finance, reverse("home")),
    ):
        response = login(user).get(url)
        assert response.status_code == 200, url
    assert "cache unreachable: planning-statistics computed afresh" in redis_down.text
    assert "cache unreachable: ledger-by-head computed afresh" in redis_down.text


def test_the_api_answers_unthrottled_and_says_so_in_the_log(login, redis_down):
    client = login(AuditorFactory())
    assert client.get("/api/v1/projects/").status_code == 200
    assert "cache unreachable: API throttle not applied" in redis_down.text
