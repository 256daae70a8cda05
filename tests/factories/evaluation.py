from __future__ import annotations

from decimal import Decimal

import factory

from evaluation.indicators import load_template, save_specs, specs_from_rows
from evaluation.models import (
    AssessorAssignment,
    AssignmentState,
    Evaluation,
    EvaluationState,
    IndicatorSystem,
    SystemState,
)
from tests.factories.accounts import AssessorFactory, AssessorOrgFactory
from tests.factories.procurement import ContractFactory

# A small valid tree: two 一级, three 二级, five leaves (one per scoring method).
SMALL_TREE = [
    {"path": "产出", "points": 60},
    {"path": "产出/数量", "points": 40},
    {"path": "产出/数量/个案数", "points": 20, "method": "ratio", "params": "target=40"},
    {
        "path": "产出/数量/社区活动场次",
        "points": 20,
        "method": "threshold",
        "params": "threshold=24",
    },
    {"path": "产出/质量", "points": 20},
    {"path": "产出/质量/财务合规", "points": 20, "method": "deduction", "params": "penalty=2"},
    {"path": "效益", "points": 40},
    {"path": "效益/服务对象满意度", "points": 40},
    {
        "path": "效益/服务对象满意度/满意度调查",
        "points": 30,
        "method": "rubric",
        "params": "满意=30;基本满意=20;不满意=0",
    },
    {"path": "效益/服务对象满意度/回访记录", "points": 10, "method": "boolean"},
]


class IndicatorSystemFactory(factory.django.DjangoModelFactory):
    """A published system; `rows=` chooses the tree (default SMALL_TREE, or "social_work")."""

    class Meta:
        model = IndicatorSystem
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"test-system-{n}")
    name = factory.Sequence(lambda n: f"社会工作服务项目绩效评价指标体系{n}")
    version = 1
    owner = None
    state = SystemState.PUBLISHED

    @factory.post_generation
    def rows(obj, create, extracted, **kwargs):  # noqa: N805 - factory_boy hook signature
        if not create:
            return
        rows = load_template("social_work")["rows"] if extracted == "social_work" else extracted
        specs = specs_from_rows(rows or SMALL_TREE)
        was = obj.state
        # save_specs refuses frozen systems; build the tree as a draft, then restore the state.
        obj.__dict__["state"] = SystemState.DRAFT
        save_specs(obj, specs)
        obj.__dict__["state"] = was


class EvaluationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Evaluation

    contract = factory.SubFactory(ContractFactory)
    project = factory.SelfAttribute("contract.project")
    milestone = None
    assessor_org = factory.SubFactory(AssessorOrgFactory)
    state = EvaluationState.COMMISSIONED
    system = factory.SubFactory(IndicatorSystemFactory)
    lead = factory.SubFactory(AssessorFactory, organization=factory.SelfAttribute("..assessor_org"))
    spread_threshold = Decimal("30.00")


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AssessorAssignment

    evaluation = factory.SubFactory(EvaluationFactory)
    assessor = factory.SubFactory(
        AssessorFactory, organization=factory.SelfAttribute("..evaluation.assessor_org")
    )
    state = AssignmentState.PENDING
