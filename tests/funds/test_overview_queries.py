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
