"""Kill the process in the middle of a payment and of an import: after restart nothing is
half-written, the ledger verifies, and the operation can simply be run again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _run(env, *args, check=True):
    return subprocess.run(  # noqa: S603 - our own interpreter and manage.py, fixed arguments
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, check=check
    )


def _shell(env, code):
    return _run(env, "manage.py", "shell", "-c", code).stdout.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    folder = tmp_path_factory.mktemp("crash")
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(
        {
            "DATABASE_URL": f"sqlite:///{folder}/crash.sqlite3",
            "SANSHE_MEDIA_ROOT": str(folder / "media"),
        }
    )
    _run(env, "manage.py", "migrate", "-v0")
    _run(env, "manage.py", "load_demo")
    return env


def test_killed_during_a_payment(env):
    before = _shell(
        env,
        "from funds.models import *; print(LedgerEntry.objects.count(), Disbursement.objects.filter(state='approved').count())",
    )
    crashed = _run(env, "-m", "tests.robustness.crash_worker", "payment", check=False)
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr[-2000:]
    after = _shell(
        env,
        "from funds.models import *; print(LedgerEntry.objects.count(), Disbursement.objects.filter(state='approved').count())",
    )
    assert after == before  # no ledger row, the payment still waits
    assert "ledger OK" in _run(env, "manage.py", "verify_ledger").stdout
    retried = _shell(
        env,
        "from funds.models import *; from funds import services; from accounts.models import User; "
        "from django.utils import timezone; d = Disbursement.objects.get(state='approved'); "
        "services.disbursement_pay(disbursement=d, actor=User.objects.get(username='qj_finance'), voucher_number='RETRY-1', paid_on=timezone.localdate()); "
        "print(Disbursement.objects.get(pk=d.pk).state, d.milestone.__class__.objects.get(pk=d.milestone_id).state)",
    )
    assert retried == "paid paid"
    assert "ledger OK" in _run(env, "manage.py", "verify_ledger").stdout


def test_killed_during_an_import(env):
    count = "from funds.models import ServiceRecord; print(ServiceRecord.objects.count())"
    before = _shell(env, count)
    crashed = _run(env, "-m", "tests.robustness.crash_worker", "import", check=False)
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr[-2000:]
    assert _shell(env, count) == before  # the 2,000 rows written before the kill are gone
