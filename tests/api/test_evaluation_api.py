"""Assessors score through the API; sheets stay sealed from each other; the bureau confirms."""

from decimal import Decimal

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from evaluation import services
from evaluation.models import Indicator, ScoreSheet
from tests.evaluation.conftest import cast, full_marks, inputs_for, to_scoring  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def test_score_submit_and_confirm(cast):  # noqa: F811
    evaluation = to_scoring(cast)
    leaves = {
        leaf.name: leaf for leaf in Indicator.objects.filter(system=evaluation.system, level=3)
    }
    assessors = cast.assessors[:3]
    first = api(assessors[0]).get(f"/api/v1/evaluations/{evaluation.pk}/my-sheet/")
    assert first.status_code == 200 and len(first.data["entries"]) == len(leaves)
    too_high = {
        "entries": [
            {
                "indicator": leaves["个案数"].pk,
                "inputs": inputs_for(leaves["个案数"], Decimal(20)) | {"actual": "999"},
                "comment": "",
            }
        ]
    }
    assert api(assessors[0]).post(
        f"/api/v1/evaluations/{evaluation.pk}/my-sheet/", too_high, format="json"
    ).status_code in (200, 400)
    for assessor in assessors:
        body = {
            "entries": [
                {
                    "indicator": leaves[n].pk,
                    "inputs": inputs_for(leaves[n], v),
                    "comment": "抽查台账",
                }
                for n, v in full_marks(个案数="16").items()
            ]
        }
        saved = api(assessor).post(
            f"/api/v1/evaluations/{evaluation.pk}/my-sheet/", body, format="json"
        )
        assert saved.status_code == 200, saved.data
        # Before everyone submits, nobody reads another assessor's sheet: only one's own exists here.
        assert {
            e["score"] for e in saved.data["entries"] if e["indicator"] == leaves["个案数"].pk
        } == {"16.00"}
        assert (
            api(assessor).post(f"/api/v1/evaluations/{evaluation.pk}/my-sheet/submit/").status_code
            == 200
        )
    assert set(
        ScoreSheet.objects.filter(evaluation=evaluation).values_list("state", flat=True)
    ) == {"submitted"}
    evaluation.refresh_from_db()
    result = services.evaluation_consolidate(evaluation=evaluation, actor=cast.lead, decisions={})
    assert result.total == Decimal("96.00")
    assert api(cast.ngo).post(f"/api/v1/evaluations/{evaluation.pk}/confirm/").status_code == 403
    confirmed = api(cast.staff).post(f"/api/v1/evaluations/{evaluation.pk}/confirm/")
    assert (
        confirmed.status_code == 200
        and confirmed.data["state"] == "confirmed"
        and confirmed.data["grade"] == "excellent"
    )
    appealed = api(cast.ngo).post(
        f"/api/v1/evaluations/{evaluation.pk}/appeal/",
        {
            "reason": "个案数统计口径有误",
            "disputed": [evaluation.system.indicators.get(name="个案数").pk],
        },
        format="json",
    )
    assert appealed.status_code == 200 and appealed.data["state"] == "appealed"


def test_a_stranger_has_no_sheet(cast):  # noqa: F811
    evaluation = to_scoring(cast)
    outsider = cast.assessors[4]
    assert api(outsider).get(f"/api/v1/evaluations/{evaluation.pk}/my-sheet/").status_code == 404
