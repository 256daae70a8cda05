from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory

from projects.models import (
    BeneficiaryCategory,
    FundSource,
    ProjectState,
    ServiceCategory,
    ServiceProject,
    TargetGroup,
)
from tests.factories.accounts import BureauFactory, BureauStaffFactory


class ServiceProjectFactory(factory.django.DjangoModelFactory):
    """A project; pass state=... to start elsewhere than draft (a protected FSMField accepts it at init)."""

    class Meta:
        model = ServiceProject
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"关爱农村留守儿童保护项目{n}")
    code = factory.Sequence(lambda n: f"GMTEST{n:05d}")
    bureau = factory.SubFactory(BureauFactory)
    category = ServiceCategory.LEFT_BEHIND_CHILDREN
    region = "湖北省潜江市"
    budget = Decimal("500000.00")
    fund_source = FundSource.GENERAL_BUDGET
    period_start = factory.LazyFunction(lambda: dt.date.today() + dt.timedelta(days=60))
    period_end = factory.LazyAttribute(lambda o: o.period_start + dt.timedelta(days=364))
    performance_targets = "服务农村留守儿童不少于800人；满意度不低于90%。"
    state = ProjectState.DRAFT
    created_by = factory.SubFactory(
        BureauStaffFactory, organization=factory.SelfAttribute("..bureau")
    )

    @factory.post_generation
    def groups(obj, create, extracted, **kwargs):  # noqa: N805 - factory_boy hook signature
        if not create:
            return
        for category, count in (
            extracted if extracted is not None else [(BeneficiaryCategory.LEFT_BEHIND_CHILD, 800)]
        ):
            TargetGroup.objects.create(project=obj, category=category, count=count)
