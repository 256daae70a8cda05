"""On PostgreSQL, assessors saving and submitting one evaluation's score sheets at the same moment:
no score is lost, no entry is duplicated, and scoring closes exactly once."""

from __future__ import annotations

import threading
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db import connection
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core.models import TransitionLog
from evaluation import services
from evaluation.models import (
    Evaluation,
    EvaluationState,
    Indicator,
    ScoreEntry,
    ScoreSheet,
    SheetState,
)
from evaluation.services import EntryInput
from tests.evaluation.conftest import commission, inputs_for
from tests.factories.accounts import AssessorFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ASSESSORS = 10


def _race(n: int, work: Callable[[int], object]) -> list[str]:
    """Run work(0..n-1) in n threads, each on its own connection, released by one barrier."""
    barrier = threading.Barrier(n)
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(i: int) -> None:
        try:
            barrier.wait()
            work(i)
            result = "ok"
        except Exception as exc:
            result = f"{type(exc).__name__}: {exc}"
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


def _scores(i: int) -> dict[str, Decimal]:
    """A sheet that differs per assessor on every leaf, so a lost or crossed write shows."""
    return {
        "个案数": Decimal(11 + i),
        "社区活动场次": Decimal(20 if i % 2 == 0 else 0),
        "财务合规": Decimal(20 - 2 * i),
        "满意度调查": Decimal(21 + i),
        "回访记录": Decimal(10 if i % 3 else 0),
    }


def _entries(
    leaves: dict[str, Indicator], scores: dict[str, Decimal], *, reverse: bool = False
) -> dict[int, EntryInput]:
    items = list(scores.items())[:: -1 if reverse else 1]
    return {
        leaves[name].pk: EntryInput(inputs=inputs_for(leaves[name], v), comment=f"{name}={v}")
        for name, v in items
    }


def _scoring(cast, n: int) -> tuple[Evaluation, list[ScoreSheet], dict[str, Indicator]]:
    assessors = [AssessorFactory(organization=cast.assessor_org) for _ in range(n)]
    evaluation = commission(cast)
    for a in services.assessors_assign(evaluation=evaluation, actor=cast.lead, assessors=assessors):
        services.assessor_declare(assignment=a, actor=a.assessor, conflict=False)
    evaluation = services.evaluation_start_scoring(evaluation=evaluation, actor=cast.lead)
    sheets = list(ScoreSheet.objects.filter(evaluation=evaluation).order_by("id"))
    leaves = {leaf.name: leaf for leaf in Indicator.objects.filter(system=cast.system, level=3)}
    return evaluation, sheets, leaves


def _stored(sheet: ScoreSheet) -> dict[str, Decimal | None]:
    return {
        e.indicator.name: e.score
        for e in ScoreEntry.objects.filter(sheet=sheet).select_related("indicator")
    }


def test_ten_assessors_save_at_once(cast):
    evaluation, sheets, leaves = _scoring(cast, ASSESSORS)
    assert len(sheets) == ASSESSORS

    outcomes = _race(
        ASSESSORS,
        lambda i: services.sheet_save(
            # Each thread reads the sheet itself, as the page and the API do per request.
            sheet=ScoreSheet.objects.get(pk=sheets[i].pk),
            actor=sheets[i].assessor,
            entries=_entries(leaves, _scores(i)),
        ),
    )

    assert outcomes == ["ok"] * ASSESSORS
    entries = ScoreEntry.objects.filter(sheet__evaluation=evaluation)
    assert entries.count() == ASSESSORS * len(leaves)
    assert entries.filter(score__isnull=True).count() == 0
    for i, sheet in enumerate(sheets):
        assert _stored(sheet) == _scores(i), sheet.assessor
    assert not ScoreSheet.objects.filter(evaluation=evaluation).exclude(state=SheetState.DRAFT)


def test_ten_assessors_save_at_once_through_the_api(cast):
    evaluation, sheets, leaves = _scoring(cast, ASSESSORS)
    tokens = [Token.objects.create(user=s.assessor).key for s in sheets]

    def save(i: int) -> None:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {tokens[i]}")
        body = {
            "entries": [
                {"indicator": leaves[name].pk, "inputs": inputs_for(leaves[name], v)}
                for name, v in _scores(i).items()
            ]
        }
        response = client.post(
            f"/api/v1/evaluations/{evaluation.pk}/my-sheet/", body, format="json"
        )
        assert response.status_code == 200, response.content
        assert {e["name"]: Decimal(e["score"]) for e in response.data["entries"]} == _scores(i)

    assert _race(ASSESSORS, save) == ["ok"] * ASSESSORS
    assert ScoreEntry.objects.filter(sheet__evaluation=evaluation).count() == (
        ASSESSORS * len(leaves)
    )
    for i, sheet in enumerate(sheets):
        assert _stored(sheet) == _scores(i), sheet.assessor


def test_ten_assessors_submit_at_once_closes_scoring_once(cast):
    evaluation, sheets, leaves = _scoring(cast, ASSESSORS)
    for i, sheet in enumerate(sheets):
        services.sheet_save(sheet=sheet, actor=sheet.assessor, entries=_entries(leaves, _scores(i)))

    outcomes = _race(
        ASSESSORS,
        lambda i: services.sheet_submit(
            sheet=ScoreSheet.objects.get(pk=sheets[i].pk), actor=sheets[i].assessor
        ),
    )

    assert outcomes == ["ok"] * ASSESSORS
    evaluation.refresh_from_db()
    assert evaluation.state == EvaluationState.SUBMITTED
    assert ScoreSheet.objects.filter(evaluation=evaluation, state=SheetState.SUBMITTED).count() == (
        ASSESSORS
    )
    closes = TransitionLog.for_object(evaluation).filter(transition="close_scoring")
    assert closes.count() == 1
    submits = TransitionLog.objects.filter(
        transition="submit", object_id__in=[str(s.pk) for s in sheets]
    )
    assert submits.count() == ASSESSORS


@pytest.mark.parametrize("attempt", range(5))
def test_same_assessor_saving_twice_at_once_keeps_one_whole_sheet(cast, attempt):
    evaluation, sheets, leaves = _scoring(cast, 3)
    sheet = sheets[0]
    versions = [_scores(1), _scores(8)]

    outcomes = _race(
        2,
        lambda i: services.sheet_save(
            sheet=ScoreSheet.objects.get(pk=sheet.pk),
            actor=sheet.assessor,
            # Opposite leaf orders: without the sheet lock the two saves would deadlock or mix.
            entries=_entries(leaves, versions[i], reverse=i == 1),
        ),
    )

    assert outcomes == ["ok", "ok"]
    assert ScoreSheet.objects.filter(evaluation=evaluation, assessor=sheet.assessor).count() == 1
    assert ScoreEntry.objects.filter(sheet=sheet).count() == len(leaves)
    # The sheet lock serialises the saves: the later one wins on every leaf, never a mixture.
    assert _stored(sheet) in versions
    comments = set(ScoreEntry.objects.filter(sheet=sheet).values_list("comment", flat=True))
    winner = versions[0] if _stored(sheet) == versions[0] else versions[1]
    assert comments == {f"{name}={v}" for name, v in winner.items()}
