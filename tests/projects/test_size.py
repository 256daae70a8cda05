"""With 10,000 projects and 100,000 service records the list and dashboard pages still cost a
fixed number of queries (their speed under load is measured in benchmarks/load_pages.py)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from benchmarks.seed import seed_projects
from funds.models import ServiceRecord
from tests.factories.accounts import AuditorFactory, BureauStaffFactory
from tests.factories.procurement import ContractFactory
from tests.factories.projects import ServiceProjectFactory

pytestmark = pytest.mark.django_db


def _queries(client, url):
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_query_counts_do_not_grow_with_data(login):
    auditor = login(AuditorFactory())
    staff_user = BureauStaffFactory()
    staff = login(staff_user)
    ServiceProjectFactory(bureau=staff_user.organization)
    pages = [
        reverse("projects:list"),
        reverse("home"),
        reverse("procurement:tender_list"),
        reverse("funds:payments"),
    ]
    small = {url: _queries(auditor, url) for url in pages} | {
        "staff": _queries(staff, reverse("home"))
    }

    seed_projects(10_000)
    contract = ContractFactory()
    start = dt.date(2026, 1, 1)
    ServiceRecord.objects.bulk_create(
        (
            ServiceRecord(
                contract=contract,
                date=start + dt.timedelta(days=i % 300),
                place="三桥村",
                service_type="case",
                beneficiary_category="left_behind_child",
                beneficiary_count=1,
                hours=Decimal("1.5"),
                social_worker="李社工",
            )
            for i in range(100_000)
        ),
        batch_size=10_000,
    )
    large = {url: _queries(auditor, url) for url in pages} | {
        "staff": _queries(staff, reverse("home"))
    }
    assert large == small
    records = reverse("funds:service_records", args=[contract.pk])
    assert _queries(auditor, records) <= 15
