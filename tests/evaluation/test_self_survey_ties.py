"""自评 before scoring, the service users' survey computing 满意度, and organisation ties."""

import datetime as dt
from decimal import Decimal as Dec

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from core.fsm import ActionRefusedError
from evaluation import participation, services, ties
from evaluation.models import AssignmentState, Indicator
from evaluation.records import OrganizationTie, SurveyHousehold, TieKind
from tests.evaluation.conftest import commission, to_scoring
from tests.factories.beneficiaries import BeneficiaryFactory
from tests.factories.evaluation import SMALL_TREE, IndicatorSystemFactory

pytestmark = pytest.mark.django_db


def test_ngo_self_evaluates_before_scoring_and_assessors_read_it(cast, login):
    evaluation = commission(cast)
    leaves = list(Indicator.objects.filter(system=evaluation.system, level=3))
    url = reverse("evaluation:self_evaluation", args=[evaluation.pk])
    post = {f"leaf-{leaf.pk}-met": "yes" for leaf in leaves}
    for leaf in leaves:
        post |= {
            f"leaf-{leaf.pk}-score": str(leaf.points),
            f"leaf-{leaf.pk}-actual": "40",
            f"leaf-{leaf.pk}-target": "40",
            f"leaf-{leaf.pk}-count": "0",
        }
    post["actual-wrong"] = "x"
    assert login(cast.lead).post(url, post | {"submit": "1"}).status_code == 403
    response = login(cast.ngo).post(url, post | {"submit": "1", "summary": "按合同完成"})
    assert response.status_code == 302
    own = evaluation.self_evaluation
    assert own.total == Dec("100.00") and own.submitted_by == cast.ngo
    for a in services.assessors_assign(
        evaluation=evaluation, actor=cast.lead, assessors=cast.assessors[:3]
    ):
        services.assessor_declare(assignment=a, actor=a.assessor, conflict=False)
    services.evaluation_start_scoring(evaluation=evaluation, actor=cast.lead)
    # Closed once scoring starts; the assessors read it on the evidence page.
    assert login(cast.ngo).post(url, post).status_code == 403
    page = login(cast.assessors[0]).get(reverse("evaluation:evidence", args=[evaluation.pk]))
    assert "100.00" in page.content.decode() and "按合同完成" in page.content.decode()


def test_self_evaluation_submit_needs_every_leaf(cast):
    evaluation = commission(cast)
    with pytest.raises(ValidationError, match="个案数"):
        participation.self_evaluation_save(
            evaluation=evaluation, actor=cast.ngo, entries={}, submit=True
        )


def test_survey_sample_answers_and_satisfaction_with_margin(cast, login):
    cast.system = IndicatorSystemFactory(
        rows=[
            dict(row, method="ratio", params="target=90; measure=satisfaction")
            if row["path"].endswith("满意度调查")
            else row
            for row in SMALL_TREE
        ]
    )
    for i in range(12):
        BeneficiaryFactory(
            organization=cast.contract.supplier,
            contract=cast.contract,
            guardian_name=f"李监护{i}",
            village="渔洋镇双龙村",
        )
    evaluation = to_scoring(cast)
    url = reverse("evaluation:survey", args=[evaluation.pk])
    assert login(cast.assessors[0]).post(url, {"draw": "1", "size": "5"}).status_code == 403
    assert login(cast.lead).post(url, {"draw": "1", "size": "50"}).status_code == 200
    login(cast.lead).post(url, {"draw": "1", "size": "5"})
    households = list(SurveyHousehold.objects.filter(survey__evaluation=evaluation))
    assert len(households) == 5 and evaluation.survey.population == 12
    assert all("李*" in h.reference and "李监护" not in h.reference for h in households)
    with pytest.raises(ActionRefusedError):
        participation.survey_draw(evaluation=evaluation, actor=cast.lead, size=5)
    answers = ["very", "satisfied", "satisfied", "dissatisfied"]
    for h, overall in zip(households, answers, strict=False):
        r = login(cast.assessors[1]).post(
            url, {"household": h.pk, "mode": "phone", "reached": "yes", "overall": overall}
        )
        assert r.status_code == 302
    login(cast.assessors[1]).post(
        url, {"household": households[4].pk, "mode": "phone", "reached": "no"}
    )
    result = participation.survey_result(evaluation=evaluation)
    assert (result.answered, result.satisfied, result.percent) == (4, 3, Dec("75.00"))
    assert result.margin > 0 and "5" in result.how
    # The satisfaction leaf follows the answers on sheets nobody adjusted.
    leaf = Indicator.objects.get(system=evaluation.system, name="满意度调查")
    figure = evaluation.computed.get(indicator=leaf)
    assert figure.value == Dec("75.00")
    entry = evaluation.sheets.first().entries.get(indicator=leaf)
    assert entry.inputs["actual"] == "75" and entry.score == Dec("25.00")  # 75 ÷ 90 × 30
    page = login(cast.staff).get(url).content.decode()
    assert "75.00%" in page and "李监护" not in page


def test_tied_assessor_org_cannot_be_commissioned_or_assigned(cast, login):
    tie_url = reverse("evaluation:ties", args=[cast.assessor_org.pk])
    assert login(cast.ngo).get(tie_url).status_code == 403
    login(cast.lead).post(
        tie_url,
        {
            "other": cast.contract.supplier.pk,
            "kind": "paid_work",
            "detail": "2024年为其做年度审计",
            "last_date": (dt.date.today() - dt.timedelta(days=400)).isoformat(),
        },
    )
    assert OrganizationTie.objects.filter(kind=TieKind.PAID_WORK).count() == 1
    with pytest.raises(ValidationError, match="2024年为其做年度审计"):
        commission(cast)
    # Paid work over three years ago has lapsed.
    OrganizationTie.objects.all().delete()
    old = OrganizationTie.objects.create(
        organization=cast.assessor_org,
        other=cast.contract.supplier,
        kind=TieKind.PAID_WORK,
        last_date=dt.date.today() - dt.timedelta(days=4 * 366),
        recorded_by=cast.lead,
    )
    evaluation = commission(cast)
    old.delete()
    # A same legal representative in the profiles is a tie too, found at assignment.
    cast.assessor_org.legal_representative = "周建国"
    cast.assessor_org.save()
    cast.contract.supplier.legal_representative = "周建国"
    cast.contract.supplier.save()
    assert ties.independence_refusal(cast.assessor_org, cast.contract.supplier)
    with pytest.raises(ValidationError, match="周建国"):
        services.assessors_assign(
            evaluation=evaluation, actor=cast.lead, assessors=cast.assessors[:3]
        )


def test_declaration_asks_for_ties_and_records_them(cast, login):
    evaluation = commission(cast)
    [assignment] = services.assessors_assign(
        evaluation=evaluation, actor=cast.lead, assessors=cast.assessors[:1]
    )
    response = login(assignment.assessor).get(reverse("evaluation:detail", args=[evaluation.pk]))
    assert 'name="ties"' in response.content.decode()
    login(assignment.assessor).post(
        reverse("evaluation:declare", args=[evaluation.pk]),
        {"conflict": "no", "ties": ["shared_staff"], "statement": ""},
    )
    assignment.refresh_from_db()
    assert assignment.state == AssignmentState.CONFLICTED
    tie = OrganizationTie.objects.get(organization=cast.assessor_org)
    assert (tie.other, tie.kind) == (cast.contract.supplier, TieKind.SHARED_STAFF)
