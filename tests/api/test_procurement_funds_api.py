"""Tenders, sealed bids, contracts, payments and the ledger through the API, with the pages' rules."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from funds.services import acceptance_record
from procurement.models import Tender
from tests.factories.accounts import AuditorFactory, BureauFinanceFactory, NgoUserFactory
from tests.funds.conftest import money  # noqa: F401 - fixture
from tests.procurement.conftest import make_tender, world  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.credentials(
            HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}"
        )
    return client


def test_sealed_bids_through_the_api(world):  # noqa: F811
    tender = make_tender(world["project"], world["staff"])
    ngo = world["ngos"][0]
    created = api(ngo).post(
        "/api/v1/bids/",
        {"tender": tender.pk, "price": "468000.00", "technical_proposal": "秘密方案"},
        format="json",
    )
    assert created.status_code == 201
    assert len(created.data["receipt"]) == 64 and created.data["price"] == "468000.00"
    for user in (world["staff"], AuditorFactory()):
        listing = api(user).get(f"/api/v1/tenders/{tender.pk}/bids/")
        assert listing.status_code == 200
        assert [b["price"] for b in listing.data] == [None]
        assert "秘密方案" not in listing.content.decode()
    # Another NGO does not even learn that a bid exists before the opening (招标投标法第22条).
    assert api(world["ngos"][1]).get(f"/api/v1/tenders/{tender.pk}/bids/").data == []
    past = timezone.now() - dt.timedelta(minutes=1)
    Tender.objects.filter(pk=tender.pk).update(bid_deadline=past, opening_at=past)
    late = api(world["ngos"][1]).post(
        "/api/v1/bids/",
        {"tender": tender.pk, "price": "1.00", "technical_proposal": "迟"},
        format="json",
    )
    assert late.status_code == 403
    opened = api(world["staff"]).post(f"/api/v1/tenders/{tender.pk}/open/")
    assert opened.status_code == 200 and opened.data["state"] == "failed"  # one bid: 流标
    listing = api(world["staff"]).get(f"/api/v1/tenders/{tender.pk}/bids/")
    assert listing.data[0]["price"] == "468000.00"


def test_publish_refusal_is_a_409_with_the_rule(world):  # noqa: F811
    tender = make_tender(world["project"], world["staff"], publish=False, bid_bond=Decimal("20000"))
    response = api(world["staff"]).post(f"/api/v1/tenders/{tender.pk}/publish/")
    assert response.status_code == 409
    assert "2%" in response.data["detail"]
    assert api(world["ngos"][0]).post(f"/api/v1/tenders/{tender.pk}/publish/").status_code == 404


def test_payment_through_the_api_with_maker_checker(money):  # noqa: F811
    a = money["advance"]
    acceptance_record(milestone=a, actor=money["staff"], passed=True, checklist={"ok": True})
    requested = api(money["staff"]).post(f"/api/v1/milestones/{a.pk}/request-payment/")
    assert requested.status_code == 200 and requested.data["amount"] == "143400.00"
    pk = requested.data["id"]
    assert api(money["staff"]).post(f"/api/v1/disbursements/{pk}/approve/").status_code == 403
    assert (
        api(money["finance"]).post(f"/api/v1/disbursements/{pk}/approve/").data["state"]
        == "approved"
    )
    today = dt.date.today().isoformat()
    # The approver may not also pay (不相容岗位分离): 403 with the reason.
    same = api(money["finance"]).post(
        f"/api/v1/disbursements/{pk}/pay/",
        {"voucher_number": "QJ-1", "paid_on": today},
        format="json",
    )
    assert same.status_code == 403 and "第十二条" in same.data["detail"]
    paid = api(money["finance2"]).post(
        f"/api/v1/disbursements/{pk}/pay/",
        {"voucher_number": "QJ-1", "paid_on": today},
        format="json",
    )
    assert paid.data["state"] == "paid"
    again = api(BureauFinanceFactory(organization=money["bureau"])).post(
        f"/api/v1/disbursements/{pk}/pay/",
        {"voucher_number": "QJ-2", "paid_on": today},
        format="json",
    )
    assert again.status_code == 409
    ledger = api(AuditorFactory()).get("/api/v1/ledger/")
    assert [e["kind"] for e in ledger.data["results"]] == [
        "disbursement_requested",
        "disbursement_approved",
        "disbursement_paid",
    ]
    assert api(AuditorFactory()).get("/api/v1/ledger/verify/").data["ok"] is True
    assert api(NgoUserFactory()).get("/api/v1/ledger/").status_code == 403
    assert api(money["ngo"]).get("/api/v1/milestones/").data["count"] == 3
    assert api(NgoUserFactory()).get("/api/v1/milestones/").data["count"] == 0


def test_anonymous_gets_401_everywhere():
    for path in [
        "/api/v1/tenders/",
        "/api/v1/bids/",
        "/api/v1/contracts/",
        "/api/v1/evaluations/",
        "/api/v1/milestones/",
        "/api/v1/disbursements/",
        "/api/v1/service-records/",
        "/api/v1/ledger/",
    ]:
        assert api().get(path).status_code == 401, path


def test_tender_created_and_published_through_the_api(world):  # noqa: F811
    import datetime as dt

    from procurement.models import ProcurementIntent

    now = timezone.now()
    payload = {
        "project": world["project"].pk,
        "title": "留守儿童关爱服务",
        "method": "open",
        "evaluation_method": "comprehensive",
        "ceiling_price": "500000.00",
        "bid_bond": "10000.00",
        "price_weight": "20",
        "qualification_requirements": "依法登记",
        "service_requirements": "个案、小组",
        "clarification_deadline": (now + dt.timedelta(days=15)).isoformat(),
        "bid_deadline": (now + dt.timedelta(days=21)).isoformat(),
        "opening_at": (now + dt.timedelta(days=21)).isoformat(),
        "criteria": [{"name": "服务方案", "points": "50"}, {"name": "团队", "points": "30"}],
    }
    assert api(world["ngos"][0]).post("/api/v1/tenders/", payload, format="json").status_code in (
        403,
        404,
    )
    created = api(world["staff"]).post("/api/v1/tenders/", payload, format="json")
    assert created.status_code == 201 and created.data["state"] == "draft"
    # The 采购意向 comes first (财库〔2020〕10号): published today, the tender must wait 30 days.
    intent = api(world["staff"]).post(
        "/api/v1/procurement-intents/",
        {
            "project": world["project"].pk,
            "summary": "留守儿童关爱服务",
            "budget": str(world["project"].budget),
            "planned_month": timezone.localdate().strftime("%Y-%m"),
        },
        format="json",
    )
    assert intent.status_code == 201, intent.data
    assert api().get("/api/v1/procurement-intents/").status_code == 200  # public
    early = api(world["staff"]).post(f"/api/v1/tenders/{created.data['id']}/publish/")
    assert early.status_code == 409 and "财库〔2020〕10号" in early.data["detail"]
    ProcurementIntent.objects.filter(pk=intent.data["id"]).update(
        published_on=timezone.localdate() - dt.timedelta(days=30)
    )
    published = api(world["staff"]).post(f"/api/v1/tenders/{created.data['id']}/publish/")
    assert published.status_code == 200 and published.data["state"] == "published"


def test_deliverables_acceptance_and_service_records_through_the_api(money):  # noqa: F811
    m = money["advance"]
    ngo, staff = api(money["ngo"]), api(money["staff"])
    assert (
        ngo.post(
            f"/api/v1/milestones/{m.pk}/deliverables/", {"title": "团队到位报告"}, format="json"
        ).data["state"]
        == "deliverables_submitted"
    )
    accepted = staff.post(
        f"/api/v1/milestones/{m.pk}/acceptance/",
        {"passed": True, "checklist": {"团队到位": True}},
        format="json",
    )
    assert accepted.status_code == 200 and accepted.data["state"] == "accepted"
    record = {
        "contract": money["contract"].pk,
        "date": money["contract"].start_date.isoformat(),
        "place": "三桥村",
        "service_type": "case",
        "beneficiary_category": "left_behind_child",
        "beneficiary_count": 1,
        "hours": "1.5",
        "social_worker": "李社工",
    }
    assert ngo.post("/api/v1/service-records/", record, format="json").status_code == 201
    assert staff.post("/api/v1/service-records/", record, format="json").status_code == 403
    assert (
        ngo.post(
            "/api/v1/service-records/", record | {"date": "1999-01-01"}, format="json"
        ).status_code
        == 400
    )
