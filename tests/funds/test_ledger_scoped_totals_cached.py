"""A bureau's finance officer sees the ledger totals of the bureau's own projects. Summing that
share of the book is a scan (0.25 s at a million entries), so it is kept under the ledger head:
a second view sums nothing, and an entry posted after a view shows on the very next one."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from funds.ledger import ledger_post
from funds.models import LedgerKind
from tests.factories.accounts import BureauFinanceFactory
from tests.factories.procurement import ContractFactory
from tests.factories.projects import ServiceProjectFactory

pytestmark = pytest.mark.django_db


def _view(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("funds:ledger"))
    assert response.status_code == 200
    sums = [
        q["sql"]
        for q in queries.captured_queries
        if "funds_ledgerentry" in q["sql"] and re.search(r"\bSUM\(", q["sql"])
    ]
    return dict(response.context["totals"]), sums


def test_the_bureau_share_is_summed_once_per_posting(login):
    finance = BureauFinanceFactory()
    mine = ContractFactory(project=ServiceProjectFactory(bureau=finance.organization))
    theirs = ContractFactory()
    for contract, amount in ((mine, "144000.00"), (theirs, "99000.00")):
        ledger_post(
            kind=LedgerKind.DISBURSEMENT_PAID,
            amount=Decimal(amount),
            project=contract.project,
            contract=contract,
        )
    client = login(finance)

    first, first_sums = _view(client)
    assert first == {"资金支付": Decimal("144000.00")}
    assert first_sums
    again, again_sums = _view(client)
    assert again == first
    assert again_sums == []

    ledger_post(
        kind=LedgerKind.DISBURSEMENT_PAID,
        amount=Decimal("192000.00"),
        project=mine.project,
        contract=mine,
    )
    after, after_sums = _view(client)
    assert after == {"资金支付": Decimal("336000.00")}
    assert after_sums

    # Another bureau's posting moves the head too: summed again, the same figures.
    ledger_post(
        kind=LedgerKind.DISBURSEMENT_PAID,
        amount=Decimal("1.00"),
        project=theirs.project,
        contract=theirs,
    )
    assert _view(client)[0] == after


def test_the_labels_follow_the_reader_language(login):
    finance = BureauFinanceFactory()
    contract = ContractFactory(project=ServiceProjectFactory(bureau=finance.organization))
    ledger_post(
        kind=LedgerKind.DISBURSEMENT_PAID,
        amount=Decimal("10.00"),
        project=contract.project,
        contract=contract,
    )
    client = login(finance)
    assert _view(client)[0] == {"资金支付": Decimal("10.00")}
    english = client.get(reverse("funds:ledger"), HTTP_ACCEPT_LANGUAGE="en")
    assert dict(english.context["totals"]) == {"Disbursement paid": Decimal("10.00")}
