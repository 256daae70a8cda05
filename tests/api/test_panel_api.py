"""The bid panel through the API: the random draw, declarations, qualification review, score
sheets and the recorded tie draw, with the pages' rules (403 who, 409 when, 400 what) and the log rows."""

from decimal import Decimal

import pytest

from core.models import TransitionLog
from procurement import services
from procurement.models import Bid, PanelMember
from tests.api.procurement_setup import api, opened, seated, session
from tests.factories.accounts import AuditorFactory, BureauStaffFactory
from tests.factories.projects import ServiceProjectFactory
from tests.procurement.conftest import draw_panel, make_tender, world  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


def test_the_bureau_draws_the_panel_and_members_declare(world):  # noqa: F811
    tender = opened(world)
    staff, experts = world["staff"], world["experts"]
    url = f"/api/v1/tenders/{tender.pk}/panel/"
    draw_url = f"/api/v1/tenders/{tender.pk}/panel/draw/"
    for outsider in (world["ngos"][0], experts[0], BureauStaffFactory(), AuditorFactory()):
        refused = api(outsider).post(draw_url, {}, format="json")
        assert refused.status_code == 403, outsider.role
        assert refused.data["detail"]
    # Experts are never picked by hand: 409 naming the rule.
    picked = api(staff).post(url, {"user": experts[0].pk}, format="json")
    assert picked.status_code == 409 and "实施条例第39条" in picked.data["detail"]
    drawn = api(staff).post(draw_url, {}, format="json")
    assert drawn.status_code == 201, drawn.data
    assert sorted(drawn.data["drawn"]) == sorted(e.pk for e in experts)
    seat = PanelMember.objects.get(tender=tender, user=experts[0])
    chair = api(staff).post(
        f"/api/v1/tenders/{tender.pk}/panel/chair/", {"member": seat.pk}, format="json"
    )
    assert chair.status_code == 200
    # An NGO cannot sit on the panel: a rule of the purchase, so 409 with the reason.
    ngo_member = api(staff).post(url, {"user": world["ngos"][0].pk}, format="json")
    assert ngo_member.status_code == 409 and ngo_member.data["detail"]
    assert api(staff).post(url, {"user": 999999}, format="json").status_code == 400
    assert TransitionLog.objects.filter(transition="draw").count() == 1

    # Not declared yet: the evaluation cannot start.
    early = api(staff).post(f"/api/v1/tenders/{tender.pk}/start-evaluation/")
    assert early.status_code == 409

    declare = f"/api/v1/tenders/{tender.pk}/panel/declare/"
    assert (
        api(world["ngos"][0]).post(declare, {"conflict": False}, format="json").status_code == 403
    )
    for expert in experts[1:]:
        declared = session(expert).post(declare, {"conflict": False}, format="json")
        assert declared.status_code == 200 and declared.data["declared"] is True
    # One expert is tied to a bidder and withdraws (回避), naming the bidder; a bureau
    # representative and a new draw keep the panel legal.
    assert api(experts[0]).post(declare, {"conflict": True}, format="json").status_code == 400
    withdrawn = api(experts[0]).post(
        declare, {"conflict": True, "note": world["ngos"][0].organization.name}, format="json"
    )
    assert withdrawn.status_code == 200 and withdrawn.data["withdrawn"] is True
    seats = PanelMember.objects.filter(tender=tender)
    assert (
        TransitionLog.objects.filter(
            transition="panel_declare", object_id__in=[str(m.pk) for m in seats]
        ).count()
        == 4
    )
    assert TransitionLog.objects.filter(transition="panel_withdraw", actor=experts[0]).exists()
    # The tender's own history names nobody on the panel.
    assert not TransitionLog.for_object(tender).filter(transition__startswith="panel").exists()

    panel = api(AuditorFactory()).get(url)
    assert panel.status_code == 200 and len(panel.data) == 5
    assert panel.data[0]["is_chair"] is True
    assert api(world["ngos"][0]).get(url).status_code == 403

    late = api(staff).post(f"/api/v1/tenders/{tender.pk}/start-evaluation/")
    assert late.status_code == 409  # four active members: not a legal panel


