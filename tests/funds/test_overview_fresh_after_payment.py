"""The funds overview's ledger sums are cached, but a payment posted after a view shows on the
very next view (the cache is keyed by the ledger head, which every entry moves)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from funds.ledger import ledger_post
from funds.models import LedgerKind
from tests.factories.accounts import AuditorFactory
from tests.factories.procurement import ContractFactory

pytestmark = pytest.mark.django_db


def test_overview_shows_a_payment_posted_after_the_last_view(login):
    client = login(AuditorFactory())
    contract = ContractFactory(amount=Decimal("480000.00"))
    ledger_post(
        kind=LedgerKind.DISBURSEMENT_PAID,
        amount=Decimal("144000.00"),
        project=contract.project,
        contract=contract,
    )
    before = client.get(reverse("funds:overview")).content.decode()
    assert "¥144,000.00" in before
    assert "¥336,000.00" not in before

    ledger_post(
        kind=LedgerKind.DISBURSEMENT_PAID,
        amount=Decimal("192000.00"),
        project=contract.project,
        contract=contract,
    )
    after = client.get(reverse("funds:overview")).content.decode()
    # 144,000 + 192,000 paid: everywhere the first view showed 144,000 (the project's row, the
    # month's bar and line, the total) now shows 336,000, the cached sums included.
    assert before.count("¥144,000.00") >= 3
    assert after.count("¥336,000.00") == before.count("¥144,000.00")
    assert "¥144,000.00" not in after
