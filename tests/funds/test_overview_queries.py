"""The funds overview costs the same number of queries for 2 or 12 contracts with amendments,
and shows each contract at its amended amount."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from procurement.models import ContractAmendment
from tests.factories.accounts import AuditorFactory
from tests.factories.procurement import ContractFactory

pytestmark = pytest.mark.django_db


def _amended_contracts(n: int, auditor) -> None:
    for _ in range(n):
        contract = ContractFactory(amount=Decimal("400000.00"))
        for version, amount in ((1, "420000.00"), (2, "440000.00")):
            ContractAmendment.objects.create(
                contract=contract,
                version=version,
                amount=Decimal(amount),
                end_date=contract.end_date,
                reason="服务人数增加",
                diff="金额",
                created_by=auditor,
            )


def test_overview_queries_do_not_grow_with_contracts(login, django_assert_num_queries):
    auditor = AuditorFactory()
    client = login(auditor)
    _amended_contracts(2, auditor)
    client.get(reverse("funds:overview"))  # warm the session and content-type caches
    with CaptureQueriesContext(connection) as few:
        first = client.get(reverse("funds:overview"))
    assert first.status_code == 200
    _amended_contracts(10, auditor)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(reverse("funds:overview"))
    body = response.content.decode()
    # Twelve contracts at their second amendment's amount: ¥5,280,000.00 contracted in all.
    assert "¥5,280,000.00" in body


def test_contracted_total_mixes_amended_and_unamended_contracts(login):
    auditor = AuditorFactory()
    _amended_contracts(2, auditor)  # 2 × ¥440,000.00 after their second amendment
    for amount in ("100000.00", "250000.50"):
        ContractFactory(amount=Decimal(amount))
    body = login(auditor).get(reverse("funds:overview")).content.decode()
    # 880,000.00 + 100,000.00 + 250,000.50
    assert "¥1,230,000.50" in body
    # Each project's row: an amended contract at its latest amendment, the others as signed.
    assert body.count("¥440,000.00") == 2
    assert "¥400,000.00" not in body and "¥420,000.00" not in body
    assert "¥250,000.50" in body and "¥100,000.00" in body
