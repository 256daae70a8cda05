"""Bid and performance bonds received and returned through the ledger (银行存款 ↔ 应付保证金).

Procurement keeps the amounts a tender or contract asks for (Tender.bid_bond, at most 2% of the
budget; Contract.performance_bond, at most 10% of the amount); funds records the money itself,
reading those fields, so procurement's services never change for it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.fsm import ActionRefusedError, run_transition
from core.permissions import refuse_unless
from funds.ledger import ledger_post
from funds.models import Bond, BondKind, BondState, LedgerKind
from funds.permissions import can_manage_bond
from procurement.models import Bid, Contract, Tender


def _received_on(day: dt.date) -> None:
    if day > timezone.localdate():
        raise ValidationError({"received_on": _("The date %(d)s is in the future.") % {"d": day}})


@transaction.atomic
def bond_receive(
    *,
    actor: Any,
    kind: str,
    payer: Any,
    amount: Any,
    received_on: dt.date,
    tender: Tender | None = None,
    contract: Contract | None = None,
) -> Bond:
    """Finance records a bond paid in: a bid bond from a bidder of a tender that asks for one,
    or the performance bond of a contract from its supplier."""
    if kind == BondKind.BID:
        if tender is None:
            raise ValidationError({"tender": _("Name the tender the bid bond is for.")})
        if tender.bid_bond <= 0:
            raise ActionRefusedError(_("This tender asks for no bid bond."))
        if amount > tender.bid_bond:
            raise ValidationError(
                {"amount": _("The tender asks for a bid bond of %(a)s.") % {"a": tender.bid_bond}}
            )
        if not Bid.objects.filter(tender=tender, supplier=payer).exists():
            raise ValidationError({"payer": _("%(o)s has not bid on this tender.") % {"o": payer}})
        project, contract = tender.project, None
    elif kind == BondKind.PERFORMANCE:
        if contract is None:
            raise ValidationError({"contract": _("Name the contract the bond is for.")})
        if contract.performance_bond <= 0:
            raise ActionRefusedError(_("This contract asks for no performance bond."))
        if amount > contract.performance_bond:
            raise ValidationError(
                {
                    "amount": _("The contract asks for a performance bond of %(a)s.")
                    % {"a": contract.performance_bond}
                }
            )
        if payer.pk != contract.supplier_id:
            raise ValidationError({"payer": _("The performance bond is paid by the supplier.")})
        project, tender = contract.project, None
    else:
        raise ValidationError({"kind": _("Unknown bond.")})
    if amount <= 0:
        raise ValidationError({"amount": _("The amount must be positive.")})
    _received_on(received_on)
    bond = Bond(
        kind=kind,
        project=project,
        tender=tender,
        contract=contract,
        payer=payer,
        amount=amount,
        received_on=received_on,
        received_by=actor,
    )
    decision = can_manage_bond(actor, bond)
    refuse_unless(decision)
    try:
        with transaction.atomic():
            bond.save()
    except IntegrityError as exc:
        raise ActionRefusedError(_("This bond is already recorded.")) from exc
    ledger_post(
        kind=LedgerKind.BOND_RECEIVED,
        amount=bond.amount,
        project=project,
        contract=contract,
        bond=bond,
        actor=actor,
        memo_key="bond_received",
        memo_args={"payer": payer.name},
    )
    return bond


@transaction.atomic
def bond_return(*, bond: Bond, actor: Any, returned_on: dt.date) -> Bond:
    """The bond goes back to its payer (for a bid bond within 5 working days, 实施条例第三十三条)."""
    if returned_on > timezone.localdate():
        raise ValidationError(
            {"returned_on": _("The date %(d)s is in the future.") % {"d": returned_on}}
        )
    if returned_on < bond.received_on:
        raise ValidationError({"returned_on": _("A bond is returned after it was received.")})
    returned = run_transition(
        bond,
        "return_to_payer",
        actor=actor,
        by=actor,
        on=returned_on,
        update_fields=["returned_by", "returned_on"],
    )
    ledger_post(
        kind=LedgerKind.BOND_RETURNED,
        amount=returned.amount,
        project=returned.project,
        contract=returned.contract,
        bond=returned,
        actor=actor,
        memo_key="bond_returned",
        memo_args={"payer": returned.payer.name},
    )
    return returned


def bonds_held(*, bureau_id: int) -> list[Bond]:
    return list(
        Bond.objects.filter(project__bureau_id=bureau_id, state=BondState.RECEIVED)
        .select_related("payer", "tender", "contract")
        .order_by("received_on", "id")
    )
