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
    seat = tender.panel.filter(user=chair).first()
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
def world(db):
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
