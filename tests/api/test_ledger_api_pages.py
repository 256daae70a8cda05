"""The API's ledger list pages by cursor in chain order: following `next` gives every entry once,
and no page counts the whole ledger or skips rows with OFFSET (deep pages cost what the first
does)."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from funds.ledger import ledger_post
from funds.models import LedgerKind
from tests.factories.accounts import AuditorFactory
from tests.factories.projects import ServiceProjectFactory

pytestmark = pytest.mark.django_db


def test_ledger_api_walks_every_entry_by_cursor():
    project = ServiceProjectFactory()
    for n in range(1, 121):
        ledger_post(kind=LedgerKind.BUDGET_APPROPRIATED, amount=Decimal(n), project=project)
    client = APIClient()
    client.force_authenticate(AuditorFactory())

    seen, url, pages = [], "/api/v1/ledger/", []
    while url:
        with CaptureQueriesContext(connection) as ctx:
            body = client.get(url).json()
        pages.append([q["sql"] for q in ctx.captured_queries])
        seen += [entry["seq"] for entry in body["results"]]
        url = body["next"]

    assert seen == list(range(1, 121))
    assert len(pages) == 3
    assert len({len(sql) for sql in pages}) == 1
    ledger_sql = [s for sql in pages for s in sql if "funds_ledgerentry" in s]
    assert not any("COUNT(" in s or "OFFSET" in s for s in ledger_sql)
