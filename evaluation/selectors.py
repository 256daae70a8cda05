"""Read queries for evaluation pages; each costs a fixed number of queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from core.queries import count_of
from evaluation.models import (
    RESULT_CONFIRMED_STATES,
    SHEETS_OPEN_STATES,
    AssessorAssignment,
    Evaluation,
    EvaluationResult,
    Indicator,
    IndicatorSystem,
    LeafResult,
    ScoreEntry,
    ScoreSheet,
    SheetState,
)
from evaluation.permissions import (
    can_view_evaluation,
    can_view_system,
    visible_evaluations_q,
    visible_sheets_q,
    visible_systems_q,
)
from evaluation.records import ChangeRecord


def system_list(*, user: Any) -> QuerySet[IndicatorSystem]:
    return (
        IndicatorSystem.objects.filter(visible_systems_q(user))
        .select_related("owner")
        .annotate(
            # Each count in its own subquery: joining both multiplied a system's indicators by
            # its evaluations (50 × 11,000 rows counted distinct, 0.5 s a view at provincial
            # scale); the evaluation count is an index-only count per system.
            leaf_count=count_of(Indicator.objects.filter(level=3), outer="system"),
            evaluation_count=count_of(Evaluation.objects.all(), outer="system"),
        )
        .order_by("code", "-version")
    )


def system_get(*, user: Any, pk: int) -> IndicatorSystem:
    system = get_object_or_404(IndicatorSystem.objects.select_related("owner"), pk=pk)
    if not can_view_system(user, system):
        raise Http404
    return system


def system_tree(*, system: IndicatorSystem) -> list[Indicator]:
    """Indicators in reading order (depth first), one query."""
    return list(system.indicators.order_by("position"))


def evaluation_list(*, user: Any, state: str = "") -> QuerySet[Evaluation]:
    qs = (
        # The visibility filter joins nothing that repeats a row (assignments are a subquery),
        # so no pk subquery is needed to keep one row per evaluation.
        Evaluation.objects.filter(visible_evaluations_q(user))
        # What the list shows (the lead is not: one join fewer for the planner on every page).
        .select_related("project__bureau", "contract__supplier", "assessor_org")
        .order_by("-id")
    )
    if state:
        qs = qs.filter(state=state)
    return qs


def evaluation_get(*, user: Any, pk: int) -> Evaluation:
    """The evaluation if `user` may see it, else 404."""
    evaluation = get_object_or_404(
        Evaluation.objects.select_related(
            "project",
            "project__bureau",
            "contract",
            "contract__supplier",
            "assessor_org",
            "lead",
            "system",
            "milestone",
        ),
        pk=pk,
    )
    if not can_view_evaluation(user, evaluation):
        raise Http404
    return evaluation


def evaluation_assignments(*, evaluation: Evaluation) -> list[AssessorAssignment]:
    return list(evaluation.assignments.select_related("assessor").order_by("assigned_at", "id"))


def sheet_for(*, evaluation: Evaluation, user: Any) -> ScoreSheet | None:
    return (
        ScoreSheet.objects.filter(evaluation=evaluation, assessor_id=user.pk)
        .prefetch_related("entries__indicator")
        .first()
    )


def sheets_visible(*, user: Any, evaluation: Evaluation) -> QuerySet[ScoreSheet]:
    """The sheets of `evaluation` that `user` may read (their own; others' once all are in)."""
    return (
        evaluation.sheets.filter(visible_sheets_q(user))
        .select_related("assessor")
        .prefetch_related("entries__indicator")
    )


def sheet_progress(*, evaluation: Evaluation) -> list[dict[str, Any]]:
    """Who has submitted; never anyone's scores (sheets are sealed while scoring)."""
    return [
        dict(row)
        for row in evaluation.sheets.select_related("assessor")
        .order_by("id")
        .values("assessor__display_name", "assessor__username", "state", "submitted_at")
    ]


def gating_result(*, milestone: Any) -> Evaluation | None:
    """The latest evaluation of `milestone` whose result is confirmed (confirmed or published)."""
    return (
        Evaluation.objects.filter(milestone=milestone, state__in=RESULT_CONFIRMED_STATES)
        .exclude(total_score__isnull=True)
        .order_by("-confirmed_at", "-id")
        .first()
    )


@dataclass
class ResultRow:
    indicator: Indicator
    leaf: LeafResult | None
    score: Decimal


def result_rows(*, result: EvaluationResult) -> list[ResultRow]:
    """Every indicator of the system in tree order with its (summed) score, two queries."""
    nodes = list(
        Indicator.objects.filter(system_id=result.evaluation.system_id).order_by("position")
    )
    leaves = {lr.indicator_id: lr for lr in result.leaves.all()}
    by_id = {n.pk: n for n in nodes}
    sums: dict[int, Decimal] = defaultdict(Decimal)
    for node in nodes:
        if node.level == 3 and node.pk in leaves:
            cur: Indicator | None = node
            while cur is not None:
                sums[cur.pk] += leaves[node.pk].score
                cur = by_id.get(cur.parent_id) if cur.parent_id else None
    return [ResultRow(indicator=n, leaf=leaves.get(n.pk), score=sums[n.pk]) for n in nodes]


def result_history(*, evaluation: Evaluation) -> list[EvaluationResult]:
    return list(
        evaluation.results.select_related("consolidated_by")
        .prefetch_related(Prefetch("leaves", queryset=LeafResult.objects.all()))
        .order_by("round")
    )


def adjustments(*, evaluation: Evaluation) -> dict[int, list[dict[str, Any]]]:
    """Per leaf, each submitted sheet that departs from the computed figure, and why (1 query)."""
    found: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for entry in (
        ScoreEntry.objects.filter(sheet__evaluation=evaluation, sheet__state=SheetState.SUBMITTED)
        .exclude(adjust_reason="")
        .select_related("sheet__assessor")
        .order_by("sheet_id")
    ):
        found[entry.indicator_id].append(
            {
                "assessor": entry.sheet.assessor,
                "inputs": entry.inputs,
                "reason": entry.adjust_reason,
            }
        )
    return dict(found)


def change_history(*, evaluation: Evaluation, user: Any) -> QuerySet[ChangeRecord]:
    """Every version of every entry, note and override, oldest first (one query).

    While scoring, another assessor's entries stay sealed: only one's own sheet shows."""
    qs = evaluation.changes.select_related("actor", "indicator", "sheet__assessor")
    if evaluation.state not in SHEETS_OPEN_STATES:
        qs = qs.filter(Q(sheet__isnull=True) | Q(sheet__assessor_id=user.pk))
    return qs.order_by("at", "id")
