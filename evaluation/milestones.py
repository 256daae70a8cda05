"""What evaluation does to funds' milestones: it answers `funds.gates` and moves the milestone.

Evaluation sits above funds (docs/architecture.md, App layers), so funds asks its questions through
the gate registered here and never imports evaluation; the milestone moves (under evaluation,
evaluated) on evaluation's own signals, sent inside the service's transaction.
"""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from core.fsm import check_transition, run_transition
from evaluation.permissions import assessed_contracts_q, can_read_contract_evidence
from evaluation.selectors import gating_result
from evaluation.signals import evaluation_commissioned, evaluation_confirmed
from funds import gates
from funds.models import Milestone

gates.register(
    gates.Evaluator(
        confirmed_result=gating_result,
        can_read_evidence=can_read_contract_evidence,
        assessed_contracts=assessed_contracts_q,
    )
)


def _move(milestone_id: int | None, transition: str, note: str) -> None:
    if milestone_id is None:
        return
    milestone = Milestone.objects.get(pk=milestone_id)
    if check_transition(milestone, transition, None):
        run_transition(milestone, transition, actor=None, note=note)


@receiver(evaluation_commissioned, dispatch_uid="evaluation.milestone_under_evaluation")
def milestone_under_evaluation(sender: Any, *, evaluation: Any, **kwargs: Any) -> None:
    _move(evaluation.milestone_id, "start_evaluation", f"评估#{evaluation.pk}")


@receiver(evaluation_confirmed, dispatch_uid="evaluation.milestone_evaluated")
def milestone_evaluated(sender: Any, *, evaluation: Any, **kwargs: Any) -> None:
    _move(
        evaluation.milestone_id, "mark_evaluated", f"评估#{evaluation.pk} {evaluation.total_score}"
    )
