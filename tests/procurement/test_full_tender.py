"""One open tender from publication to a signed contract, through the pages, as the people do it."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.models import TransitionLog
from funds.models import Milestone
from procurement.models import Bid, Contract, Tender
from projects.models import ProjectState
from tests.factories.accounts import PASSWORD
from tests.pdf import pdf_text
from tests.procurement.conftest import make_tender

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    c = Client()
    assert c.login(username=user.username, password=PASSWORD)
    return c


def test_publication_to_signed_contract(world, freezer=None):
    staff, project = world["staff"], world["project"]
    tender = make_tender(project, staff)
    project.refresh_from_db()
    assert project.state == ProjectState.TENDERING
    prices = [Decimal("480000.00"), Decimal("450000.00"), Decimal("495000.00")]
    for ngo, price in zip(world["ngos"], prices, strict=True):
        response = client_for(ngo).post(
            reverse("procurement:bid_submit", args=[tender.pk]),
            {
                "price": str(price),
                "technical_proposal": f"{ngo.organization.name}的服务方案：个案40个、小组12个",
            },
        )
        assert response.status_code == 302, response.content.decode()[:2000]
    assert Bid.objects.filter(tender=tender).count() == 3

    # The deadline passes: move the clock of the tender itself into the past.
    past = timezone.now() - dt.timedelta(minutes=1)
    Tender.objects.filter(pk=tender.pk).update(bid_deadline=past, opening_at=past)
    bureau = client_for(staff)
    bureau.post(reverse("procurement:tender_open", args=[tender.pk]))
    tender.refresh_from_db()
    assert tender.state == "opened"

    # The experts are drawn at random from the pool; the panel chooses its chair.
    bureau.post(reverse("procurement:panel_draw", args=[tender.pk]))
    assert sorted(tender.panel.values_list("user_id", flat=True)) == sorted(
        e.pk for e in world["experts"]
    )
    chair_seat = tender.panel.get(user=world["experts"][0])
    bureau.post(reverse("procurement:panel_chair", args=[chair_seat.pk]))
    for expert in world["experts"]:
        client_for(expert).post(
            reverse("procurement:panel_declare", args=[tender.pk]), {"conflict": "0"}
        )
    bureau.post(reverse("procurement:tender_start_evaluation", args=[tender.pk]))
    tender.refresh_from_db()
    assert tender.state == "evaluating", list(m.tender for m in [])

    chair = client_for(world["experts"][0])
    for bid in tender.bids.all():
        chair.post(reverse("procurement:bid_review", args=[bid.pk]), {"valid": "1"})
    criteria = list(tender.criteria.all())
    for expert in world["experts"]:
        data = {}
        for bid in tender.bids.all():
            for c in criteria:
                data[f"s_{bid.pk}_{c.pk}"] = str(c.points - (1 if bid.price == prices[0] else 5))
        assert (
            client_for(expert)
            .post(reverse("procurement:score_sheet", args=[tender.pk]), data)
            .status_code
            == 302
        )
    bureau.post(reverse("procurement:tender_award", args=[tender.pk]))
    tender.refresh_from_db()
    assert tender.state == "awarded"
    # 480,000 bid: technical 77, price 450000/480000×20 = 18.75 → 95.75; 450,000: 65 + 20 = 85.
    assert tender.awarded_bid.price == prices[0]
    bureau.post(reverse("procurement:award_publish", args=[tender.pk]))
    tender.refresh_from_db()
    # A long title wraps onto a second line; compare without the line breaks.
    notice = pdf_text(
        Client().get(reverse("procurement:award_notice_pdf", args=[tender.pk])).content
    )
    assert "中标（成交）结果公告" in "".join(notice.split())

    response = bureau.post(
        reverse("procurement:contract_draft", args=[tender.pk]),
        {
            "number": "HT-QJ-2027-001",
            "start_date": "2027-01-01",
            "end_date": "2027-12-31",
            "performance_bond": "24000.00",
            "milestones-TOTAL_FORMS": "3",
            "milestones-INITIAL_FORMS": "0",
            "milestones-0-name": "预付款",
            "milestones-0-percentage": "30",
            "milestones-0-due_date": "2027-01-15",
            "milestones-0-is_advance": "on",
            "milestones-1-name": "中期服务成果",
            "milestones-1-percentage": "40",
            "milestones-1-due_date": "2027-06-30",
            "milestones-2-name": "终期验收",
            "milestones-2-percentage": "30",
            "milestones-2-due_date": "2027-12-31",
        },
    )
    contract = Contract.objects.get(tender=tender)
    assert response.status_code == 302
    amounts = list(Milestone.objects.filter(contract=contract).values_list("amount", flat=True))
    assert amounts == [Decimal("144000.00"), Decimal("192000.00"), Decimal("144000.00")]
    winner = world["ngos"][0]
    client_for(winner).post(reverse("procurement:contract_sign_supplier", args=[contract.pk]))
    bureau.post(reverse("procurement:contract_sign_bureau", args=[contract.pk]))
    contract.refresh_from_db()
    project.refresh_from_db()
    tender.refresh_from_db()
    assert (contract.state, tender.state, project.state) == ("signed", "contracted", "contracted")
    assert "政府购买社会工作服务合同" in pdf_text(
        bureau.get(reverse("procurement:contract_pdf", args=[contract.pk])).content
    )
    assert (
        TransitionLog.for_object(contract).filter(transition="sign_by_bureau", actor=staff).exists()
    )
