"""Milestones and payments on the project page."""

from __future__ import annotations

from typing import Any

from funds.models import Milestone
from funds.permissions import can_view_milestone
from projects.sections import Section, register


@register
def funds_section(user: Any, project: Any) -> Section | None:
    milestones = [
        m
        for m in Milestone.objects.filter(contract__project=project)
        .select_related("contract__project", "contract__supplier")
        .order_by("contract_id", "sequence")
        if can_view_milestone(user, m)
    ]
    if not milestones:
        return None
    contracts = {m.contract for m in milestones}
    return Section(
        "funds/_project_section.html",
        {"milestones": milestones, "contracts": sorted(contracts, key=lambda c: c.pk)},
        order=30,
    )
