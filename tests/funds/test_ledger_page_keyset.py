"""The ledger page pages by sequence (?after= / ?before=) and takes the whole book's totals from
the head's running totals: the same number of queries, and no COUNT or SUM over the book, at 10
entries as at 300, on the first page as deep in the book."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from funds.ledger import ledger_post, ledger_totals_rebuild
from funds.models import LedgerEntry, LedgerHead
from funds.selectors import ledger_totals
from tests.factories.accounts import AuditorFactory
from tests.factories.funds import MilestoneFactory

pytestmark = pytest.mark.django_db

KINDS = ["budget_appropriated", "disbursement_requested", "withheld"]


def _post(project, start: int, end: int) -> None:
    for i in range(start, end):
        ledger_post(
            kind=KINDS[i % len(KINDS)],
            amount=Decimal(i) + Decimal("0.25"),
            project=project,
            memo=f"第{i}笔",
        )


def _seqs(response) -> list[int]:
    return [int(s) for s in re.findall(r"<tr><td>(\d+)</td>", response.content.decode())]


def _pager(response) -> str:
    return re.search(r'<div class="pagination">(.*?)</div>', response.content.decode()).group(1)


def _page(client, **params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("funds:ledger"), params)
    assert response.status_code == 200
    return response, [q["sql"] for q in queries.captured_queries]


def _book_scans(sqls: list[str]) -> list[str]:
    return [
        sql for sql in sqls if "funds_ledgerentry" in sql and re.search(r"\b(COUNT|SUM)\(", sql)
    ]


def test_deep_pages_cost_what_the_first_costs(login):
    project = MilestoneFactory().contract.project
    client = login(AuditorFactory())
    _post(project, 1, 11)
    client.get(reverse("funds:ledger"))  # warm the session and caches
    small, small_sqls = _page(client)
    assert _seqs(small) == list(range(1, 11))
    assert _pager(small) == ""
    assert not _book_scans(small_sqls)

    _post(project, 11, 301)
    first, first_sqls = _page(client)
    deep, deep_sqls = _page(client, after=250)
    assert len(first_sqls) == len(deep_sqls) == len(small_sqls)
    assert not _book_scans(first_sqls) and not _book_scans(deep_sqls)
    assert _seqs(first) == list(range(1, 51))
    assert _pager(first) == '<a href="?after=50">下一页</a>'
    assert _seqs(deep) == list(range(251, 301))
    assert _pager(deep) == '<a href="?before=251">上一页</a> '
    earlier, _sqls = _page(client, before=251)
    assert _seqs(earlier) == list(range(201, 251))
    assert "before=201" in _pager(earlier) and "after=250" in _pager(earlier)

    # The running totals say what summing the book says, kind by kind.
    shown = first.context["totals"]
    assert shown == ledger_totals(LedgerEntry.objects.all())
    assert dict(shown)["预算下达"] == sum(
        (Decimal(i) + Decimal("0.25") for i in range(1, 301) if i % 3 == 0), Decimal(0)
    )


def test_a_filtered_page_sums_its_own_scope(login):
    project = MilestoneFactory().contract.project
    other = MilestoneFactory().contract.project
    client = login(AuditorFactory())
    _post(project, 1, 61)
    _post(other, 61, 64)
    response, _sqls = _page(client, project=other.pk)
    assert _seqs(response) == [61, 62, 63]
    assert response.context["totals"] == ledger_totals(LedgerEntry.objects.filter(project=other))
    # The pager keeps the filter.
    paged, _sqls = _page(client, project=project.pk)
    assert f"project={project.pk}&amp;after=50" in _pager(paged)


def test_a_head_moved_without_its_totals_is_summed_until_rebuilt(login):
    project = MilestoneFactory().contract.project
    client = login(AuditorFactory())
    _post(project, 1, 6)
    head = LedgerHead.objects.get()
    # A bulk load moves the head and leaves the running totals behind.
    LedgerHead.objects.filter(pk=1).update(totals={}, totals_seq=head.seq - 1)
    response, sqls = _page(client)
    assert response.context["totals"] == ledger_totals(LedgerEntry.objects.all())
    assert _book_scans(sqls)
    ledger_totals_rebuild()
    _post(project, 6, 8)
    response, sqls = _page(client)
    assert not _book_scans(sqls)
    assert response.context["totals"] == ledger_totals(LedgerEntry.objects.all())


def test_the_api_list_pages_by_sequence_too():
    from rest_framework.test import APIClient

    project = MilestoneFactory().contract.project
    client = APIClient()
    client.force_authenticate(AuditorFactory())
    _post(project, 1, 11)
    client.get("/api/v1/ledger/")
    with CaptureQueriesContext(connection) as small:
        first = client.get("/api/v1/ledger/").json()
    assert [e["seq"] for e in first["results"]] == list(range(1, 11))
    assert first["next"] is None and first["previous"] is None and "count" not in first

    _post(project, 11, 301)
    with CaptureQueriesContext(connection) as top:
        first = client.get("/api/v1/ledger/").json()
    assert [e["seq"] for e in first["results"]] == list(range(1, 51))
    assert first["next"].endswith("/api/v1/ledger/?after=50")
    with CaptureQueriesContext(connection) as deep:
        last = client.get("/api/v1/ledger/", {"after": 250, "kind": "withheld"}).json()
    assert [e["seq"] for e in last["results"]] == [i for i in range(251, 301) if i % 3 == 2]
    assert last["next"] is None and "before=251" in last["previous"]
    assert len(small.captured_queries) == len(top.captured_queries) == len(deep.captured_queries)
