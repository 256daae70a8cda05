from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory

from funds.models import Milestone, MilestoneState
from tests.factories.procurement import ContractFactory


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone

    contract = factory.SubFactory(ContractFactory)
    sequence = factory.Sequence(lambda n: n + 1)
    name = "中期服务成果"
    percentage = Decimal("40.00")
    amount = factory.LazyAttribute(
        lambda o: (o.contract.amount * o.percentage / 100).quantize(Decimal("0.01"))
    )
    due_date = factory.LazyFunction(lambda: dt.date.today() + dt.timedelta(days=90))
    is_advance = False
    requires_evaluation = True
    state = MilestoneState.PLANNED
