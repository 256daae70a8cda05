"""An evaluation from commission to re-review through the API: the bureau commissions and returns a
result, the assessor lead assigns, starts, compares and consolidates, with the pages' rules
(403 who, 409 when, 400 what) and the log rows each step leaves."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from core.models import TransitionLog
from evaluation import services
from evaluation.models import Appeal, AssessorAssignment, Evaluation, EvaluationResult, Indicator
from tests.api.procurement_setup import api, session
from tests.evaluation.conftest import (  # noqa: F401 - fixture
    cast,
    commission,
    fill_and_submit,
    full_marks,
    to_scoring,
)
from tests.factories.accounts import (
    AssessorFactory,
    AuditorFactory,
    BureauStaffFactory,
    NgoUserFactory,
)
from tests.factories.evaluation import IndicatorSystemFactory

pytestmark = pytest.mark.django_db


def commission_body(cast, **overrides):  # noqa: F811
    return {
        "project": cast.contract.project_id,
        "contract": cast.contract.pk,
        "assessor_org": cast.assessor_org.pk,
        "lead": cast.lead.pk,
        "system": cast.system.pk,
        "kind": "mid_term",
        "due_date": (timezone.localdate() + dt.timedelta(days=30)).isoformat(),
    } | overrides


def test_the_bureau_commissions_an_evaluation(cast):  # noqa: F811
    body = commission_body(cast)
    for outsider in (cast.ngo, cast.lead, BureauStaffFactory(), AuditorFactory()):
        refused = api(outsider).post("/api/v1/evaluations/", body, format="json")
        assert refused.status_code in (403, 404), outsider.role
    assert not Evaluation.objects.exists()
    wrong_org = api(cast.staff).post(
        "/api/v1/evaluations/",
        commission_body(cast, assessor_org=cast.contract.supplier_id),
        format="json",
    )
    assert wrong_org.status_code == 400 and "assessor_org" in wrong_org.data
    draft = IndicatorSystemFactory(state="draft")
    assert (
        api(cast.staff)
        .post("/api/v1/evaluations/", commission_body(cast, system=draft.pk), format="json")
        .status_code
        == 400
    )
    too_few = commission_body(cast, min_assessors=2)
    assert api(cast.staff).post("/api/v1/evaluations/", too_few, format="json").status_code == 400
    created = session(cast.staff).post("/api/v1/evaluations/", body, format="json")
    assert created.status_code == 201, created.data
    assert created.data["state"] == "commissioned"
    evaluation = Evaluation.objects.get(pk=created.data["id"])
    assert (evaluation.lead, evaluation.system) == (cast.lead, cast.system)
    assert (
        TransitionLog.for_object(evaluation)
        .filter(transition="commission", actor=cast.staff)
        .exists()
    )


def test_the_lead_assigns_assessors_and_starts_scoring(cast):  # noqa: F811
    evaluation = commission(cast)
    url = f"/api/v1/evaluations/{evaluation.pk}/assessors/"
    chosen = {"assessors": [a.pk for a in cast.assessors[:3]]}
    for outsider in (cast.staff, cast.ngo):
        assert api(outsider).post(url, chosen, format="json").status_code == 403
    # An assessor not (yet) on the evaluation does not see it at all.
    assert api(cast.assessors[0]).post(url, chosen, format="json").status_code == 404
    stranger = AssessorFactory()  # another assessor organisation
    refused = api(cast.lead).post(url, {"assessors": [stranger.pk]}, format="json")
    assert refused.status_code == 400 and not evaluation.assignments.exists()
    assert api(cast.lead).post(url, {"assessors": []}, format="json").status_code == 400
    assigned = api(cast.lead).post(url, chosen, format="json")
    assert assigned.status_code == 201, assigned.data
    assert [(a["assessor"], a["state"]) for a in assigned.data] == [
        (a.pk, "pending") for a in cast.assessors[:3]
    ]
    for assignment in AssessorAssignment.objects.filter(evaluation=evaluation):
        assert (
            TransitionLog.for_object(assignment)
            .filter(transition="assign", actor=cast.lead)
            .exists()
        )
    again = api(cast.lead).post(url, {"assessors": [cast.assessors[0].pk]}, format="json")
    assert again.status_code == 400

    start = f"/api/v1/evaluations/{evaluation.pk}/start/"
    pending = api(cast.lead).post(start)
    assert pending.status_code == 409 and pending.data["detail"]  # nobody has declared yet
    for assessor in cast.assessors[:3]:
        declared = api(assessor).post(
            f"/api/v1/evaluations/{evaluation.pk}/declare/", {"conflict": False}, format="json"
        )
        assert declared.status_code == 200
    assert api(cast.assessors[0]).post(start).status_code == 403
    assert api(cast.staff).post(start).status_code == 403
    started = api(cast.lead).post(start)
    assert started.status_code == 200 and started.data["state"] == "scoring"
    assert TransitionLog.for_object(evaluation).filter(transition="start_scoring").exists()
    listing = api(cast.staff).get(url)
    assert [a["state"] for a in listing.data] == ["cleared"] * 3
    late = api(cast.lead).post(url, {"assessors": [cast.assessors[3].pk]}, format="json")
    assert late.status_code == 409  # the state: assessors join before scoring starts
    assert api(BureauStaffFactory()).get(url).status_code == 404


def _leaf(evaluation, name):
    return Indicator.objects.get(system=evaluation.system, level=3, name=name)


def test_comparison_consolidation_and_return(cast):  # noqa: F811
    evaluation = to_scoring(cast, n=5)
    url = f"/api/v1/evaluations/{evaluation.pk}/comparison/"
    sealed = api(cast.lead).get(url)
    assert sealed.status_code == 403 and sealed.data["detail"]
    fill_and_submit(evaluation, [full_marks(个案数=v) for v in ("20", "18", "18", "18", "8")])
    assert api(cast.ngo).get(url).status_code == 403  # no individual sheets for the NGO
    assert api(BureauStaffFactory()).get(url).status_code == 404
    compared = api(cast.lead).get(url)
    assert compared.status_code == 200
    assert compared.data["method"] == "trimmed_mean" and len(compared.data["sheets"]) == 5
    cases = _leaf(evaluation, "个案数")
    row = next(r for r in compared.data["leaves"] if r["indicator"] == cases.pk)
    # 20, 18, 18, 18, 8: the highest and lowest fifth dropped → 18.00; spread 12 > 30% of 20.
    assert row["scores"] == ["20.00", "18.00", "18.00", "18.00", "8.00"]
    assert (row["computed"], row["spread"], row["flagged"]) == ("18.00", "12.00", True)
    assert compared.data["total"] == "98.00"

    consolidate = f"/api/v1/evaluations/{evaluation.pk}/consolidate/"
    for outsider in (cast.assessors[0], cast.staff, cast.ngo):
        assert api(outsider).post(consolidate, {}, format="json").status_code == 403
    unexplained = api(cast.lead).post(consolidate, {}, format="json")
    assert unexplained.status_code == 400 and "个案数" in str(unexplained.data)
    bare_override = {"decisions": [{"indicator": cases.pk, "score": "19"}]}
    assert api(cast.lead).post(consolidate, bare_override, format="json").status_code == 400
    too_high = {"decisions": [{"indicator": cases.pk, "score": "25", "note": "复核"}]}
    assert api(cast.lead).post(consolidate, too_high, format="json").status_code == 400
    twice = {"decisions": [{"indicator": cases.pk, "note": "a"}, {"indicator": cases.pk}]}
    assert api(cast.lead).post(consolidate, twice, format="json").status_code == 400
    justified = {
        "decisions": [{"indicator": cases.pk, "score": "19", "note": "合议：台账抽查支持19分"}],
        "summary": "整体良好",
    }
    result = api(cast.lead).post(consolidate, justified, format="json")
    assert result.status_code == 200, result.data
    assert (result.data["evaluation_state"], result.data["total"], result.data["grade"]) == (
        "consolidated",
        "99.00",
        "excellent",
    )
    leaf = next(r for r in result.data["leaves"] if r["indicator"] == cases.pk)
    assert (leaf["score"], leaf["computed"], leaf["overridden"]) == ("19.00", "18.00", True)
    assert (
        TransitionLog.for_object(evaluation)
        .filter(transition="consolidate", actor=cast.lead)
        .exists()
    )

    back = f"/api/v1/evaluations/{evaluation.pk}/return/"
    for outsider in (cast.lead, cast.ngo, cast.assessors[1]):
        assert api(outsider).post(back, {"reason": "请复核"}, format="json").status_code == 403
    assert api(cast.staff).post(back, {"reason": ""}, format="json").status_code == 400
    returned = api(cast.staff).post(back, {"reason": "个案数调整依据不足"}, format="json")
    assert returned.status_code == 200 and returned.data["state"] == "submitted"
    assert (
        TransitionLog.for_object(evaluation)
        .filter(transition="return_for_review", note="个案数调整依据不足")
        .exists()
    )
    again = api(cast.lead).post(
        consolidate, {"decisions": [{"indicator": cases.pk, "note": "维持18分"}]}, format="json"
    )
    assert again.status_code == 200 and again.data["total"] == "98.00"
    # The returned result stays in the history; the new round is the current one.
    rounds = EvaluationResult.objects.filter(evaluation=evaluation).order_by("round")
    assert [(r.round, r.total, r.is_current) for r in rounds] == [
        (1, Decimal("99.00"), False),
        (2, Decimal("98.00"), True),
    ]


def test_the_lead_re_reviews_an_appealed_result(cast):  # noqa: F811
    evaluation = fill_and_submit(to_scoring(cast), [full_marks(个案数="16")] * 3)
    services.evaluation_consolidate(evaluation=evaluation, actor=cast.lead)
    assert api(cast.staff).post(f"/api/v1/evaluations/{evaluation.pk}/confirm/").status_code == 200
    appealed = api(cast.ngo).post(
        f"/api/v1/evaluations/{evaluation.pk}/appeal/",
        {
            "reason": "个案数统计口径有误",
            "disputed": [evaluation.system.indicators.get(name="个案数").pk],
        },
        format="json",
    )
    assert appealed.status_code == 200 and appealed.data["state"] == "appealed"
    # Under appeal the lead answers with a re-review, not a plain consolidation: the state says 409.
    blocked = api(cast.lead).post(
        f"/api/v1/evaluations/{evaluation.pk}/consolidate/", {}, format="json"
    )
    assert blocked.status_code == 409 and blocked.data["detail"]
    url = f"/api/v1/evaluations/{evaluation.pk}/re-review/"
    cases = _leaf(evaluation, "个案数")
    body = {
        "response": "重新核对台账，个案数计为18个",
        "decisions": [{"indicator": cases.pk, "score": "18", "note": "按申诉材料复核"}],
    }
    for outsider in (cast.staff, cast.ngo, cast.assessors[0]):
        assert api(outsider).post(url, body, format="json").status_code == 403
    assert api(cast.lead).post(url, body | {"response": ""}, format="json").status_code == 400
    reviewed = api(cast.lead).post(url, body, format="json")
    assert reviewed.status_code == 200, reviewed.data
    assert (reviewed.data["evaluation_state"], reviewed.data["round"], reviewed.data["total"]) == (
        "re_reviewed",
        2,
        "98.00",
    )
    assert Appeal.objects.get(evaluation=evaluation).response == "重新核对台账，个案数计为18个"
    assert (
        TransitionLog.for_object(evaluation)
        .filter(transition="re_review", actor=cast.lead)
        .exists()
    )
    assert EvaluationResult.objects.filter(evaluation=evaluation).count() == 2  # history kept
    seen = api(cast.ngo).get(f"/api/v1/evaluations/{evaluation.pk}/result/")
    assert seen.status_code == 200 and seen.data["total"] == "98.00"
    assert (
        api(NgoUserFactory()).get(f"/api/v1/evaluations/{evaluation.pk}/result/").status_code == 404
    )


def test_anonymous_gets_401_on_the_workflow(cast):  # noqa: F811
    evaluation = commission(cast)
    for method, path in [
        ("post", "/api/v1/evaluations/"),
        ("get", f"/api/v1/evaluations/{evaluation.pk}/assessors/"),
        ("post", f"/api/v1/evaluations/{evaluation.pk}/start/"),
        ("get", f"/api/v1/evaluations/{evaluation.pk}/comparison/"),
        ("post", f"/api/v1/evaluations/{evaluation.pk}/consolidate/"),
    ]:
        assert getattr(APIClient(), method)(path).status_code == 401, path
    assert Decimal(evaluation.spread_threshold) == Decimal("30.00")
