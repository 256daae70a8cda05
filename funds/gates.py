"""What funds asks of the app that evaluates its milestones, without importing it.

Evaluation sits above funds (an evaluation names the milestone whose payment it gates) and
registers here at start-up (`evaluation.milestones`): the confirmed result a milestone's payment
waits for, whether a user assesses a contract (its assessors read the contract's deliverables and
service records), and the contracts a user assesses as a subquery. With nothing registered no
result is confirmed and nobody assesses.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.permissions import Decision, deny


@dataclass(frozen=True)
class Evaluator:
    confirmed_result: Callable[..., Any]  # (milestone=…) -> its confirmed evaluation or None
    can_read_evidence: Callable[[Any, Any], Decision]  # (user, contract)
    assessed_contracts: Callable[[Any], Any]  # (user) -> a subquery of contract ids


_evaluators: list[Evaluator] = []


def register(evaluator: Evaluator) -> Evaluator:
    if evaluator not in _evaluators:
        _evaluators.append(evaluator)
    return evaluator


def confirmed_result(milestone: Any) -> Any:
    """The confirmed evaluation `milestone`'s payment waits for, or None."""
    for evaluator in _evaluators:
        result = evaluator.confirmed_result(milestone=milestone)
        if result is not None:
            return result
    return None


def can_read_evidence(user: Any, contract: Any) -> Decision:
    """Whether `user` assesses `contract`, so may read its deliverables and service records."""
    decision = deny(_("Only the assessors of an evaluation of this contract read its evidence."))
    for evaluator in _evaluators:
        decision = evaluator.can_read_evidence(user, contract)
        if decision:
            return decision
    return decision


def assessed_contracts_q(user: Any, prefix: str = "contract__") -> Q:
    """Rows (reached through `prefix`) of the contracts `user` assesses."""
    q = Q(**{f"{prefix}in": []})
    for evaluator in _evaluators:
        q |= Q(**{f"{prefix}in": evaluator.assessed_contracts(user)})
    return q
