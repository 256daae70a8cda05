from decimal import Decimal

import pytest

from core.models import TransitionLog
from evaluation import services
from evaluation.models import EvaluationState, Grade
from tests.evaluation.conftest import fill_and_submit, full_marks, to_scoring

pytestmark = pytest.mark.django_db


def test_full_run_to_confirmation(cast):
    evaluation = to_scoring(cast)
    assert evaluation.state == EvaluationState.SCORING
    evaluation = fill_and_submit(
        evaluation,
        [
            full_marks(个案数="18"),
            full_marks(个案数="19"),
            full_marks(个案数="20", 满意度调查="25"),
        ],
    )
    assert evaluation.state == EvaluationState.SUBMITTED
    result = services.evaluation_consolidate(evaluation=evaluation, actor=cast.lead)
    # 个案数 mean 19, 满意度调查 mean 28.33 → 100 - 1 - 1.67
    assert result.total == Decimal("97.33")
    assert result.grade == Grade.EXCELLENT
    services.evaluation_confirm(evaluation=evaluation, actor=cast.staff)
    evaluation.refresh_from_db()
    assert evaluation.state == EvaluationState.CONFIRMED
    assert TransitionLog.for_object(evaluation).filter(transition="confirm").exists()
