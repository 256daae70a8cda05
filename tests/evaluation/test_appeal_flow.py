"""Bureau confirms, the NGO appeals once within the period, the lead re-reviews, the bureau confirms again."""

import datetime as dt
from decimal import Decimal as Dec

import pytest
from django.urls import reverse

from core.models import TransitionLog
from evaluation import selectors, services
from evaluation.models import Appeal, EvaluationState, Grade
from evaluation.signals import evaluation_confirmed
from tests.evaluation.conftest import fill_and_submit, full_marks, to_scoring
from tests.factories.funds import MilestoneFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def confirmed_signals():
    seen = []

    def receiver(sender, evaluation, **kwargs):
        seen.append((evaluation.pk, evaluation.state, evaluation.total_score))

    evaluation_confirmed.connect(receiver)
    yield seen
    evaluation_confirmed.disconnect(receiver)


def _consolidated(cast, **kwargs):
    evaluation = fill_and_submit(
        to_scoring(cast, **kwargs), [full_marks(个案数="16", 满意度调查="20")] * 3
    )
    services.evaluation_consolidate(evaluation=evaluation, actor=cast.lead, summary="个案数量不足")
    evaluation.refresh_from_db()
    return evaluation


def test_appeal_and_re_review_end_in_a_new_confirmed_result(cast, login, confirmed_signals):
    milestone = MilestoneFactory(contract=cast.contract)
    evaluation = _consolidated(cast, milestone=milestone)
    assert evaluation.total_score == Dec("86.00")

    # The NGO does not see the unconfirmed result.
    assert (
        login(cast.ngo).get(reverse("evaluation:detail", args=[evaluation.pk])).context["result"]
        is None
    )

    login(cast.staff).post(reverse("evaluation:confirm", args=[evaluation.pk]))
    evaluation.refresh_from_db()
    assert evaluation.state == EvaluationState.CONFIRMED
    assert evaluation.appeal_deadline > dt.date.today()
    assert selectors.gating_result(milestone=milestone) == evaluation
    assert confirmed_signals == [(evaluation.pk, EvaluationState.CONFIRMED, Dec("86.00"))]

    page = login(cast.ngo).get(reverse("evaluation:detail", args=[evaluation.pk]))
    assert page.context["result"].total == Dec("86.00")
    assert "个案数量不足" in page.content.decode()

    login(cast.ngo).post(
        reverse("evaluation:appeal", args=[evaluation.pk]),
        {
            "reason": "期中已完成个案36个，评估时未计入2个转介个案",
            "disputed": [evaluation.system.indicators.get(name="个案数").pk],
        },
    )
    evaluation.refresh_from_db()
    assert evaluation.state == EvaluationState.APPEALED
    assert Appeal.objects.get(evaluation=evaluation).filed_by == cast.ngo
    # Under appeal the first confirmed result still gates nothing new.
    assert selectors.gating_result(milestone=milestone) is None

    leaf_id = evaluation.system.indicators.get(name="个案数").pk
    response = login(cast.lead).post(
        reverse("evaluation:comparison", args=[evaluation.pk]),
        {
            f"override-{leaf_id}": "18",
            f"note-{leaf_id}": "核实转介个案2个，予以计入",
            "response": "申诉部分成立",
            "summary": "复核后调整个案数得分",
        },
    )
    assert response.status_code == 302
    evaluation.refresh_from_db()
    assert evaluation.state == EvaluationState.RE_REVIEWED
    assert evaluation.total_score == Dec("88.00")

    login(cast.staff).post(reverse("evaluation:confirm", args=[evaluation.pk]))
    evaluation.refresh_from_db()
    assert evaluation.state == EvaluationState.CONFIRMED
    assert (evaluation.total_score, evaluation.grade) == (Dec("88.00"), Grade.GOOD)
    assert selectors.gating_result(milestone=milestone) == evaluation
    assert [s[2] for s in confirmed_signals] == [Dec("86.00"), Dec("88.00")]

    history = selectors.result_history(evaluation=evaluation)
    assert [(r.round, r.total, r.is_current) for r in history] == [
        (1, Dec("86.00"), False),
        (2, Dec("88.00"), True),
    ]
    assert all(r.confirmed_at for r in history)
    assert Appeal.objects.get(evaluation=evaluation).response == "申诉部分成立"
    transitions = list(TransitionLog.for_object(evaluation).values_list("transition", flat=True))
    assert transitions[-4:] == ["confirm", "appeal", "re_review", "confirm"]

    # Only one appeal.
    response = login(cast.ngo).post(
        reverse("evaluation:appeal", args=[evaluation.pk]), {"reason": "再次申诉"}
    )
    evaluation.refresh_from_db()
    assert evaluation.state == EvaluationState.CONFIRMED
    assert Appeal.objects.filter(evaluation=evaluation).count() == 1


def test_no_appeal_after_the_period(cast, login, monkeypatch):
    evaluation = _consolidated(cast)
    monkeypatch.setattr(services, "appeal_deadline_from", lambda day: day - dt.timedelta(days=1))
    services.evaluation_confirm(evaluation=evaluation, actor=cast.staff)
    response = login(cast.ngo).post(
        reverse("evaluation:appeal", args=[evaluation.pk]), {"reason": "逾期申诉"}, follow=True
    )
    evaluation.refresh_from_db()
    assert evaluation.state == EvaluationState.CONFIRMED
    assert (
        "appeal period has ended" in response.content.decode()
        or "申诉期" in response.content.decode()
    )
    # After the period the bureau may publish.
    login(cast.staff).post(reverse("evaluation:publish", args=[evaluation.pk]))
    evaluation.refresh_from_db()
    assert evaluation.state == EvaluationState.PUBLISHED


def test_appeal_deadline_counts_working_days():
    # From the eve of the Labour Day holiday: holidays and weekends do not count, 调休 Saturdays do.
    import chinese_calendar

    start = dt.date(2026, 4, 30)
    deadline = services.appeal_deadline_from(start)
    workdays = [
        start + dt.timedelta(days=i)
        for i in range(1, (deadline - start).days + 1)
        if chinese_calendar.is_workday(start + dt.timedelta(days=i))
    ]
    assert len(workdays) == 10 and workdays[-1] == deadline


def test_only_the_supplier_appeals_and_the_bureau_may_send_back(cast, login):
    evaluation = _consolidated(cast)
    login(cast.lead).post(reverse("evaluation:confirm", args=[evaluation.pk]))
    evaluation.refresh_from_db()
    assert evaluation.state == EvaluationState.CONSOLIDATED
    login(cast.staff).post(
        reverse("evaluation:return", args=[evaluation.pk]), {"reason": "请补充满意度调查的佐证"}
    )
    evaluation.refresh_from_db()
    assert evaluation.state == EvaluationState.SUBMITTED
    services.evaluation_consolidate(evaluation=evaluation, actor=cast.lead)
    services.evaluation_confirm(evaluation=evaluation, actor=cast.staff)
    login(cast.lead).post(reverse("evaluation:appeal", args=[evaluation.pk]), {"reason": "x"})
    evaluation.refresh_from_db()
    assert evaluation.state == EvaluationState.CONFIRMED
    # The result sent back stays in the history; the new consolidation is the current one.
    assert evaluation.results.count() == 2
    assert evaluation.results.filter(is_current=True).count() == 1
