"""What planning shows on the project page (catalogue entry, budget lines drawn on) and on
the project's notices (its catalogue entry)."""

from __future__ import annotations

from typing import Any

from planning.models import ProjectCatalogue, ProjectDraw
from planning.permissions import BUREAU_ROLES, SEES_EVERYTHING, can_draw
from projects.sections import Section


def planning_section(user: Any, project: Any) -> Section | None:
    if not (user.is_superuser or user.role in (*BUREAU_ROLES, *SEES_EVERYTHING)):
        return None
    draws = list(
        ProjectDraw.objects.filter(project=project).select_related("line__plan").order_by("pk")
    )
    picked = ProjectCatalogue.objects.filter(project=project).select_related("item").first()
    # Tenders whose supplier requirements may still be set (drafts) and those already set.
    tenders = list(project.tenders.select_related("supplier_requirement").order_by("round"))
    return Section(
        "planning/_project_section.html",
        {
            "draws": draws,
            "catalogue": picked.item if picked else None,
            "may_fund": bool(can_draw(user, project)),
            "project_pk": project.pk,
            "tenders": tenders,
            "may_require": user.role == "bureau_staff"
            and user.organization_id == project.bureau_id,
        },
        order=5,
    )


# The label is the catalogue's official name, printed as is on the (Chinese) notice PDFs, like
# the rest of the default notice templates.
CATALOGUE_LABEL = "政府购买服务指导性目录"


def notice_facts(project: Any) -> list[tuple[str, str]]:
    """The 指导性目录 entry on the project's tender and award notices (procurement's registry)."""
    picked = ProjectCatalogue.objects.filter(project=project).select_related("item").first()
    return [(CATALOGUE_LABEL, str(picked.item))] if picked else []


def sample_notice_facts() -> list[tuple[str, str]]:
    return [(CATALOGUE_LABEL, "0301 困境儿童关爱保护服务")]
