"""The planning panel on the project page: catalogue entry, budget lines drawn on."""

from __future__ import annotations

from typing import Any

from projects.sections import Section


def planning_section(user: Any, project: Any) -> Section | None:
    from planning.models import ProjectCatalogue, ProjectDraw
    from planning.permissions import BUREAU_ROLES, SEES_EVERYTHING, can_draw

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
