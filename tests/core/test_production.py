"""Production behaviour: settings that refuse to start half-configured, the real client address
behind the proxy for lockout and throttling, and /health/."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from tests.factories.accounts import PASSWORD, BureauStaffFactory

PROD_ENV = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "k9-" + "x7Qp2Lm" * 8,
    "DJANGO_ALLOWED_HOSTS": "sanshe.example.gov.cn",
    "DATABASE_URL": "sqlite:///:memory:",
    "SANSHE_STATIC_ROOT": "/srv/sanshe/static",
    "SANSHE_MEDIA_ROOT": "/srv/sanshe/media",
    # The open-data publication (opendata.system_checks warns while these are left unset).
    "SANSHE_OCDS_BASE_URI": "https://sanshe.example.gov.cn",
    "SANSHE_OCID_PREFIX": "ocds-x7q2lm",
    "SANSHE_OCDS_PUBLISHER_NAME": "潜江市民政局",
    "SANSHE_OCDS_PUBLISHER_UID": "11429005MB1234567X",
    "SANSHE_LEDGER_ANCHOR_FILE": "/srv/sanshe/anchors/ledger-anchors.jsonl",
}


def _django(code: str, env: dict[str, str], tmp_path) -> subprocess.CompletedProcess[str]:
    base = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SANSHE_", "DATABASE_"))
    }
    return subprocess.run(  # noqa: S603 - fixed argv
        [
            sys.executable,
            "-c",
            f"import os, django; os.environ['DJANGO_SETTINGS_MODULE']='config.settings'; django.setup(); {code}",
        ],
        cwd=tmp_path,  # not the checkout: nothing may depend on the working directory
        env={**base, **env},
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize(
    "drop",
    [
        "DJANGO_SECRET_KEY",
        "DJANGO_ALLOWED_HOSTS",
        "DATABASE_URL",
        "SANSHE_STATIC_ROOT",
        "SANSHE_MEDIA_ROOT",
        "SANSHE_LEDGER_ANCHOR_FILE",
    ],
)
def test_production_refuses_to_start_without_a_required_value(drop, tmp_path):
    env = {k: v for k, v in PROD_ENV.items() if k != drop}
    result = _django("print('started')", env, tmp_path)
    assert result.returncode != 0
    assert "started" not in result.stdout
    assert "ImproperlyConfigured" in result.stderr and drop in result.stderr


def test_production_refuses_the_development_key(tmp_path):
    from config.settings import DEV_SECRET_KEY

    result = _django(
        "print('started')", {**PROD_ENV, "DJANGO_SECRET_KEY": DEV_SECRET_KEY}, tmp_path
    )
    assert result.returncode != 0 and "development key" in result.stderr


def test_s3_storage_replaces_the_media_root_and_redis_the_local_cache(tmp_path):
    env = {k: v for k, v in PROD_ENV.items() if k != "SANSHE_MEDIA_ROOT"}
    env |= {
        "SANSHE_S3_BUCKET": "sanshe-files",
        "SANSHE_S3_ENDPOINT_URL": "http://127.0.0.1:9000",
        "SANSHE_CACHE_URL": "redis://127.0.0.1:6379/5",
        "SANSHE_TASKS_REDIS_URL": "redis://127.0.0.1:6379/6",
    }
    code = (
        "from django.conf import settings; from django.core.files.storage import storages;"
        "print(type(storages['default']).__name__, settings.CACHES['default']['BACKEND'],"
        " settings.TASKS['default']['BACKEND'])"
    )
    result = _django(code, env, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "S3Storage",
        "django.core.cache.backends.redis.RedisCache",
        "django_tasks_rq.RQBackend",
    ]


def test_check_deploy_is_clean_from_another_directory(tmp_path):
    result = _django(
        "from django.core.management import call_command; call_command('check', deploy=True, fail_level='WARNING')",
        PROD_ENV,
        tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout + result.stderr


# --- the real client address -----------------------------------------------------------------


@pytest.mark.django_db
def test_lockout_behind_the_proxy_counts_each_client_not_the_proxy(settings):
    settings.AXES_ENABLED = True
    settings.SANSHE_TRUSTED_PROXIES = ["127.0.0.1"]
    user = BureauStaffFactory()
    attacker = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="198.51.100.66")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attacker.post(reverse("login"), {"username": user.username, "password": "wrong"})
    assert (
        attacker.post(
            reverse("login"), {"username": user.username, "password": PASSWORD}
        ).status_code
        == 429
    )
    # The real user, through the same proxy from another address, still logs in.
    owner = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="203.0.113.20")
    response = owner.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    from axes.models import AccessAttempt

    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.66"}


@pytest.mark.django_db
def test_a_client_cannot_pick_its_address_without_a_trusted_proxy(settings):
    settings.AXES_ENABLED = True
    settings.SANSHE_TRUSTED_PROXIES = ["10.0.0.5"]
    user = BureauStaffFactory()
    # Straight to the app server (not via the proxy): the header is a lie and is ignored.
    for n in range(settings.AXES_FAILURE_LIMIT):
        Client(REMOTE_ADDR="198.51.100.66", HTTP_X_REAL_IP=f"203.0.113.{n}").post(
            reverse("login"), {"username": user.username, "password": "wrong"}
        )
    from axes.models import AccessAttempt

    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.66"}


@pytest.mark.django_db
def test_api_throttle_is_set_and_keyed_by_the_real_client(settings, monkeypatch):
    from rest_framework.throttling import AnonRateThrottle

    settings.SANSHE_TRUSTED_PROXIES = ["127.0.0.1"]
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "3/min", "user": "600/min"})
    url = "/api/v1/auth/token/"
    wrong = {"username": "nobody", "password": "wrong"}
    a = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="198.51.100.1")
    codes = [a.post(url, wrong).status_code for _ in range(4)]
    assert codes[-1] == 429 and 429 not in codes[:3], codes
    b = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="198.51.100.2")
    assert b.post(url, wrong).status_code == 400


# --- /health/ --------------------------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.mark.django_db
def test_health_reports_the_worker_down_until_it_runs_a_heartbeat(media):
    response = Client().get("/health/")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail"
    assert all(body["checks"][k]["ok"] for k in ("database", "cache", "storage"))
    assert not body["checks"]["worker"]["ok"]
    assert "tick" in body["checks"]["worker"]["error"]

    from django.utils import timezone

    from core.tasks import worker_heartbeat

    worker_heartbeat.call(timezone.now().isoformat())  # what the worker does with tick's task
    ok = Client().get("/health/")
    assert ok.status_code == 200, ok.json()
    assert ok.json()["status"] == "ok"


@pytest.mark.django_db
def test_health_names_a_broken_cache(media, monkeypatch):
    from django.utils import timezone

    from core.tasks import worker_heartbeat

    worker_heartbeat.call(timezone.now().isoformat())
    monkeypatch.setattr(cache, "get", lambda *a, **k: None)
    body = Client().get("/health/").json()
    assert body["status"] == "fail"
    assert not body["checks"]["cache"]["ok"] and body["checks"]["database"]["ok"]
