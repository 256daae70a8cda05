"""On PostgreSQL, 20 simultaneous approvals or payments of one milestone: exactly one succeeds."""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from core.fsm import ActionRefusedError
from funds import services
from funds.ledger import ledger_verify
from funds.models import Disbursement, LedgerEntry
from tests.factories.accounts import BureauFinanceFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _race(n, work):
    barrier = threading.Barrier(n)
    outcomes = []
    lock = threading.Lock()

    def run(i):
        try:
            barrier.wait()
            work(i)
            result = "ok"
        except (ActionRefusedError, Exception) as exc:
            result = type(exc).__name__
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


def _requested(money):
    from funds.services import acceptance_record

    a = money["advance"]
    acceptance_record(milestone=a, actor=money["staff"], passed=True, checklist={"all": True})
    return services.disbursement_request(milestone=a, actor=money["staff"])


def test_twenty_simultaneous_approvals(money):
    d = _requested(money)
    approvers = [BureauFinanceFactory(organization=money["bureau"]) for _ in range(20)]
    outcomes = _race(
        20,
        lambda i: services.disbursement_approve(
            disbursement=Disbursement.objects.get(pk=d.pk), actor=approvers[i]
        ),
    )
    assert outcomes.count("ok") == 1
    assert LedgerEntry.objects.filter(kind="disbursement_approved").count() == 1


def test_twenty_simultaneous_payments(money):
    d = _requested(money)
    services.disbursement_approve(disbursement=d, actor=money["finance"])
    payers = [BureauFinanceFactory(organization=money["bureau"]) for _ in range(20)]
    outcomes = _race(
        20,
        lambda i: services.disbursement_pay(
            disbursement=Disbursement.objects.get(pk=d.pk),
            actor=payers[i],
            voucher_number=f"V-{i}",
            paid_on=d.accepted_on,
        ),
    )
    assert outcomes.count("ok") == 1
    assert LedgerEntry.objects.filter(kind="disbursement_paid").count() == 1
    assert sum(e.amount for e in LedgerEntry.objects.filter(kind="disbursement_paid")) == Decimal(
        "143400.00"
    )
    assert ledger_verify().ok


def test_twenty_simultaneous_requests(money):
    from funds.services import acceptance_record

    a = money["advance"]
    acceptance_record(milestone=a, actor=money["staff"], passed=True, checklist={"all": True})
    outcomes = _race(20, lambda i: services.disbursement_request(milestone=a, actor=money["staff"]))
    assert outcomes.count("ok") == 1
    assert Disbursement.objects.filter(milestone=a).count() == 1
