from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory

from procurement.models import Contract, ContractState
from projects.models import ProjectState
from tests.factories.accounts import NgoFactory
from tests.factories.projects import ServiceProjectFactory


class ContractFactory(factory.django.DjangoModelFactory):
    """A contract in force for a contracted project; pass state=... for another stage."""

    class Meta:
        model = Contract

    project = factory.SubFactory(ServiceProjectFactory, state=ProjectState.IN_SERVICE)
    supplier = factory.SubFactory(NgoFactory)
    number = factory.Sequence(lambda n: f"HT-TEST-{n:05d}")
    amount = Decimal("480000.00")
    start_date = factory.LazyFunction(lambda: dt.date.today() - dt.timedelta(days=30))
    end_date = factory.LazyAttribute(lambda o: o.start_date + dt.timedelta(days=364))
    state = ContractState.IN_SERVICE
