"""Consolidation (mean, trimmed mean with five assessors), flags, overrides, agreement and grades."""

from decimal import Decimal as Dec

import krippendorff
import numpy as np
import pytest
from django.core.exceptions import ValidationError
from scipy.stats import trim_mean

from core.models import TransitionLog
from evaluation import services
from evaluation.models import ConsolidationMethod, EvaluationState, Grade, grade_for
from tests.evaluation.conftest import fill_and_submit, full_marks, to_scoring

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("score", "grade"),
    [
        ("59.99", Grade.POOR),
        ("60", Grade.FAIR),
        ("60.00", Grade.FAIR),
        ("79.99", Grade.FAIR),
        ("80", Grade.GOOD),
        ("89.99", Grade.GOOD),
        ("90", Grade.EXCELLENT),
        ("100", Grade.EXCELLENT),
        ("0", Grade.POOR),
    ],
)
def test_grade_for_boundaries(score, grade):
    assert grade_for(Dec(score)) == grade


@pytest.mark.parametrize(
    ("marks", "total", "grade"),
    [
        ({"个案数": "19.99", "社区活动场次": "0", "满意度调查": "10"}, "59.99", Grade.POOR),
        ({"个案数": "20", "社区活动场次": "0", "满意度调查": "10"}, "60.00", Grade.FAIR),
        ({"个案数": "19.99", "社区活动场次": "0"}, "79.99", Grade.FAIR),
        ({"个案数": "20", "社区活动场次": "0"}, "80.00", Grade.GOOD),
        ({"个案数": "19.99", "满意度调查": "20"}, "89.99", Grade.GOOD),
        ({"个案数": "20", "满意度调查": "20"}, "90.00", Grade.EXCELLENT),
    ],
)
def test_consolidated_totals_at_the_grade_boundaries(cast, marks, total, grade):
    evaluation = fill_and_submit(to_scoring(cast), [full_marks(**marks)] * 3)
    result = services.evaluation_consolidate(evaluation=evaluation, actor=cast.lead)
    evaluation.refresh_from_db()
    assert (result.total, result.grade) == (Dec(total), grade)
    assert (evaluation.total_score, evaluation.grade) == (Dec(total), grade)
    assert evaluation.state == EvaluationState.CONSOLIDATED
    assert TransitionLog.for_object(evaluation).filter(transition="consolidate").exists()


def test_mean_is_exact_and_rounded_half_up(cast):
    evaluation = fill_and_submit(
        to_scoring(cast, n=4),
        [full_marks(个案数=v) for v in ("10.00", "10.00", "10.01", "10.01")],
    )
    result = services.evaluation_consolidate(evaluation=evaluation, actor=cast.lead)
    leaf = result.leaves.get(indicator__name="个案数")
    assert result.method == ConsolidationMethod.MEAN
    assert leaf.score == Dec("10.01")  # 10.005 rounds up
    assert result.total == Dec("90.01")


def test_five_assessors_use_the_trimmed_mean_and_a_wide_spread_needs_a_note(cast):
    values = ["10", "18", "19", "20", "20"]
    evaluation = fill_and_submit(to_scoring(cast, n=5), [full_marks(个案数=v) for v in values])
    leaf_id = evaluation.system.indicators.get(name="个案数").pk
    with pytest.raises(ValidationError, match="个案数"):
        services.evaluation_consolidate(evaluation=evaluation, actor=cast.lead)
    assert not evaluation.results.exists()
    result = services.evaluation_consolidate(
        evaluation=evaluation,
        actor=cast.lead,
        decisions={leaf_id: services.LeafDecision(note="评估组讨论：一名评估员漏计了12个结案个案")},
    )
    leaf = result.leaves.get(indicator_id=leaf_id)
    assert result.method == ConsolidationMethod.TRIMMED_MEAN
    assert leaf.flagged and not leaf.overridden
    assert leaf.spread == Dec("10.00")
    assert leaf.score == Dec(str(round(trim_mean([float(v) for v in values], 0.2), 2)))
    assert leaf.score == Dec("19.00")


def test_an_override_is_in_range_and_justified(cast):
    evaluation = fill_and_submit(to_scoring(cast), [full_marks()] * 3)
    leaf_id = evaluation.system.indicators.get(name="个案数").pk
    with pytest.raises(ValidationError, match=r"0至20\.00分"):
        services.evaluation_consolidate(
            evaluation=evaluation,
            actor=cast.lead,
            decisions={leaf_id: services.LeafDecision(score=Dec("20.5"), note="x")},
        )
    with pytest.raises(ValidationError, match="理由"):
        services.evaluation_consolidate(
            evaluation=evaluation,
            actor=cast.lead,
            decisions={leaf_id: services.LeafDecision(score=Dec("18"))},
        )
    result = services.evaluation_consolidate(
        evaluation=evaluation,
        actor=cast.lead,
        decisions={leaf_id: services.LeafDecision(score=Dec("18"), note="2个个案缺少结案评估")},
    )
    assert result.total == Dec("98.00")
    assert result.leaves.get(indicator_id=leaf_id).overridden


def test_agreement_is_krippendorffs_alpha_on_shares_of_points(cast):
    sheets = [
        full_marks(个案数="20", 满意度调查="30"),
        full_marks(个案数="16", 满意度调查="26", 社区活动场次="0"),
        full_marks(个案数="18", 满意度调查="28", 回访记录="0"),
    ]
    evaluation = fill_and_submit(to_scoring(cast), sheets)
    leaves = list(evaluation.system.indicators.filter(level=3).order_by("position"))
    shares = np.array(
        [[float(s[leaf.name] / leaf.points) for leaf in leaves] for s in sheets], dtype=float
    )
    expected = krippendorff.alpha(reliability_data=shares, level_of_measurement="interval")
    decisions = {
        leaf.pk: services.LeafDecision(note="已讨论")
        for leaf in leaves
        if leaf.name in ("社区活动场次", "回访记录")
    }
    result = services.evaluation_consolidate(
        evaluation=evaluation, actor=cast.lead, decisions=decisions
    )
    assert result.agreement_alpha == Dec(str(round(expected, 4)))


def test_identical_sheets_have_no_defined_alpha(cast):
    evaluation = fill_and_submit(to_scoring(cast), [full_marks()] * 3)
    assert (
        services.evaluation_consolidate(evaluation=evaluation, actor=cast.lead).agreement_alpha
        is None
    )


def test_only_the_lead_consolidates(cast):
    from core.fsm import ActionRefusedError

    evaluation = fill_and_submit(to_scoring(cast), [full_marks()] * 3)
    with pytest.raises(ActionRefusedError):
        services.evaluation_consolidate(evaluation=evaluation, actor=cast.assessors[0])


def test_batch_agreement_equals_the_krippendorff_package():
    from evaluation.consolidation import agreement_alphas

    rng = np.random.default_rng(7)
    points = np.array([400, 300, 300, 600, 200, 200], dtype=np.int64)
    quality = rng.uniform(0.5, 1.0, size=(20, 1, 6))
    noise = rng.uniform(-0.1, 0.1, size=(20, 5, 6))
    scores = np.clip(np.rint(points * (quality + noise)), 0, points).astype(np.int64)
    batch = agreement_alphas(scores, points)
    for sheet, alpha in zip(scores, batch, strict=True):
        expected = krippendorff.alpha(
            reliability_data=sheet / points, level_of_measurement="interval"
        )
        assert alpha == Dec(str(round(expected, 4)))
