"""A commissioned evaluation with its people, and helpers to drive it through the workflow."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from evaluation import services
from evaluation.models import Evaluation, Indicator, ScoreSheet
from evaluation.services import EntryInput
from tests.factories.accounts import (
    AssessorFactory,
    AssessorOrgFactory,
    BureauFactory,
    BureauStaffFactory,
    NgoUserFactory,
)
from tests.factories.evaluation import IndicatorSystemFactory
from tests.factories.procurement import ContractFactory


@dataclass
class Cast:
    staff: Any
    ngo: Any
    lead: Any
    assessors: list[Any]
    contract: Any
    system: Any
    assessor_org: Any


@pytest.fixture
def cast(db) -> Cast:
    bureau = BureauFactory(name="潜江市民政局")
    staff = BureauStaffFactory(organization=bureau)
    contract = ContractFactory(project__bureau=bureau, project__created_by=staff)
    ngo = NgoUserFactory(organization=contract.supplier)
    org = AssessorOrgFactory(name="荆楚社会服务绩效评估中心")
    lead = AssessorFactory(organization=org, display_name="赵静")
    assessors = [AssessorFactory(organization=org) for _ in range(5)]
    return Cast(
        staff=staff,
        ngo=ngo,
        lead=lead,
        assessors=assessors,
        contract=contract,
        system=IndicatorSystemFactory(),
        assessor_org=org,
    )


def commission(cast: Cast, **kwargs: Any) -> Evaluation:
    return services.evaluation_commission(
        project=cast.contract.project,
        actor=cast.staff,
        contract=cast.contract,
        assessor_org=cast.assessor_org,
        lead=cast.lead,
        system=cast.system,
        **kwargs,
    )


def to_scoring(cast: Cast, n: int = 3, **kwargs: Any) -> Evaluation:
    evaluation = commission(cast, **kwargs)
    assignments = services.assessors_assign(
        evaluation=evaluation, actor=cast.lead, assessors=cast.assessors[:n]
    )
    for a in assignments:
        services.assessor_declare(assignment=a, actor=a.assessor, conflict=False)
    return services.evaluation_start_scoring(evaluation=evaluation, actor=cast.lead)


def inputs_for(leaf: Indicator, score: Decimal) -> dict[str, Any]:
    """Inputs that make `leaf` score exactly `score` (rubric: a direct score)."""
    if leaf.method == "ratio":
        return {"actual": str(score), "target": str(leaf.points)}
    if leaf.method == "deduction":
        penalty = Decimal(leaf.params["penalty"])
        count = (leaf.points - score) / penalty
        assert count == count.to_integral_value(), "choose a reachable deduction score"
        return {"count": str(int(count))}
    if leaf.method == "threshold":
        assert score in (0, leaf.points)
        return {"actual": leaf.params["threshold"] if score else "0"}
    if leaf.method == "boolean":
        assert score in (0, leaf.points)
        return {"met": bool(score)}
    return {"score": str(score)}


def fill_and_submit(evaluation: Evaluation, sheet_scores: list[dict[str, Decimal]]) -> Evaluation:
    """Each assessor scores the leaves (by name) and submits, in order."""
    sheets = list(ScoreSheet.objects.filter(evaluation=evaluation).order_by("id"))
    leaves = {
        leaf.name: leaf for leaf in Indicator.objects.filter(system=evaluation.system, level=3)
    }
    for sheet, scores in zip(sheets, sheet_scores, strict=True):
        services.sheet_save(
            sheet=sheet,
            actor=sheet.assessor,
            entries={
                leaves[name].pk: EntryInput(inputs=inputs_for(leaves[name], Decimal(v)))
                for name, v in scores.items()
            },
        )
        services.sheet_submit(sheet=sheet, actor=sheet.assessor)
    evaluation.refresh_from_db()
    return evaluation


def full_marks(**overrides: str) -> dict[str, Decimal]:
    base = {
        "个案数": Decimal(20),
        "社区活动场次": Decimal(20),
        "财务合规": Decimal(20),
        "满意度调查": Decimal(30),
        "回访记录": Decimal(10),
    }
    return base | {k: Decimal(v) for k, v in overrides.items()}
