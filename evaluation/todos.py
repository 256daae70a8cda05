"""What the evaluation app adds to each user's 工作台."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from core.todos import Todo, register
from evaluation.models import (
    AssessorAssignment,
    AssignmentState,
    Evaluation,
    EvaluationState,
    ScoreSheet,
    SheetState,
)

LEAD_WORK = [EvaluationState.COMMISSIONED, EvaluationState.SUBMITTED, EvaluationState.APPEALED]


def _assessor_todos(user: Any) -> list[Todo]:
    pending = (
        AssessorAssignment.objects.filter(assessor=user, state=AssignmentState.PENDING)
        .select_related("evaluation__project")
        .only("evaluation__project__title")[:20]
    )
    drafts = (
        ScoreSheet.objects.filter(
            assessor=user, state=SheetState.DRAFT, evaluation__state=EvaluationState.SCORING
        )
        .select_related("evaluation__project")
        .only("evaluation__due_date", "evaluation__project__title")[:20]
    )
    leading = (
        Evaluation.objects.filter(lead=user, state__in=LEAD_WORK)
        .select_related("project")
        .only("state", "due_date", "project__title")[:20]
    )
    items = [
        Todo(
            title=_("Declare conflicts of interest: %s") % a.evaluation.project.title,
            url=a.evaluation.get_absolute_url(),
        )
        for a in pending
    ]
    items.extend(
        Todo(
            title=_("Score: %s") % s.evaluation.project.title,
            url=s.evaluation.get_absolute_url(),
            due=s.evaluation.due_date,
        )
        for s in drafts
    )
    items.extend(
        Todo(
            title=_("Lead the evaluation: %s") % e.project.title,
            url=e.get_absolute_url(),
            detail=e.get_state_display(),
            due=e.due_date,
        )
        for e in leading
    )
    return items


@register
def evaluation_todos(user: Any) -> list[Todo]:
    """Declarations, sheets, consolidation, confirmation and appeals waiting for this user."""
    if not user.is_authenticated:
        return []
    if user.role == Role.ASSESSOR:
        return _assessor_todos(user)
    if user.role == Role.BUREAU_STAFF:
        waiting = (
            Evaluation.objects.filter(
                project__bureau_id=user.organization_id,
                state__in=[EvaluationState.CONSOLIDATED, EvaluationState.RE_REVIEWED],
            )
            .select_related("project")
            .only("total_score", "project__title")[:20]
        )
        return [
            Todo(
                title=_("Confirm the evaluation result: %s") % e.project.title,
                url=e.get_absolute_url(),
                detail=str(e.total_score),
            )
            for e in waiting
        ]
    if user.role == Role.NGO:
        confirmed = Evaluation.objects.filter(
            contract__supplier_id=user.organization_id, state=EvaluationState.CONFIRMED
        ).select_related("project")[:20]
        return [
            Todo(
                title=_("Evaluation result to review: %s") % e.project.title,
                url=e.get_absolute_url(),
                due=e.appeal_deadline,
            )
            for e in confirmed
            if e.appeal_deadline and e.within_appeal_period()
        ]
    return []
