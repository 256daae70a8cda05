"""Correcting a draft tender through the API (PATCH /api/v1/tenders/{id}/): the same service and
rules as the edit page — 403 who, 409 once published, 400 bad input — with the edit logged."""

from decimal import Decimal

import pytest

from core.models import TransitionLog
from procurement import services
from procurement.models import Tender
from tests.api.procurement_setup import api, session
from tests.factories.accounts import (
    AuditorFactory,
    BureauFinanceFactory,
    BureauStaffFactory,
    ExpertFactory,
    NgoUserFactory,
)
from tests.procurement.conftest import make_tender, world  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


def _criteria(tender):
    return [(c.name, c.points, c.guidance) for c in tender.criteria.all()]


def test_the_bureau_corrects_a_draft_and_publishes_it(world):  # noqa: F811
    staff = world["staff"]
    tender = make_tender(world["project"], staff, publish=False, bid_bond=Decimal("20000"))
    url = f"/api/v1/tenders/{tender.pk}/"
    body = {
        "bid_bond": "10000.00",
        "title": "留守儿童关爱服务（更正）",
        "criteria": [
            {"name": "服务方案", "points": "45", "guidance": "需求分析与方案设计"},
            {"name": "团队与经验", "points": "35"},
        ],
    }
    response = api(staff).patch(url, body, format="json")
    assert response.status_code == 200, response.data
    assert response.data["state"] == "draft"
    assert response.data["bid_bond"] == "10000.00"
    assert response.data["title"] == "留守儿童关爱服务（更正）"
    tender.refresh_from_db()
    assert tender.bid_bond == Decimal("10000.00") and tender.round == 1
    assert tender.ceiling_price == Decimal("500000.00")  # not sent: unchanged
    assert _criteria(tender) == [
        ("服务方案", Decimal("45.00"), "需求分析与方案设计"),
        ("团队与经验", Decimal("35.00"), ""),
    ]
    edits = TransitionLog.for_object(tender).filter(transition="edit")
    assert [(e.actor_id, e.source_state, e.target_state) for e in edits] == [
        (staff.pk, "draft", "draft")
    ]

    # Criteria left out stay as they are; the session login works as well as the token.
    again = session(staff).patch(url, {"ceiling_price": "490000.00"}, format="json")
    assert again.status_code == 200, again.data
    tender.refresh_from_db()
    assert tender.ceiling_price == Decimal("490000.00")
    assert [c[0] for c in _criteria(tender)] == ["服务方案", "团队与经验"]
    assert TransitionLog.for_object(tender).filter(transition="edit").count() == 2

    # A non-comprehensive evaluation keeps no price weight, as on the page.
    lowest = api(staff).patch(url, {"evaluation_method": "lowest_price"}, format="json")
    assert lowest.status_code == 200, lowest.data
    assert lowest.data["price_weight"] == "0.00"

    published = services.tender_publish(tender=tender, actor=staff)
    assert published.state == "published"


def test_only_the_purchasing_bureau_may_correct_a_draft(world):  # noqa: F811
    tender = make_tender(world["project"], world["staff"], publish=False)
    url = f"/api/v1/tenders/{tender.pk}/"
    before = (tender.title, tender.bid_bond, _criteria(tender))
    # Those who see the draft but may not manage it: 403 with the reason.
    for user in (BureauFinanceFactory(organization=world["bureau"]), AuditorFactory()):
        refused = api(user).patch(url, {"title": "改"}, format="json")
        assert refused.status_code == 403, refused.data
        assert refused.data["detail"] == "只有购买主体的业务人员可以执行此操作。"
    # Those the draft is hidden from: 404, as on the pages.
    for user in (NgoUserFactory(), ExpertFactory(), BureauStaffFactory()):
        assert api(user).patch(url, {"title": "改"}, format="json").status_code == 404, user.role
    assert api().patch(url, {"title": "改"}, format="json").status_code in (401, 403)
    tender.refresh_from_db()
    assert (tender.title, tender.bid_bond, _criteria(tender)) == before
    assert not TransitionLog.for_object(tender).filter(transition="edit").exists()


def test_a_published_tender_is_not_changed(world):  # noqa: F811
    staff = world["staff"]
    tender = make_tender(world["project"], staff)
    refused = api(staff).patch(f"/api/v1/tenders/{tender.pk}/", {"title": "改"}, format="json")
    assert refused.status_code == 409
    assert refused.data["detail"] == "只有草稿可以修改；已发布的公告不再改动。"
    assert Tender.objects.get(pk=tender.pk).title == tender.title
    assert not TransitionLog.for_object(tender).filter(transition="edit").exists()


@pytest.mark.parametrize(
    "body",
    [
        {"method": "auction"},
        {"ceiling_price": "很多"},
        {"bid_deadline": "next week"},
        {"criteria": [{"name": "服务方案", "points": "0"}]},
        {"criteria": [{"points": "40"}]},
        {"project": 1, "title": ""},
    ],
)
def test_bad_input_is_a_400_and_changes_nothing(world, body):  # noqa: F811
    tender = make_tender(world["project"], world["staff"], publish=False)
    response = api(world["staff"]).patch(f"/api/v1/tenders/{tender.pk}/", body, format="json")
    assert response.status_code == 400, response.data
    tender.refresh_from_db()
    assert len(_criteria(tender)) == 3
    assert not TransitionLog.for_object(tender).filter(transition="edit").exists()


def test_put_is_not_offered(world):  # noqa: F811
    tender = make_tender(world["project"], world["staff"], publish=False)
    response = api(world["staff"]).put(f"/api/v1/tenders/{tender.pk}/", {}, format="json")
    assert response.status_code == 405
