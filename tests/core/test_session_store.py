"""Sessions are read from the shared cache when there is one (no query per page), never from a
per-process cache, where a session logged out in one worker would live on in another."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.sessions.backends.cached_db import SessionStore
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories.accounts import BureauStaffFactory

ROOT = Path(__file__).resolve().parents[2]


def _session_engine(**env: str) -> str:
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.SESSION_ENGINE)"
    )
    base = {k: v for k, v in os.environ.items() if not k.startswith("SANSHE_")}
    result = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**base, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip().splitlines()[-1]


def test_the_session_store_follows_the_cache():
    assert _session_engine(SANSHE_CACHE_URL="redis://127.0.0.1:6379/9") == (
        "django.contrib.sessions.backends.cached_db"
    )
    assert _session_engine() == "django.contrib.sessions.backends.db"


@pytest.mark.django_db
def test_with_the_cached_store_a_page_reads_no_session_row_and_logout_ends_it(client, settings):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    user = BureauStaffFactory()
    client.force_login(user)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("home")).status_code == 200
    assert not [q for q in queries.captured_queries if "django_session" in q["sql"]]

    client.post(reverse("logout"))
    # Gone from the cache and from the database: the old cookie no longer opens a page.
    assert not SessionStore().exists(key)
    assert caches[settings.SESSION_CACHE_ALIAS].get(SessionStore.cache_key_prefix + key) is None
    client.cookies[settings.SESSION_COOKIE_NAME] = key
    assert client.get(reverse("home")).status_code == 302
