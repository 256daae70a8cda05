"""Clarifications (an NGO asks, the bureau answers publicly) and objections (a bidder objects within
7 working days of the award notice, which holds the contract back until the bureau answers)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from core.fsm import ActionRefusedError
from core.models import TransitionLog
from procurement import services
from procurement.models import Clarification, Objection, Tender
from tests.api.procurement_setup import api, opened, seated, session
from tests.factories.accounts import (
    AuditorFactory,
    BureauStaffFactory,
    ExpertFactory,
    NgoUserFactory,
)
from tests.procurement.conftest import make_tender, world  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


def test_an_ngo_asks_and_the_bureau_answers_publicly(world):  # noqa: F811
    tender = make_tender(world["project"], world["staff"])
    asker, other = world["ngos"][0], world["ngos"][1]
    question = {"tender": tender.pk, "question": "服务区域是否包含三个乡镇？"}
    for outsider in (world["staff"], world["experts"][0], AuditorFactory()):
        refused = api(outsider).post("/api/v1/clarifications/", question, format="json")
        assert refused.status_code == 403 and refused.data["detail"], outsider.role
    assert (
        api(asker).post("/api/v1/clarifications/", {"tender": tender.pk}, format="json").status_code
        == 400
    )
    asked = session(asker).post("/api/v1/clarifications/", question, format="json")
    assert asked.status_code == 201 and asked.data["answer"] == ""
    assert "asked_by" not in asked.data  # bidders' names stay confidential
    pk = asked.data["id"]
    # Every party who sees the tender sees the question (not who asked it).
    listing = api(other).get(f"/api/v1/clarifications/?tender={tender.pk}")
    assert [c["id"] for c in listing.data["results"]] == [pk]

    answer = f"/api/v1/clarifications/{pk}/answer/"
    for outsider in (asker, BureauStaffFactory(), world["experts"][0]):
        assert api(outsider).post(answer, {"answer": "是"}, format="json").status_code == 403
    assert api(world["staff"]).post(answer, {"answer": ""}, format="json").status_code == 400
    answered = api(world["staff"]).post(answer, {"answer": "包含三个乡镇"}, format="json")
    assert answered.status_code == 200 and answered.data["answered_at"]
    assert Clarification.objects.get(pk=pk).answer == "包含三个乡镇"
    assert api(other).get(f"/api/v1/clarifications/{pk}/").data["answer"] == "包含三个乡镇"

    # After the clarification deadline the question is refused by the calendar: 409.
    Tender.objects.filter(pk=tender.pk).update(
        clarification_deadline=timezone.now() - dt.timedelta(minutes=1)
    )
    late = api(other).post("/api/v1/clarifications/", question, format="json")
    assert late.status_code == 409 and late.data["detail"]


def test_clarifications_of_a_draft_stay_hidden(world):  # noqa: F811
    draft = make_tender(world["project"], world["staff"], publish=False)
    ngo = world["ngos"][0]
    asked = api(ngo).post(
        "/api/v1/clarifications/", {"tender": draft.pk, "question": "?"}, format="json"
    )
    assert asked.status_code == 404
    assert api(ngo).get(f"/api/v1/clarifications/?tender={draft.pk}").data["count"] == 0


def award_published(world):  # noqa: F811
    """A tender awarded to the 480,000 bid (every member scores it higher) with its notice out."""
    tender = seated(world, opened(world))
    bids = list(tender.bids.all())
    for bid in bids:
        services.bid_review(bid=bid, actor=world["experts"][0], valid=True)
    for expert in world["experts"]:
        services.scores_save(
            tender=tender,
            actor=expert,
            points={
                (b.pk, c.pk): c.points - (1 if b.price == Decimal("480000.00") else 5)
                for b in bids
                for c in tender.criteria.all()
            },
        )
    services.tender_award(tender=tender, actor=world["staff"])
    return services.award_publish(tender=tender, actor=world["staff"])


def draft_contract(tender, staff):
    return services.contract_draft(
        tender=tender,
        actor=staff,
        number=f"HT-{tender.pk}",
        start_date=dt.date(2027, 1, 1),
        end_date=dt.date(2027, 12, 31),
        milestones=[
            services.MilestoneInput("预付款", Decimal("30"), dt.date(2027, 1, 15), True),
            services.MilestoneInput("终期", Decimal("70"), dt.date(2027, 12, 31)),
        ],
    )


def test_a_bidder_objects_and_the_contract_waits_for_the_answer(world):  # noqa: F811
    tender = award_published(world)
    loser = world["ngos"][1]
    body = {"tender": tender.pk, "text": "中标人业绩材料不实"}
    for outsider in (NgoUserFactory(), world["staff"], ExpertFactory(), AuditorFactory()):
        refused = api(outsider).post("/api/v1/objections/", body, format="json")
        assert refused.status_code == 403 and refused.data["detail"], outsider.role
    assert (
        api(loser).post("/api/v1/objections/", {"tender": tender.pk}, format="json").status_code
        == 400
    )
    filed = api(loser).post("/api/v1/objections/", body, format="json")
    assert filed.status_code == 201
    assert filed.data["suspends_award"] is True and filed.data["suspending"] is True
    pk = filed.data["id"]
    assert TransitionLog.for_object(tender).filter(transition="objection", actor=loser).count() == 1
    # Suspended: the bureau cannot draft the contract while the objection is unanswered.
    with pytest.raises(ActionRefusedError):
        draft_contract(tender, world["staff"])

    answer = f"/api/v1/objections/{pk}/answer/"
    for outsider in (loser, world["ngos"][0], BureauStaffFactory(), AuditorFactory()):
        assert api(outsider).post(answer, {"answer": "驳回"}, format="json").status_code == 403
    assert api(world["staff"]).post(answer, {"answer": " "}, format="json").status_code == 400
    answered = api(world["staff"]).post(
        answer, {"answer": "经核查业绩属实，质疑不成立", "upheld": False}, format="json"
    )
    assert answered.status_code == 200
    assert answered.data["suspending"] is False and answered.data["upheld"] is False
    assert Objection.objects.get(pk=pk).answered_at is not None
    assert (
        TransitionLog.for_object(Objection.objects.get(pk=pk))
        .filter(transition="dismiss", actor=world["staff"])
        .exists()
    )
    assert draft_contract(tender, world["staff"]).state == "drafted"
    listed = api(AuditorFactory()).get(f"/api/v1/objections/?tender={tender.pk}")
    assert listed.status_code == 200 and listed.data["count"] == 1


def test_an_objection_after_the_period_is_refused(world):  # noqa: F811
    tender = award_published(world)
    Tender.objects.filter(pk=tender.pk).update(
        award_published_at=timezone.now() - dt.timedelta(days=30)
    )
    late = api(world["ngos"][2]).post(
        "/api/v1/objections/", {"tender": tender.pk, "text": "评分不公"}, format="json"
    )
    assert late.status_code == 409 and late.data["detail"]
    assert not Objection.objects.filter(tender=tender).exists()
