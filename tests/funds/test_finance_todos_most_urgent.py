"""The finance officer's 工作台 lists the 20 payments to act on whose deadline comes soonest."""

import datetime as dt
from decimal import Decimal

import pytest

from funds.models import Disbursement, DisbursementState
from tests.factories.accounts import BureauFinanceFactory, BureauStaffFactory
from tests.factories.funds import MilestoneFactory
from tests.factories.procurement import ContractFactory
from tests.factories.projects import ServiceProjectFactory

pytestmark = pytest.mark.django_db


def test_the_most_urgent_payments_come_first(client):
    finance = BureauFinanceFactory()
    staff = BureauStaffFactory(organization=finance.organization)
    project = ServiceProjectFactory(bureau=finance.organization)
    contract = ContractFactory(project=project, number="HT-QJ-2026-007")
    today = dt.date.today()
    # The first requested is the most urgent (already late); 21 more follow, due later.
    for n in range(22):
        milestone = MilestoneFactory(contract=contract, sequence=n + 1, name=f"第{n + 1}期")
        Disbursement.objects.create(
            milestone=milestone,
            amount=Decimal("1000.00"),
            calculation="—",
            state=DisbursementState.REQUESTED if n % 2 else DisbursementState.APPROVED,
            requested_by=staff,
            accepted_on=today - dt.timedelta(days=40),
            due_by=today - dt.timedelta(days=10) if n == 0 else today + dt.timedelta(days=n),
        )
    client.force_login(finance)
    page = client.get("/").content.decode()
    assert "第1期" in page  # the late one, requested first, is listed
    assert "第22期" not in page  # the 21st by deadline is not: 20 are shown
    assert page.index("第1期") < page.index("第2期") < page.index("第3期")
