"""The panel's experts are drawn at random from the pool: by category, avoiding declared ties
and bidders' employees, replayable from the recorded seed; sizes follow the method and budget."""

from __future__ import annotations

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from core.fsm import ActionRefusedError
from core.models import TransitionLog
from procurement import expert_draw, rules, services
from procurement.models import ExpertProfile, PanelDraw, Tender
from tests.factories.accounts import ExpertFactory
from tests.procurement.conftest import make_tender, pool_experts

pytestmark = pytest.mark.django_db


def test_draw_excludes_ties_and_employees_and_is_replayable(world):
    tender = make_tender(world["project"], world["staff"])
    bidder = world["ngos"][0]
    services.bid_submit(
        tender=tender, actor=bidder, price=Decimal("450000"), technical_proposal="x"
    )
    extra = [ExpertFactory() for _ in range(4)]
    pool_experts(extra, world["project"].category)
    tied, employee = extra[0], extra[1]
    ExpertProfile.objects.get(user=tied).conflicts.add(bidder.organization)
    ExpertProfile.objects.filter(user=employee).update(employer=bidder.organization)
    other_category = ExpertFactory()
    ExpertProfile.objects.create(user=other_category, categories=["elderly_care"])
    api = APIClient()
    api.force_authenticate(world["staff"])
    response = api.post(f"/api/v1/tenders/{tender.pk}/panel/draw/", {}, format="json")
    assert response.status_code == 201, response.content
    draw = PanelDraw.objects.get(pk=response.json()["id"])
    assert draw.wanted == 5 and len(draw.drawn) == 5
    assert tied.pk not in draw.candidates and employee.pk not in draw.candidates
    assert other_category.pk not in draw.candidates
    reasons = {e["user"]: e["reason"] for e in draw.excluded}
    assert reasons[tied.pk] == "declared tie to a bidder"
    assert reasons[employee.pk] == "employed by a bidder"
    assert expert_draw.replay(draw) == draw.drawn
    assert set(tender.panel.values_list("user_id", flat=True)) == set(draw.drawn)
    log = TransitionLog.for_object(draw).get(transition="draw")
    assert draw.seed in log.note and log.actor == world["staff"]


def test_a_decline_is_replaced_by_a_new_recorded_draw(world):
    tender = make_tender(world["project"], world["staff"])
    pool_experts([ExpertFactory() for _ in range(2)], world["project"].category)
    expert_draw.panel_draw(tender=tender, actor=world["staff"])
    seat = tender.panel.first()
    replacement = expert_draw.panel_decline(
        member=seat, actor=world["staff"], reason="出差，无法到场"
    )
    seat.refresh_from_db()
    assert seat.declined and replacement.replaces_id == seat.pk and replacement.wanted == 1
    assert seat.user_id not in replacement.candidates
    active = [m for m in tender.panel.all() if m.is_active]
    assert len(active) == 5


def test_hand_picked_experts_are_refused_and_a_small_pool_is_named(world):
    tender = make_tender(world["project"], world["staff"])
    with pytest.raises(ActionRefusedError, match="实施条例第39条"):
        services.panel_member_add(tender=tender, actor=world["staff"], user=world["experts"][0])
    ExpertProfile.objects.filter(user=world["experts"][0]).delete()
    with pytest.raises(ActionRefusedError, match="4人，需要5人"):
        expert_draw.panel_draw(tender=tender, actor=world["staff"])


def test_panel_size_rules_by_method_budget_and_complexity(world):
    tender = make_tender(world["project"], world["staff"], publish=False)
    assert rules.panel_size_required(tender) == 5
    Tender.objects.filter(pk=tender.pk).update(is_complex=True)
    tender.refresh_from_db()
    assert rules.panel_size_required(tender) == 7
    Tender.objects.filter(pk=tender.pk).update(is_complex=False, ceiling_price=Decimal("10000000"))
    tender.refresh_from_db()
    assert rules.panel_size_required(tender) == 7
    Tender.objects.filter(pk=tender.pk).update(
        method="consultation", ceiling_price=Decimal("300000")
    )
    tender.refresh_from_db()
    assert rules.panel_size_required(tender) == 3
    Tender.objects.filter(pk=tender.pk).update(ceiling_price=Decimal("4000000"))
    tender.refresh_from_db()
    assert rules.panel_size_required(tender) == 5


def test_expert_share_is_checked(world):
    tender = make_tender(world["project"], world["staff"])
    pool_experts(world["experts"], world["project"].category)
    expert_draw.panel_draw(tender=tender, actor=world["staff"], experts=1)
    services.panel_member_add(tender=tender, actor=world["staff"], user=world["staff"])
    problems = " ".join(rules.panel_problems(tender))
    assert "三分之二" in problems and "财政部令第87号第47条" in problems
