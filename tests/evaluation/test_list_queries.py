"""List pages cost a fixed number of queries, however many rows they show."""

import pytest
from django.urls import reverse

from tests.factories.accounts import AuditorFactory
from tests.factories.evaluation import EvaluationFactory, IndicatorSystemFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("page", ["evaluation:list", "evaluation:system_list"])
def test_list_pages_cost_constant_queries(page, login, django_assert_max_num_queries):
    client = login(AuditorFactory())
    for _ in range(2):
        EvaluationFactory()
    with django_assert_max_num_queries(12) as few:
        assert client.get(reverse(page)).status_code == 200
    for _ in range(8):
        EvaluationFactory(system=IndicatorSystemFactory())
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse(page))
    assert response.status_code == 200
