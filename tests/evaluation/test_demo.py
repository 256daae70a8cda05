"""The evaluation demo: one confirmed mid-term result (良 84.50), one in scoring; idempotent."""

from decimal import Decimal

import pytest

from accounts import demo as accounts_demo
from core.models import TransitionLog
from evaluation import demo
from evaluation.models import Evaluation, EvaluationState, Grade, IndicatorSystem
from projects import demo as projects_demo
from tests.factories.procurement import ContractFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ctx():
    ctx = {}
    accounts_demo.load(ctx)
    projects_demo.load(ctx)
    # Contracts in service, as procurement's demo leaves them (found by its selector).
    for key, supplier in (
        ("qianjiang", "武汉爱心天使社会工作服务中心"),
        ("jianli_home", "监利县乡村快乐之家服务协会"),
    ):
        ContractFactory(project=ctx["projects"][key], supplier=ctx["orgs"][supplier])
    return ctx


def test_demo_shows_a_confirmed_result_and_one_in_scoring(ctx):
    demo.load(ctx)
    confirmed = Evaluation.objects.get(project=ctx["projects"]["qianjiang"])
    assert confirmed.state == EvaluationState.CONFIRMED
    assert (confirmed.total_score, confirmed.grade) == (Decimal("84.50"), Grade.GOOD)
    assert confirmed.current_result().agreement_alpha is not None
    assert TransitionLog.for_object(confirmed).filter(transition="confirm").exists()
    scoring = Evaluation.objects.get(project=ctx["projects"]["jianli_home"])
    assert scoring.state == EvaluationState.SCORING
    assert sorted(scoring.sheets.values_list("state", flat=True)) == [
        "draft",
        "submitted",
        "submitted",
    ]
    assert IndicatorSystem.objects.filter(code="social-work-children").count() == 1

    counts = (Evaluation.objects.count(), TransitionLog.objects.count())
    demo.load(ctx)
    assert (Evaluation.objects.count(), TransitionLog.objects.count()) == counts


def test_full_demo_shows_evidence_self_evaluation_survey_and_prefilled_leaves():
    import os

    from django.core.management import call_command

    from evaluation.models import EvaluationKind

    with open(os.devnull, "w") as sink:
        call_command("load_demo", stdout=sink)
    final = Evaluation.objects.get(kind=EvaluationKind.FINAL)
    assert final.state == EvaluationState.SCORING
    figures = {c.measure: c for c in final.computed.all()}
    assert figures["service_person_times"].value > 0
    assert figures["service_person_times"].target == Decimal("6000.00")
    assert figures["satisfaction"].value is not None and "±" in figures["satisfaction"].how
    # From the workforce register: 李敏, 张倩, 刘静 certified among the five employed.
    assert figures["certified_share"].value == Decimal("60.0")
    assert "社工" in figures["certified_share"].how
    assert final.self_evaluation.is_submitted
    leaf = figures["case_count"].indicator
    entry = final.sheets.first().entries.get(indicator=leaf)
    assert entry.inputs["actual"] == format(figures["case_count"].value.normalize(), "f")
