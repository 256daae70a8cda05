"""Read queries for project pages; each returns everything its page shows in a fixed number of queries."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404

from core.models import TransitionLog
from projects.models import ServiceProject, TargetGroup
from projects.permissions import can_view_project, visible_projects_q


def project_list(
    *,
    user: Any,
    state: str = "",
    category: str = "",
    search: str = "",
    year: int | None = None,
) -> QuerySet[ServiceProject]:
    # A correlated subquery rather than a join + GROUP BY: the paginator's COUNT(*) then
    # drops it and stays a plain count over the visible projects.
    beneficiaries = (
        TargetGroup.objects.filter(project=OuterRef("pk"))
        .values("project")
        .annotate(total=Sum("count"))
        .values("total")
    )
    qs = (
        ServiceProject.objects.filter(visible_projects_q(user))
        .select_related("bureau")
        .annotate(beneficiaries=Subquery(beneficiaries))
        .order_by("-created_at", "-id")
    )
    if state:
        qs = qs.filter(state=state)
    if category:
        qs = qs.filter(category=category)
    if year and 1900 <= year <= 2200:  # outside that, the database cannot build the date bound
        qs = qs.filter(period_start__year__lte=year, period_end__year__gte=year)
    if search:
        qs = qs.filter(
            Q(title__icontains=search)
            | Q(code__icontains=search)
            | Q(bureau__name__icontains=search)
            | Q(region__icontains=search)
        )
    return qs


def project_get(*, user: Any, pk: int) -> ServiceProject:
    """The project if `user` may see it, else 404 (so existence is not leaked)."""
    project = get_object_or_404(
        ServiceProject.objects.select_related("bureau", "created_by").prefetch_related(
            "target_groups"
        ),
        pk=pk,
    )
    if not can_view_project(user, project):
        raise Http404
    return project


def project_timeline(*, project: ServiceProject) -> QuerySet[TransitionLog]:
    return TransitionLog.for_object(project)


def project_state_counts(*, user: Any) -> dict[str, int]:
    rows = (
        ServiceProject.objects.filter(visible_projects_q(user))
        .values("state")
        # COUNT(*), not COUNT(id): the state is all it reads, so an index answers it alone.
        .annotate(n=Count("*"))
    )
    return {row["state"]: row["n"] for row in rows}
