"""The procurement panel on the project page: its tender rounds and its contract."""

from __future__ import annotations

from typing import Any

from procurement.models import Contract, Tender
from procurement.permissions import can_create_tender, can_view_contract, visible_tenders_q
from projects.sections import Section, register


@register
def procurement_section(user: Any, project: Any) -> Section | None:
    tenders = list(
        Tender.objects.filter(visible_tenders_q(user), project=project).order_by("round")
    )
    contracts = [
        c
        for c in Contract.objects.filter(project=project).select_related("supplier")
        if can_view_contract(user, c)
    ]
    can_create = can_create_tender(user, project)
    if not tenders and not contracts and not can_create:
        return None
    return Section(
        "procurement/_project_section.html",
        {
            "tenders": tenders,
            "contracts": contracts,
            "can_create": can_create,
            "project": project,
            "intents": list(project.procurement_intents.all()[:3]),
        },
        order=10,
    )
