"""An assessor sees each evaluation once in the list and the API, however they are on it: as
its lead and as one of its scorers at once, beside other scorers (the visibility filter asks
assignments through a subquery, so nothing repeats a row)."""

import pytest
from django.urls import reverse

from evaluation.models import AssignmentState
from tests.factories.evaluation import AssignmentFactory, EvaluationFactory

pytestmark = pytest.mark.django_db


def test_lead_who_also_scores_sees_the_evaluation_once(login):
    evaluation = EvaluationFactory()
    lead = evaluation.lead
    AssignmentFactory(evaluation=evaluation, assessor=lead, state=AssignmentState.CLEARED)
    AssignmentFactory.create_batch(2, evaluation=evaluation, state=AssignmentState.CLEARED)
    scored_only = EvaluationFactory(assessor_org=evaluation.assessor_org)
    AssignmentFactory(evaluation=scored_only, assessor=lead, state=AssignmentState.PENDING)
    declined = EvaluationFactory(assessor_org=evaluation.assessor_org)
    AssignmentFactory(evaluation=declined, assessor=lead, state=AssignmentState.CONFLICTED)
    client = login(lead)

    page = client.get(reverse("evaluation:list")).context["page"]
    api = client.get("/api/v1/evaluations/").json()

    assert [e.pk for e in page.object_list] == [scored_only.pk, evaluation.pk]
    assert page.paginator.count == 2
    assert api["count"] == 2
    assert [row["id"] for row in api["results"]] == [scored_only.pk, evaluation.pk]
