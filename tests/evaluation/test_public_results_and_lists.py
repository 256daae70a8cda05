"""The public results page waits for publication; the system list counts each leaf once."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from evaluation import services
from evaluation.models import EvaluationState
from tests.evaluation.conftest import fill_and_submit, full_marks, to_scoring
from tests.factories.accounts import AuditorFactory
from tests.factories.evaluation import EvaluationFactory, IndicatorSystemFactory

pytestmark = pytest.mark.django_db


def test_confirmed_scores_stay_off_the_public_page_until_published(cast, monkeypatch):
    evaluation = fill_and_submit(to_scoring(cast), [full_marks(个案数="16")] * 3)
    services.evaluation_consolidate(evaluation=evaluation, actor=cast.lead)
    monkeypatch.setattr(services, "appeal_deadline_from", lambda day: day - dt.timedelta(days=1))
    services.evaluation_confirm(evaluation=evaluation, actor=cast.staff)
    evaluation.refresh_from_db()
    assert evaluation.state == EvaluationState.CONFIRMED
    public = Client()
    body = public.get(reverse("opendata:results")).content.decode()
    assert str(evaluation.total_score) not in body
    assert cast.contract.supplier.name not in body

    services.evaluation_publish(evaluation=evaluation, actor=cast.staff)
    evaluation.refresh_from_db()
    body = public.get(reverse("opendata:results")).content.decode()
    assert evaluation.state == EvaluationState.PUBLISHED
    assert str(evaluation.total_score) in body and cast.contract.supplier.name in body
    year = evaluation.published_at.year
    assert (
        str(evaluation.total_score)
        in public.get(reverse("opendata:results"), {"year": year}).content.decode()
    )


def test_system_list_counts_each_leaf_once_however_many_evaluations_use_it(login):
    system = IndicatorSystemFactory(rows="social_work")
    for _ in range(3):
        EvaluationFactory(system=system)
    page = login(AuditorFactory()).get(reverse("evaluation:system_list"))
    row = next(s for s in page.context["systems"] if s.pk == system.pk)
    assert row.leaf_count == 32
    assert row.evaluation_count == 3
