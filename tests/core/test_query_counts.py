"""Every role's main pages and every API list cost the same number of queries with 15 projects
as with 60, each through its whole lifecycle (benchmarks.generate: tenders with three bids,
contracts, milestones, disbursements, service records, the ledger, confirmed evaluations with
their sheets and results; here also a commissioned evaluation for each contract still without
one, so the lists hold evaluations in more than one state).

The pages are the load benchmark's page mix (benchmarks.load_pages.ROLES), so what is timed
there is what is counted here."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts import demo
from accounts.models import Organization, User
from benchmarks.generate import generate
from benchmarks.load_pages import ROLES
from procurement.models import Contract
from projects.models import ServiceProject
from tests.factories.evaluation import EvaluationFactory, IndicatorSystemFactory

pytestmark = pytest.mark.django_db

API_LISTS = [
    "projects",
    "tenders",
    "bids",
    "clarifications",
    "objections",
    "contracts",
    "bonds",
    "procurement-intents",
    "evaluations",
    "assessor-ties",
    "indicator-systems",
    "milestones",
    "disbursements",
    "service-records",
    "ledger",
    "exports",
    "social-workers",
    "volunteer-services",
    "planning/plans",
    "planning/budget-lines",
    "planning/catalogue",
    "planning/reports",
    "document-templates",
]
API_ROLES = ["jz_staff", "jz_finance", "aixin", "assessor_lead", "expert1", "auditor"]


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


def _pages() -> list[tuple[str, str]]:
    staff = User.objects.get(username="jz_staff")
    project = (
        ServiceProject.objects.filter(bureau__path__startswith=staff.organization.path)
        .order_by("pk")
        .first()
    )
    pages = [
        (role, path.format(project=project.pk))
        for role, role_pages in ROLES.items()
        for _label, path in role_pages
    ]
    pages += [(role, f"/api/v1/{name}/") for role in API_ROLES for name in API_LISTS]
    return pages


def _count(pages: list[tuple[str, str]]) -> dict[tuple[str, str], tuple[int, int]]:
    """(role, path) → (status, queries), each page asked once before it is counted."""
    clients = {"public": Client()}
    for user in User.objects.filter(username__in={role for role, _ in pages} - {"public"}):
        clients[user.username] = Client()
        clients[user.username].force_login(user)
    counted = {}
    for role, path in pages:
        client = clients[role]
        client.get(path)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(path)
        counted[(role, path)] = (response.status_code, len(ctx.captured_queries))
    return counted


def test_pages_and_api_lists_cost_the_same_queries_at_15_and_60_projects():
    demo.load({})
    # 15: a draft, an approved and a tendering project, then one contracted project in each of
    # the twelve demo bureaus, so no list is empty at the smaller size (an empty page skips its
    # prefetches and would look cheaper than it is).
    _grow(15, start=0)
    pages = _pages()
    small = _count(pages)
    _grow(45, start=15)
    large = _count(pages)

    mix = {(role, path.split("{")[0]) for role, p in ROLES.items() for _l, path in p}
    failing = [page for page, (status, _q) in large.items() if page in mix and status != 200]
    assert failing == [], f"pages of the load mix that do not answer 200: {failing}"
    grown = {
        f"{role} {path}": f"{small[(role, path)][1]} → {queries} queries"
        for (role, path), (_status, queries) in large.items()
        if small[(role, path)] != large[(role, path)]
    }
    assert grown == {}, f"query counts that grow from 15 to 60 projects: {grown}"
