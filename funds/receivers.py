"""Funds reacts to other apps' events: money events become ledger entries, drafted contracts get
their milestones."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver
from django.utils.translation import gettext as _

from core.fsm import ActionRefusedError
from core.money import split_by_percentages
from core.signals import contract_amount_changing, contract_drafted, money_event
from funds.ledger import ledger_post
from funds.models import LedgerKind, Milestone
from funds.services import contract_committed


@receiver(money_event, dispatch_uid="funds.ledger")
def post_money_event(
    sender: Any,
    *,
    kind: str,
    amount: Any,
    project: Any,
    actor: Any = None,
    memo: str = "",
    contract: Any = None,
    milestone: Any = None,
    occurred_at: Any = None,
    **kwargs: Any,
) -> None:
    keyed: dict[str, Any] = {}
    if kind == LedgerKind.BUDGET_APPROPRIATED:
        # Said in each reader's language rather than the approver's.
        keyed = {"memo_key": "budget_appropriated", "memo_args": {"code": project.code}}
    else:
        keyed = {"memo": str(memo)}
    ledger_post(
        kind=kind,
        amount=amount,
        project=project,
        contract=contract,
        milestone=milestone,
        actor=actor,
        occurred_at=occurred_at,
        **keyed,
    )


@receiver(contract_amount_changing, dispatch_uid="funds.amend_not_below_paid")
def amend_not_below_committed(sender: Any, *, contract: Any, amount: Any, **kwargs: Any) -> None:
    """A contract amount is never amended below what is already paid or on its way out."""
    committed = contract_committed(contract)
    if amount < committed:
        raise ActionRefusedError(
            _(
                "The amended amount %(a)s is below the %(c)s already paid or being paid on this "
                "contract."
            )
            % {"a": amount, "c": committed}
        )


@receiver(contract_drafted, dispatch_uid="funds.contract_milestones")
def create_milestones(sender: Any, *, contract: Any, milestones: list[Any], **kwargs: Any) -> None:
    """The payment milestones a drafted contract lists, its amount split to the fen."""
    amounts = split_by_percentages(contract.amount, [m.percentage for m in milestones])
    rows = [
        Milestone(
            contract=contract,
            sequence=i,
            name=m.name,
            percentage=m.percentage,
            amount=amount,
            due_date=m.due_date,
            is_advance=m.is_advance,
            requires_evaluation=not m.is_advance,
            deliverables_required=m.deliverables,
        )
        for i, (m, amount) in enumerate(zip(milestones, amounts, strict=True), start=1)
    ]
    Milestone.objects.bulk_create(rows)
