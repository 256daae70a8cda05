"""A published open tender for the 潜江 project with three NGOs and a five-expert panel."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from procurement import services
from procurement.models import ExpertProfile, ProcurementIntent
from procurement.services import CriterionInput
from projects.models import ProjectState
from tests.factories.accounts import (
    BureauFactory,
    BureauStaffFactory,
    ExpertFactory,
    NgoUserFactory,
)
from tests.factories.projects import ServiceProjectFactory

CRITERIA = [
    CriterionInput("服务方案", Decimal("40")),
    CriterionInput("团队与经验", Decimal("30")),
    CriterionInput("管理制度", Decimal("10")),
]


def publish_intent(project, staff, *, days_ago=60):
    """The 采购意向 the rules want at least 30 days before the tender (财库〔2020〕10号)."""
    if not project.procurement_intents.exists():
        ProcurementIntent.objects.create(
            project=project,
            published_on=timezone.localdate() - dt.timedelta(days=days_ago),
            summary=f"{project.title}：购买社会工作服务",
            budget=project.budget,
            planned_month=timezone.localdate().strftime("%Y-%m"),
            created_by=staff,
        )


def pool_experts(experts, category):
    """Put `experts` into the expert pool for `category` (what the draw chooses from)."""
    for expert in experts:
        profile, _created = ExpertProfile.objects.get_or_create(user=expert)
        if category not in profile.categories:
            profile.categories = [*profile.categories, category]
            profile.save(update_fields=["categories"])


def draw_panel(tender, staff, experts, *, chair=None):
    """Draw the panel at random from `experts` (all pooled for the project's category) and record
    `chair` (default experts[0]) as its chair, as the bureau does on the tender page."""
    from procurement import expert_draw

    pool_experts(experts, tender.project.category)
    expert_draw.panel_draw(tender=tender, actor=staff)
    chair = chair or experts[0]
    # The draw is random: when experts[0] was not drawn (a 3-seat panel), the first seat chairs.
    seat = tender.panel.filter(user=chair).first() or (
        None if chair is not experts[0] else tender.panel.order_by("pk").first()
    )
    if seat is not None:
        services.panel_chair_set(tender=tender, actor=staff, member=seat)
    return list(tender.panel.filter(declined=False, withdrawn=False))


def make_tender(project, staff, *, method="open", notice_days=21, publish=True, **overrides):
    publish_intent(project, staff)
    now = timezone.now()
    fields = dict(
        title=project.title,
        method=method,
        evaluation_method="comprehensive",
        ceiling_price=Decimal("500000.00"),
        bid_bond=Decimal("10000.00"),
        price_weight=Decimal("20"),
        qualification_requirements="依法登记的社会组织",
        service_requirements="个案、小组、社区活动",
        clarification_deadline=now + dt.timedelta(days=notice_days - 5),
        bid_deadline=now + dt.timedelta(days=notice_days),
        opening_at=now + dt.timedelta(days=notice_days),
        criteria=CRITERIA,
    )
    fields.update(overrides)
    tender = services.tender_create(project=project, actor=staff, **fields)
    if publish:
        tender = services.tender_publish(tender=tender, actor=staff)
    return tender


@pytest.fixture
def world(db, calendar_ahead):
    bureau = BureauFactory(name="潜江市民政局")
    staff = BureauStaffFactory(organization=bureau)
    project = ServiceProjectFactory(
        bureau=bureau,
        title="“携手成长、守护阳光”关爱农村留守儿童保护项目",
        state=ProjectState.APPROVED,
    )
    ngos = [NgoUserFactory() for _ in range(3)]
    experts = [ExpertFactory() for _ in range(5)]
    pool_experts(experts, project.category)
    return {"bureau": bureau, "staff": staff, "project": project, "ngos": ngos, "experts": experts}


def evaluating(world, prices, technical, *, method="open"):
    """A tender under evaluation with bids at `prices`; every expert gives bid i `technical[i]`
    technical points (the first criterion varies, the others are full), so totals are known."""
    from procurement.models import Tender
    from tests.factories.accounts import NgoUserFactory

    staff = world["staff"]
    tender = make_tender(world["project"], staff, method=method)
    ngos = world["ngos"] + [NgoUserFactory() for _ in range(len(prices) - 3)]
    bids = [
        services.bid_submit(tender=tender, actor=ngo, price=p, technical_proposal="方案")
        for ngo, p in zip(ngos, prices, strict=False)
    ]
    past = timezone.now() - dt.timedelta(minutes=1)
    Tender.objects.filter(pk=tender.pk).update(bid_deadline=past, opening_at=past)
    tender.refresh_from_db()
    services.tender_open(tender=tender, actor=staff)
    for member in draw_panel(tender, staff, world["experts"]):
        services.panel_declare(member=member, actor=member.user, conflict=False)
    services.tender_start_evaluation(tender=tender, actor=staff)
    chair = tender.panel.get(is_chair=True).user
    for bid in bids:
        services.bid_review(bid=bid, actor=chair, valid=True)
    criteria = list(tender.criteria.all())
    for member in tender.panel.filter(declined=False, withdrawn=False):
        points = {}
        for bid, tech in zip(bids, technical, strict=True):
            points[(bid.pk, criteria[0].pk)] = (
                Decimal(tech) - criteria[1].points - criteria[2].points
            )
            points[(bid.pk, criteria[1].pk)] = criteria[1].points
            points[(bid.pk, criteria[2].pk)] = criteria[2].points
        services.scores_save(tender=tender, actor=member.user, points=points)
    tender.refresh_from_db()
    return tender, bids


def awarded(world, prices, technical):
    """`evaluating`, then awarded and the result notice published."""
    tender, bids = evaluating(world, prices, technical)
    tender = services.tender_award(tender=tender, actor=world["staff"])
    tender = services.award_publish(tender=tender, actor=world["staff"])
    return tender, bids
