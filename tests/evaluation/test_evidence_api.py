"""The API twins of the evidence, targets, self-evaluation, survey, history and ties pages."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from evaluation.models import Indicator
from evaluation.records import ContractTarget, OrganizationTie
from tests.evaluation.conftest import commission, to_scoring
from tests.factories.accounts import AssessorFactory, AuditorFactory, NgoUserFactory
from tests.factories.beneficiaries import BeneficiaryFactory

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_evidence_and_contract_targets(cast):
    evaluation = commission(cast)
    url = f"/api/v1/evaluations/{evaluation.pk}/evidence/"
    for user, code in [
        (cast.lead, 200),
        (cast.staff, 200),
        (cast.ngo, 200),
        (AuditorFactory(), 200),
        (AssessorFactory(organization=cast.assessor_org), 404),
        (NgoUserFactory(), 404),
    ]:
        assert api(user).get(url).status_code == code, user
    body = api(cast.lead).get(url).data
    assert {s["title"] for s in body["sections"]} >= {"已提交的交付成果", "服务对象档案（仅数量）"}
    targets = f"/api/v1/evaluations/{evaluation.pk}/contract-targets/"
    good = {"measure": "service_person_times", "value": "6000", "basis": "合同第二条"}
    assert api(cast.lead).post(targets, good, format="json").status_code == 403
    assert api(cast.ngo).post(targets, good, format="json").status_code == 403
    bad = api(cast.staff).post(targets, good | {"measure": "satisfaction"}, format="json")
    assert bad.status_code == 400 and "measure" in bad.data
    assert api(cast.staff).post(targets, good | {"value": "-1"}, format="json").status_code == 400
    assert api(cast.staff).post(targets, good, format="json").status_code == 201
    assert ContractTarget.objects.get(contract=cast.contract).value == 6000
    assert api(cast.lead).get(url).data["targets"][0]["value"] == "6000.00"


def test_self_evaluation_survey_and_changes(cast):
    evaluation = commission(cast)
    url = f"/api/v1/evaluations/{evaluation.pk}/self-evaluation/"
    leaves = Indicator.objects.filter(system=evaluation.system, level=3)
    entries = [
        {
            "indicator": leaf.pk,
            "inputs": {"score": "5", "count": "0", "actual": "40", "target": "40", "met": "yes"},
        }
        for leaf in leaves
    ]
    assert api(cast.lead).post(url, {"entries": entries}, format="json").status_code == 403
    assert api(cast.lead).get(url).status_code == 404  # nothing submitted yet
    saved = api(cast.ngo).post(url, {"entries": entries, "submit": True}, format="json")
    assert saved.status_code == 200 and saved.data["submitted_at"]
    assert api(cast.lead).get(url).data["total"] == saved.data["total"]
    for _ in range(4):
        BeneficiaryFactory(organization=cast.contract.supplier, contract=cast.contract)
    draw = f"/api/v1/evaluations/{evaluation.pk}/survey/draw/"
    assert api(cast.ngo).post(draw, {"size": 2}, format="json").status_code == 403
    assert api(cast.lead).post(draw, {"size": 0}, format="json").status_code == 400
    drawn = api(cast.lead).post(draw, {"size": 2}, format="json")
    assert drawn.status_code == 201 and drawn.data["population"] == 4
    assert api(cast.lead).post(draw, {"size": 2}, format="json").status_code == 409
    household = drawn.data["households"][0]["id"]
    answers = f"/api/v1/evaluations/{evaluation.pk}/survey/answers/"
    missing = api(cast.lead).post(
        answers, {"household": household, "mode": "phone", "reached": True}, format="json"
    )
    assert missing.status_code == 400 and "overall" in str(missing.data)
    answered = api(cast.lead).post(
        answers,
        {"household": household, "mode": "phone", "reached": True, "overall": "very"},
        format="json",
    )
    assert answered.status_code == 200 and answered.data["percent"] == "100.00"
    changes = api(cast.staff).get(f"/api/v1/evaluations/{evaluation.pk}/changes/")
    assert changes.status_code == 200 and len(changes.data) == leaves.count()
    assert api(cast.ngo).get(f"/api/v1/evaluations/{evaluation.pk}/changes/").status_code == 403


def test_ties_api(cast):
    body = {
        "organization": cast.assessor_org.pk,
        "other": cast.contract.supplier.pk,
        "kind": "paid_work",
        "detail": "2025年项目督导",
        "last_date": (dt.date.today() - dt.timedelta(days=30)).isoformat(),
    }
    assert api(cast.ngo).post("/api/v1/assessor-ties/", body, format="json").status_code == 403
    assert (
        api(cast.lead)
        .post("/api/v1/assessor-ties/", body | {"last_date": None}, format="json")
        .status_code
        == 400
    )
    assert api(cast.lead).post("/api/v1/assessor-ties/", body, format="json").status_code == 201
    assert OrganizationTie.objects.count() == 1
    assert api(cast.staff).get("/api/v1/assessor-ties/").data["count"] == 1
    assert api(cast.ngo).get("/api/v1/assessor-ties/").data["count"] == 0
    created = api(cast.staff).post(
        "/api/v1/evaluations/",
        {
            "project": cast.contract.project.pk,
            "contract": cast.contract.pk,
            "assessor_org": cast.assessor_org.pk,
            "lead": cast.lead.pk,
            "system": cast.system.pk,
        },
        format="json",
    )
    assert created.status_code == 400 and "2025年项目督导" in str(created.data)


def test_changes_api_keeps_other_sheets_sealed(cast):
    evaluation = to_scoring(cast)
    assert api(cast.assessors[0]).get(f"/api/v1/evaluations/{evaluation.pk}/changes/").data == []
