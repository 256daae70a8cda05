from __future__ import annotations

import factory

from evaluation.models import Evaluation, EvaluationState
from tests.factories.accounts import AssessorOrgFactory
from tests.factories.procurement import ContractFactory


class EvaluationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Evaluation

    contract = factory.SubFactory(ContractFactory)
    project = factory.SelfAttribute("contract.project")
    milestone = None
    assessor_org = factory.SubFactory(AssessorOrgFactory)
    state = EvaluationState.COMMISSIONED
