"""Random sequences of allocations and draws: after every step no line is overdrawn, the tree's
money is conserved and the ledger's planning lines agree with the rows (hypothesis)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.fsm import ActionRefusedError
from funds.ledger import ledger_verify
from funds.models import LedgerEntry
from planning import services
from planning.models import BudgetLine, FundSource, ProjectDraw
from tests.factories.projects import ServiceProjectFactory

pytestmark = pytest.mark.django_db

amounts = st.integers(min_value=1, max_value=60_000_000).map(lambda f: Decimal(f) / 100)
actions = st.lists(
    st.one_of(
        st.tuples(st.just("allocate"), st.sampled_from(["city", "jiangling", "jianli"]), amounts),
        st.tuples(st.just("draw"), st.integers(0, 2), amounts),
    ),
    min_size=1,
    max_size=8,
)


class RollbackError(Exception):
    pass


def _check(tree, top):
    lines = list(BudgetLine.objects.all())
    for line in lines:
        used = services.line_used(line.pk)
        assert used <= line.amount, f"{line} overdrawn: {used} > {line.amount}"
    # Money only moves down: what the counties hold came from the city, the city's from the top.
    assert top.amount >= sum((ln.amount for ln in lines if ln.source_id == top.pk), Decimal(0))
    drawn = ProjectDraw.objects.aggregate(t=Sum("amount"))["t"] or Decimal(0)
    posted = LedgerEntry.objects.filter(kind="budget_drawn").aggregate(t=Sum("amount"))["t"] or 0
    reversed_ = (
        LedgerEntry.objects.filter(kind="reversed", credit="预算指标").aggregate(t=Sum("amount"))[
            "t"
        ]
        or 0
    )
    assert posted - reversed_ == drawn
    allocated = sum((ln.amount for ln in lines if ln.source_id), Decimal(0))
    assert (
        LedgerEntry.objects.filter(kind="budget_allocated").aggregate(t=Sum("amount"))["t"] or 0
    ) == allocated


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=actions)
def test_no_line_is_ever_overdrawn(tree, steps):
    try:
        with transaction.atomic():
            province = tree["staff"][tree["province"]]
            plan = services.plan_create(actor=province, year=2027)
            top = services.line_add(
                actor=province,
                plan=plan,
                fund_source=FundSource.OWN_BUDGET,
                name="试点专项",
                amount=Decimal("1000000.00"),
            )
            projects = [
                ServiceProjectFactory(
                    bureau=tree["jiangling"],
                    budget=Decimal("600000.00"),
                    period_start=dt.date(2027, 3, 1),
                    period_end=dt.date(2027, 12, 31),
                )
                for _ in range(3)
            ]
            for kind, target, amount in steps:
                try:
                    with transaction.atomic():
                        if kind == "allocate":
                            child = tree[target]
                            source = (
                                top
                                if target == "city"
                                else BudgetLine.objects.filter(plan__bureau=tree["city"]).first()
                            )
                            if source is None:
                                continue
                            staff = tree["staff"][source.plan.bureau]
                            services.allocation_make(
                                actor=staff, source=source, child=child, amount=amount
                            )
                        else:
                            line = BudgetLine.objects.filter(plan__bureau=tree["jiangling"]).first()
                            if line is None:
                                continue
                            services.draws_set(
                                actor=tree["staff"][tree["jiangling"]],
                                project=projects[target],
                                draws=[(line, amount)],
                            )
                except (ActionRefusedError, ValidationError):
                    pass
                _check(tree, top)
            assert ledger_verify().ok
            raise RollbackError
    except RollbackError:
        pass