def test_the_chair_reviews_each_bid(world):  # noqa: F811
    tender = opened(world)
    chair, member = world["experts"][0], world["experts"][1]
    for seat in draw_panel(tender, world["staff"], world["experts"]):
        services.panel_declare(member=seat, actor=seat.user, conflict=False)
    bids = list(tender.bids.order_by("id"))
    url = f"/api/v1/tenders/{tender.pk}/review/"
    # Before the evaluation starts the review is refused by the state: 409.
    early = api(chair).post(url, {"bid": bids[0].pk, "valid": True}, format="json")
    assert early.status_code == 409 and early.data["detail"]
    services.tender_start_evaluation(tender=tender, actor=world["staff"])
    for outsider in (member, world["staff"], world["ngos"][0]):
        assert (
            api(outsider).post(url, {"bid": bids[0].pk, "valid": True}, format="json").status_code
            == 403
        )
    qualified = api(chair).post(url, {"bid": bids[0].pk, "valid": True}, format="json")
    assert qualified.status_code == 200 and qualified.data["state"] == "valid"
    no_reason = api(chair).post(url, {"bid": bids[1].pk, "valid": False}, format="json")
    assert no_reason.status_code == 400 and "reason" in no_reason.data
    disqualified = api(chair).post(
        url, {"bid": bids[1].pk, "valid": False, "reason": "未提供登记证书"}, format="json"
    )
    assert disqualified.status_code == 200
    assert (disqualified.data["state"], disqualified.data["invalid_reason"]) == (
        "invalid",
        "未提供登记证书",
    )
    other = opened(
        world | {"project": ServiceProjectFactory(bureau=world["bureau"], state="approved")}
    )
    foreign = api(chair).post(url, {"bid": other.bids.first().pk, "valid": True}, format="json")
    assert foreign.status_code == 400 and "bid" in foreign.data
    assert TransitionLog.for_object(bids[0]).filter(transition="qualify", actor=chair).exists()
    assert (
        TransitionLog.for_object(bids[1])
        .filter(transition="disqualify", note="未提供登记证书")
        .exists()
    )


def test_members_fill_their_score_sheets_and_the_bureau_awards(world):  # noqa: F811
    tender = opened(world)
    early = api(world["experts"][0]).get(f"/api/v1/tenders/{tender.pk}/my-scores/")
    assert early.status_code == 403  # not on the panel (yet)
    tender = seated(world, tender)
    for bid in tender.bids.all():
        services.bid_review(bid=bid, actor=world["experts"][0], valid=True)
    url = f"/api/v1/tenders/{tender.pk}/my-scores/"
    for outsider in (world["staff"], world["ngos"][0], AuditorFactory()):
        assert api(outsider).get(url).status_code == 403
        assert api(outsider).post(url, {"scores": []}, format="json").status_code == 403
    sheet = api(world["experts"][0]).get(url)
    assert sheet.status_code == 200
    assert len(sheet.data["criteria"]) == 3 and len(sheet.data["bids"]) == 3
    assert sheet.data["scores"] == [] and sheet.data["complete"] is False
    criteria = sheet.data["criteria"]
    bid = sheet.data["bids"][0]["id"]
    too_high = {"scores": [{"bid": bid, "criterion": criteria[0]["id"], "points": "41"}]}
    refused = api(world["experts"][0]).post(url, too_high, format="json")
    assert refused.status_code == 400
    assert api(world["experts"][0]).post(url, {"scores": "x"}, format="json").status_code == 400
    prices = {b.pk: b.price for b in tender.bids.all()}
    for expert in world["experts"]:
        cells = [
            {
                "bid": b["id"],
                "criterion": c["id"],
                "points": str(Decimal(c["points"]) - (1 if prices[b["id"]] == 480000 else 5)),
            }
            for b in sheet.data["bids"]
            for c in criteria
        ]
        saved = api(expert).post(url, {"scores": cells}, format="json")
        assert saved.status_code == 200, saved.data
        assert saved.data["complete"] is True and len(saved.data["scores"]) == 9
    assert TransitionLog.for_object(tender).filter(transition="score").count() == 5
    awarded = api(world["staff"]).post(f"/api/v1/tenders/{tender.pk}/award/")
    assert awarded.status_code == 200 and awarded.data["state"] == "awarded"
    assert Bid.objects.get(tender=tender, price=Decimal("480000.00")).state == "won"
    # After the award the scoring is closed: a member's save is refused by the state.
    closed = api(world["experts"][1]).post(
        url,
        {"scores": [{"bid": bid, "criterion": criteria[0]["id"], "points": "1"}]},
        format="json",
    )
    assert closed.status_code == 409


def test_a_full_tie_is_drawn_at_random_and_recorded(world):  # noqa: F811
    # Equal prices and equal technical scores: the award runs the recorded random draw.
    tender = seated(world, opened(world, ("450000.00", "450000.00", "480000.00")))
    bids = list(tender.bids.order_by("id"))
    for bid in bids:
        services.bid_review(bid=bid, actor=world["experts"][0], valid=True)
    for expert in world["experts"]:
        services.scores_save(
            tender=tender,
            actor=expert,
            points={(b.pk, c.pk): c.points - 5 for b in bids for c in tender.criteria.all()},
        )
    awarded = api(world["staff"]).post(f"/api/v1/tenders/{tender.pk}/award/")
    assert awarded.status_code == 200
    tender.refresh_from_db()
    draw = TransitionLog.for_object(tender).get(transition="tie_draw", actor=world["staff"])
    assert f"tied={[bids[0].pk, bids[1].pk]}" in draw.note
    assert tender.awarded_bid_id in (bids[0].pk, bids[1].pk)


def test_panel_actions_on_an_invisible_tender_are_404(world):  # noqa: F811
    draft = make_tender(world["project"], world["staff"], publish=False)
    for path in ("panel/", "panel/declare/", "review/", "my-scores/", "panel/draw/"):
        response = api(world["experts"][0]).post(
            f"/api/v1/tenders/{draft.pk}/{path}", {}, format="json"
        )
        assert response.status_code == 404, path
