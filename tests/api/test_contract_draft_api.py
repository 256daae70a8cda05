"""Drafting the contract through the API (POST /api/v1/tenders/{id}/contract/): the service the
contract page uses, with its payment milestones — 403 who, 409 a rule with its reason, 400 bad
input — the milestones' amounts split from the winning price and the draft logged."""

import datetime as dt
from decimal import Decimal

import pytest

from core.models import TransitionLog
from funds.models import Milestone
from procurement.models import Contract
from projects.models import ProjectState
from tests.api.procurement_setup import api, opened, session
from tests.api.test_clarification_objection_api import award_published
from tests.factories.accounts import (
    AuditorFactory,
    BureauFinanceFactory,
    BureauStaffFactory,
    ExpertFactory,
    NgoUserFactory,
)
from tests.factories.projects import ServiceProjectFactory
from tests.procurement.conftest import make_tender, world  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


def _body(**changes):
    body = {
        "number": "HT-QJ-2027-001",
        "start_date": "2027-01-01",
        "end_date": "2027-12-31",
        "performance_bond": "24000.00",
        "milestones": [
            {
                "name": "预付款",
                "percentage": "30",
                "due_date": "2027-01-15",
                "is_advance": True,
            },
            {
                "name": "中期",
                "percentage": "40",
                "due_date": "2027-06-30",
                "deliverables": "中期报告、服务台账",
            },
            {"name": "终期", "percentage": "30", "due_date": "2027-12-31"},
        ],
    }
    body.update(changes)
    return body


def _url(tender):
    return f"/api/v1/tenders/{tender.pk}/contract/"


def test_the_bureau_drafts_the_contract_with_its_milestones(world):  # noqa: F811
    tender = award_published(world)
    staff, winner = world["staff"], world["ngos"][0]
    response = api(staff).post(_url(tender), _body(), format="json")
    assert response.status_code == 201, response.data
    data = response.data
    assert (data["number"], data["state"], data["tender"]) == (
        "HT-QJ-2027-001",
        "drafted",
        tender.pk,
    )
    assert (data["supplier"], data["amount"], data["current_amount"]) == (
        winner.organization_id,
        "480000.00",
        "480000.00",
    )
    assert (data["performance_bond"], data["start_date"], data["end_date"]) == (
        "24000.00",
        "2027-01-01",
        "2027-12-31",
    )

    contract = Contract.objects.get(pk=data["id"])
    assert contract.tender_id == tender.pk and contract.amount == Decimal("480000.00")
    assert contract.performance_bond == Decimal("24000.00")
    assert "预付款" in contract.document
    milestones = [
        (
            m.sequence,
            m.name,
            m.percentage,
            m.amount,
            m.due_date,
            m.is_advance,
            m.requires_evaluation,
            m.deliverables_required,
        )
        for m in Milestone.objects.filter(contract=contract).order_by("sequence")
    ]
    assert milestones == [
        (
            1,
            "预付款",
            Decimal("30.00"),
            Decimal("144000.00"),
            dt.date(2027, 1, 15),
            True,
            False,
            "",
        ),
        (
            2,
            "中期",
            Decimal("40.00"),
            Decimal("192000.00"),
            dt.date(2027, 6, 30),
            False,
            True,
            "中期报告、服务台账",
        ),
        (3, "终期", Decimal("30.00"), Decimal("144000.00"), dt.date(2027, 12, 31), False, True, ""),
    ]
    assert sum(m[3] for m in milestones) == contract.amount
    drafts = TransitionLog.for_object(contract).filter(transition="draft")
    assert [(d.actor_id, d.target_state) for d in drafts] == [(staff.pk, "drafted")]

    # The contract is readable where the other contracts are, and only one per tender.
    assert api(winner).get(f"/api/v1/contracts/{contract.pk}/").data["number"] == "HT-QJ-2027-001"
    again = session(staff).post(_url(tender), _body(number="HT-QJ-2027-002"), format="json")
    assert again.status_code == 409 and again.data["detail"] == "该采购项目已有合同。"
    assert Contract.objects.filter(tender=tender).count() == 1


