from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client

from tests.factories.accounts import PASSWORD


@pytest.fixture(autouse=True)
def _fast_settings(settings, tmp_path):
    # Each test anchors the ledger head in its own file, never in the checkout's var/.
    settings.LEDGER_ANCHOR_FILE = tmp_path / "ledger-anchors.jsonl"
    # Argon2 is deliberately slow; tests that check hashing ask for it themselves.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.DEMO_MODE = True
    # Test clients log in without a request object, which lockout tracking needs;
    # tests/accounts/test_login_lockout.py turns it back on.
    settings.AXES_ENABLED = False
    # API throttle counts live in the cache; each test starts with none.
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _fresh_holiday_calendar():
    # core.workdays caches recorded holiday arrangements; a rolled-back test must not leak one.
    from core.workdays import forget_arrangements

    forget_arrangements()
    yield
    forget_arrangements()


@pytest.fixture(scope="session", autouse=True)
def _media_outside_the_checkout(tmp_path_factory):
    """Files written outside a test's own `settings` (module-scoped demos publish their open-data
    files to storage) go to this session's directory, one per test worker, never to media/."""
    from django.test.utils import override_settings

    override = override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media"))
    override.enable()
    yield
    override.disable()


@pytest.fixture(scope="session", autouse=True)
def _demo_records_test_calendars():
    """Every load_demo run inside the tests (module-scoped demo fixtures included) records the
    TEST-ONLY arrangement for uncovered years first; subprocesses do it themselves."""
    from django.conf import settings

    loader = "tests.calendars.demo_loader"
    if loader not in settings.SANSHE_DEMO_LOADERS:
        settings.SANSHE_DEMO_LOADERS = [loader, *settings.SANSHE_DEMO_LOADERS]
    yield


@pytest.fixture
def calendar_ahead(db):
    """Tests that act today and set working-day deadlines: the years ahead that the official
    calendar does not cover yet get a clearly labelled TEST-ONLY arrangement (tests/calendars.py)
    so the test does not depend on the day it runs."""
    from tests.calendars import record_test_only_calendars

    return record_test_only_calendars()


@pytest.fixture
def media(settings, tmp_path):
    """This test's uploads and job files in its own directory, read back by the test; a file
    of tests that all write some says `pytestmark = [..., pytest.mark.usefixtures("media")]`."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def login():
    """Return a logged-in test client for a user."""

    def _login(user) -> Client:
        client = Client()
        assert client.login(username=user.username, password=PASSWORD)
        return client

    return _login


def pytest_collection_modifyitems(config, items):
    skip = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL=postgres://...)")
    if connection.vendor != "postgresql":
        for item in items:
            if "postgres" in item.keywords:
                item.add_marker(skip)
