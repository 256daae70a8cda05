"""Score sheets are sealed between assessors (and from the lead) until every sheet is in."""

from decimal import Decimal

import pytest
from django.urls import reverse

from evaluation import services
from evaluation.models import Indicator, ScoreSheet
from tests.evaluation.conftest import fill_and_submit, full_marks, inputs_for, to_scoring

pytestmark = pytest.mark.django_db


def test_sheets_stay_sealed_until_all_are_submitted(cast, login):
    evaluation = to_scoring(cast)
    sheets = list(ScoreSheet.objects.filter(evaluation=evaluation).order_by("id"))
    first, second = sheets[0], sheets[1]
    # First assessor submits; the second must not see it, nor may the lead compare yet.
    leaves = Indicator.objects.filter(system=evaluation.system, level=3)
    services.sheet_save(
        sheet=first,
        actor=first.assessor,
        entries={
            leaf.pk: services.EntryInput(inputs=inputs_for(leaf, leaf.points)) for leaf in leaves
        },
    )
    services.sheet_submit(sheet=first, actor=first.assessor)

    other = login(second.assessor)
    assert (
        other.get(reverse("evaluation:sheet_view", args=[evaluation.pk, first.pk])).status_code
        == 403
    )
    assert other.get(reverse("evaluation:comparison", args=[evaluation.pk])).status_code == 403
    assert (
        login(cast.lead).get(reverse("evaluation:comparison", args=[evaluation.pk])).status_code
        == 403
    )
    assert (
        login(cast.staff)
        .get(reverse("evaluation:sheet_view", args=[evaluation.pk, first.pk]))
        .status_code
        == 403
    )
    # The detail page shows who has submitted, never the scores.
    page = other.get(reverse("evaluation:detail", args=[evaluation.pk])).content.decode()
    assert "20.00" not in page
    # Own sheet stays visible to its owner.
    assert (
        login(first.assessor)
        .get(reverse("evaluation:sheet_view", args=[evaluation.pk, first.pk]))
        .status_code
        == 200
    )


def test_sheets_open_once_everyone_has_submitted(cast, login):
    evaluation = fill_and_submit(to_scoring(cast), [full_marks(个案数="19.5")] * 3)
    first, second = list(ScoreSheet.objects.filter(evaluation=evaluation).order_by("id"))[:2]
    assert (
        login(second.assessor)
        .get(reverse("evaluation:sheet_view", args=[evaluation.pk, first.pk]))
        .status_code
        == 200
    )
    page = login(cast.lead).get(reverse("evaluation:comparison", args=[evaluation.pk]))
    assert page.status_code == 200
    assert page.context["rows"][0]["computed"] == Decimal("19.50")
    # The evaluated NGO never sees individual sheets.
    assert (
        login(cast.ngo)
        .get(reverse("evaluation:sheet_view", args=[evaluation.pk, first.pk]))
        .status_code
        == 403
    )


def test_an_assessor_cannot_edit_another_sheet_or_a_submitted_one(cast, login):
    evaluation = fill_and_submit(to_scoring(cast), [full_marks()] * 3)
    sheet = ScoreSheet.objects.filter(evaluation=evaluation).first()
    response = login(sheet.assessor).post(
        reverse("evaluation:sheet", args=[evaluation.pk]), {"save": "1"}
    )
    assert response.status_code == 403


def test_the_selector_only_returns_what_each_user_may_read(cast):
    from core.fsm import ActionRefusedError
    from evaluation import selectors

    evaluation = to_scoring(cast)
    second = list(ScoreSheet.objects.filter(evaluation=evaluation).order_by("id"))[1]
    assert list(selectors.sheets_visible(user=second.assessor, evaluation=evaluation)) == [second]
    assert not selectors.sheets_visible(user=cast.lead, evaluation=evaluation).exists()
    assert not selectors.sheets_visible(user=cast.staff, evaluation=evaluation).exists()
    with pytest.raises(ActionRefusedError):
        services.compare(evaluation)
    evaluation = fill_and_submit(evaluation, [full_marks()] * 3)
    assert selectors.sheets_visible(user=second.assessor, evaluation=evaluation).count() == 3
    assert selectors.sheets_visible(user=cast.lead, evaluation=evaluation).count() == 3
    assert not selectors.sheets_visible(user=cast.ngo, evaluation=evaluation).exists()
