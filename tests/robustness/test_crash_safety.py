"""Kill the process in the middle of a payment, an import and a transition (project approval,
milestone acceptance): after restart nothing is half-written, the ledger verifies, and the
operation can simply be run again."""

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


def _server(url, sql):
    """Run one statement on the PostgreSQL server of `url` (its maintenance database)."""
    import dj_database_url
    import psycopg

    db = dj_database_url.parse(url)
    with psycopg.connect(
        host=db["HOST"] or None,
        port=db["PORT"] or None,
        user=db["USER"] or None,
        password=db["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    ) as conn:
        conn.execute(sql)


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    folder = tmp_path_factory.mktemp("crash")
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    url = os.environ.get("DATABASE_URL", "")
    database = None
    if url.startswith(("postgres://", "postgresql://")):
        # On PostgreSQL the killed client's open transaction must be rolled back by the server;
        # each run gets its own database beside the test database.
        import dj_database_url

        name = dj_database_url.parse(url)["NAME"]
        database = f"{name}_crash{os.environ.get('PYTEST_XDIST_WORKER', '')}"
        _server(url, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        _server(url, f'CREATE DATABASE "{database}"')
        crash_url = url.split("?")[0].rsplit("/", 1)[0] + f"/{database}"
    else:
        crash_url = f"sqlite:///{folder}/crash.sqlite3"
    env.update({"DATABASE_URL": crash_url, "SANSHE_MEDIA_ROOT": str(folder / "media")})
    _run(env, "manage.py", "migrate", "-v0")
    # The subprocess does not run tests/conftest.py: record the TEST-ONLY calendar for years the
    # official one does not cover yet (tests/calendars.py), as the restore drill does.
    helper = ROOT / "tests" / "calendars.py"
    _run(
        env,
        "manage.py",
        "shell",
        "-c",
        f"exec(open({str(helper)!r}).read()); record_test_only_calendars()",
    )
    _run(env, "manage.py", "load_demo")
    yield env
    if database is not None:
        _server(url, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


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
        "services.disbursement_pay(disbursement=d, actor=User.objects.get(username='qj_cashier'), voucher_number='RETRY-1', paid_on=timezone.localdate()); "
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


PROJECT_STATE = (
    "from projects.models import ServiceProject; from core.models import TransitionLog; "
    "from funds.models import LedgerEntry; p = ServiceProject.objects.get(code='GM202600004'); "
    "print(p.state, TransitionLog.for_object(p).count(), LedgerEntry.objects.count(), "
    "LedgerEntry.objects.filter(project=p).count())"
)


def test_killed_during_a_project_approval(env):
    before = _shell(env, PROJECT_STATE)
    assert before.startswith("draft ")
    crashed = _run(env, "-m", "tests.robustness.crash_worker", "approval", check=False)
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr[-2000:]
    # Still a draft, no transition log row, no budget entry, the chain head where it was.
    assert _shell(env, PROJECT_STATE) == before
    assert "ledger OK" in _run(env, "manage.py", "verify_ledger").stdout
    retried = _shell(
        env,
        "from projects.models import ServiceProject; from projects import services; "
        "from accounts.models import User; p = ServiceProject.objects.get(code='GM202600004'); "
        "services.project_approve(project=p, actor=User.objects.get(username='dy_staff'), note='RETRY'); "
        "print('done')",
    )
    assert retried == "done"
    state, logs, entries, own = _shell(env, PROJECT_STATE).split()
    _, logs_before, entries_before, own_before = before.split()
    assert state == "approved"
    assert int(logs) == int(logs_before) + 1
    assert int(entries) == int(entries_before) + 1 and int(own) == int(own_before) + 1
    assert "ledger OK" in _run(env, "manage.py", "verify_ledger").stdout


MILESTONE_STATE = (
    "from funds.models import Milestone, Acceptance, LedgerEntry; from core.models import TransitionLog; "
    "m = Milestone.objects.get(contract__number='HT-JL-2026-001', sequence=3); "
    "print(m.state, TransitionLog.for_object(m).count(), Acceptance.objects.filter(milestone=m).count(), "
    "LedgerEntry.objects.count())"
)


def test_killed_during_a_milestone_acceptance(env):
    # The NGO's report, and the milestone's gating evaluation confirmed (what the evaluation
    # workflow ends with): all that acceptance asks for.
    _shell(
        env,
        "from decimal import Decimal; from django.utils import timezone; "
        "from accounts.models import User; from evaluation.models import Evaluation; "
        "from funds import services; from funds.models import Milestone; "
        "m = Milestone.objects.get(contract__number='HT-JL-2026-001', sequence=3); "
        "ngo = User.objects.filter(organization=m.contract.supplier, role='ngo').first(); "
        "services.deliverables_submit(milestone=m, actor=ngo, title='终期报告'); "
        "other = Evaluation.objects.filter(contract=m.contract).first(); "
        "Evaluation.objects.create(project=m.contract.project, contract=m.contract, milestone=m, "
        "assessor_org=other.assessor_org, system=other.system, lead=other.lead, state='confirmed', "
        "total_score=Decimal('92.00'), grade='excellent', confirmed_at=timezone.now()); print('ok')",
    )
    before = _shell(env, MILESTONE_STATE)
    assert before.startswith("deliverables_submitted ")
    crashed = _run(env, "-m", "tests.robustness.crash_worker", "acceptance", check=False)
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr[-2000:]
    # Still waiting, no transition log row, no acceptance record, no ledger entry.
    assert _shell(env, MILESTONE_STATE) == before
    assert "ledger OK" in _run(env, "manage.py", "verify_ledger").stdout
    retried = _shell(
        env,
        "from funds.models import Milestone; from funds import services; "
        "from accounts.models import User; "
        "m = Milestone.objects.get(contract__number='HT-JL-2026-001', sequence=3); "
        "services.acceptance_record(milestone=m, actor=User.objects.get(username='jz_staff'), "
        "passed=True, checklist={'deliverables_complete': True}, notes='RETRY'); print('done')",
    )
    assert retried == "done"
    state, logs, acceptances, entries = _shell(env, MILESTONE_STATE).split()
    _, logs_before, _, entries_before = before.split()
    assert (state, acceptances, entries) == ("accepted", "1", entries_before)
    assert int(logs) == int(logs_before) + 1
    assert "ledger OK" in _run(env, "manage.py", "verify_ledger").stdout
