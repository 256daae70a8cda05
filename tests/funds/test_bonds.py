"""Bonds through the API: finance records a performance bond received and returned, each event
posting its balanced line (银行存款 ↔ 应付保证金) linked to the bond; only the purchasing bureau's
finance may record or return one (anyone else: 403 with the rule's reason, as core.api maps a
permission refusal); an amount above what the contract asks, or a date in the future, is
refused (400); a bond already returned is a state conflict (409); once returned, the bond
account of the contract is back at zero."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from core.models import TransitionLog
from funds.books import trial_balance
from funds.ledger import ledger_verify
from funds.models import Account, Bond, BondState, LedgerEntry
from procurement.models import Contract

pytestmark = pytest.mark.django_db


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _bond_balance(contract) -> Decimal:
    book = trial_balance(LedgerEntry.objects.filter(contract=contract))
    return next(
        (line.balance for line in book.lines if line.account == Account.BONDS_PAYABLE), Decimal("0")
    )


def test_performance_bond_received_and_returned_through_the_ledger(money):
    contract = money["contract"]
    Contract.objects.filter(pk=contract.pk).update(performance_bond=Decimal("23900.00"))
    body = {
        "kind": "performance",
        "contract": contract.pk,
        "payer": contract.supplier_id,
        "amount": "23900.00",
        "received_on": str(timezone.localdate()),
    }

    refused = _client(money["staff"]).post("/api/v1/bonds/", body, format="json")
    # Who may act is a permission: 403 with the rule's reason (only the bureau's finance).
    assert refused.status_code == 403 and "财务" in refused.json()["detail"], refused.content
    too_much = _client(money["finance"]).post(
        "/api/v1/bonds/", {**body, "amount": "23900.01"}, format="json"
    )
    assert too_much.status_code == 400, too_much.content
    future = _client(money["finance"]).post(
        "/api/v1/bonds/",
        {**body, "received_on": str(timezone.localdate() + dt.timedelta(days=1))},
        format="json",
    )
    assert future.status_code == 400, future.content
    assert not Bond.objects.exists() and not LedgerEntry.objects.filter(bond__isnull=False).exists()

    created = _client(money["finance"]).post("/api/v1/bonds/", body, format="json")
    assert created.status_code == 201, created.content
    bond = Bond.objects.get(pk=created.json()["id"])
    assert bond.state == BondState.RECEIVED
    line = LedgerEntry.objects.get(bond=bond)
    assert (line.debit, line.credit, line.amount) == (
        Account.BANK,
        Account.BONDS_PAYABLE,
        Decimal("23900.00"),
    )
    assert _bond_balance(contract) == Decimal("-23900.00")

    not_finance = _client(money["staff"]).post(
        f"/api/v1/bonds/{bond.pk}/return/",
        {"returned_on": str(timezone.localdate())},
        format="json",
    )
    assert not_finance.status_code == 403 and "财务" in not_finance.json()["detail"]
    returned = _client(money["finance"]).post(
        f"/api/v1/bonds/{bond.pk}/return/",
        {"returned_on": str(timezone.localdate())},
        format="json",
    )
    assert returned.status_code == 200, returned.content
    bond.refresh_from_db()
    assert bond.state == BondState.RETURNED
    lines = list(LedgerEntry.objects.filter(bond=bond).order_by("seq"))
    assert [(e.debit, e.credit, e.amount) for e in lines] == [
        (Account.BANK, Account.BONDS_PAYABLE, Decimal("23900.00")),
        (Account.BONDS_PAYABLE, Account.BANK, Decimal("23900.00")),
    ]
    assert _bond_balance(contract) == Decimal("0")
    assert TransitionLog.objects.filter(
        object_id=str(bond.pk), transition="return_to_payer"
    ).exists()

    again = _client(money["finance"]).post(
        f"/api/v1/bonds/{bond.pk}/return/",
        {"returned_on": str(timezone.localdate())},
        format="json",
    )
    # Finance may return bonds; this one is no longer held: the state forbids it (409).
    assert again.status_code == 409, again.content
    assert LedgerEntry.objects.filter(bond=bond).count() == 2
    assert ledger_verify().ok
