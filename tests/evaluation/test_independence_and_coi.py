"""Independence of the assessor organisation and conflict-of-interest declarations (回避)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from core.fsm import ActionRefusedError
from core.models import TransitionLog
from evaluation import services
from evaluation.models import AssignmentState, EvaluationState
from tests.evaluation.conftest import commission
from tests.factories.accounts import AssessorFactory, AssessorOrgFactory, NgoFactory

pytestmark = pytest.mark.django_db


def test_the_organisation_holding_the_contract_cannot_evaluate_it(cast):
    # An organisation registered as an assessor that also holds the contract.
    cast.contract.supplier = cast.assessor_org
    cast.contract.save()
    with pytest.raises(ValidationError) as exc:
        commission(cast)
    assert "assessor_org" in exc.value.error_dict
    assert not cast.contract.evaluations.exists()


def test_an_organisation_that_bid_for_the_contract_is_refused(cast):
    import datetime as dt
    from decimal import Decimal

    from django.utils import timezone

    from procurement.models import Bid, Tender

    now = timezone.now()
    tender = Tender.objects.create(
        project=cast.contract.project,
        title="关爱农村留守儿童保护项目服务采购",
        method="consultation",
        evaluation_method="comprehensive",
        ceiling_price=Decimal("500000.00"),
        bid_bond=Decimal("0.00"),
        price_weight=Decimal("20.00"),
        qualification_requirements="依法登记的社会组织",
        service_requirements="个案、小组和社区活动",
        clarification_deadline=now - dt.timedelta(days=20),
        bid_deadline=now - dt.timedelta(days=10),
        opening_at=now - dt.timedelta(days=10),
        created_by=cast.staff,
    )
    # An assessor organisation that also took part in the tender (e.g. as a bidder).
    Bid.objects.create(
        tender=tender,
        supplier=cast.assessor_org,
        price=Decimal("450000.00"),
        technical_proposal="服务方案",
        receipt="0" * 64,
        submitted_at=now - dt.timedelta(days=11),
    )
    with pytest.raises(ValidationError) as exc:
        commission(cast)
    assert cast.assessor_org.name in str(exc.value)
    assert not cast.contract.evaluations.exists()


def test_only_assessor_organisations_and_their_own_lead(cast):
    with pytest.raises(ValidationError) as exc:
        services.evaluation_commission(
            project=cast.contract.project,
            actor=cast.staff,
            contract=cast.contract,
            assessor_org=NgoFactory(),
            lead=AssessorFactory(organization=AssessorOrgFactory()),
            system=cast.system,
        )
    assert {"assessor_org", "lead"} <= set(exc.value.error_dict)


def test_only_the_buying_bureau_commissions(cast):
    with pytest.raises(ActionRefusedError):
        services.evaluation_commission(
            project=cast.contract.project,
            actor=cast.ngo,
            contract=cast.contract,
            assessor_org=cast.assessor_org,
            lead=cast.lead,
            system=cast.system,
        )


def test_commissioning_sends_the_signal_and_logs(cast):
    from evaluation.signals import evaluation_commissioned

    seen = []

    def receiver(sender, evaluation, **kwargs):
        seen.append(evaluation.pk)

    evaluation_commissioned.connect(receiver)
    try:
        evaluation = commission(cast)
    finally:
        evaluation_commissioned.disconnect(receiver)
    assert seen == [evaluation.pk]
    assert TransitionLog.for_object(evaluation).filter(transition="commission").exists()


def test_a_declared_conflict_removes_the_assessor_and_the_lead_assigns_another(cast, login):
    evaluation = commission(cast)
    a, b, c, d = cast.assessors[:4]
    services.assessors_assign(evaluation=evaluation, actor=cast.lead, assessors=[a, b, c])
    # Before declaring, the assessor sees nothing but the declaration form.
    page = login(a).get(reverse("evaluation:detail", args=[evaluation.pk]))
    assert page.status_code == 200
    assert page.context["declare_form"] is not None
    assert cast.contract.number not in page.content.decode()

    response = login(a).post(
        reverse("evaluation:declare", args=[evaluation.pk]),
        {"conflict": "yes", "statement": "本人曾在该社工中心兼职督导"},
    )
    assert response.status_code == 302
    assignment = evaluation.assignments.get(assessor=a)
    assert assignment.state == AssignmentState.CONFLICTED
    assert TransitionLog.for_object(assignment).filter(transition="declare_conflict").exists()
    # Removed: the evaluation is no longer visible to them.
    assert login(a).get(reverse("evaluation:detail", args=[evaluation.pk])).status_code == 404

    for user in (b, c):
        login(user).post(reverse("evaluation:declare", args=[evaluation.pk]), {"conflict": "no"})
    with pytest.raises(ActionRefusedError, match="不足"):
        services.evaluation_start_scoring(evaluation=evaluation, actor=cast.lead)

    login(cast.lead).post(reverse("evaluation:assign", args=[evaluation.pk]), {"assessors": [d.pk]})
    with pytest.raises(ActionRefusedError, match="未作利害关系声明"):
        services.evaluation_start_scoring(evaluation=evaluation, actor=cast.lead)
    login(d).post(reverse("evaluation:declare", args=[evaluation.pk]), {"conflict": "no"})
    login(cast.lead).post(reverse("evaluation:start", args=[evaluation.pk]))
    evaluation.refresh_from_db()
    assert evaluation.state == EvaluationState.SCORING
    assert set(evaluation.sheets.values_list("assessor_id", flat=True)) == {b.pk, c.pk, d.pk}


def test_a_conflicted_assessor_cannot_be_assigned_again(cast):
    evaluation = commission(cast)
    a = cast.assessors[0]
    (assignment,) = services.assessors_assign(evaluation=evaluation, actor=cast.lead, assessors=[a])
    services.assessor_declare(assignment=assignment, actor=a, conflict=True, statement="亲属关系")
    with pytest.raises(ValidationError):
        services.assessors_assign(evaluation=evaluation, actor=cast.lead, assessors=[a])


def test_a_conflict_needs_a_statement_and_only_the_assessor_declares(cast):
    evaluation = commission(cast)
    (assignment,) = services.assessors_assign(
        evaluation=evaluation, actor=cast.lead, assessors=[cast.assessors[0]]
    )
    with pytest.raises(ValidationError):
        services.assessor_declare(assignment=assignment, actor=cast.assessors[0], conflict=True)
    with pytest.raises(ActionRefusedError):
        services.assessor_declare(assignment=assignment, actor=cast.lead, conflict=False)


def test_at_least_three_assessors(cast):
    with pytest.raises(ValidationError):
        commission(cast, min_assessors=2)


def test_one_running_evaluation_per_milestone(cast):
    from tests.factories.funds import MilestoneFactory

    milestone = MilestoneFactory(contract=cast.contract)
    commission(cast, milestone=milestone)
    with pytest.raises(ValidationError) as exc:
        commission(cast, milestone=milestone)
    assert "milestone" in exc.value.error_dict
    other = MilestoneFactory(contract=cast.contract)
    assert commission(cast, milestone=other).milestone == other
