"""The payments page pages through every payment (it showed the newest 30 and no way to the
rest), counting its pages from a figure kept under the ledger head: a payment requested after a
view (which always posts to the ledger) shows in the very next view's pager."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from funds.ledger import ledger_post
from funds.models import Disbursement, LedgerKind
from tests.factories.accounts import BureauFinanceFactory, BureauStaffFactory
from tests.factories.funds import MilestoneFactory
from tests.factories.procurement import ContractFactory
from tests.factories.projects import ServiceProjectFactory

pytestmark = pytest.mark.django_db


def _request(contract, staff, n: int) -> Disbursement:
    milestone = MilestoneFactory(contract=contract, sequence=n, name=f"第{n}期")
    today = dt.date.today()
    disbursement = Disbursement.objects.create(
        milestone=milestone,
        amount=Decimal("1000.00"),
        calculation="—",
        requested_by=staff,
        accepted_on=today,
        due_by=today + dt.timedelta(days=30),
    )
    # As funds.services does: the request and its ledger entry in one go.
    ledger_post(
        kind=LedgerKind.DISBURSEMENT_REQUESTED,
        amount=disbursement.amount,
        project=contract.project,
        contract=contract,
        milestone=milestone,
        disbursement=disbursement,
    )
    return disbursement


def test_a_new_request_moves_the_pager(client):
    finance = BureauFinanceFactory()
    staff = BureauStaffFactory(organization=finance.organization)
    contract = ContractFactory(project=ServiceProjectFactory(bureau=finance.organization))
    for n in range(1, 31):
        _request(contract, staff, n)
    client.force_login(finance)
    url = reverse("funds:payments")
    one_page = client.get(url).content.decode()
    assert "第30期" in one_page and "page=2" not in one_page

    _request(contract, staff, 31)
    two_pages = client.get(url).content.decode()
    assert "第31期" in two_pages, "the new request is listed"
    assert "page=2" in two_pages, "the pager counts it"
    assert "第1期" in client.get(url + "?page=2").content.decode()