def test_only_the_purchasing_bureau_drafts_the_contract(world):  # noqa: F811
    tender = award_published(world)
    outsiders = (
        world["ngos"][0],  # the winner signs, but does not draft
        world["ngos"][1],
        world["experts"][0],
        BureauStaffFactory(),
        BureauFinanceFactory(organization=world["bureau"]),
        AuditorFactory(),
    )
    for user in outsiders:
        refused = api(user).post(_url(tender), _body(), format="json")
        assert refused.status_code == 403, (user.role, refused.data)
        assert refused.data["detail"] == "只有购买主体的业务人员可以执行此操作。"
    assert api().post(_url(tender), _body(), format="json").status_code in (401, 403)
    # A draft tender of the bureau is invisible to an NGO: 404.
    project = ServiceProjectFactory(bureau=world["bureau"], state=ProjectState.APPROVED)
    other = make_tender(project, world["staff"], publish=False)
    other_url = _url(other)
    assert api(NgoUserFactory()).post(other_url, _body(), format="json").status_code == 404
    assert api(ExpertFactory()).post(other_url, _body(), format="json").status_code == 404
    assert not Contract.objects.exists()


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        (
            {
                "milestones": [
                    {
                        "name": "预付款",
                        "percentage": "30",
                        "due_date": "2027-01-15",
                        "is_advance": True,
                    },
                    {"name": "终期", "percentage": "60", "due_date": "2027-12-31"},
                ]
            },
            "各付款节点比例之和须为100%，当前为90.00%。",
        ),
        (
            {"end_date": "2028-06-30"},
            "服务期超过一年须说明理由（需求稳定、持续且有预算保障；财政部令第102号第24条）。",
        ),
        (
            {"end_date": "2031-01-01", "term_reason": "持续服务"},
            "服务合同期限最长不超过3年（财政部令第102号第24条）。",
        ),
        (
            {"performance_bond": "48000.01"},
            "履约保证金不得超过合同金额的10%（48000.00元；政府采购法实施条例第48条）。",
        ),
        (
            {
                "milestones": [
                    {
                        "name": "预付款",
                        "percentage": "20",
                        "due_date": "2027-01-15",
                        "is_advance": True,
                    },
                    {"name": "终期", "percentage": "80", "due_date": "2027-12-31"},
                ]
            },
            "乙方为中小企业：预付款原则上不低于合同金额的30%，否则须在合同中说明理由。",
        ),
    ],
)
def test_a_rule_refuses_with_its_reason(world, changes, reason):  # noqa: F811
    tender = award_published(world)
    refused = api(world["staff"]).post(_url(tender), _body(**changes), format="json")
    assert refused.status_code == 409, refused.data
    assert refused.data["detail"] == reason
    assert not Contract.objects.exists() and not Milestone.objects.exists()


def test_the_rules_allow_what_they_allow(world):  # noqa: F811
    """A term over a year with its reason, and a small SME advance with its reason, pass."""
    tender = award_published(world)
    body = _body(
        end_date="2028-06-30",
        term_reason="需求稳定、持续且有预算保障",
        advance_reason="乙方同意按进度支付",
        milestones=[
            {"name": "预付款", "percentage": "10", "due_date": "2027-01-15", "is_advance": True},
            {"name": "终期", "percentage": "90", "due_date": "2028-06-30"},
        ],
    )
    response = api(world["staff"]).post(_url(tender), body, format="json")
    assert response.status_code == 201, response.data
    amounts = list(
        Milestone.objects.filter(contract_id=response.data["id"])
        .order_by("sequence")
        .values_list("amount", flat=True)
    )
    assert amounts == [Decimal("48000.00"), Decimal("432000.00")]


def test_only_after_the_award_notice(world):  # noqa: F811
    tender = opened(world)
    refused = api(world["staff"]).post(_url(tender), _body(), format="json")
    assert refused.status_code == 409
    assert refused.data["detail"] == "合同须在结果公告发布后草拟。"
    assert not Contract.objects.exists()


@pytest.mark.parametrize(
    "changes",
    [
        {"milestones": []},
        {"number": ""},
        {"start_date": "soon"},
        {"performance_bond": "-1"},
        {"milestones": [{"name": "终期", "percentage": "100"}]},
        {"milestones": [{"name": "终期", "percentage": "0", "due_date": "2027-12-31"}]},
        {"milestones": [{"name": "终期", "percentage": "100.01", "due_date": "2027-12-31"}]},
        {"milestones": [{"percentage": "100", "due_date": "2027-12-31"}]},
    ],
)
def test_bad_input_is_a_400(world, changes):  # noqa: F811
    tender = award_published(world)
    response = api(world["staff"]).post(_url(tender), _body(**changes), format="json")
    assert response.status_code == 400, response.data
    assert not Contract.objects.exists()


def test_a_term_ending_before_it_starts_is_a_400_with_the_reason(world):  # noqa: F811
    tender = award_published(world)
    body = _body(start_date="2027-12-31", end_date="2027-01-01")
    response = api(world["staff"]).post(_url(tender), body, format="json")
    assert response.status_code == 400
    assert response.data["end_date"] == ["合同期限的结束日期不能早于开始日期。"]


def test_a_retry_with_the_same_key_drafts_once(world):  # noqa: F811
    tender = award_published(world)
    client = api(world["staff"])
    first = client.post(_url(tender), _body(), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = client.post(_url(tender), _body(), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.data["id"] == first.data["id"]
    assert Contract.objects.count() == 1 and Milestone.objects.count() == 3
