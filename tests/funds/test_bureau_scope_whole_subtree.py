"""A bureau's ledger and trial balance cover every bureau below it at any depth: a province's
books include its counties' entries, contracts and allocations, not only its cities'."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import AdminLevel
from core.models import ExportJob, ExportState
from funds.ledger import ledger_post
from funds.models import LedgerKind
from planning import services as planning
from planning.models import FundSource
from tests.factories.accounts import (
    AuditorFactory,
    BureauFactory,
    BureauFinanceFactory,
    BureauStaffFactory,
)
from tests.factories.procurement import ContractFactory
from tests.factories.projects import ServiceProjectFactory
from tests.jobs import work

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("media")]

YEAR = dt.date.today().year + 1


@pytest.fixture
def books():
    """湖北省民政厅 → 荆州市民政局 → 江陵县民政局, and another province's county: a county
    contract paid more than its amount, the province's money allocated down to the county."""
    province = BureauFactory(name="湖北省民政厅", level=AdminLevel.PROVINCE)
    city = BureauFactory(name="荆州市民政局", level=AdminLevel.CITY, parent=province)
    county = BureauFactory(name="江陵县民政局", parent=city)
    elsewhere = BureauFactory(
        name="岳阳县民政局",
        parent=BureauFactory(name="湖南省民政厅", level=AdminLevel.PROVINCE),
    )
    contract = ContractFactory(
        project=ServiceProjectFactory(bureau=county), amount=Decimal("1000.00")
    )
    ledger_post(
        kind=LedgerKind.BUDGET_APPROPRIATED, amount=Decimal("5000.10"), project=contract.project
    )
    ledger_post(
        kind=LedgerKind.DISBURSEMENT_PAID,
        amount=Decimal("1200.00"),
        project=contract.project,
        contract=contract,
    )
    ledger_post(
        kind=LedgerKind.BUDGET_APPROPRIATED,
        amount=Decimal("7777.70"),
        project=ServiceProjectFactory(bureau=elsewhere),
    )
    province_staff = BureauStaffFactory(organization=province)
    line = planning.line_add(
        actor=province_staff,
        plan=planning.plan_create(actor=province_staff, year=YEAR),
        fund_source=FundSource.OWN_BUDGET,
        name="留守儿童关爱保护试点专项",
        amount=Decimal("800000.00"),
    )
    city_line = planning.allocation_make(
        actor=province_staff, source=line, child=city, amount=Decimal("800000.00")
    )
    planning.allocation_make(
        actor=BureauStaffFactory(organization=city),
        source=city_line,
        child=county,
        amount=Decimal("300000.00"),
    )
    return {"province": province, "county": county, "contract": contract}


def test_the_province_ledger_includes_its_counties(books, login):
    client = login(BureauFinanceFactory(organization=books["province"]))
    page = client.get(reverse("funds:ledger"), {"bureau": books["province"].pk})
    assert page.status_code == 200
    assert dict(page.context["totals"]) == {
        "预算下达": Decimal("5000.10"),
        "资金支付": Decimal("1200.00"),
        "预算指标下达下级": Decimal("1100000.00"),
    }
    csv = client.get(reverse("funds:ledger"), {"bureau": books["province"].pk, "format": "csv"})
    rows = b"".join(csv.streaming_content).decode("utf-8-sig")
    assert "5000.10" in rows and "1200.00" in rows and "300000.00" in rows
    assert "7777.70" not in rows

    # An auditor reads every bureau: the filter alone keeps the other province out, and a
    # bureau that does not exist has no entries.
    auditor = login(AuditorFactory())
    page = auditor.get(reverse("funds:ledger"), {"bureau": books["province"].pk})
    assert Decimal("7777.70") not in dict(page.context["totals"]).values()
    assert dict(page.context["totals"])["预算下达"] == Decimal("5000.10")
    nowhere = auditor.get(reverse("funds:ledger"), {"bureau": 987654})
    assert nowhere.status_code == 200 and list(nowhere.context["totals"]) == []


def test_the_province_trial_balance_includes_its_counties(books, login):
    client = login(BureauFinanceFactory(organization=books["province"]))
    query = f"bureau={books['province'].pk}"
    client.post(reverse("export_request"), {"kind": "trial_balance", "query": query})
    work()
    job = ExportJob.objects.get(kind="trial_balance")
    assert job.state == ExportState.DONE
    # Balanced, and the county contract is among the checked ones: its overpayment is found.
    assert job.summary == "借贷平衡；1项核对不成立。"
    page = client.get(reverse("funds:trial_balance"), {"bureau": books["province"].pk})
    html = page.content.decode()
    assert "借贷平衡" in html
    assert "¥5,000.10" in html and "¥1,200.00" in html and "¥1,100,000.00" in html
    assert "¥7,777.70" not in html
    assert f"合同{books['contract'].number}已支付1,200.00" in html
