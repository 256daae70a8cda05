"""The 工作台's projects by state and the funds overview's count and budget total touch only
columns of the (bureau, state, budget) index, so PostgreSQL can read them from the index alone
(at a province: 5 to 7 ms → 0.6 to 1.4 ms and 4.0 → 1.3 ms); the figures are the table's."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Count, Sum
from django.test.utils import CaptureQueriesContext

from funds.selectors import funds_overview
from projects.models import ProjectState, ServiceProject
from projects.permissions import visible_projects_q
from projects.selectors import project_state_counts
from tests.factories.accounts import BureauStaffFactory
from tests.factories.projects import ServiceProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    staff = BureauStaffFactory()
    for state, budget in (
        (ProjectState.DRAFT, "100000.00"),
        (ProjectState.TENDERING, "480000.00"),
        (ProjectState.IN_SERVICE, "360000.50"),
        (ProjectState.IN_SERVICE, "200000.00"),
    ):
        ServiceProjectFactory(bureau=staff.organization, state=state, budget=Decimal(budget))
    ServiceProjectFactory(state=ProjectState.IN_SERVICE)  # another bureau's
    return staff


def test_the_figures_are_the_tables(staff):
    assert project_state_counts(user=staff) == {"draft": 1, "tendering": 1, "in_service": 2}
    visible = ServiceProject.objects.filter(visible_projects_q(staff)).exclude(
        state=ProjectState.DRAFT
    )
    assert visible.aggregate(n=Count("*"), budget=Sum("budget")) == {
        "n": 3,
        "budget": Decimal("1040000.50"),
    }


def test_they_read_only_columns_the_index_holds(staff):
    # What makes an index-only read possible (the planner's choice then depends on the table's
    # size and visibility map, measured at scale in docs/benchmarks.md): every column of the
    # projects table these queries touch is in the (bureau, state, budget) index.
    index = next(i for i in ServiceProject._meta.indexes if i.name == "project_bureau_state")
    indexed = {ServiceProject._meta.get_field(name).column for name in index.fields}
    with CaptureQueriesContext(connection) as queries:
        project_state_counts(user=staff)
        funds_overview(user=staff)
    reads = [
        q["sql"]
        for q in queries.captured_queries
        if "COUNT(*)" in q["sql"] and 'FROM "projects_serviceproject"' in q["sql"]
    ]
    assert len(reads) == 2  # the 工作台's counts by state, the overview's count and budget
    for sql in reads:
        columns = set(re.findall(r'"projects_serviceproject"\."(\w+)"', sql))
        assert columns <= indexed, (columns - indexed, sql)
