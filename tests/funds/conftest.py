"""A contract in service for the 潜江 project: advance 30%, mid-term 40%, final 30% of 478,000."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from evaluation.models import EvaluationState
from tests.factories.accounts import (
    BureauFactory,
    BureauFinanceFactory,
    BureauStaffFactory,
    NgoFactory,
    NgoUserFactory,
)
from tests.factories.evaluation import EvaluationFactory
from tests.factories.funds import MilestoneFactory
from tests.factories.procurement import ContractFactory
from tests.factories.projects import ServiceProjectFactory


@pytest.fixture
def money(db):
    bureau = BureauFactory(name="潜江市民政局")
    ngo = NgoFactory(name="武汉爱心天使社会工作服务中心")
    project = ServiceProjectFactory(bureau=bureau, state="in_service")
    contract = ContractFactory(project=project, supplier=ngo, amount=Decimal("478000.00"))
    advance = MilestoneFactory(
        contract=contract,
        sequence=1,
        name="预付款",
        percentage=Decimal("30"),
        amount=Decimal("143400.00"),
        is_advance=True,
        requires_evaluation=False,
    )
    midterm = MilestoneFactory(
        contract=contract,
        sequence=2,
        name="中期服务成果",
        percentage=Decimal("40"),
        amount=Decimal("191200.00"),
    )
    final = MilestoneFactory(
        contract=contract,
        sequence=3,
        name="终期验收",
        percentage=Decimal("30"),
        amount=Decimal("143400.00"),
    )
    return {
        "bureau": bureau,
        "project": project,
        "contract": contract,
        "advance": advance,
        "midterm": midterm,
        "final": final,
        "staff": BureauStaffFactory(organization=bureau),
        "finance": BureauFinanceFactory(organization=bureau),
        "finance2": BureauFinanceFactory(organization=bureau),
        "ngo": NgoUserFactory(organization=ngo),
    }


def confirm(milestone, score: str):
    """A confirmed evaluation of `milestone` with `score` (what the evaluation app produces)."""
    from evaluation.models import grade_for

    return EvaluationFactory(
        contract=milestone.contract,
        milestone=milestone,
        state=EvaluationState.CONFIRMED,
        total_score=Decimal(score),
        grade=grade_for(Decimal(score)),
        confirmed_at=timezone.now() - dt.timedelta(minutes=1),
    )
