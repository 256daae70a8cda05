"""Random sequences of consolidations, overrides and returns never lose a version.

After every step: exactly one current result; rounds run 1…n without gaps; each result's total
is the sum of its leaves; an override the lead did not touch again survives; the change history
only grows and is append-only."""

from decimal import Decimal as Dec

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evaluation import services
from evaluation.models import EvaluationState, Indicator
from evaluation.records import ChangeRecord
from evaluation.services import LeafDecision
from tests.evaluation.conftest import fill_and_submit, full_marks, to_scoring

pytestmark = pytest.mark.django_db

LEAVES = ["个案数", "财务合规", "满意度调查"]
action = st.one_of(
    st.tuples(st.just("consolidate"), st.none(), st.none()),
    st.tuples(
        st.just("override"),
        st.sampled_from(LEAVES),
        st.integers(min_value=0, max_value=20).map(Dec),
    ),
    st.tuples(st.just("return"), st.none(), st.none()),
)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(action, min_size=1, max_size=6))
def test_every_version_is_kept_through_any_sequence(cast, steps):
    evaluation = fill_and_submit(to_scoring(cast), [full_marks(个案数="16")] * 3)
    leaves = {i.name: i for i in Indicator.objects.filter(system=evaluation.system, level=3)}
    expected_overrides: dict[str, Dec] = {}
    changes = 0
    for kind, name, value in steps:
        evaluation.refresh_from_db()
        if kind == "return":
            if evaluation.state == EvaluationState.CONSOLIDATED:
                services.evaluation_return(evaluation=evaluation, actor=cast.staff, note="复核")
            continue
        if evaluation.state not in (EvaluationState.SUBMITTED, EvaluationState.CONSOLIDATED):
            continue
        decisions = {}
        if kind == "override":
            leaf = leaves[name]
            value = min(value, leaf.points)
            decisions[leaf.pk] = LeafDecision(note=f"调整为{value}", score=value)
            expected_overrides[name] = value
        services.evaluation_consolidate(evaluation=evaluation, actor=cast.lead, decisions=decisions)
        results = list(evaluation.results.order_by("round"))
        assert [r.round for r in results] == list(range(1, len(results) + 1))
        assert sum(r.is_current for r in results) == 1 and results[-1].is_current
        current = results[-1]
        assert current.total == sum(lr.score for lr in current.leaves.all())
        evaluation.refresh_from_db()
        assert evaluation.total_score == current.total
        for leaf_name, score in expected_overrides.items():
            assert current.leaves.get(indicator=leaves[leaf_name]).score == score
        now = ChangeRecord.objects.filter(evaluation=evaluation).count()
        assert now >= changes
        changes = now
