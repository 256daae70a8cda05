"""How much of a milestone is paid for an evaluated score (DESIGN §3, configurable per milestone)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

FEN = Decimal("0.01")


@dataclass(frozen=True)
class Payout:
    pay: Decimal
    withheld: Decimal
    explanation: str
    # The same explanation as a ledger memo key (funds.models.MEMOS) and its arguments, so the
    # ledger shows it in each reader's language.
    memo_key: str = ""
    memo_args: dict[str, str] = field(default_factory=dict)


def payout(
    amount: Decimal,
    score: Decimal | None,
    *,
    full_pay_score: Decimal = Decimal("80"),
    pass_score: Decimal = Decimal("60"),
) -> Payout:
    """≥ full_pay_score pays all; from pass_score pays score ÷ full_pay_score; below pays nothing."""
    if score is None:
        args = {"a": str(amount)}
        return Payout(
            amount,
            Decimal("0.00"),
            _("Advance: no evaluation needed; %(a)s is payable.") % args,
            "advance",
            args,
        )
    if score >= full_pay_score:
        args = {"s": str(score), "f": str(full_pay_score), "a": str(amount), "p": str(amount)}
        return Payout(
            amount,
            Decimal("0.00"),
            _("Score %(s)s ≥ %(f)s: 100%% of %(a)s = %(p)s.") % args,
            "full_pay",
            args,
        )
    if score >= pass_score:
        pay = (amount * score / full_pay_score).quantize(FEN, rounding=ROUND_HALF_UP)
        args = {
            "s": str(score),
            "p": str(pass_score),
            "f": str(full_pay_score),
            "a": str(amount),
            "pay": str(pay),
            "w": str(amount - pay),
        }
        return Payout(
            pay,
            amount - pay,
            _(
                "Score %(s)s is %(p)s-%(f)s: %(a)s × %(s)s ÷ %(f)s = %(pay)s; %(w)s withheld until rectified."
            )
            % args,
            "pro_rata",
            args,
        )
    args = {"s": str(score), "p": str(pass_score), "a": str(amount)}
    return Payout(
        Decimal("0.00"),
        amount,
        _("Score %(s)s < %(p)s: nothing is paid; %(a)s withheld pending rectification.") % args,
        "nothing_payable",
        args,
    )
