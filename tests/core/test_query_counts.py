"""Every role's main pages and every API list cost the same number of queries with 15 projects
as with 60, each through its whole lifecycle (benchmarks.generate: tenders with three bids,
contracts, milestones, disbursements, service records, the ledger, confirmed evaluations with
their sheets and results; here also a commissioned evaluation for each contract still without
one, so the lists hold evaluations in more than one state).

The pages are the load benchmark's page mix (benchmarks.load_pages.ROLES), so what is timed
there is what is counted here, with every API list for six roles and the deep ledger pages
(`?after=` near the end). The pages and the counting are benchmarks.query_counts', which holds
the same counts equal on the generator's two sizes (100 projects and 10,000 ledger entries
against 10,006 and 1,000,000: `python -m benchmarks.query_counts --small URL --large URL`,
result in docs/benchmarks.md)."""

import pytest

from accounts import demo
from accounts.models import Organization, User
from benchmarks.generate import generate
from benchmarks.query_counts import count, expected_status, pages
from procurement.models import Contract
from tests.factories.evaluation import EvaluationFactory, IndicatorSystemFactory

pytestmark = pytest.mark.django_db


def _grow(n: int, start: int) -> None:
    counts = generate("small", projects=n, ledger=0, start=start)
    assert counts["evaluations"] > 0  # the generator's own, confirmed, are among those counted
    system = IndicatorSystemFactory()
    assessors = Organization.objects.get(name="荆楚社会服务绩效评估中心")
    lead = User.objects.get(username="assessor_lead")
    for contract in Contract.objects.filter(evaluations__isnull=True).select_related("project"):
        EvaluationFactory(
            contract=contract,
            project=contract.project,
            assessor_org=assessors,
            lead=lead,
            system=system,
        )


def test_pages_and_api_lists_cost_the_same_queries_at_15_and_60_projects():
    demo.load({})
    # 15: a draft, an approved and a tendering project, then one contracted project in each of
    # the twelve demo bureaus, so no list is empty at the smaller size (an empty page skips its
    # prefetches and would look cheaper than it is).
    _grow(15, start=0)
    small = count(pages())
    _grow(45, start=15)
    # Asked again: the deep pages start near the end of the grown ledger.
    large = count(pages())

    failing = {
        f"{role} {path}": status
        for (role, path), (status, _q, _w) in large.items()
        if status != expected_status(role, path)
    }
    assert failing == {}, f"pages that do not answer as they should (200, or 403): {failing}"
    writing = [page for page, (_s, _q, writes) in [*small.items(), *large.items()] if writes]
    assert writing == [], f"pages that write to the database on GET: {writing}"
    grown = {
        f"{role} {path}": f"{small[(role, path)][1]} → {queries} queries"
        for (role, path), (_status, queries, _w) in large.items()
        if small[(role, path)] != large[(role, path)]
    }
    assert grown == {}, f"query counts that grow from 15 to 60 projects: {grown}"
