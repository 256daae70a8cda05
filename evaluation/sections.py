"""The evaluations panel on the project page."""

from __future__ import annotations

from typing import Any

from evaluation.models import Evaluation
from evaluation.permissions import can_commission_evaluation, visible_evaluations_q
from projects.sections import Section, register


@register
def evaluations_section(user: Any, project: Any) -> Section | None:
    """Evaluations of this project the user may see, and the commission button for the buyer."""
    evaluations = list(
        Evaluation.objects.filter(visible_evaluations_q(user), project=project)
        .select_related("assessor_org", "contract")
        .distinct()
        .order_by("-id")
    )
    can_commission = can_commission_evaluation(user, project)
    if not evaluations and not can_commission:
        return None
    return Section(
        template="evaluation/_project_section.html",
        context={"evaluations": evaluations, "can_commission": can_commission, "project": project},
        order=60,
    )
