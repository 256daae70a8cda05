"""Production settings pass Django's deployment checklist (secure cookies, HSTS, SSL redirect)
and name a real open-data publication (opendata.system_checks)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OPEN_DATA = {
    "SANSHE_OCDS_BASE_URI": "https://sanshe.example.gov.cn",
    "SANSHE_OCID_PREFIX": "ocds-x7q2lm",
    "SANSHE_OCDS_PUBLISHER_NAME": "潜江市民政局",
    "SANSHE_OCDS_PUBLISHER_UID": "11429005MB1234567X",
}


def _check_deploy(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_check_deploy_is_clean_with_production_settings():
    # The browser tests' async-unsafe switch must not leak into a production check.
    base = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {
        **base,
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "k9-" + "x7Qp2Lm" * 8,
        "DJANGO_ALLOWED_HOSTS": "sanshe.example.gov.cn",
        "DATABASE_URL": "sqlite:///:memory:",
        "SANSHE_STATIC_ROOT": "/srv/sanshe/static",
        "SANSHE_MEDIA_ROOT": "/srv/sanshe/media",
        "SANSHE_LEDGER_ANCHOR_FILE": "/srv/sanshe/anchors/ledger-anchors.jsonl",
    }
    result = _check_deploy({**env, **OPEN_DATA})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_warns_while_open_data_settings_are_the_development_ones():
    base = {
        k: v
        for k, v in os.environ.items()
        if k != "DJANGO_ALLOW_ASYNC_UNSAFE" and not k.startswith(("SANSHE_OCDS_", "SANSHE_OCID_"))
    }
    env = {
        **base,
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "k9-" + "x7Qp2Lm" * 8,
        "DJANGO_ALLOWED_HOSTS": "sanshe.example.gov.cn",
        "DATABASE_URL": "sqlite:///:memory:",
        "SANSHE_STATIC_ROOT": "/srv/sanshe/static",
        "SANSHE_MEDIA_ROOT": "/srv/sanshe/media",
        "SANSHE_LEDGER_ANCHOR_FILE": "/srv/sanshe/anchors/ledger-anchors.jsonl",
    }
    result = _check_deploy(env)
    assert result.returncode != 0
    out = result.stdout + result.stderr
    for code in ("opendata.W001", "opendata.W003", "opendata.W004"):
        assert code in out, out
    assert "http://localhost:8000" in out
    # A licence or policy on a loopback address is refused too; the rest set properly.
    result = _check_deploy(
        {**env, **OPEN_DATA, "SANSHE_OCDS_PUBLICATION_POLICY": "http://127.0.0.1/policy/"}
    )
    out = result.stdout + result.stderr
    assert result.returncode != 0 and "opendata.W002" in out, out
    assert "opendata.W001" not in out and "opendata.W004" not in out


def test_debug_settings_refuse_to_list_demo_logins_in_production():
    env = {
        **os.environ,
        "DJANGO_DEBUG": "false",
        "DATABASE_URL": "sqlite:///:memory:",
        "DJANGO_SECRET_KEY": "k9-" + "x7Qp2Lm" * 8,
        "DJANGO_ALLOWED_HOSTS": "sanshe.example.gov.cn",
        "SANSHE_STATIC_ROOT": "/srv/sanshe/static",
        "SANSHE_MEDIA_ROOT": "/srv/sanshe/media",
        "SANSHE_LEDGER_ANCHOR_FILE": "/srv/sanshe/anchors/ledger-anchors.jsonl",
    }
    code = "from django.conf import settings; print(settings.DEMO_MODE, settings.SESSION_COOKIE_SECURE)"
    result = subprocess.run(  # noqa: S603 - fixed argv
        [
            sys.executable,
            "-c",
            f"import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE','config.settings'); django.setup(); {code}",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.split()[-2:] == ["False", "True"]
