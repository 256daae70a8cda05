"""The releases Sanshe publishes for one project, one per public event (OCDS 1.1)."""

from __future__ import annotations

from django.db.models import QuerySet

from opendata.ocds import Release, amount, base_release, iso, party
from projects.models import UNPUBLISHED_STATES, ServiceProject

# Sanshe's service categories in OCDS terms: all are services; the Chinese label is kept.
MAIN_CATEGORY = "services"


def published_projects() -> QuerySet[ServiceProject]:
    """Projects whose notices are public (tendering onwards)."""
    return (
        ServiceProject.objects.exclude(state__in=UNPUBLISHED_STATES)
        .select_related("bureau")
        .order_by("id")
    )


def planning_release(project: ServiceProject) -> Release:
    release = base_release(
        project, event="planning", date=project.approved_at or project.created_at, tags=["planning"]
    )
    release["buyer"] = {"id": party(project.bureau, [])["id"], "name": project.bureau.name}
    release["parties"] = [party(project.bureau, ["buyer", "procuringEntity", "payer"])]
    release["planning"] = {
        "rationale": project.performance_targets,
        "budget": {
            "id": project.code,
            "description": f"{project.get_fund_source_display()}：{project.title}",
            "amount": amount(project.budget),
            "project": project.title,
            "projectID": project.code,
        },
    }
    release["tender"] = {
        "id": f"{project.code}-plan",
        "title": project.title,
        "description": project.description or project.title,
        "status": "planning",
        "mainProcurementCategory": MAIN_CATEGORY,
        "value": amount(project.budget),
        "contractPeriod": {
            "startDate": iso(project.period_start),
            "endDate": iso(project.period_end),
        },
    }
    return release


def releases_for(project: ServiceProject) -> list[Release]:
    """Every release published for a project, oldest first."""
    found = [planning_release(project)]
    return sorted(found, key=lambda r: (r["date"], r["id"]))
